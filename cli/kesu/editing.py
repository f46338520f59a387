"""``kesu edit``: a hand correction, checked and recorded like any other step.

The edited text is turned into an ``edit`` step whose arguments are the new
content of each changed section, so the engine applies it (and a replay
reproduces it) like any other step.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Callable

from kesu import engine, yamlio
from kesu.i18n import _
from kesu.archive import Archive
from kesu.errors import UsageError
from kesu.record import Recorded, record_step
from kesu.rules import FROZEN
from kesu.validate import case_problems, locate


def changed_sections(before: dict, after: dict) -> list[str]:
    keys = list(dict.fromkeys([*before, *after]))
    return [k for k in keys if before.get(k) != after.get(k)]


def edit_case(archive: Archive, case_id: str, actor: str | None, at: str,
              editor: Callable[[str], str]) -> Recorded | None:
    """Let ``editor`` change the case text; commit it as Action: edit, or refuse.

    Returns None when nothing was changed. A refused edit is kept in a
    recovery file whose path is in the error message, so no typing is lost.
    """
    rel = archive.case_relpath(case_id)
    kept: list[str] = []

    def make_step(original: str) -> engine.Step | None:
        edited = editor(original)
        if edited == original:
            return None
        kept.append(edited)
        after = _checked(archive, rel, original, edited)
        before = yamlio.load(original, rel)
        sections = {k: after.get(k) for k in changed_sections(before, after)}
        return engine.Step("edit", actor or "", at, {"sections": sections})

    try:
        return record_step(archive, case_id, make_step)
    except UsageError as exc:
        if not kept:
            raise
        recovery = _keep(archive, case_id, kept[0])
        raise UsageError(_("{problem}; your edit is kept in {path}").format(problem=exc.message, path=recovery),
                         exc.path or rel, exc.line) from None


def _checked(archive: Archive, rel: str, original: str, edited: str) -> dict:
    """The edited document, refused when it would not validate."""
    before = yamlio.load(original, rel)
    after = yamlio.load(edited, rel)
    if not isinstance(after, dict):
        raise UsageError(_("a case file must be a mapping"), rel, 1)
    frozen = [k for k in FROZEN if before.get(k) != after.get(k)]
    if frozen:
        raise UsageError(_("an edit may not change {sections} (use the lifecycle commands)").format(
            sections=", ".join(frozen)), rel)
    problems = case_problems(after, rel, archive.policy)
    if problems:
        first = locate(edited, rel, problems)[0]
        more = _(" (and {count} more)").format(count=len(problems) - 1) if len(problems) > 1 else ""
        raise UsageError(_("the edited case is invalid: {problem}{more}").format(problem=first.message, more=more),
                         rel, first.line)
    return after


def _keep(archive: Archive, case_id: str, text: str) -> Path:
    from kesu import gitio

    folder = gitio.git_dir(archive.root) / "kesu-recovery"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = f"{case_id}.{datetime.now():%Y%m%dT%H%M%S}"
    for n in range(1, 1000):
        target = folder / (f"{stamp}.yaml" if n == 1 else f"{stamp}-{n}.yaml")
        try:  # created only if it does not exist: two refused edits never share a file
            with open(target, "x", encoding="utf-8") as handle:
                handle.write(text)
            return target
        except FileExistsError:
            continue
    raise UsageError(_("too many recovery files for {case} this second in {folder}").format(case=case_id, folder=folder))
