"""``kesu edit``: a hand correction, checked and recorded like any other step."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Callable

from kesu import lifecycle, yamlio
from kesu.archive import Archive, write_atomic
from kesu.errors import UsageError
from kesu.record import (Recorded, case_yaml, check_actor, check_time, commit_files,
                         commit_message, refuse_hand_edits, timeline_entry)
from kesu.validate import case_problems

#: Keys an edit may never touch: they are the record of what happened.
FROZEN = ("id", "schema_version", "state", "received_at", "timeline")


def changed_sections(before: dict, after: dict) -> list[str]:
    keys = list(dict.fromkeys([*before, *after]))
    return [k for k in keys if before.get(k) != after.get(k)]


def edit_case(archive: Archive, case_id: str, actor: str | None, at: datetime,
              editor: Callable[[str], str]) -> Recorded | None:
    """Let ``editor`` change the case text; commit it as Action: edit, or refuse.

    Returns None when nothing was changed. A refused edit is kept in a
    recovery file whose path is in the error message, so no typing is lost.
    """
    actor = check_actor(archive, actor)
    rel = archive.case_relpath(case_id)
    with archive.lock():
        path = archive.existing_case_path(case_id)
        original = archive.read_text(path)
        staged = refuse_hand_edits(archive, rel, original)
        edited = editor(original)
        if edited == original:
            return None
        try:
            document = _check(archive, rel, original, edited)
            stamp = check_time(archive, document, at, rel)
        except UsageError as exc:
            recovery = _keep(archive, case_id, edited)
            raise UsageError(f"{exc.message}; your edit is kept in {recovery}",
                             exc.path, exc.line) from None
        state = document["state"]
        changed = changed_sections(yamlio.load(original), yamlio.load(edited))
        document["timeline"].append(timeline_entry("edit", state, state, actor, stamp))
        message = commit_message(case_id, "edit", state, state, actor, stamp,
                                 [("changed", ",".join(changed))])
        sha = commit_files(archive, {rel: case_yaml(document)}, message, staged=staged)
    return Recorded(case_id, "edit", state, state, sha, rel)


def _check(archive: Archive, rel: str, original: str, edited: str):
    before = yamlio.load(original, rel)
    after = yamlio.load(edited, rel)
    if not isinstance(after, dict):
        raise UsageError("a case file must be a mapping", rel, 1)
    frozen = [k for k in FROZEN if before.get(k) != after.get(k)]
    if frozen:
        raise UsageError(f"an edit may not change {', '.join(frozen)} (use the lifecycle commands)", rel)
    allowed = set(lifecycle.TABLE["edit"].writes)
    other = [k for k in changed_sections(before, after) if k not in allowed]
    if other:
        raise UsageError(f"an edit may not change {', '.join(other)}", rel)
    problems = case_problems(after, rel, archive.policy)
    if problems:
        from kesu.validate import locate

        first = locate(edited, rel, problems)[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise UsageError(f"the edited case is invalid: {first.message}{more}", rel, first.line)
    return after


def _keep(archive: Archive, case_id: str, text: str) -> Path:
    from kesu import gitio

    folder = gitio.git_dir(archive.root) / "kesu-recovery"
    target = folder / f"{case_id}.{datetime.now():%Y%m%dT%H%M%S}.yaml"
    write_atomic(target, text)
    return target
