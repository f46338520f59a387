"""Calendar arithmetic: business minutes and working days in the archive's zone.

Two clocks from the score card's rules (004 客诉管理考核标准): most stage
timers run only inside business hours (default 10:00–20:00 every day:
stores open on weekends and holidays), and the "carry out" timer of
serious cases counts working days (Monday–Friday, minus public holidays,
plus make-up working days, 调休).

Public holidays and make-up days come from the ``holidays`` package for
``calendar.holiday_country``; the lists ``calendar.holidays`` and
``calendar.workdays`` in kesu.yaml add to and override it, so a team can fix a
year the package does not know yet without waiting for a release.

Edge rules, chosen and tested:
- A business timer that ends exactly at closing time is due at closing time
  (20:00), not at the next opening.
- Adding zero minutes returns the start unchanged, even outside hours.
- ``add_working_days`` keeps the clock time and lands on a working day; when
  the start itself is not a working day, counting starts from the next one.
- ``working_minutes_between`` counts the minutes that fall on working days, so
  five working days from a working day are 5 x 24 hours of them, and a
  holiday uses none up.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from kesu.errors import UsageError
from kesu.i18n import _
from kesu.values import DEFAULT_TIMEZONE

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_HOURS = ["10:00-20:00"]
#: Walking further than this looking for open hours means the calendar has none.
MAX_DAYS = 3 * 366


def parse_range(text: str) -> tuple[int, int]:
    """``"10:00-20:00"`` -> minutes from midnight (600, 1200)."""
    try:
        start, end = (part.strip() for part in str(text).split("-"))
        (sh, sm), (eh, em) = (map(int, start.split(":")), map(int, end.split(":")))
    except ValueError:
        raise UsageError(_("business hours {text!r} should look like 10:00-20:00").format(text=text)) from None
    if not (0 <= sh <= 24 and 0 <= sm < 60 and 0 <= eh <= 24 and 0 <= em < 60):
        raise UsageError(_("business hours {text!r}: no such time of day").format(text=text))
    first, last = sh * 60 + sm, eh * 60 + em
    if last <= first or last > 24 * 60:
        raise UsageError(_("business hours {text!r}: the end must come after the start").format(text=text))
    return first, last


def _day(text: Any) -> date:
    if isinstance(text, date):
        return text
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        raise UsageError(_("{text!r} is not a date like 2026-10-01").format(text=text)) from None


class BusinessCalendar:
    def __init__(self, tz, hours: dict[int, list[tuple[int, int]]], working_days: set[int],
                 holidays: set[date] = frozenset(), workdays: set[date] = frozenset(),
                 country: str = "", closed: set[date] = frozenset()):
        self.tz = tz
        self.hours = {wd: sorted(hours.get(wd, [])) for wd in range(7)}
        self.working_weekdays = set(working_days)
        self.extra_holidays = set(holidays)
        self.extra_workdays = set(workdays)
        self.country = country
        self.closed = set(closed)
        self._year_counts: dict[int, list[int]] = {}

    @classmethod
    def from_policy(cls, policy: dict) -> "BusinessCalendar":
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        name = policy.get("timezone") or DEFAULT_TIMEZONE
        try:
            tz = ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise UsageError(_("unknown time zone {zone!r}").format(zone=name)) from None
        cal = policy.get("calendar") or {}
        business = cal.get("business_hours")
        hours = {}
        for i, day in enumerate(WEEKDAYS):
            ranges = DEFAULT_HOURS if business is None else (business.get(day) or [])
            hours[i] = [parse_range(r) for r in ranges]
        working = cal.get("working_days", list(WEEKDAYS[:5]))
        unknown = [d for d in working if d not in WEEKDAYS]
        if unknown:
            raise UsageError(_("unknown weekday {day!r} (use {days})").format(day=unknown[0], days=", ".join(WEEKDAYS)))
        return cls(tz, hours, {WEEKDAYS.index(d) for d in working},
                   {_day(d) for d in cal.get("holidays") or []},
                   {_day(d) for d in cal.get("workdays") or []},
                   str(cal.get("holiday_country", "CN") or ""),
                   {_day(d) for d in cal.get("closed_dates") or []})

    # ------------------------------------------------------------ working days
    def is_working_day(self, day: date) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.extra_holidays:
            return False
        if self.country:
            public, makeup = _country_days(self.country, day.year)
            if day in makeup:
                return True
            if day in public:
                return False
        return day.weekday() in self.working_weekdays

    def add_working_days(self, start: datetime, days: int) -> datetime:
        local = start.astimezone(self.tz)
        day = local.date()
        counted = 0
        for _attempt in range(MAX_DAYS * 4):
            if counted >= days:
                return datetime.combine(day, local.time(), self.tz)
            day += timedelta(days=1)
            counted += self.is_working_day(day)
        raise UsageError(_("the calendar has no working days"))

    def working_minutes_between(self, a: datetime, b: datetime) -> float:
        """Minutes from ``a`` to ``b`` that fall on working days (0 when ``b`` is not
        after ``a``): the time a working-days timer has run."""
        if b <= a:
            return 0.0
        la, lb = a.astimezone(self.tz), b.astimezone(self.tz)
        first, last = la.date(), lb.date()
        start, end = _minute_of_day(la), _minute_of_day(lb)
        if first == last:
            return end - start if self.is_working_day(first) else 0.0
        total = (24 * 60 - start if self.is_working_day(first) else 0.0) + \
            (end if self.is_working_day(last) else 0.0)
        # Whole days between: counted from per-year tables, since an overdue
        # check measures every open case, some of them months late.
        return total + self._working_days_strictly_between(first, last) * 24 * 60

    def _working_days_strictly_between(self, first: date, last: date) -> int:
        """Working days strictly between ``first`` and ``last``."""
        counts = self._working_days_of(first.year)
        whole = -counts[first.timetuple().tm_yday - 1]
        for year in range(first.year, last.year):
            whole += self._working_days_of(year)[-1]
        before_last = self._working_days_of(last.year)
        day_of_year = last.timetuple().tm_yday
        return whole + (before_last[day_of_year - 2] if day_of_year > 1 else 0)

    def _working_days_of(self, year: int) -> list[int]:
        """Running count of working days through each day of ``year``."""
        if year not in self._year_counts:
            counts, running, day = [], 0, date(year, 1, 1)
            while day.year == year:
                running += self.is_working_day(day)
                counts.append(running)
                day += timedelta(days=1)
            self._year_counts[year] = counts
        return self._year_counts[year]

    # ---------------------------------------------------------- business time
    def _shifts(self, day: date) -> list[tuple[int, int]]:
        return [] if day in self.closed else self.hours[day.weekday()]

    def _at(self, day: date, minute: float) -> datetime:
        return datetime.combine(day, time(0), self.tz) + timedelta(minutes=minute)

    def add_business_minutes(self, start: datetime, minutes: float) -> datetime:
        """The instant ``minutes`` of open hours after ``start``."""
        local = start.astimezone(self.tz)
        if minutes <= 0:
            return local
        day = local.date()
        now = local.hour * 60 + local.minute + local.second / 60
        left = float(minutes)
        for _attempt in range(MAX_DAYS):
            for first, last in self._shifts(day):
                begin = max(first, now)
                if begin >= last:
                    continue
                if left <= last - begin:
                    return self._at(day, begin + left)
                left -= last - begin
            day += timedelta(days=1)
            now = 0
        raise UsageError(_("the calendar has no business hours"))

    def business_minutes_between(self, a: datetime, b: datetime) -> float:
        """Open-hours minutes from ``a`` to ``b`` (0 when ``b`` is not after ``a``)."""
        if b <= a:
            return 0.0
        la, lb = a.astimezone(self.tz), b.astimezone(self.tz)
        first_day, last_day = la.date(), lb.date()
        start = la.hour * 60 + la.minute + la.second / 60
        end = lb.hour * 60 + lb.minute + lb.second / 60
        if first_day == last_day:
            return self._open_between(first_day, start, end)
        total = self._open_between(first_day, start, 24 * 60) + self._open_between(last_day, 0, end)
        # Whole days between: whole weeks by arithmetic (an overdue case may be
        # weeks late, and overdue checks every open case), the rest day by day.
        day, days = first_day + timedelta(days=1), (last_day - first_day).days - 1
        weeks, rest = divmod(days, 7)
        total += weeks * self._week_minutes
        for closed in self.closed:
            if day <= closed < day + timedelta(days=weeks * 7):
                total -= self._day_minutes[closed.weekday()]
        day += timedelta(days=weeks * 7)
        for _day in range(rest):
            total += self._open_between(day, 0, 24 * 60)
            day += timedelta(days=1)
        return total

    def _open_between(self, day: date, lo: float, hi: float) -> float:
        return sum(max(0.0, min(last, hi) - max(first, lo)) for first, last in self._shifts(day))

    @property
    def _day_minutes(self) -> list[int]:
        return [sum(last - first for first, last in self.hours[wd]) for wd in range(7)]

    @property
    def _week_minutes(self) -> int:
        return sum(self._day_minutes)

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(self.tz)
        minute = local.hour * 60 + local.minute + local.second / 60
        return any(first <= minute < last for first, last in self._shifts(local.date()))


def _minute_of_day(moment: datetime) -> float:
    return moment.hour * 60 + moment.minute + moment.second / 60


@lru_cache(maxsize=64)
def _country_days(country: str, year: int) -> tuple[frozenset[date], frozenset[date]]:
    """(public holidays, make-up working days) of ``country`` in ``year``."""
    import holidays

    try:
        table = holidays.country_holidays(country, years=year)
    except (NotImplementedError, KeyError):
        raise UsageError(_("calendar.holiday_country {country!r} is not known to the holidays package").format(
            country=country)) from None
    makeup = getattr(table, "weekend_workdays", set()) or set()
    return frozenset(table), frozenset(makeup)
