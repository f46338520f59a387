"""Checks of case files and of kesu.yaml.

Each ``*_findings`` function is pure: it takes parsed data and returns every
problem it sees as ``(key_path, message)``; it never stops at the first one.
The checks of a case's content are in ``kesu.casechecks``; this module runs
them (``case_problems``), checks the schema, and ``check_file`` turns key
paths into line numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kesu import yamlio
from kesu.errors import UsageError
from kesu.i18n import _
from kesu.schemawords import extra_keys, schema_message
from kesu.casechecks import (Problem, identity_findings, money_findings, state_label, time_findings,
                             timeline_findings, vocabulary_findings)

@dataclass(frozen=True)
class Finding:
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line or 1}: {self.message}"

    def as_dict(self) -> dict:
        return {"path": self.path, "line": self.line or 1, "message": self.message}


# ------------------------------------------------------------------ schema
_validators: dict[str, Any] = {}


def _validator(name: str):
    if name not in _validators:
        from jsonschema import Draft202012Validator, FormatChecker

        from kesu.resources import schema

        _validators[name] = Draft202012Validator(schema(name), format_checker=FormatChecker())
    return _validators[name]


_fast_checks: dict[str, Any] = {}


def _fast_check(name: str):
    """A compiled validator that says only valid / not valid, about 12x faster
    than jsonschema's; jsonschema stays the authority that lists every finding."""
    if name not in _fast_checks:
        import fastjsonschema

        from kesu.resources import schema

        # Our schemas use only draft-07 keywords; fastjsonschema knows that draft.
        draft07 = {**schema(name), "$schema": "http://json-schema.org/draft-07/schema#"}
        _fast_checks[name] = fastjsonschema.compile(draft07)
    return _fast_checks[name]


def schema_findings(data: Any, schema_name: str = "case.schema.json",
                    sections_by_state: bool = True) -> list[Problem]:
    """Every schema finding; without ``sections_by_state``, not the sections a
    case's state requires (a case missing one is incomplete, not malformed)."""
    import fastjsonschema

    try:
        _fast_check(schema_name)(data)
        return []
    except fastjsonschema.JsonSchemaException:
        pass  # list every finding with the reference validator
    problems = []
    for error in _validator(schema_name).iter_errors(data):
        by_state = error.validator == "required" and "then" in error.schema_path
        if by_state and not sections_by_state:
            continue
        where = "/".join(str(p) for p in error.absolute_path)
        # if/then failures name the section that is missing; say which state needs it
        message = schema_message(error)
        if by_state:
            state = data.get("state") if isinstance(data, dict) else None
            message = _("{problem} when state is {state}").format(problem=message, state=state_label(state))
        if where:  # the key path, as written in the file (quoted in Chinese, where it is no word)
            message = _("{where}: {problem}").format(where=where, problem=message)
        # an unknown key is found at its own line, not its parent's
        problems.append((tuple(error.absolute_path) + tuple(extra_keys(error)[:1]), message))
    return problems


# --------------------------------------------------------------- one file
def case_problems(case: Any, relpath: str, policy) -> list[Problem]:
    """Every problem of one case; without a ``policy`` (kesu.yaml itself is
    broken) only those that do not depend on it."""
    problems = schema_findings(case)
    if isinstance(case, dict):
        problems += time_findings(case)
        if policy is not None:
            problems += vocabulary_findings(case, policy)
            problems += identity_findings(case, relpath, policy)
        problems += timeline_findings(case)
        problems += money_findings(case, policy)
    return problems


def shape_problems(case: Any) -> list[Problem]:
    """The problems that make a case unsafe to read: wrong types, missing
    keys, times and amounts kesu cannot compute with. Commands read only
    cases without them; the rest (vocabularies, the timeline's walk, a
    section its state calls for) do not keep a case from being shown or counted."""
    if not isinstance(case, dict):
        return [((), _("a case file must be a mapping"))]
    return (schema_findings(case, sections_by_state=False) + time_findings(case)
            + money_findings(case, None))


def check_file(archive, path: Path, case: Any = None) -> list[Finding]:
    """Every finding for one case file, with the line of each offending key."""
    rel = archive.rel(path)
    try:
        text = archive.read_case_text(path)
        if case is None:
            case = yamlio.load(text, rel)
    except UsageError as exc:
        return [Finding(exc.path or rel, exc.line, exc.message)]
    problems = case_problems(case, rel, archive.policy_if_sound())
    return locate(text, rel, problems)


def check_archive(archive, paths: list[Path] | None = None,
                  use_cache: bool = True) -> tuple[int, list[Finding]]:
    """Check kesu.yaml (when checking everything) and every case file.

    Files that validated clean under the same policy and the same kesu code
    and schemas, and have not changed since, are not checked again (see
    ``kesu.cache``). Without ``use_cache`` every file is read and checked
    afresh, and the cache is neither read nor written.
    """
    from kesu.cache import NoCache, verdict
    from kesu.config import CONFIG_NAME

    from kesu.journal import interrupted
    from kesu.policycheck import policy_findings

    findings = [] if paths is not None else policy_findings(archive)
    for rel in (interrupted(archive.root) or {}).get("files", []):
        findings.append(Finding(str(rel), 1, _("a kesu step was interrupted before it finished; this file may "
                                               "differ from the last commit (the next kesu step puts it right)")))
    clean = verdict((archive.root / CONFIG_NAME).read_bytes())
    cache = archive.scan_cache if use_cache else NoCache()
    read: set[str] = set()  # the files checked, as archive-relative paths
    with_evidence: dict[str, dict] = {}
    for path, case, error in archive.scan(paths, sound_only=False) if use_cache else _read_afresh(archive, paths):
        rel = archive.rel(path)
        read.add(rel)
        if error is not None:
            findings.append(Finding(error.path or rel, error.line, error.message))
            continue
        if isinstance(case, dict) and case.get("evidence"):
            with_evidence[str(case.get("id"))] = case
        entry = cache.entries.get(rel)
        if entry is not None and entry.get("clean") == clean:
            continue
        found = check_file(archive, path, case)
        findings.extend(found)
        if not found:
            cache.mark_clean(rel, clean)
    cache.save()
    if paths is None:
        findings += stray_findings(archive, read)
        findings += conflict_findings(archive, {f.path for f in findings})
        findings += evidence_findings(archive, with_evidence)
    return len(read), findings


def stray_findings(archive, read: set[str]) -> list[Finding]:
    """Files under cases/ that no command reads: a case saved one folder too high, a ``.yml``,
    a note. Said, because a check that passes while a complaint sits unread is worse than none."""
    from kesu import gittrees
    from kesu.archive import CASES_DIR

    return [Finding(rel, 1, _("not read as a case file: a case file is cases/YYYY/MM/<ID>.yaml; "
                              "move it there, or out of cases/"))
            for rel in gittrees.work_tree_files(archive.root, CASES_DIR) if rel not in read]


def evidence_findings(archive, cases: dict[str, dict]) -> list[Finding]:
    """Evidence files missing, altered or not recorded, in the work tree (kesu.evidence).

    Checked on every run, past the cache: a file can be swapped without its case changing."""
    from kesu import evidence

    stored = evidence.work_tree_files(archive.root)
    return [Finding(path, None, _("{problem} (case {case})").format(problem=message, case=case_id))
            for case_id, path, _kind, message in evidence.problems(cases, stored)]


def _read_afresh(archive, paths: list[Path] | None):
    """Like ``archive.scan`` but straight from the files, past the scan cache."""
    for path in archive.case_files() if paths is None else paths:
        try:
            yield path, archive.load_path(path), None
        except UsageError as exc:
            yield path, None, exc


def conflict_findings(archive, reported: set[str]) -> list[Finding]:
    """Merge conflict markers in any tracked file (kesu.yaml, library, templates, ...),
    except the files already reported. Case files are read by the scan, which names
    their markers itself (and keeps a second scan of 100,000 files cheap)."""
    from kesu import gitio
    from kesu.archive import CASES_DIR

    return [Finding(path, line, _("holds merge conflict markers (an unfinished merge); finish or abort the merge "
                                  "('git status' says how)"))
            for path, line in sorted(gitio.conflict_markers(archive.root, (CASES_DIR,)).items())
            if path not in reported]


def locate(text: str, rel: str, problems: list[Problem]) -> list[Finding]:
    """Turn key paths into line numbers (parsing the file again only when needed)."""
    if not problems:
        return []
    try:
        document = yamlio.load_with_lines(text, rel)
    except UsageError:
        document = None
    return [Finding(rel, yamlio.line_of(document, key) if document is not None else None, message)
            for key, message in problems]


def check_new_case(archive, case: dict) -> None:
    """Refuse to record an intake that would not validate."""
    problems = case_problems(case, archive.case_relpath(case["id"]), archive.policy)
    if problems:
        raise UsageError("; ".join(message for _key, message in problems))
