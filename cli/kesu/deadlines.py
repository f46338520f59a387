"""Stage timers and traffic lights (004 客诉管理考核标准; DESIGN §6).

A timer runs from the *last* timeline entry whose action is one of its
``start`` steps (a repeated step restarts it) to the first later entry whose
action is one of its ``stop`` steps; closing a case stops every timer, and a
start step that itself closed the case (a satisfied return visit) starts
nothing. Its deadline is the start plus the limit on the timer's clock, moved
by any extensions recorded for it.

Each timer runs on a clock: ``business`` (only inside business hours),
``wall``, or ``working_days`` (a limit in working days; time on days off does
not count). What is left of a timer is measured on its own clock, so a
business timer two days late is 20 business hours late, not 48. Lights: red
when ``now`` is at or past the deadline (due means no time is left), yellow
when no more than ``warn_left`` (40 %) of the timer's time is left, green
otherwise. A stopped timer has no light; it records whether it was met.

Extensions of one timer add up to at most its ``max_extension`` (default: its
limit again), so an extension can postpone a deadline but not abolish it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from kesu.calendar import WEEKDAYS, BusinessCalendar, parse_range
from kesu.errors import UsageError
from kesu.i18n import _, language
from kesu.vocab import label, label_and_code
from kesu.lifecycle import CLOSED
from kesu.values import DEFAULT_TIMEZONE, YEARS, as_set, format_left, in_years

CLOCKS = ("business", "wall", "working_days")
LIGHT_RANK = {"red": 0, "yellow": 1, "green": 2}
_DURATION = re.compile(r"^\s*(\d+)\s*(m|h|d|wd)\s*$")
_UNIT_MINUTES = {"m": 1, "h": 60, "d": 1440, "wd": 1440}
#: No duration in kesu is longer than a year: a limit, an extension, a tolerance.
LONGEST_DAYS = 366


class CaseTimeError(UsageError):
    """The case's own times or extensions keep its deadlines from being computed.
    Whole-archive commands skip such a case; ``kesu validate`` names the line."""


#: What computing the timers of a malformed case raises: whole-archive commands
#: skip the case's deadlines (validate reports the file), never the archive.
MALFORMED = (ValueError, TypeError, KeyError, CaseTimeError)


def split_duration(text: Any) -> tuple[int, str]:
    """(amount, unit) of a duration as typed, however long."""
    match = _DURATION.match(str(text))
    if not match or int(match.group(1)) <= 0:
        raise UsageError(_("{text!r} is not a duration like 90m, 2h, 1d or 3wd (working days)").format(text=text))
    return int(match.group(1)), match.group(2)


def parse_duration(text: Any) -> tuple[int, str]:
    """``"90m"``, ``"2h"``, ``"1d"``, ``"3wd"`` -> (amount, unit); at most a year."""
    amount, unit = split_duration(text)
    if amount * _UNIT_MINUTES[unit] > LONGEST_DAYS * 1440:
        raise UsageError(_("{text!r} is longer than a year").format(text=text))
    return amount, unit


def duration_minutes(amount: int, unit: str) -> int | None:
    """Minutes of an m/h/d duration; None for working days, which have no fixed length."""
    return {"m": amount, "h": amount * 60, "d": amount * 1440}.get(unit)


def _shortest_wall_minutes(amount: int, unit: str) -> float:
    """The least wall-clock time a duration can take on any clock: a business
    minute is at least a minute, a working day at least a day (less an hour of
    a summer-time change)."""
    return amount * _UNIT_MINUTES[unit] - (60 if unit == "wd" else 0)


@lru_cache(maxsize=4096)
def _when(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CaseTimeError(_("{text!r} is not a time like 2026-11-23T16:10:00+08:00").format(text=text)) from None
    if not in_years(moment):
        raise CaseTimeError(_("{given} is outside {years}").format(given=text, years=YEARS))
    return moment


@dataclass(frozen=True)
class TimerRule:
    name: str
    start: tuple[str, ...]
    stop: tuple[str, ...]
    limit: str
    clock: str
    by_channel: tuple[tuple[str, str], ...] = ()
    by_severity: tuple[tuple[str, str], ...] = ()
    #: How much the timer's extensions may add up to; None: its limit again.
    max_extension: str | None = None

    def limit_for(self, case: dict) -> str:
        severity = (case.get("classification") or {}).get("severity")
        channel = case.get("channel")
        return (dict(self.by_severity).get(severity) or dict(self.by_channel).get(channel)
                or self.limit)

    def clock_for(self, limit: str) -> str:
        """A limit in working days runs on working days, whatever the timer's clock."""
        return "working_days" if limit.endswith("wd") else self.clock


@dataclass
class TimerStatus:
    name: str
    started_at: datetime
    limit: str
    #: The clock it runs on: business, wall or working_days.
    clock: str
    deadline: datetime
    stopped_at: datetime | None
    #: True/False once stopped by its own event; None while running or when the case closed first.
    met: bool | None
    running: bool
    #: Minutes left on the timer's own clock (negative once overdue), while running.
    left_minutes: float | None
    left_fraction: float | None
    light: str | None
    extended: list[str]

    @property
    def left_text(self) -> str | None:
        """What is left, as it runs: ``-64 h 30 min business``, ``-14 d 2 h``."""
        return None if self.left_minutes is None else format_left(self.left_minutes, self.clock)

    def as_dict(self) -> dict:
        return {"timer": self.name, "started_at": self.started_at.isoformat(),
                "limit": self.limit, "clock": self.clock,
                "deadline": self.deadline.isoformat(),
                "stopped_at": self.stopped_at.isoformat() if self.stopped_at else None,
                "met": self.met, "running": self.running,
                "left_minutes": None if self.left_minutes is None else round(self.left_minutes, 1),
                "light": self.light, "extensions": self.extended}


class Deadlines:
    """The timers of one policy; build once, ask for many cases."""

    def __init__(self, policy: dict):
        self.calendar = BusinessCalendar.from_policy(policy)
        sla = policy.get("sla") or {}
        self.warn_left = float(sla.get("warn_left", 0.40))
        self.rules = [_rule(name, spec) for name, spec in (sla.get("timers") or {}).items()]

    def timers(self, case: dict, now: datetime | None) -> list[TimerStatus]:
        """Every timer the case has started, running or stopped, in policy order;
        with ``now`` None, without lights (the case index stores when they change)."""
        timeline = [e for e in case.get("timeline") or [] if isinstance(e, dict)]
        extensions = [e for e in case.get("extensions") or [] if isinstance(e, dict)]
        statuses = []
        last: dict = {}  # action -> where it last stands in the timeline
        for i, entry in enumerate(timeline):
            try:
                last[entry.get("action")] = i
            except TypeError:  # a list or mapping where an action belongs starts nothing
                pass
        for rule in self.rules:
            try:
                first = max([last.get(action, -1) for action in rule.start], default=-1)
            except TypeError:  # a policy naming something unhashable as a step
                first = max([i for i, e in enumerate(timeline) if e.get("action") in rule.start],
                            default=-1)
            if first < 0 or timeline[first].get("to") == CLOSED:
                continue
            stopped_at, met_by_stop = None, False
            for entry in timeline[first + 1:]:
                if entry.get("action") in rule.stop:
                    stopped_at, met_by_stop = _when(str(entry["at"])), True
                    break
                if entry.get("to") == CLOSED:
                    stopped_at = _when(str(entry["at"]))
                    break
            started = _when(str(timeline[first]["at"]))
            limit = rule.limit_for(case)
            own = [str(e.get("duration")) for e in extensions if e.get("timer") == rule.name
                   and _when(str(e.get("at"))) >= started]
            clock = rule.clock_for(limit)
            deadline = self._move(clock, started, *parse_duration(limit))
            for text in own:
                try:
                    deadline = self._move(clock, deadline, *parse_duration(text))
                except UsageError as exc:
                    raise CaseTimeError(_("extension of the {timer} timer: {problem}").format(
                        timer=label(rule.name, language()), problem=exc.message)) from None
            status = TimerStatus(rule.name, started, limit, clock, deadline, stopped_at,
                                 None, stopped_at is None, None, None, None, own)
            if stopped_at is not None:
                status.met = stopped_at <= deadline if met_by_stop else None
            elif now is not None:
                self._light(status, now)
            statuses.append(status)
        if case.get("corrective"):
            from kesu.obligations import corrective_timers

            statuses += corrective_timers(self, case, now)
        return statuses

    def measure(self, clock: str, start: datetime, end: datetime) -> float:
        """Minutes from ``start`` to ``end`` on ``clock``; negative when ``end`` comes first."""
        if end < start:
            return -self.measure(clock, end, start)
        if clock == "business":
            return self.calendar.business_minutes_between(start, end)
        if clock == "working_days":
            return self.calendar.working_minutes_between(start, end)
        return (end - start).total_seconds() / 60

    def _move(self, clock: str, moment: datetime, amount: int, unit: str) -> datetime:
        if unit == "wd":
            return self.calendar.add_working_days(moment, amount)
        if unit == "d":
            return moment + timedelta(days=amount)
        minutes = duration_minutes(amount, unit)
        if clock == "business":
            return self.calendar.add_business_minutes(moment, minutes)
        return moment + timedelta(minutes=minutes)

    def _length(self, status: TimerStatus) -> float:
        """The timer's whole length on its clock: its limit and extensions when they
        are all in minutes or hours of business time, else measured."""
        texts = [status.limit, *status.extended]
        if status.clock == "business" and not any(t.endswith("d") for t in texts):
            return float(sum(duration_minutes(*parse_duration(t)) for t in texts))
        return self.measure(status.clock, status.started_at, status.deadline)

    def _light(self, status: TimerStatus, now: datetime) -> None:
        total = self._length(status)
        left = self.measure(status.clock, now, status.deadline)
        status.left_minutes = left
        status.left_fraction = left / total if total > 0 else 0.0
        if now >= status.deadline:
            status.light = "red"
        elif status.left_fraction <= self.warn_left:
            status.light = "yellow"
        else:
            status.light = "green"

    def extension(self, case: dict, now: datetime, by: str,
                  timer: str | None = None) -> tuple[str, str, int | None]:
        """The running timer an extension by ``by`` moves (default: the one due
        first), the duration as recorded and its minutes (None for working days);
        refused when the timer's extensions would add up to more than its cap."""
        amount, unit = split_duration(by)
        running = {t.name: t for t in self.timers(case, now) if t.running}
        if timer is None:
            if not running:
                raise UsageError(_("no deadline is running for this case; nothing to extend"))
            timer = min(running.values(), key=lambda s: s.deadline).name
        elif timer not in running:
            raise UsageError(_("timer {timer!r} is not running; running: {running}").format(
                timer=timer, running=_(", ").join(label_and_code(t, language()) for t in running) or _("none")))
        status = running[timer]
        rule = next(r for r in self.rules if r.name == timer)
        cap = rule.max_extension or status.limit
        clock = status.clock
        latest = self._move(clock, self._move(clock, status.started_at, *parse_duration(status.limit)),
                            *parse_duration(cap))
        room = (latest - status.deadline).total_seconds() / 60
        if (_shortest_wall_minutes(amount, unit) > room
                or self._move(clock, status.deadline, amount, unit) > latest):
            source = f"sla.timers.{timer}.max_extension" if rule.max_extension else _("its limit")
            left = format_left(max(self.measure(clock, status.deadline, latest), 0), clock, translate=True)
            raise UsageError(_("--by {by}: the extensions of the {timer} timer may add up to {cap} ({source}); "
                               "extended so far: {extended}; {left} left").format(
                by=by, timer=label(timer, language()), cap=as_set(cap, clock), source=source,
                extended=", ".join(as_set(e, clock) for e in status.extended) or _("none"), left=left))
        return timer, f"{amount}{unit}", duration_minutes(amount, unit)


def _events(value: Any) -> tuple:
    """A timer's start or stop: one step or a list of them."""
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return () if value is None else (value,)


def _rule(name: str, spec: dict) -> TimerRule:
    cap = spec.get("max_extension")
    return TimerRule(name, _events(spec.get("start")), _events(spec.get("stop")),
                     str(spec.get("limit")), str(spec.get("clock", "business")),
                     tuple((spec.get("by_channel") or {}).items()),
                     tuple((spec.get("by_severity") or {}).items()),
                     None if cap is None else str(cap))


def case_light(statuses: list[TimerStatus]) -> str | None:
    """The worst light among running timers (a case is as late as its latest timer)."""
    lights = [s.light for s in statuses if s.running and s.light]
    return min(lights, key=LIGHT_RANK.__getitem__) if lights else None


def validate_policy(policy: dict) -> list[tuple[tuple, str]]:
    """Every problem in the calendar and sla sections, as (key path, message)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from kesu.lifecycle import TABLE

    problems: list[tuple[tuple, str]] = []
    try:
        ZoneInfo(str(policy.get("timezone") or DEFAULT_TIMEZONE))
    except (ZoneInfoNotFoundError, ValueError):
        problems.append((("timezone",), _("unknown time zone {zone!r}").format(zone=policy.get("timezone"))))
    calendar = policy.get("calendar") or {}
    for day, ranges in (calendar.get("business_hours") or {}).items():
        if day not in WEEKDAYS:
            problems.append((("calendar", "business_hours", day), _("unknown weekday {day!r}").format(day=day)))
            continue
        for i, text in enumerate(ranges or []):
            try:
                parse_range(text)
            except UsageError as exc:
                problems.append((("calendar", "business_hours", day, i), exc.message))
    for i, day in enumerate(calendar.get("working_days") or []):
        if day not in WEEKDAYS:
            problems.append((("calendar", "working_days", i), _("unknown weekday {day!r}").format(day=day)))
    sla = policy.get("sla") or {}
    warn = sla.get("warn_left", 0.4)
    if not isinstance(warn, (int, float)) or not 0 < warn < 1:
        problems.append((("sla", "warn_left"), _("warn_left must be a fraction between 0 and 1, not {value!r}").format(
            value=warn)))
    events = set(TABLE)
    for name, spec in (sla.get("timers") or {}).items():
        where = ("sla", "timers", name)
        if not isinstance(spec, dict):
            problems.append((where, _("timer {name} must be a mapping").format(name=name)))
            continue
        starts = _events(spec.get("start"))
        if not starts:
            problems.append((where + ("start",), _("timer {name}: no start event").format(name=name)))
        for start in starts:
            if start not in events:
                problems.append((where + ("start",), _("timer {name}: unknown start event {event!r}").format(
                    name=name, event=start)))
        for stop in _events(spec.get("stop")):
            if stop not in events:
                problems.append((where + ("stop",), _("timer {name}: unknown stop event {event!r}").format(
                    name=name, event=stop)))
        if spec.get("clock", "business") not in CLOCKS:
            problems.append((where + ("clock",), _("timer {name}: unknown clock {clock!r} (use {clocks})").format(
                name=name, clock=spec.get("clock"), clocks=", ".join(CLOCKS))))
        limits = [(("limit",), spec.get("limit"))]
        if spec.get("max_extension") is not None:
            limits.append((("max_extension",), spec.get("max_extension")))
        for group in ("by_channel", "by_severity"):
            limits += [((group, key), value) for key, value in (spec.get(group) or {}).items()]
        for key, value in limits:
            try:
                parse_duration(value)
            except UsageError:
                what = "max_extension" if key == ("max_extension",) else "limit"
                problems.append((where + key, _("timer {name}: {what} {value!r} must be a positive duration like "
                                                "30m, 4h or 5wd, at most a year").format(name=name, what=what, value=value)))
    return problems
