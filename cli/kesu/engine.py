"""The step engine: the one function that changes a case.

``apply(case, step, policy)`` takes a case document (or None for an intake),
a step — its action, actor, time and the arguments exactly as the user gave
them — and the policy, and returns the next document. It does no I/O, reads
no clock, no git and no environment, so the same step gives the same case on
any desk: recording a step, replaying another desk's step on top of ours,
and the audit proving that a commit holds what its step produced all call it.

Every timeline entry records its step's arguments (``args``), so
``apply(previous, step_of(entry), policy)`` reproduces the committed file;
an intake's arguments are the sections it wrote (``intake_args``), which the
file holds already, so customer data is not written twice.
"""

from __future__ import annotations

import copy
import functools
import inspect
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping

from kesu import lifecycle
from kesu.errors import UsageError
from kesu.i18n import _, language
from kesu.vocab import label
from kesu.values import YEARS, deep_copy, in_years, parse_time


@dataclass(frozen=True)
class Step:
    action: str
    actor: str
    #: When it happened: ISO 8601 with an offset, to the second.
    at: str
    #: The step's arguments as the user gave them (strings, lists of strings, flags).
    args: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Applied:
    """What ``apply`` returns: the next document and what the step did, for the commit."""

    case: dict
    from_state: str | None
    to_state: str
    #: ``key=value`` pairs for the commit message's body.
    details: list[tuple[str, Any]]


class CaseContentError(UsageError):
    """The case file itself is in the way (not the step): the recorder names the file."""


class StepBug(RuntimeError):
    """A step wrote a section its transition does not own: a bug in kesu, never the user's."""


@dataclass
class Outcome:
    """What a rule function reports back to the engine."""

    details: list[tuple[str, Any]] = field(default_factory=list)
    #: One of the transition's targets when it has several (follow-up).
    target: str | None = None


@dataclass(frozen=True)
class Context:
    """What a rule function may know besides the document: the step and the policy."""

    step: Step
    policy: Any
    state: str | None

    @property
    def actor(self) -> str:
        return self.step.actor

    @property
    def at(self) -> str:
        return self.step.at


def apply(case: dict | None, step: Step, policy) -> Applied:
    """The document after ``step``; raises ``UsageError`` when the step is not allowed."""
    from kesu import rules
    from kesu.stores import policy_for_store

    if case is not None and not isinstance(case, dict):
        raise CaseContentError(_("a case file must be a mapping"), line=1)
    from_state = None if case is None else case.get("state")
    # A step is judged by its case's store: its people, its calendar.
    policy = policy_for_store(policy, step.args.get("store") if case is None else case.get("store"))
    transition = lifecycle.check_step(step.action, from_state)
    when = parse_time(step.at)
    if when is None or when.tzinfo is None:
        raise UsageError(_("the step's time {value!r} is not a time with an offset").format(value=step.at))
    if not in_years(when):
        raise UsageError(_("the step's time {value} is outside {years}").format(value=step.at, years=YEARS))
    policy.member(step.actor)
    before = {} if case is None else case
    _check_order(before, when, step.at)
    document = deep_copy(before)
    # The rule gets its own copy of the arguments: what it stores in the case must
    # not be the very object the timeline records (YAML would write an alias).
    outcome = _call(rules.RULES[step.action], document, Context(step, policy, from_state),
                    deep_copy(dict(step.args)))
    to_state = transition.target_for(from_state, outcome.target)
    _check_ownership(transition, before, document)
    missing = [s for s in lifecycle.REQUIRED_SECTIONS[to_state] if document.get(s) in (None, {})]
    if missing:
        raise UsageError(_("cannot {action}: a case that is {state} needs {sections}, and this one has none").format(
            action=label(step.action, language()), state=label(to_state, language()),
            sections=_(", ").join(label(s, language()) for s in missing)))
    document["state"] = to_state
    document.setdefault("timeline", []).append(timeline_entry(step, from_state, to_state))
    return Applied(document, from_state, to_state, outcome.details)


def timeline_entry(step: Step, from_state: str | None, to_state: str) -> dict:
    """The timeline's record of ``step``: enough to apply it again."""
    entry: dict[str, Any] = {"at": step.at, "action": step.action}
    if from_state:
        entry["from"] = from_state
    entry.update({"to": to_state, "by": step.actor})
    args = recorded_args(step)
    if args:
        entry["args"] = args
    return entry


def recorded_args(step: Step) -> dict:
    """The arguments a timeline entry keeps: those given, none of an intake's."""
    if step.action == "intake":
        return {}
    return {k: copy.deepcopy(v) for k, v in step.args.items() if v not in (None, False, [], (), "")}


def step_of(entry: Mapping[str, Any], case_after: Mapping[str, Any] | None = None) -> Step:
    """The step a timeline entry records. An intake's arguments come from the
    version of the case it wrote (``case_after``)."""
    if not isinstance(entry, Mapping):
        raise UsageError(_("a timeline entry must be a mapping"))
    action = entry.get("action")
    args = entry.get("args") or {}
    if not isinstance(args, Mapping):
        raise UsageError(_("a timeline entry's args must be a mapping"))
    if action == "intake" and case_after is not None:
        args = intake_args(case_after)
    return Step(str(action), str(entry.get("by") or ""), str(entry.get("at") or ""), dict(args))


def intake_args(case: Mapping[str, Any]) -> dict:
    """The arguments of the intake that wrote ``case``: the sections intake owns."""
    owned = [s for s in lifecycle.TABLE["intake"].writes if s not in ("schema_version", "received_at")]
    return {s: copy.deepcopy(case[s]) for s in owned if s in case}


def replay(previous: dict | None, entry: Mapping[str, Any], policy,
           case_after: Mapping[str, Any] | None = None) -> Applied:
    """Apply the step ``entry`` records to the version before it."""
    return apply(previous, step_of(entry, case_after), policy)


# ------------------------------------------------------------------ checks
def _check_order(case: Mapping[str, Any], when: datetime, stamp: str) -> None:
    timeline = case.get("timeline") or []
    if not timeline:
        return
    last = timeline[-1].get("at") if isinstance(timeline[-1], Mapping) else None
    previous = parse_time(last)
    if previous is None or previous.tzinfo is None:
        raise CaseContentError(_("the last timeline entry has an unreadable time {value!r}").format(value=last))
    if when < previous:
        raise CaseContentError(_("--at {at} is before the case's last step ({last})").format(at=stamp, last=last))


def _check_ownership(transition: lifecycle.Transition, before: Mapping, after: Mapping) -> None:
    owned = set(transition.writes) | set(lifecycle.BOOKKEEPING)
    foreign = sorted(k for k in set(before) | set(after)
                     if k not in owned and before.get(k, _ABSENT) != after.get(k, _ABSENT))
    if foreign:
        raise StepBug(_("{action} wrote {sections}, which it does not own").format(
            action=transition.action, sections=", ".join(foreign)))


_ABSENT = object()


@functools.lru_cache(maxsize=None)
def _keywords(rule) -> tuple[frozenset[str], tuple[str, ...]]:
    """The keyword arguments ``rule`` accepts, and those it needs."""
    parameters = inspect.signature(rule).parameters
    accepted = [n for n, p in parameters.items() if p.kind is p.KEYWORD_ONLY]
    return frozenset(accepted), tuple(n for n in accepted if parameters[n].default is inspect.Parameter.empty)


def _call(rule, document: dict, context: Context, args: Mapping[str, Any]) -> Outcome:
    """Call ``rule(document, context, **args)``; unknown or missing arguments are the user's error."""
    accepted, needed = _keywords(rule)
    unknown = sorted(set(args) - accepted)
    if unknown:
        raise UsageError(_("{action} does not take {names}").format(
            action=label(context.step.action, language()), names=", ".join(unknown)))
    missing = [n for n in needed if args.get(n) is None]
    if missing:
        raise UsageError(_("{action} needs {options}").format(
            action=label(context.step.action, language()),
            options=", ".join("--" + m.replace("_", "-") for m in missing)))
    return rule(document, context, **args)
