"""A timer's light from two stored instants, not a calendar computation per call.

A running timer turns red at its deadline and yellow at the first moment when
no more than ``warn_left`` of its time is left. Both instants follow from the
case and the policy alone (the timeline, the extensions, the clock, the
calendar's hours, working days and holidays): nothing in them depends on the
moment of asking, so the index stores them and a light is two comparisons.

``now`` is always a whole second (``--now`` and the clock drop fractions), so
the yellow instant is the first whole second at which ``Deadlines`` itself
says yellow or red. It is found from an estimate on the timer's own clock and
confirmed with ``Deadlines`` one second either side; when the estimate misses
(a zone with summer time, a limit in working days) a search on whole seconds
finds it, about 25 looks.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
SECOND = timedelta(seconds=1)
#: Stands for "yellow from the start": a timer with no time to give (length 0).
ALWAYS = -(2 ** 62)


def micros(moment: datetime) -> int:
    """An aware instant as whole microseconds since 1970, exact (no float)."""
    return (moment - EPOCH) // timedelta(microseconds=1)


def _warned(engine, status, moment: datetime) -> bool:
    probe = replace(status)
    engine._light(probe, moment)
    return probe.light != "green"


def _floor_second(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def yellow_instant(engine, status) -> int:
    """Microseconds of the first whole second at which ``status`` is no longer green."""
    total = engine._length(status)
    guess = None
    if total > 0:
        spent = total - engine.warn_left * total
        if status.clock == "wall":
            guess = status.deadline - timedelta(minutes=total - spent)
        elif status.clock == "business" and spent > 0:
            guess = engine.calendar.add_business_minutes(status.started_at, spent)
    if guess is not None:
        for second in (_floor_second(guess), _floor_second(guess) + SECOND):
            if _warned(engine, status, second) and not _warned(engine, status, second - SECOND):
                return micros(second)
    return _search(engine, status)


def _search(engine, status) -> int:
    """The first warned whole second, by bisection between a year before the start
    (never warned, unless the timer has no length) and the deadline (red)."""
    low = _floor_second(status.started_at) - timedelta(days=400)
    if _warned(engine, status, low):
        return ALWAYS
    high = _floor_second(status.deadline) + SECOND
    while (high - low) > SECOND:
        middle = low + SECOND * ((high - low) // SECOND // 2)
        if _warned(engine, status, middle):
            high = middle
        else:
            low = middle
    return micros(high)


def light_at(now_us: int, deadline_us: int, yellow_us: int) -> str:
    if now_us >= deadline_us:
        return "red"
    return "yellow" if now_us >= yellow_us else "green"
