"""The checks of what a case file says, each pure: parsed data in, every
problem it sees out as ``(key_path, message)``, never stopping at the first:
vocabularies, identity (ID, file name, folder), the timeline's walk through
the transition table, times, money. ``kesu.validate`` runs them.
"""

from __future__ import annotations

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


def state_label(code: Any) -> str:
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
                                 number=i + 1, action=state_label(action), state_from=state_label(from_state),
                                 state=state_label(state))))
        if not lifecycle.is_legal(action, state if i else None, to_state):
            allowed = ", ".join(lifecycle.actions_from(state)) if state else "intake"
            problems.append((("timeline", i, "action"),
                             _("step {number}: {action} from {state_from} to {state_to} is not allowed "
                               "(allowed: {allowed})").format(
                                 number=i + 1, action=state_label(action),
                                 state_from=state_label(state) if state else _("nothing"),
                                 state_to=state_label(to_state), allowed=allowed)))
        when = aware_time(entry.get("at"))
        if when is not None and previous is not None and when < previous:
            problems.append((("timeline", i, "at"),
                             _("step {number} ({action}) at {at} is earlier than the step before").format(
                                 number=i + 1, action=state_label(action), at=entry.get("at"))))
        previous = when or previous
        state = to_state
    if case.get("state") != state:
        problems.append((("state",), _("state is {state} but the timeline ends in {last}").format(
            state=state_label(case.get("state")), last=state_label(state))))
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
