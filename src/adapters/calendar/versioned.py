"""The working-day calendar of the policy versions (X-1, issue 15).

A policy version may change ``[calendar]`` closures and extra working days. Every decision is
judged by the version in force when its event happened, so a day's status is the one the
version in force *on that day* gives it: a closure listed by a version effective from
1 December counts for 24 December, not for a day in November that an earlier version governs.
The PRC statutory calendar (``holidays``) is built once and shared; one ``PrcCalendar`` is
kept per distinct closure list, so an activation needs no restart.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

from adapters.calendar.prc import PrcCalendar, calendar_from_policy
from csdomain.policy.model import CalendarPolicy

_Key = tuple[tuple[date, ...], tuple[date, ...]]


def _key(policy: CalendarPolicy) -> _Key:
    return (tuple(sorted(policy.extra_closed_days)), tuple(sorted(policy.extra_working_days)))


class VersionedCalendar:
    """A Calendar port whose every day is answered by ``section_on(day)``, the ``[calendar]``
    of the policy in force on that day (``ctx.policy_at(day).calendar``)."""

    def __init__(self, section_on: Callable[[date], CalendarPolicy]) -> None:
        self._section_on = section_on
        self._calendars: dict[_Key, PrcCalendar] = {}
        self._lock = threading.Lock()
        self._statutory = PrcCalendar()
        self._by_id: dict[int, tuple[CalendarPolicy, PrcCalendar]] = {}

    def _calendar(self, day: date) -> PrcCalendar:
        section = self._section_on(day)
        # hot path (working-day loops): by the section object, held so its id stays its own
        known = self._by_id.get(id(section))
        if known is not None and known[0] is section:
            return known[1]
        with self._lock:
            key = _key(section)
            found = self._calendars.get(key)
            if found is None:
                found = self._calendars[key] = calendar_from_policy(section)
            self._by_id[id(section)] = (section, found)
        return found

    def is_working_day(self, day: date) -> bool:
        return self._calendar(day).is_working_day(day)

    def holiday_names(self, start: date, end: date) -> dict[date, str]:
        """The statutory holidays of ``start…end`` but those the version in force on the day
        makes a working day."""
        names = self._statutory.holiday_names(start, end)
        return {d: n for d, n in names.items() if d not in self._section_on(d).extra_working_days}
