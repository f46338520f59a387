"""Checks of case files and of kesu.yaml.

Each ``*_findings`` function is pure: it takes parsed data and returns every
problem it sees as ``(key_path, message)``; it never stops at the first one.
``check_file`` runs them all on one file and turns key paths into line numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable

from kesu import lifecycle, yamlio
from kesu.errors import UsageError
from kesu.i18n import _, language
from kesu.timecheck import time_findings as _real_times
from kesu.values import aware_time, in_years

KeyPath = tuple
Problem = tuple[KeyPath, str]


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
        message = error.message
        if by_state:
            state = data.get("state") if isinstance(data, dict) else None
            message = _("{problem} when state is {state}").format(problem=message, state=_state_label(state))
        problems.append((tuple(error.absolute_path), f"{where + ': ' if where else ''}{message}"))
    return problems


# -------------------------------------------------------------- vocabulary
_VOCAB_FIELDS: tuple[tuple[KeyPath, str], ...] = (
    (("channel",), "channels"),
    (("complaint", "emotion"), "emotions"),
    (("classification", "category"), "categories"),
    (("classification", "risk"), "risks"),
    (("classification", "severity"), "severities"),
    (("assignment", "department"), "departments"),
    (("investigation", "responsibility"), "responsibility"),
)


def _get(data: Any, path: KeyPath) -> Any:
    for key in path:
        if isinstance(data, dict):
            data = data.get(key)
        elif isinstance(data, list) and isinstance(key, int) and key < len(data):
            data = data[key]
        else:
            return None
    return data


def vocabulary_findings(case: dict, policy) -> list[Problem]:
    # Values of the wrong type are the schema's to report; here they are only not looked up.
    problems: list[Problem] = []
    for path, vocabulary in _VOCAB_FIELDS:
        value = _get(case, path)
        allowed = policy.vocabulary(vocabulary)
        if isinstance(value, str) and allowed and value not in allowed:
            problems.append((path, _("{field} {value!r} is not in kesu.yaml vocabularies.{vocabulary} ({allowed})").format(
                field=".".join(path), value=value, vocabulary=vocabulary, allowed=_listed(allowed))))
    category = _get(case, ("classification", "category"))
    subcategory = _get(case, ("classification", "subcategory"))
    known = policy.subcategories(category) if isinstance(category, str) else []
    if (isinstance(subcategory, str) and isinstance(category, str)
            and category in policy.vocabulary("categories") and subcategory not in known):
        problems.append((("classification", "subcategory"),
                         _("subcategory {value!r} is not one of {category}'s: {allowed}").format(
                             value=subcategory, category=category, allowed=_listed(known) or _("none"))))
    kinds = policy.vocabulary("compensation")
    for i, item in enumerate(_list(_get(case, ("plan", "compensation")))):
        if isinstance(item, dict) and kinds and item.get("kind") not in kinds:
            problems.append((("plan", "compensation", i, "kind"),
                             _("compensation kind {kind!r} is not one of: {allowed}").format(
                                 kind=item.get("kind"), allowed=_listed(kinds))))
    from kesu.stores import case_problems as store_problems

    problems += store_problems(case, policy)
    if policy.roster:
        for path, user in _actors(case):
            if user not in policy.roster:
                problems.append((path, _("{user!r} is not in the roster of kesu.yaml").format(user=user)))
    return problems


def _state_label(code: Any) -> str:
    """A state or action named in a finding, in the user's language (unknown codes as written)."""
    from kesu.vocab import label

    return label(code, language()) if isinstance(code, str) else str(code)


def _list(value: Any) -> list:
    """``value`` when it is a list, else no items (the schema reports the wrong type)."""
    return value if isinstance(value, list) else []


def _listed(words: Iterable[Any]) -> str:
    return ", ".join(str(word) for word in words)


def _actors(case: dict) -> Iterable[tuple[KeyPath, str]]:
    owner = _get(case, ("assignment", "owner"))
    if isinstance(owner, str):
        yield ("assignment", "owner"), owner
    for i, entry in enumerate(_list(case.get("timeline"))):
        if isinstance(entry, dict) and isinstance(entry.get("by"), str):
            yield ("timeline", i, "by"), entry["by"]


# ----------------------------------------------------------------- identity
def identity_findings(case: dict, relpath: str, policy) -> list[Problem]:
    """ID ↔ file name ↔ folder (year/month received, in the archive's zone)."""
    from kesu import ids

    problems: list[Problem] = []
    case_id = case.get("id")
    if not isinstance(case_id, str):
        return problems  # the schema reports it
    try:
        _prefix, id_date = ids.parse_id(case_id)
    except UsageError as exc:
        return [(("id",), exc.message)]
    name = Path(relpath).name
    if name != f"{case_id}.yaml":
        problems.append((("id",), _("id {case} does not match the file name {name}").format(case=case_id, name=name)))
    received = aware_time(case.get("received_at"))
    if received is not None and in_years(received):
        local = received.astimezone(policy.tz)
        if local.date() != id_date:
            problems.append((("id",), _("id date {day} is not the day received ({received})").format(
                day=f"{id_date:%Y%m%d}", received=f"{local:%Y-%m-%d}")))
        expected = f"cases/{local:%Y}/{local:%m}/{name}"
        parts = Path(relpath).parts
        if len(parts) >= 4 and "/".join(parts[-4:]) != expected:
            problems.append((("received_at",), _("file belongs in {path} (received {month})").format(
                path=expected, month=f"{local:%Y-%m}")))
    return problems



# ----------------------------------------------------------------- timeline
def timeline_findings(case: dict) -> list[Problem]:
    """The timeline is a legal walk through the transition table, in time order."""
    problems: list[Problem] = []
    timeline = case.get("timeline")
    if not isinstance(timeline, list) or not timeline:
        return problems  # the schema reports a missing or empty timeline
    if not all(isinstance(entry, dict) and all(isinstance(entry.get(key), (str, type(None)))
                                               for key in ("action", "from", "to"))
               for entry in timeline):
        return problems  # the schema reports steps that are not step records
    state: str | None = None
    previous: datetime | None = None
    for i, entry in enumerate(timeline):
        if not isinstance(entry, dict):
            continue
        action, to_state = entry.get("action"), entry.get("to")
        from_state = entry.get("from")
        if i == 0 and action != "intake":
            problems.append((("timeline", 0, "action"), _("the timeline must start with intake")))
        if i > 0 and from_state != state:
            problems.append((("timeline", i, "from"),
                             _("step {number} ({action}) starts from {state_from}, but the case was {state}").format(
                                 number=i + 1, action=_state_label(action), state_from=_state_label(from_state),
                                 state=_state_label(state))))
        if not lifecycle.is_legal(action, state if i else None, to_state):
            allowed = ", ".join(lifecycle.actions_from(state)) if state else "intake"
            problems.append((("timeline", i, "action"),
                             _("step {number}: {action} from {state_from} to {state_to} is not allowed "
                               "(allowed: {allowed})").format(
                                 number=i + 1, action=_state_label(action),
                                 state_from=_state_label(state) if state else _("nothing"),
                                 state_to=_state_label(to_state), allowed=allowed)))
        when = aware_time(entry.get("at"))
        if when is not None and previous is not None and when < previous:
            problems.append((("timeline", i, "at"),
                             _("step {number} ({action}) at {at} is earlier than the step before").format(
                                 number=i + 1, action=_state_label(action), at=entry.get("at"))))
        previous = when or previous
        state = to_state
    if case.get("state") != state:
        problems.append((("state",), _("state is {state} but the timeline ends in {last}").format(
            state=_state_label(case.get("state")), last=_state_label(state))))
    return problems


# -------------------------------------------------------------------- times
def time_findings(case: dict) -> list[Problem]:
    """Times within kesu's years and extensions of a year at most: the deadline
    engine cannot work with anything else."""
    from kesu.deadlines import parse_duration

    problems = _real_times(case)
    extensions = case.get("extensions")
    for i, extension in enumerate(extensions if isinstance(extensions, list) else []):
        if isinstance(extension, dict) and extension.get("duration") is not None:
            try:
                parse_duration(extension["duration"])
            except UsageError as exc:
                problems.append((("extensions", i, "duration"), _("extension {number}: {problem}").format(
                    number=i + 1, problem=exc.message)))
    return problems


# -------------------------------------------------------------------- money
def money_findings(case: dict, policy) -> list[Problem]:
    """Every amount: a decimal with at most two places, within the policy's maximum."""
    problems: list[Problem] = []
    ceiling = policy.max_amount if policy is not None else None
    for path, amount in _amounts(case):
        if amount is None or isinstance(amount, bool):
            continue
        try:
            value = yamlio.money(amount)
        except UsageError as exc:
            problems.append((path, exc.message))
            continue
        if ceiling is not None and value > ceiling:
            problems.append((path, _("{value} is above the largest amount kesu.yaml allows "
                                     "(money.max_amount: {ceiling})").format(value=value, ceiling=ceiling)))
    return problems


def _amounts(case: dict):
    plan = case.get("plan") if isinstance(case.get("plan"), dict) else {}
    for i, item in enumerate(_list(plan.get("compensation"))):
        if isinstance(item, dict):
            yield ("plan", "compensation", i, "amount"), item.get("amount")
    yield ("plan", "total"), plan.get("total")
    for i, action in enumerate(_list(case.get("actions"))):
        statutory = action.get("statutory") if isinstance(action, dict) else None
        if isinstance(statutory, dict):
            for key in ("price", "compensation"):
                yield ("actions", i, "statutory", key), statutory.get(key)


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
        return [((), "a case file must be a mapping")]
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
    checked = 0
    with_evidence: dict[str, dict] = {}
    for path, case, error in archive.scan(paths, sound_only=False) if use_cache else _read_afresh(archive, paths):
        checked += 1
        rel = archive.rel(path)
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
        findings += conflict_findings(archive, {f.path for f in findings})
        findings += evidence_findings(archive, with_evidence)
    return checked, findings


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
