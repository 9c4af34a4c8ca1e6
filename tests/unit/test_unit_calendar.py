"""X-1 Working-day calendar: the PRC statutory calendar (holidays library), company closures
from the policy, working-day and business-hours arithmetic, deadlines never earlier."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import attrs
import pytest
from unit_support import at, d

from adapters.calendar import PrcCalendar, calendar_from_policy
from adapters.policy_file import default_policy
from csdomain.kernel.calendar import (
    BusinessHours,
    SetCalendar,
    add_business_hours,
    add_calendar_days,
    add_working_days,
    business_time_between,
    next_working_day_on_or_after,
    working_days_between,
)
from csdomain.kernel.errors import ValidationError

PRC = PrcCalendar()
HOURS = BusinessHours(time(8, 30), time(17, 30))  # the default policy's window


# ------------------------------------------------------------------ PRC calendar facts
@pytest.mark.parametrize("day", ["2026-09-20", "2026-10-10"])
def test_x1_prc_makeup_weekend_days_are_working_days(day: str) -> None:
    """调休: Sunday 2026-09-20 and Saturday 2026-10-10 are working days."""
    assert date.fromisoformat(day).weekday() >= 5
    assert PRC.is_working_day(d(day))


@pytest.mark.parametrize("day", [f"2026-10-0{i}" for i in range(1, 8)])
def test_x1_prc_national_day_week_is_off(day: str) -> None:
    assert not PRC.is_working_day(d(day))


def test_x1_prc_ordinary_weekdays_and_weekends() -> None:
    assert PRC.is_working_day(d("2026-09-18"))  # Friday
    assert not PRC.is_working_day(d("2026-09-19"))  # Saturday
    assert PRC.is_working_day(d("2026-10-12"))  # Monday
    assert not PRC.is_working_day(d("2026-10-11"))  # Sunday
    assert not PRC.is_working_day(d("2026-09-25"))  # Mid-Autumn Festival (a Friday)


def test_x1_prc_answers_are_stable_when_asked_twice() -> None:
    cal = PrcCalendar()
    first = [cal.is_working_day(d("2026-10-01") + timedelta(i)) for i in range(20)]
    second = [cal.is_working_day(d("2026-10-01") + timedelta(i)) for i in range(20)]
    assert first == second


# ------------------------------------------------------------------ working-day arithmetic
def test_x1_three_working_days_after_friday_0918_is_tuesday_0922() -> None:
    # Sat 19 off, Sun 20 make-up (1), Mon 21 (2), Tue 22 (3)
    assert add_working_days(PRC, d("2026-09-18"), 3) == d("2026-09-22")


def test_x1_one_working_day_after_0930_is_1008() -> None:
    assert add_working_days(PRC, d("2026-09-30"), 1) == d("2026-10-08")


def test_x1_one_working_day_after_friday_0918_is_the_makeup_sunday() -> None:
    assert add_working_days(PRC, d("2026-09-18"), 1) == d("2026-09-20")


def test_x1_zero_working_days_moves_a_day_off_forward_never_back() -> None:
    assert add_working_days(PRC, d("2026-10-03"), 0) == d("2026-10-08")
    assert add_working_days(PRC, d("2026-09-18"), 0) == d("2026-09-18")
    assert next_working_day_on_or_after(PRC, d("2026-10-01")) == d("2026-10-08")


def test_x1_working_days_are_counted_forward_only() -> None:
    with pytest.raises(ValidationError) as info:
        add_working_days(PRC, d("2026-09-18"), -1)
    assert info.value.rule == "X-1"


def test_x1_deadline_from_a_holiday_counts_from_the_holiday() -> None:
    """An event on a day off: the first working day after it is day 1."""
    assert add_working_days(PRC, d("2026-10-03"), 1) == d("2026-10-08")
    assert add_working_days(PRC, d("2026-10-03"), 3) == d("2026-10-10")  # make-up Saturday


def test_x1_working_days_between_counts_the_half_open_interval() -> None:
    assert working_days_between(PRC, d("2026-09-18"), d("2026-09-22")) == 3
    assert working_days_between(PRC, d("2026-09-30"), d("2026-10-08")) == 1
    assert working_days_between(PRC, d("2026-09-30"), d("2026-10-07")) == 0
    # 2026-09-28..10-12: 28,29,30, 8,9,10(Sat make-up), 12 -> after the 28th: 6
    assert working_days_between(PRC, d("2026-09-28"), d("2026-10-12")) == 6
    assert working_days_between(PRC, d("2026-09-22"), d("2026-09-22")) == 0
    assert working_days_between(PRC, d("2026-09-22"), d("2026-09-18")) == 0


def test_x1_add_calendar_days_moves_a_day_off_forward() -> None:
    # 2026-09-28 + 3 calendar days = 10-01 (holiday) -> 10-08
    assert add_calendar_days(PRC, d("2026-09-28"), 3) == d("2026-10-08")
    assert add_calendar_days(PRC, d("2026-09-14"), 7) == d("2026-09-21")


def test_x1_calendar_without_working_days_is_an_error_not_a_hang() -> None:
    @attrs.frozen
    class NeverWorks:
        def is_working_day(self, day: date) -> bool:
            return False

    with pytest.raises(ValidationError):
        add_working_days(NeverWorks(), d("2026-01-01"), 1)
    with pytest.raises(ValidationError):
        next_working_day_on_or_after(NeverWorks(), d("2026-01-01"))


# ------------------------------------------------------------------ company closures
def test_x1_policy_extra_closed_and_working_days_override_the_statutory_calendar() -> None:
    cal_policy = attrs.evolve(
        default_policy().calendar,
        extra_closed_days=[d("2026-09-21")],  # company closure on a Monday
        extra_working_days=[d("2026-10-03"), d("2026-09-19")],  # a holiday and a Saturday
    )
    cal = calendar_from_policy(cal_policy)
    assert not cal.is_working_day(d("2026-09-21"))
    assert cal.is_working_day(d("2026-10-03"))
    assert cal.is_working_day(d("2026-09-19"))
    # untouched days follow the PRC calendar
    assert cal.is_working_day(d("2026-09-20"))
    assert not cal.is_working_day(d("2026-10-04"))
    # and the arithmetic follows: Fri 18 -> Sat 19 (1), Sun 20 (2), [Mon 21 closed], Tue 22 (3)
    assert add_working_days(cal, d("2026-09-18"), 3) == d("2026-09-22")
    assert add_working_days(cal, d("2026-09-18"), 4) == d("2026-09-23")
    assert add_working_days(cal, d("2026-09-30"), 1) == d("2026-10-03")


def test_x1_default_policy_calendar_is_plain_prc() -> None:
    cal = calendar_from_policy(default_policy().calendar)
    for i in range(60):
        day = d("2026-09-01") + timedelta(days=i)
        assert cal.is_working_day(day) == PRC.is_working_day(day), day


def test_x1_set_calendar_makeup_days_and_holidays() -> None:
    cal = SetCalendar(holidays=frozenset({d("2026-01-01")}),
                      makeup_working_days=frozenset({d("2026-01-04")}))
    assert not cal.is_working_day(d("2026-01-01"))  # Thursday holiday
    assert cal.is_working_day(d("2026-01-04"))  # Sunday make-up
    assert not cal.is_working_day(d("2026-01-03"))  # Saturday


# ------------------------------------------------------------------ business hours
def test_x1_business_hours_policy_window() -> None:
    assert default_policy().calendar.business_hours == HOURS
    assert HOURS.hours_per_day == timedelta(hours=9)
    with pytest.raises(ValidationError):
        BusinessHours(time(17, 0), time(9, 0))


def test_x1_business_hours_within_one_day() -> None:
    assert add_business_hours(PRC, HOURS, at("2026-09-18 10:00"), timedelta(hours=6)) == at(
        "2026-09-18 16:00")
    assert add_business_hours(PRC, HOURS, at("2026-09-18 10:00"), timedelta(0)) == at(
        "2026-09-18 10:00")


def test_x1_business_hours_ending_exactly_at_close_stay_on_that_day() -> None:
    assert add_business_hours(PRC, HOURS, at("2026-09-18 16:30"), timedelta(hours=1)) == at(
        "2026-09-18 17:30")


def test_x1_business_hours_cross_the_evening() -> None:
    # Tue 2026-09-22 15:00 + 6h: 2.5h today, 3.5h from 08:30 Wed
    assert add_business_hours(PRC, HOURS, at("2026-09-22 15:00"), timedelta(hours=6)) == at(
        "2026-09-23 12:00")


def test_x1_business_hours_skip_the_weekend_but_count_the_makeup_sunday() -> None:
    # Fri 2026-09-18 15:00 + 6h: 2.5h Friday, Saturday off, Sunday 20 is a make-up day
    assert add_business_hours(PRC, HOURS, at("2026-09-18 15:00"), timedelta(hours=6)) == at(
        "2026-09-20 12:00")
    # an ordinary weekend is skipped: Fri 2026-10-16 -> Mon 2026-10-19
    assert add_business_hours(PRC, HOURS, at("2026-10-16 15:00"), timedelta(hours=6)) == at(
        "2026-10-19 12:00")


def test_x1_business_hours_skip_the_national_day_holiday() -> None:
    # Wed 2026-09-30 16:30 + 6h: 1h on the 30th, then nothing until Thu 10-08 08:30
    assert add_business_hours(PRC, HOURS, at("2026-09-30 16:30"), timedelta(hours=6)) == at(
        "2026-10-08 13:30")


def test_x1_business_hours_starting_outside_the_window() -> None:
    # before opening: counts from 08:30
    assert add_business_hours(PRC, HOURS, at("2026-09-18 06:00"), timedelta(hours=1)) == at(
        "2026-09-18 09:30")
    # after closing: counts from the next working day's opening (Sunday make-up day)
    assert add_business_hours(PRC, HOURS, at("2026-09-18 20:00"), timedelta(hours=1)) == at(
        "2026-09-20 09:30")
    # on a holiday: the next working day's opening
    assert add_business_hours(PRC, HOURS, at("2026-10-02 11:00"), timedelta(minutes=30)) == at(
        "2026-10-08 09:00")


def test_x1_business_hours_many_days() -> None:
    # 27 business hours = 3 full days from Monday 2026-10-12 08:30 -> Wed 17:30
    assert add_business_hours(PRC, HOURS, at("2026-10-12 08:30"), timedelta(hours=27)) == at(
        "2026-10-14 17:30")


def test_x1_business_hours_refuse_negative_durations() -> None:
    with pytest.raises(ValidationError):
        add_business_hours(PRC, HOURS, at("2026-09-18 10:00"), timedelta(hours=-1))


def test_x1_business_time_between() -> None:
    assert business_time_between(PRC, HOURS, at("2026-09-18 10:00"), at("2026-09-18 12:00")) == (
        timedelta(hours=2))
    # Friday 15:00 -> Monday 10:00: 2.5h Fri + 9h make-up Sunday + 1.5h Mon
    assert business_time_between(PRC, HOURS, at("2026-09-18 15:00"), at("2026-09-21 10:00")) == (
        timedelta(hours=13))
    # the whole National Day week counts nothing
    assert business_time_between(PRC, HOURS, at("2026-09-30 17:30"), at("2026-10-08 08:30")) == (
        timedelta(0))
    # evenings and nights do not count
    assert business_time_between(PRC, HOURS, at("2026-09-22 17:00"), at("2026-09-23 09:00")) == (
        timedelta(hours=1))
    # reversed or equal instants: zero
    assert business_time_between(PRC, HOURS, at("2026-09-23 09:00"), at("2026-09-22 17:00")) == (
        timedelta(0))


def test_x1_business_time_between_inverts_add_business_hours_across_holidays() -> None:
    start = at("2026-09-29 14:10")
    for hours in (0, 1, 5, 9, 13, 30):
        end = add_business_hours(PRC, HOURS, start, timedelta(hours=hours))
        assert business_time_between(PRC, HOURS, start, end) == timedelta(hours=hours)


def test_x1_deadlines_never_move_earlier() -> None:
    start = d("2026-09-15")
    for i in range(40):
        day = start + timedelta(days=i)
        for n in range(0, 5):
            assert add_working_days(PRC, day, n) >= day + timedelta(days=n)
            assert add_calendar_days(PRC, day, n) >= day + timedelta(days=n)
        instant = datetime.combine(day, time(12, 0), tzinfo=at("2026-01-01 00:00").tzinfo)
        for h in (0, 3, 9, 20):
            assert add_business_hours(PRC, HOURS, instant, timedelta(hours=h)) >= (
                instant + timedelta(hours=h))


def test_x1_zero_business_hours_at_closing_time_stay_at_closing_time() -> None:
    """16:30 + 1h ends at 17:30 that day, so 17:30 + 0h must be 17:30 too (not the next
    morning): adding a duration in two steps equals adding it at once."""
    close = at("2026-09-22 17:30")
    assert add_business_hours(PRC, HOURS, close, timedelta(0)) == close
    one_go = add_business_hours(PRC, HOURS, at("2026-09-22 16:30"), timedelta(hours=2))
    two_steps = add_business_hours(
        PRC, HOURS, add_business_hours(PRC, HOURS, at("2026-09-22 16:30"), timedelta(hours=1)),
        timedelta(hours=1),
    )
    assert one_go == two_steps == at("2026-09-23 09:30")
    # one minute after closing a zero duration moves to the next opening (never earlier)
    assert add_business_hours(PRC, HOURS, at("2026-09-22 17:31"), timedelta(0)) == at(
        "2026-09-23 08:30")
