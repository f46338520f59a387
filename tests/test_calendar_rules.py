"""The business calendar: properties (hypothesis) and hand-computed deadlines."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kesu.calendar import BusinessCalendar
from kesu.config import Policy
from kesu.errors import UsageError

SH = ZoneInfo("Asia/Shanghai")


def calendar(**overrides) -> BusinessCalendar:
    policy = Policy.default().data
    return BusinessCalendar.from_policy({**policy, **overrides.pop("top", {}),
                                         "calendar": {**policy["calendar"], **overrides}})


DEFAULT = calendar()
SPLIT = calendar(business_hours={"mon": ["09:00-12:00", "13:00-18:00"], "tue": ["09:00-12:00", "13:00-18:00"],
                                 "wed": [], "thu": ["10:00-20:00"], "fri": ["10:00-20:00"],
                                 "sat": ["10:00-14:00"], "sun": []}, holiday_country="")
instants = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31),
                        timezones=st.just(SH)).map(lambda d: d.replace(microsecond=0))
minutes = st.integers(min_value=1, max_value=60 * 24 * 20)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from([DEFAULT, SPLIT]), instants, minutes)
def test_adding_then_measuring_gives_the_amount_back(cal, start, amount):
    end = cal.add_business_minutes(start, amount)
    assert cal.business_minutes_between(start, end) == pytest.approx(amount)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from([DEFAULT, SPLIT]), instants, minutes)
def test_a_deadline_never_falls_in_closed_hours(cal, start, amount):
    end = cal.add_business_minutes(start, amount)
    just_before = end - timedelta(seconds=1)
    # the instant itself may be closing time (20:00), but the second before it is open
    assert cal.is_open(just_before)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from([DEFAULT, SPLIT]), instants, instants, minutes, minutes)
def test_deadlines_are_monotonic_in_start_and_amount(cal, a, b, m, n):
    assume(a <= b and m <= n)
    assert cal.add_business_minutes(a, m) <= cal.add_business_minutes(b, m)
    assert cal.add_business_minutes(a, m) <= cal.add_business_minutes(a, n)


@settings(max_examples=100, deadline=None)
@given(instants, st.integers(min_value=1, max_value=30))
def test_working_days_land_on_working_days(start, days):
    cal = calendar(holiday_country="", holidays=["2026-10-01", "2026-10-02"], workdays=["2026-09-27"])
    end = cal.add_working_days(start, days)
    assert cal.is_working_day(end.date())
    assert end.time() == start.astimezone(SH).time()


def at(text: str, tz=SH) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=tz)


def test_19_50_plus_30_business_minutes_is_10_20_next_day():
    assert DEFAULT.add_business_minutes(at("2026-11-23T19:50"), 30) == at("2026-11-24T10:20")


def test_a_timer_ending_at_closing_time_is_due_at_closing_time():
    assert DEFAULT.add_business_minutes(at("2026-11-23T19:30"), 30) == at("2026-11-23T20:00")


def test_business_hours_run_on_public_holidays_by_default():
    # 30 September 2026 19:30, eve of National Day: 30 min that evening, 30 min on 1 October
    assert DEFAULT.add_business_minutes(at("2026-09-30T19:30"), 60) == at("2026-10-01T10:30")
    assert not DEFAULT.is_working_day(date(2026, 10, 1))


def test_five_working_days_across_a_weekend_and_a_make_up_saturday():
    cal = calendar(holiday_country="", workdays=["2026-11-28"], holidays=["2026-11-30"])
    # Thu 26 Nov 15:00: Fri 27 (1), Sat 28 make-up (2), Mon 30 holiday, Tue 1 (3), Wed 2 (4), Thu 3 (5)
    assert cal.add_working_days(at("2026-11-26T15:00"), 5) == at("2026-12-03T15:00")


def test_national_day_2026_from_the_holidays_package():
    cal = calendar(holiday_country="CN")
    # Tue 29 Sep 16:00 + 5 wd: Wed 30 (1); 1–7 Oct are off; Thu 8 (2), Fri 9 (3), Sat 10 make-up (4), Mon 12 (5)
    assert [d for d in range(1, 8) if cal.is_working_day(date(2026, 10, d))] == []
    assert cal.is_working_day(date(2026, 10, 10))
    assert cal.add_working_days(at("2026-09-29T16:00"), 5) == at("2026-10-12T16:00")


def test_split_shifts_and_closed_days():
    # Mon 23 Nov 11:30 + 120 min: 30 min to noon, 90 min after lunch -> 14:30
    assert SPLIT.add_business_minutes(at("2026-11-23T11:30"), 120) == at("2026-11-23T14:30")
    # Tue 17:30 + 60: 30 min Tuesday, Wednesday closed, 30 min Thursday from 10:00
    assert SPLIT.add_business_minutes(at("2026-11-24T17:30"), 60) == at("2026-11-26T10:30")


@pytest.mark.parametrize("zone,start,expected", [
    # Berlin leaves summer time on 25 Oct 2026: business hours are wall-clock hours
    ("Europe/Berlin", "2026-10-24T19:30", "2026-10-25T10:30"),
    ("America/New_York", "2026-11-23T19:50", "2026-11-24T10:20"),
])
def test_other_time_zones(zone, start, expected):
    tz = ZoneInfo(zone)
    cal = calendar(top={"timezone": zone}, holiday_country="")
    assert cal.add_business_minutes(at(start, tz), 60 if zone == "Europe/Berlin" else 30) == at(expected, tz)
    # the same instant seen from Shanghai gives the same answer
    assert cal.add_business_minutes(at(start, tz).astimezone(SH), 60 if zone == "Europe/Berlin" else 30) == at(expected, tz)


@pytest.mark.parametrize("hours,message", [(["20:00-10:00"], "end must come after"), (["10-20"], "should look like"),
                                           (["25:00-26:00"], "no such time")])
def test_bad_business_hours_are_refused(hours, message):
    with pytest.raises(UsageError, match=message):
        calendar(business_hours={"mon": hours})


@settings(max_examples=100, deadline=None)
@given(instants, st.integers(min_value=1, max_value=30))
def test_n_working_days_from_a_working_day_are_n_days_of_working_time(start, days):
    cal = calendar(holiday_country="CN", workdays=["2026-09-27"])
    assume(cal.is_working_day(start.date()))
    end = cal.add_working_days(start, days)
    assert cal.working_minutes_between(start, end) == pytest.approx(days * 1440)


def test_a_holiday_uses_no_working_time():
    cal = calendar(holiday_country="CN")
    # National Day 2026: 1-7 October off
    assert cal.working_minutes_between(at("2026-10-01T08:00"), at("2026-10-07T23:00")) == 0
    assert cal.working_minutes_between(at("2026-09-30T23:00"), at("2026-10-08T01:00")) == 120


@pytest.mark.parametrize("minutes,clock,text", [
    (-(64 * 60 + 30), "business", "-64 h 30 min business"),
    (45, "business", "45 min business"),
    (0, "business", "0 min business"),
    (240, "business", "4 h business"),
    (-(14 * 1440 + 120), "wall", "-14 d 2 h"),
    (59.9, "wall", "59 min"),
    (1440 + 5, "working_days", "1 working day 5 min"),
    (-(2 * 1440 + 180), "working_days", "-2 working days 3 h"),
])
def test_time_left_is_written_the_way_its_clock_runs(minutes, clock, text):
    from kesu.values import format_left

    assert format_left(minutes, clock) == text


def _working_minutes_day_by_day(cal, a, b):
    la, lb = a.astimezone(SH), b.astimezone(SH)
    day, total = la.date(), 0.0
    while day <= lb.date():
        if cal.is_working_day(day):
            midnight = datetime.combine(day, datetime.min.time(), SH)
            first, last = max(midnight, la), min(midnight + timedelta(days=1), lb)
            total += max((last - first).total_seconds(), 0) / 60
        day += timedelta(days=1)
    return total


@settings(max_examples=150, deadline=None)
@given(instants, st.integers(min_value=0, max_value=60 * 24 * 500))
def test_working_time_counted_by_year_tables_matches_counting_day_by_day(start, minutes):
    cal = calendar(holiday_country="CN", workdays=["2026-09-27"], holidays=["2027-03-01"])
    end = start + timedelta(minutes=minutes)
    assert cal.working_minutes_between(start, end) == pytest.approx(_working_minutes_day_by_day(cal, start, end))
