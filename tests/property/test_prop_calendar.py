"""X-1 calendar properties over the PRC calendar and a company calendar: working-day deadlines
land on working days, grow with n, count back to n, never move earlier; business hours added
then measured give back the same duration."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.calendar import PrcCalendar
from csdomain.kernel.calendar import (
    BusinessHours,
    add_business_hours,
    add_calendar_days,
    add_working_days,
    business_time_between,
    working_days_between,
)

SETTINGS = settings(deadline=None, max_examples=150)
TZ = ZoneInfo("Asia/Shanghai")

PRC = PrcCalendar()
# a company calendar: PRC plus closures and extra working days
COMPANY = PrcCalendar(
    extra_closed_days=frozenset({date(2026, 9, 21), date(2026, 12, 31), date(2027, 5, 6)}),
    extra_working_days=frozenset({date(2026, 10, 3), date(2026, 12, 26)}),
)
calendars = st.sampled_from([PRC, COMPANY])
days = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))
counts = st.integers(min_value=0, max_value=40)
windows = st.sampled_from(
    [BusinessHours(time(8, 30), time(17, 30)), BusinessHours(time(9, 0), time(12, 0)),
     BusinessHours(time(0, 0), time(23, 59))]
)
instants = st.builds(
    lambda day, minute: datetime.combine(day, time(0, 0), tzinfo=TZ) + timedelta(minutes=minute),
    days,
    st.integers(min_value=0, max_value=24 * 60 - 1),
)
durations = st.integers(min_value=0, max_value=60 * 9 * 15).map(lambda m: timedelta(minutes=m))


@SETTINGS
@given(calendars, days, counts)
def test_x1_add_working_days_lands_on_a_working_day_never_earlier(
    cal: PrcCalendar, start: date, n: int
) -> None:
    due = add_working_days(cal, start, n)
    assert cal.is_working_day(due)
    assert due >= start + timedelta(days=n)
    if n > 0:
        assert due > start


@SETTINGS
@given(calendars, days, counts)
def test_x1_add_working_days_is_monotonic_in_n(cal: PrcCalendar, start: date, n: int) -> None:
    assert add_working_days(cal, start, n) <= add_working_days(cal, start, n + 1)
    if n >= 1:
        assert add_working_days(cal, start, n) < add_working_days(cal, start, n + 1)


@SETTINGS
@given(calendars, days, st.integers(min_value=1, max_value=40))
def test_x1_working_days_between_counts_back_to_n(cal: PrcCalendar, start: date, n: int) -> None:
    assert working_days_between(cal, start, add_working_days(cal, start, n)) == n


@SETTINGS
@given(calendars, days)
def test_x1_zero_working_days_counts_back_to_zero_from_a_working_day(
    cal: PrcCalendar, start: date
) -> None:
    """n = 0 from a working day is that day; from a day off it moves forward to the first
    working day, which is then one working day later (deadlines move later, never earlier)."""
    due = add_working_days(cal, start, 0)
    if cal.is_working_day(start):
        assert due == start
        assert working_days_between(cal, start, due) == 0
    else:
        assert due == add_working_days(cal, start, 1)
        assert working_days_between(cal, start, due) == 1


@SETTINGS
@given(calendars, days, days)
def test_x1_working_days_between_is_additive(cal: PrcCalendar, a: date, b: date) -> None:
    lo, hi = min(a, b), max(a, b)
    mid = lo + (hi - lo) // 2
    assert working_days_between(cal, lo, hi) == (
        working_days_between(cal, lo, mid) + working_days_between(cal, mid, hi)
    )
    assert working_days_between(cal, hi, lo) == 0


@SETTINGS
@given(calendars, days, counts)
def test_x1_add_calendar_days_never_earlier_and_on_a_working_day(
    cal: PrcCalendar, start: date, n: int
) -> None:
    due = add_calendar_days(cal, start, n)
    assert due >= start + timedelta(days=n)
    assert cal.is_working_day(due)
    # and it is the *first* working day on or after the plain date
    plain = start + timedelta(days=n)
    assert all(not cal.is_working_day(plain + timedelta(days=i)) for i in range((due - plain).days))


@SETTINGS
@given(calendars, windows, instants, durations)
def test_x1_business_hours_added_then_measured_give_the_same_duration(
    cal: PrcCalendar, hours: BusinessHours, start: datetime, duration: timedelta
) -> None:
    end = add_business_hours(cal, hours, start, duration)
    assert business_time_between(cal, hours, start, end) == duration
    assert end >= start + duration  # never earlier than the plain clock


@SETTINGS
@given(calendars, windows, instants, durations, durations)
def test_x1_business_hours_compose(
    cal: PrcCalendar, hours: BusinessHours, start: datetime, a: timedelta, b: timedelta
) -> None:
    stepwise = add_business_hours(cal, hours, add_business_hours(cal, hours, start, a), b)
    assert stepwise == add_business_hours(cal, hours, start, a + b)


@SETTINGS
@given(calendars, windows, instants, durations)
def test_x1_business_hours_deadline_is_inside_a_working_window(
    cal: PrcCalendar, hours: BusinessHours, start: datetime, duration: timedelta
) -> None:
    end = add_business_hours(cal, hours, start, duration)
    if duration > timedelta(0):
        assert cal.is_working_day(end.date())
        assert hours.start < end.time() <= hours.end


@SETTINGS
@given(calendars, windows, instants, instants)
def test_x1_business_time_is_additive_and_bounded(
    cal: PrcCalendar, hours: BusinessHours, a: datetime, b: datetime
) -> None:
    lo, hi = min(a, b), max(a, b)
    mid = lo + (hi - lo) / 2
    total = business_time_between(cal, hours, lo, hi)
    assert total == business_time_between(cal, hours, lo, mid) + business_time_between(
        cal, hours, mid, hi
    )
    assert timedelta(0) <= total <= hi - lo
