"""The replay check: a step commit holds exactly what its step makes of the version before it.

The commit's last timeline entry records the step (action, actor, time and
its arguments); the engine applies it to the case as the parent commit had
it, under the policy the parent commit had. Whatever the commit holds beyond
that — a raised amount, a forged approval, a rewritten finding — differs
from the replay, and whatever the rules did not allow then (a limit, a role,
an order of steps) is refused by the replay itself.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kesu import engine
from kesu.errors import UsageError
from kesu.i18n import _

#: Rule codes this check reports (documented with the others in rules.RULES).
REFUSED = "step-refused"
MISMATCH = "replay-mismatch"


def replay_findings(action: str, before: dict | None, after: dict, policy) -> list[tuple[str, str]]:
    """``(rule, message)`` for each way the committed ``after`` is not ``before`` + its step."""
    timeline = after.get("timeline")
    if not isinstance(timeline, list) or not timeline or not isinstance(timeline[-1], dict):
        return []  # the timeline checks report this
    try:
        replayed = engine.replay(before, timeline[-1], policy, case_after=after)
    except (UsageError, engine.StepBug) as exc:
        message = exc.message if isinstance(exc, UsageError) else str(exc)
        return [(REFUSED, _("{action} is not allowed by the rules in force before the commit: {problem}").format(
            action=action, problem=message))]
    differ = differing_sections(replayed.case, after)
    if not differ:
        return []
    return [(MISMATCH, _("the committed case is not what {action} makes of the version before it: {sections} "
                         "differ").format(action=action, sections=", ".join(differ)))]


def differing_sections(expected: dict, actual: dict) -> list[str]:
    """Top-level sections whose content differs (amounts compared as exact decimals)."""
    keys = list(dict.fromkeys([*expected, *actual]))
    return [k for k in keys if _exact(expected.get(k, _ABSENT)) != _exact(actual.get(k, _ABSENT))]


_ABSENT = object()


def _exact(value: Any) -> Any:
    """``value`` with every number as a Decimal, so 39.9, 39.90 and Decimal('39.90') agree
    and no amount is compared through a float's rounding."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, dict):
        return {k: _exact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_exact(v) for v in value]
    return value


def carried_findings(action: str, before: dict | None, after: dict,
                     policy) -> list[tuple[str, str]] | None:
    """A step that ``kesu sync`` (or ``git pull --rebase`` through kesu's merge driver)
    carried onto a newer history lands inside the timeline, not at its end: the file
    must then be the union of the parent's steps and this one, replayed. None when
    the commit is not of that shape (one new step, nothing of the parent's lost)."""
    from kesu.team import union

    try:
        old = union.identities((before or {}).get("timeline") or [])
        timeline = after.get("timeline") or []
        new = union.identities(timeline)
    except UsageError:
        return None
    added = [entry for identity, entry in zip(new, timeline) if identity not in set(old)]
    if len(added) != 1 or set(old) - set(new) or timeline[-1] is added[0]:
        return None
    try:
        merged = union.combine(union.Side.of(before), union.Side(None, added, holder=after), policy)
    except union.Clash as exc:
        return [(REFUSED, f"{action}, carried onto a newer history, cannot stand there: "
                          f"{exc.message}")]
    differ = differing_sections(merged.case, after)
    if not differ:
        return []
    return [(MISMATCH, f"the committed case is not what the union of its parent's steps and "
                       f"this {action} makes: {', '.join(differ)} differ")]


def merge_findings(base: dict | None, ours: dict | None, theirs: dict | None, result: dict,
                   policy) -> str | None:
    """Why a merge's version of a case is not the union of both sides' steps, or None."""
    from kesu.team import union

    try:
        merged = union.merge_case(base, ours, theirs, policy)
    except (union.Clash, UsageError) as exc:
        return f"the two sides cannot be merged step by step ({exc.message})"
    differ = differing_sections(merged.case, result)
    return f"{', '.join(differ)} differ from the union of both sides' steps" if differ else None
