"""The PRC statutory working-day calendar (X-1), from the maintained ``holidays`` library.

``holidays.China`` knows public holidays *and* make-up working days (调休), so
2026-09-20 (a Sunday) is a working day and 2026-10-01…07 are not. Company closures and extra
working days from the policy are layered on top.
"""

from __future__ import annotations

import threading
from datetime import date, timedelta

import holidays

from csdomain.policy.model import CalendarPolicy


class PrcCalendar:
    def __init__(
        self,
        extra_closed_days: frozenset[date] = frozenset(),
        extra_working_days: frozenset[date] = frozenset(),
    ) -> None:
        self._closed = extra_closed_days
        self._working = extra_working_days
        self._cn = holidays.country_holidays("CN")
        self._cache: dict[date, bool] = {}
        self._lock = threading.Lock()

    def is_working_day(self, day: date) -> bool:
        cached = self._cache.get(day)
        if cached is not None:
            return cached
        if day in self._working:
            result = True
        elif day in self._closed:
            result = False
        else:
            with self._lock:
                result = bool(self._cn.is_working_day(day))
        self._cache[day] = result
        return result

    def holiday_names(self, start: date, end: date) -> dict[date, str]:
        """The statutory holidays (not the substituted days off) with their names."""
        with self._lock:
            names = {
                d: str(self._cn.get(d))
                for d in self._cn[start : end + timedelta(days=1)]  # type: ignore[index]
                if d not in self._working
            }
        return {d: n for d, n in sorted(names.items()) if not n.startswith("Day off")}


def calendar_from_policy(policy: CalendarPolicy) -> PrcCalendar:
    return PrcCalendar(frozenset(policy.extra_closed_days), frozenset(policy.extra_working_days))
