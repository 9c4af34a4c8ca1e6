"""Calendar-month arithmetic: ends of months clamp (31 Jan + 1 month = 28/29 Feb)."""

from __future__ import annotations

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


def month_days(month: str) -> tuple[date, date]:
    """The first and last day of a ``YYYY-MM`` month (already checked by ``parse_month``)."""
    year, mon = (int(x) for x in month.split("-"))
    return date(year, mon, 1), date(year, mon, calendar.monthrange(year, mon)[1])
