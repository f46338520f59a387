"""Stage timers and traffic lights (004 客诉管理考核标准; DESIGN §6).

A timer runs from the *last* timeline entry whose action is its ``start``
(a repeated step restarts it) to the first later entry whose action is one
of its ``stop`` events; closing a case stops every timer. Its deadline is
the start plus the limit on the timer's clock, moved by any extensions
recorded for it. Lights: red when ``now`` is at or past the deadline (due
means no time is left), yellow when no more than ``warn_left`` (40 %) of the
timer's time is left, green otherwise. A stopped timer has no light; it
records whether it was met.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from kesu.calendar import WEEKDAYS, BusinessCalendar, parse_range
from kesu.errors import UsageError
from kesu.lifecycle import CLOSED
from kesu.values import DEFAULT_TIMEZONE

CLOCKS = ("business", "wall", "working_days")
LIGHT_RANK = {"red": 0, "yellow": 1, "green": 2}
_DURATION = re.compile(r"^\s*(\d+)\s*(m|h|d|wd)\s*$")


def parse_duration(text: Any) -> tuple[int, str]:
    """``"90m"``, ``"2h"``, ``"1d"``, ``"3wd"`` -> (amount, unit)."""
    match = _DURATION.match(str(text))
    if not match or int(match.group(1)) <= 0:
        raise UsageError(f"{text!r} is not a duration like 90m, 2h, 1d or 3wd (working days)")
    return int(match.group(1)), match.group(2)


def duration_minutes(amount: int, unit: str) -> int | None:
    """Minutes of an m/h/d duration; None for working days, which have no fixed length."""
    return {"m": amount, "h": amount * 60, "d": amount * 1440}.get(unit)


@lru_cache(maxsize=4096)
def _when(text: str) -> datetime:
    return datetime.fromisoformat(text)


@dataclass(frozen=True)
class TimerRule:
    name: str
    start: str
    stop: tuple[str, ...]
    limit: str
    clock: str
    by_channel: tuple[tuple[str, str], ...] = ()
    by_severity: tuple[tuple[str, str], ...] = ()

    def limit_for(self, case: dict) -> str:
        severity = (case.get("classification") or {}).get("severity")
        channel = case.get("channel")
        return (dict(self.by_severity).get(severity) or dict(self.by_channel).get(channel)
                or self.limit)


@dataclass
class TimerStatus:
    name: str
    started_at: datetime
    limit: str
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

    def timers(self, case: dict, now: datetime) -> list[TimerStatus]:
        timeline = [e for e in case.get("timeline") or [] if isinstance(e, dict)]
        extensions = [e for e in case.get("extensions") or [] if isinstance(e, dict)]
        statuses = []
        for rule in self.rules:
            starts = [i for i, e in enumerate(timeline) if e.get("action") == rule.start]
            if not starts:
                continue
            first = starts[-1]
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
            own = [e for e in extensions if e.get("timer") == rule.name
                   and _when(str(e.get("at"))) >= started]
            deadline = self._deadline(rule, started, limit, [str(e.get("duration")) for e in own])
            status = TimerStatus(rule.name, started, limit, rule.clock, deadline, stopped_at,
                                 None, stopped_at is None, None, None, None,
                                 [str(e.get("duration")) for e in own])
            if stopped_at is not None:
                status.met = stopped_at <= deadline if met_by_stop else None
            else:
                self._light(status, rule, now)
            statuses.append(status)
        return statuses

    def _clock(self, rule: TimerRule, limit: str) -> str:
        return "working_days" if limit.endswith("wd") else rule.clock

    def _deadline(self, rule: TimerRule, start: datetime, limit: str, extensions: list[str]) -> datetime:
        deadline = self._move(self._clock(rule, limit), start, *parse_duration(limit))
        for text in extensions:
            deadline = self._move(self._clock(rule, limit), deadline, *parse_duration(text))
        return deadline

    def _move(self, clock: str, moment: datetime, amount: int, unit: str) -> datetime:
        if unit == "wd":
            return self.calendar.add_working_days(moment, amount)
        if unit == "d":
            return moment + timedelta(days=amount)
        minutes = duration_minutes(amount, unit)
        if clock == "business":
            return self.calendar.add_business_minutes(moment, minutes)
        return moment + timedelta(minutes=minutes)

    def _light(self, status: TimerStatus, rule: TimerRule, now: datetime) -> None:
        if self._clock(rule, status.limit) == "business":
            # The timer's length is its limit plus its extensions, when all are
            # in minutes or hours; only day-based ones need measuring.
            lengths = [duration_minutes(*parse_duration(t)) for t in [status.limit, *status.extended]]
            total = (sum(lengths) if None not in lengths and not any(t.endswith("d") for t in status.extended)
                     else self.calendar.business_minutes_between(status.started_at, status.deadline))
            if now < status.deadline:
                left = self.calendar.business_minutes_between(now, status.deadline)
            else:
                left = -self.calendar.business_minutes_between(status.deadline, now)
        else:
            total = (status.deadline - status.started_at).total_seconds() / 60
            left = (status.deadline - now).total_seconds() / 60
        status.left_minutes = left
        status.left_fraction = left / total if total > 0 else 0.0
        if now >= status.deadline:
            status.light = "red"
        elif status.left_fraction <= self.warn_left:
            status.light = "yellow"
        else:
            status.light = "green"


def _rule(name: str, spec: dict) -> TimerRule:
    stop = spec.get("stop") or []
    return TimerRule(name, str(spec.get("start")), tuple([stop] if isinstance(stop, str) else stop),
                     str(spec.get("limit")), str(spec.get("clock", "business")),
                     tuple((spec.get("by_channel") or {}).items()),
                     tuple((spec.get("by_severity") or {}).items()))


def case_light(statuses: list[TimerStatus]) -> str | None:
    """The worst light among running timers (a case is as late as its latest timer)."""
    lights = [s.light for s in statuses if s.running and s.light]
    return min(lights, key=LIGHT_RANK.__getitem__) if lights else None


def current_timer(case: dict, policy: dict, now: datetime) -> TimerStatus | None:
    """The running timer due first: the one ``kesu extend`` moves when none is named."""
    running = [s for s in Deadlines(policy).timers(case, now) if s.running]
    return min(running, key=lambda s: s.deadline) if running else None


def validate_policy(policy: dict) -> list[tuple[tuple, str]]:
    """Every problem in the calendar and sla sections, as (key path, message)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from kesu.lifecycle import TABLE

    problems: list[tuple[tuple, str]] = []
    try:
        ZoneInfo(str(policy.get("timezone") or DEFAULT_TIMEZONE))
    except (ZoneInfoNotFoundError, ValueError):
        problems.append((("timezone",), f"unknown time zone {policy.get('timezone')!r}"))
    calendar = policy.get("calendar") or {}
    for day, ranges in (calendar.get("business_hours") or {}).items():
        if day not in WEEKDAYS:
            problems.append((("calendar", "business_hours", day), f"unknown weekday {day!r}"))
            continue
        for i, text in enumerate(ranges or []):
            try:
                parse_range(text)
            except UsageError as exc:
                problems.append((("calendar", "business_hours", day, i), exc.message))
    for i, day in enumerate(calendar.get("working_days") or []):
        if day not in WEEKDAYS:
            problems.append((("calendar", "working_days", i), f"unknown weekday {day!r}"))
    sla = policy.get("sla") or {}
    warn = sla.get("warn_left", 0.4)
    if not isinstance(warn, (int, float)) or not 0 < warn < 1:
        problems.append((("sla", "warn_left"), f"warn_left must be a fraction between 0 and 1, not {warn!r}"))
    events = set(TABLE)
    for name, spec in (sla.get("timers") or {}).items():
        where = ("sla", "timers", name)
        if not isinstance(spec, dict):
            problems.append((where, f"timer {name} must be a mapping"))
            continue
        if spec.get("start") not in events:
            problems.append((where + ("start",), f"timer {name}: unknown start event {spec.get('start')!r}"))
        stops = spec.get("stop") or []
        for stop in [stops] if isinstance(stops, str) else stops:
            if stop not in events:
                problems.append((where + ("stop",), f"timer {name}: unknown stop event {stop!r}"))
        if spec.get("clock", "business") not in CLOCKS:
            problems.append((where + ("clock",), f"timer {name}: unknown clock {spec.get('clock')!r} "
                                                 f"(use {', '.join(CLOCKS)})"))
        limits = [(("limit",), spec.get("limit"))]
        for group in ("by_channel", "by_severity"):
            limits += [((group, key), value) for key, value in (spec.get(group) or {}).items()]
        for key, value in limits:
            try:
                parse_duration(value)
            except UsageError:
                problems.append((where + key, f"timer {name}: limit {value!r} must be a positive "
                                              "duration like 30m, 4h or 5wd"))
    return problems
