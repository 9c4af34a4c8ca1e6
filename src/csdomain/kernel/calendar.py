"""Working-day arithmetic over a Calendar port (rule X-1).

The port answers one question, "is this date a working day?"; everything else (adding working
days, counting them, business-hours clocks) is pure arithmetic here, so it is identical for the
PRC adapter, a company calendar with closures, or a test calendar.
Deadlines always count forward: a deadline landing on a non-working day moves later.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Protocol

import attrs

from csdomain.kernel.errors import ValidationError

# A search bound, not a business number: no real calendar has a year without working days.
_MAX_SCAN_DAYS = 366


class Calendar(Protocol):
    def is_working_day(self, day: date) -> bool: ...
    def holiday_names(self, start: date, end: date) -> dict[date, str]:
        """Public holidays dated ``start``…``end`` with their names (VIS-6 greetings)."""
        ...


def _beyond_calendar(day: date) -> ValidationError:
    """Arithmetic that would leave the representable dates (near 9999-12-31) is the caller's
    bad input, not a crash (issue 8)."""
    return ValidationError(f"no working day can be computed after {day}", rule="X-1")


def next_working_day_on_or_after(calendar: Calendar, day: date) -> date:
    for offset in range(_MAX_SCAN_DAYS):
        try:
            candidate = day + timedelta(days=offset)
        except OverflowError:
            raise _beyond_calendar(day) from None
        if calendar.is_working_day(candidate):
            return candidate
    raise ValidationError(f"no working day within a year after {day}", rule="X-1")


def add_working_days(calendar: Calendar, start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (start itself not counted).

    With ``days == 0`` the result is ``start`` moved forward to a working day.
    """
    if days < 0:
        raise ValidationError("working days must be counted forward", rule="X-1", field="days")
    if days == 0:
        return next_working_day_on_or_after(calendar, start)
    current = start
    counted = 0
    scanned = 0
    while counted < days:
        try:
            current += timedelta(days=1)
        except OverflowError:
            raise _beyond_calendar(start) from None
        scanned += 1
        if scanned > _MAX_SCAN_DAYS * (days + 1):
            raise ValidationError("calendar has no working days", rule="X-1")
        if calendar.is_working_day(current):
            counted += 1
    return current


def working_days_between(calendar: Calendar, start: date, end: date) -> int:
    """Working days in (start, end]: how many working days have passed from start to end."""
    if end <= start:
        return 0
    count = 0
    current = start
    while current < end:  # end <= date.max, so current + 1 day never overflows here
        current += timedelta(days=1)
        if calendar.is_working_day(current):
            count += 1
    return count


def add_calendar_days(calendar: Calendar, start: date, days: int) -> date:
    """``days`` calendar days later, moved forward to a working day if it lands on a day off."""
    try:
        later = start + timedelta(days=days)
    except OverflowError:
        raise _beyond_calendar(start) from None
    return next_working_day_on_or_after(calendar, later)


@attrs.frozen
class BusinessHours:
    """The working window of a working day, e.g. 08:30–17:30 (X-1, 001 制度2-A(十九))."""

    start: time
    end: time

    def __attrs_post_init__(self) -> None:
        if self.end <= self.start:
            raise ValidationError("business hours must end after they start", rule="X-1")

    @property
    def hours_per_day(self) -> timedelta:
        return datetime.combine(date.min, self.end) - datetime.combine(date.min, self.start)


def add_business_hours(
    calendar: Calendar, hours: BusinessHours, start: datetime, duration: timedelta
) -> datetime:
    """The instant ``duration`` of business time after ``start``.

    Time outside the window or on non-working days does not count. A start before the window
    counts from the window's opening; a start after it counts from the next working day's.
    """
    if duration < timedelta(0):
        raise ValidationError("durations count forward", rule="X-1", field="duration")
    tz = start.tzinfo
    remaining = duration
    day = start.date()
    cursor = start
    while True:
        if calendar.is_working_day(day):
            open_at = datetime.combine(day, hours.start, tzinfo=tz)
            close_at = datetime.combine(day, hours.end, tzinfo=tz)
            begin = max(cursor, open_at)
            if begin <= close_at:  # at closing time a zero duration ends right there
                available = close_at - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        if day == date.max:
            raise _beyond_calendar(start.date())
        day = day + timedelta(days=1)
        cursor = datetime.combine(day, time.min, tzinfo=tz)
        if (day - start.date()).days > _MAX_SCAN_DAYS * 10:
            raise ValidationError("calendar has no working days", rule="X-1")


def business_time_between(
    calendar: Calendar, hours: BusinessHours, start: datetime, end: datetime
) -> timedelta:
    """Business time elapsed between two instants (zero if end <= start)."""
    if end <= start:
        return timedelta(0)
    tz = start.tzinfo
    total = timedelta(0)
    day = start.date()
    while day <= end.date():
        if calendar.is_working_day(day):
            open_at = datetime.combine(day, hours.start, tzinfo=tz)
            close_at = datetime.combine(day, hours.end, tzinfo=tz)
            lo = max(start, open_at)
            hi = min(end, close_at)
            if hi > lo:
                total += hi - lo
        if day == date.max:
            break
        day += timedelta(days=1)
    return total


@attrs.frozen
class SetCalendar:
    """A calendar from explicit sets: weekends off unless listed as make-up working days.

    Used by tests and as the base for company-specific closures; the PRC default lives in
    ``adapters.calendar`` because it depends on a holiday library.
    """

    holidays: frozenset[date] = frozenset()
    makeup_working_days: frozenset[date] = frozenset()

    def is_working_day(self, day: date) -> bool:
        if day in self.makeup_working_days:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def holiday_names(self, start: date, end: date) -> dict[date, str]:
        return {d: "holiday" for d in sorted(self.holidays) if start <= d <= end}
