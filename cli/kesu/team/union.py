"""Two versions of one case become one: the union of their steps, replayed.

Two desks that changed the same case each hold the steps of their common
ancestor plus their own. The merged case is the union of both sides' timeline
entries, identified by what the step was — its time, action, actor and
arguments, not the states it went between, which depend on what came before —
in time order, each side's own order kept, ties broken by that identity, so
both desks compute the same order whichever side is "ours". The sections are
never merged by text: the steps are applied again through ``engine.apply``,
starting from the longest of the given versions whose own timeline begins the
merged one (usually one side, so only the other side's steps run again), or
from nothing.

Nothing is dropped silently. Steps that cannot all stand (both desks
acknowledged the case; one closed it before the other's step), one ID given to
two complaints, and a side whose file holds more than its steps explain (a
hand edit committed without kesu) raise ``Clash``, naming the steps.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any, Mapping

from kesu import engine
from kesu.casefile import case_text
from kesu.errors import KesuError, UsageError
from kesu.i18n import _
from kesu.values import parse_time

OURS, THEIRS, BOTH = "ours", "theirs", "both"

#: The identity of a step in a timeline: (at, action, by, arguments as JSON,
#: how many identical entries come before it in the same timeline).
Identity = tuple


@dataclass(frozen=True)
class StepRef:
    """A step named in a clash: who did what, when, on which side."""

    action: str
    actor: str
    at: str
    side: str

    def __str__(self) -> str:
        return _("{actor}'s {action} at {at}").format(actor=self.actor, action=self.action, at=self.at)


class Clash(KesuError):
    """Versions of one case that cannot be merged without losing something."""

    exit_code = 1
    #: kinds of clash
    STEPS = "steps"
    SAME_ID = "same-id"
    NOT_STEPS = "not-steps"

    def __init__(self, kind: str, case_id: str, reason: str, step: StepRef | None = None,
                 other: StepRef | None = None):
        self.kind = kind
        self.case_id = case_id
        self.reason = reason
        self.step = step
        self.other = other
        super().__init__(self.describe())

    def describe(self) -> str:
        if self.kind == self.SAME_ID:
            return _("{case} was created twice, as two different complaints: {other} and {step}").format(
                case=self.case_id, other=self.other, step=self.step)
        if self.kind == self.NOT_STEPS:
            return f"{self.case_id}: {self.reason}"
        pair = _("{other} and {step}").format(other=self.other, step=self.step) if self.other else str(self.step)
        return _("{case}: {steps} cannot both stand: {reason}").format(case=self.case_id, steps=pair, reason=self.reason)


@dataclass
class Merged:
    case: dict
    #: What each step applied again did (its states, its commit details), by identity.
    applied: dict[Identity, engine.Applied]
    #: Which side each step of the merged timeline came from.
    origin: dict[Identity, str]


def identities(timeline: list) -> list[Identity]:
    seen: Counter = Counter()
    result = []
    for entry in timeline:
        key = step_key(entry)
        result.append((*key, seen[key]))
        seen[key] += 1
    return result


def step_key(entry: Any) -> tuple[str, str, str, str]:
    """What a step is — when, which action, by whom, with which arguments — not the
    states it went between, which a merge may derive anew. The audit uses it too."""
    if not isinstance(entry, Mapping):
        raise UsageError(_("a timeline entry is not a mapping"))
    args = entry.get("args") or {}
    return (str(entry.get("at") or ""), str(entry.get("action") or ""), str(entry.get("by") or ""),
            json.dumps(args, sort_keys=True, ensure_ascii=False, default=str))


def _timeline(doc: Mapping | None) -> list:
    timeline = (doc or {}).get("timeline") or []
    if not isinstance(timeline, list):
        raise UsageError(_("the timeline is not a list"))
    return timeline


def _order(identity: Identity) -> tuple:
    when = parse_time(identity[0])
    if when is None or when.tzinfo is None:
        raise UsageError(_("a timeline entry has an unreadable time {time!r}").format(time=identity[0]))
    return (when.timestamp(), identity)


def ordered_union(ours: list[tuple[Identity, dict]],
                  theirs: list[tuple[Identity, dict]]) -> list[tuple[Identity, dict]]:
    """Both timelines as one: earliest first, each side's order kept, every step once.

    Taking the earlier of the two sides' next steps is symmetric, so swapping
    the sides gives the same list.
    """
    merged: list[tuple[Identity, dict]] = []
    taken: set[Identity] = set()
    i = j = 0
    while True:
        while i < len(ours) and ours[i][0] in taken:
            i += 1
        while j < len(theirs) and theirs[j][0] in taken:
            j += 1
        if i == len(ours) and j == len(theirs):
            return merged
        if j == len(theirs) or (i < len(ours) and _order(ours[i][0]) <= _order(theirs[j][0])):
            pick, i = ours[i], i + 1
        else:
            pick, j = theirs[j], j + 1
        taken.add(pick[0])
        merged.append(pick)


@dataclass
class Side:
    """One side of a merge: a version of the case, or only steps to add to the other side.

    ``doc`` is the side's version (None when the side is only ``entries``, as a
    step ``kesu sync`` carries over); ``entries`` its timeline entries;
    ``ancestor`` a version it grew from (the merge base; for a commit picked
    off its own parent, that parent); ``policy`` the policy its steps were
    recorded under; ``holder`` the version whose sections an intake among
    ``entries`` wrote.
    """

    doc: dict | None
    entries: list
    ancestor: dict | None = None
    policy: Any = None
    holder: dict | None = None

    @classmethod
    def of(cls, doc: dict | None, ancestor: dict | None = None, policy: Any = None) -> "Side":
        return cls(doc, _timeline(doc), ancestor, policy, doc)


def merge_case(base: dict | None, ours: dict | None, theirs: dict | None, policy) -> Merged:
    """The case both ``ours`` and ``theirs`` become, from their common ``base`` (or None)."""
    return combine(Side.of(ours, base), Side.of(theirs, base), policy, base)


def combine(ours: Side, theirs: Side, policy, base: dict | None = None) -> Merged:
    """The union of two sides' steps, replayed under ``policy``; raises ``Clash``."""
    known = ours.doc or theirs.doc or ours.holder or theirs.holder or base or {}
    case_id = str(known.get("id") or "?")
    try:
        return _merge(case_id, {OURS: ours, THEIRS: theirs}, policy, base)
    except Clash:
        raise
    except UsageError as exc:
        raise Clash(Clash.NOT_STEPS, case_id, _("cannot be merged step by step: {problem}").format(
            problem=exc.message)) from None


def _merge(case_id: str, sides: dict[str, Side], policy, base: dict | None) -> Merged:
    pairs = {name: list(zip(identities(side.entries), side.entries)) for name, side in sides.items()}
    origin = {i: OURS for i, _ in pairs[OURS]}
    for i, _entry in pairs[THEIRS]:
        origin[i] = BOTH if i in origin else THEIRS
    if base is None and all(_begins_with_intake(pairs[name]) for name in sides):
        _check_one_intake(case_id, pairs, sides)
    merged = ordered_union(pairs[OURS], pairs[THEIRS])
    order = [i for i, _ in merged]
    start, done = None, 0
    candidates = [s.doc for s in sides.values()] + [s.ancestor for s in sides.values()] + [base]
    for doc in candidates:
        if doc is None:
            continue
        known = identities(_timeline(doc))
        if len(known) > done and order[:len(known)] == known:
            start, done = doc, len(known)
    holders = [d for s in sides.values() for d in (s.holder, s.doc, s.ancestor) if d is not None]
    holders.append(base)
    applied: dict[Identity, engine.Applied] = {}
    case = start
    for position, (identity, entry) in enumerate(merged[done:], done):
        holder = next((d for d in holders if d is not None and _holds(d, identity)), None)
        try:
            result = engine.replay(case, entry, policy, case_after=holder)
        except UsageError as exc:
            raise _clash(case_id, merged, position, origin, applied, exc.message) from None
        applied[identity] = result
        case = result.case
    for name, side in sides.items():
        if side.doc is not None and side.doc is not start:
            _check_explained(case_id, name, side.doc, pairs[name], side.ancestor,
                             side.policy or policy)
    return Merged(case if case is not None else {}, applied, origin)


def _begins_with_intake(pairs) -> bool:
    return bool(pairs) and pairs[0][0][1] == "intake"


def _holds(doc: Mapping, identity: Identity) -> bool:
    return identity in identities(_timeline(doc)) if identity[1] == "intake" else True


def _check_one_intake(case_id: str, pairs, sides: dict[str, Side]) -> None:
    """Both sides created the case: one complaint only when both begin with the same intake
    (and, unless a later edit explains a difference, wrote the same sections)."""
    mine, other = pairs[OURS][0], pairs[THEIRS][0]
    if mine[0] == other[0]:
        edited = any(i[1] == "edit" for name in pairs for i, _ in pairs[name])
        written = [engine.intake_args(s.holder or s.doc or {}) for s in sides.values()]
        if edited or written[0] == written[1]:
            return
    raise Clash(Clash.SAME_ID, case_id, _("one ID for two complaints"),
                step=_ref(other, THEIRS), other=_ref(mine, OURS))


def _ref(pair, side: str) -> StepRef | None:
    if not pair:
        return None
    identity, _entry = pair
    return StepRef(identity[1], identity[2], identity[0], side)


def _clash(case_id: str, merged, position: int, origin, applied, reason: str) -> Clash:
    identity, _entry = merged[position]
    side = origin[identity]
    step = StepRef(identity[1], identity[2], identity[0], side)
    if side == BOTH:
        return Clash(Clash.NOT_STEPS, case_id, _("{step} no longer replays: {reason}").format(step=step, reason=reason),
                     step)
    opposite = THEIRS if side == OURS else OURS
    before = [i for i, _ in merged[:position] if origin[i] == opposite]
    moved = [i for i in before if i in applied and applied[i].from_state != applied[i].to_state]
    after = [i for i, _ in merged[position + 1:] if origin[i] == opposite]
    chosen = (moved or before or [None])[-1] or (after[0] if after else None)
    other = StepRef(chosen[1], chosen[2], chosen[0], opposite) if chosen else None
    return Clash(Clash.STEPS, case_id, reason, step, other)


def _check_explained(case_id: str, side: str, doc: dict, pairs, ancestor: dict | None,
                     policy) -> None:
    """Refuse to rebuild a side whose file holds more than its own steps make."""
    known = identities(_timeline(ancestor))
    mine = [i for i, _ in pairs]
    if ancestor is not None and mine[:len(known)] == known:
        case, rest = ancestor, pairs[len(known):]
    else:
        case, rest = None, pairs
    try:
        for _identity, entry in rest:
            case = engine.replay(case, entry, policy, case_after=doc).case
        same = case is not None and case_text(case) == case_text(doc)
    except UsageError:
        same = False
    if not same:
        raise Clash(Clash.NOT_STEPS, case_id,
                    _("the version on {side} holds changes that are not kesu steps (a hand edit committed "
                      "without kesu?); merging by steps would lose them").format(side=side))
