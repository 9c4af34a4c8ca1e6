"""Deadline clocks derived from a case's event history (CASE-7, X-1).

Pure functions: given the events, the policy's clock definitions, the calendar and "now", they
say when each clock started, when it is due (after extensions and pauses), whether it stopped
and whether it breached. Nothing here is stored, so a corrected policy or calendar recomputes
every clock cleanly; only breaches are recorded (by the sweep) with the owner at breach time.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime, timedelta

import attrs

from csdomain.cases.model import CaseEvent
from csdomain.kernel.calendar import (
    BusinessHours,
    Calendar,
    add_business_hours,
    add_working_days,
    business_time_between,
    next_working_day_on_or_after,
)
from csdomain.kernel.ids import StaffId
from csdomain.policy.cases import ClockDefinition

EXTENDED = "clock_extended"


class ClockStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    PAUSED = "paused"
    BREACHED = "breached"
    MET = "met"
    MISSED = "missed"


@attrs.frozen
class ClockState:
    name: str
    label: str
    status: ClockStatus
    started_at: datetime | None
    due_at: datetime | None
    stopped_at: datetime | None
    paused_for: timedelta
    extensions: int

    @property
    def running(self) -> bool:
        return self.status in (
            ClockStatus.ON_TIME,
            ClockStatus.DUE_SOON,
            ClockStatus.PAUSED,
            ClockStatus.BREACHED,
        )

    @property
    def breached(self) -> bool:
        return self.status in (ClockStatus.BREACHED, ClockStatus.MISSED)


def _end_of_business(calendar: Calendar, hours: BusinessHours, when: datetime) -> datetime:
    day = next_working_day_on_or_after(calendar, when.date())
    return datetime.combine(day, hours.end, tzinfo=when.tzinfo)


def add_duration(
    definition: ClockDefinition,
    calendar: Calendar,
    hours: BusinessHours,
    start: datetime,
    amount: int,
) -> datetime:
    """``amount`` of the clock's unit after ``start`` (X-1: deadlines only move later)."""
    if definition.unit in ("hours", "minutes"):
        delta = timedelta(hours=amount) if definition.unit == "hours" else timedelta(minutes=amount)
        if definition.basis == "business_hours":
            return add_business_hours(calendar, hours, start, delta)
        return start + delta
    if definition.unit == "calendar_days":
        return _end_of_business(calendar, hours, start + timedelta(days=amount))
    day = add_working_days(calendar, start.date(), amount)
    return datetime.combine(day, hours.end, tzinfo=start.tzinfo)


def _shift_for_pause(
    definition: ClockDefinition,
    calendar: Calendar,
    hours: BusinessHours,
    due: datetime,
    p0: datetime,
    p1: datetime,
) -> datetime:
    """Move the due time later by the paused time, measured on the clock's own basis."""
    if definition.basis == "business_hours" or definition.unit == "working_days":
        return add_business_hours(
            calendar, hours, due, business_time_between(calendar, hours, p0, p1)
        )
    return due + (p1 - p0)


def applies(definition: ClockDefinition, case_type: str, severity: str, channel: str) -> bool:
    return (
        (not definition.types or case_type in definition.types)
        and (definition.severity == "any" or definition.severity == severity)
        and (not definition.channels or channel in definition.channels)
    )


def clock_state(
    definition: ClockDefinition,
    events: Sequence[CaseEvent],
    calendar: Calendar,
    hours: BusinessHours,
    now: datetime,
    due_soon: timedelta,
) -> ClockState:
    def state(status: ClockStatus, **kw: object) -> ClockState:
        values: dict[str, object] = {
            "name": definition.name,
            "label": definition.label,
            "status": status,
            "started_at": None,
            "due_at": None,
            "stopped_at": None,
            "paused_for": timedelta(0),
            "extensions": 0,
        }
        values.update(kw)
        return ClockState(**values)  # type: ignore[arg-type]

    start = next((e for e in events if e.kind == definition.start_event), None)
    if start is None:
        return state(ClockStatus.NOT_STARTED)
    later = [e for e in events if e.at >= start.at and e is not start]
    stop = next((e for e in later if e.kind == definition.stop_event), None)
    end = stop.at if stop is not None else now

    due = add_duration(definition, calendar, hours, start.at, definition.duration)
    extensions = [
        e
        for e in later
        if e.kind == EXTENDED
        and e.data.get("clock") == definition.name
        and (stop is None or e.at <= stop.at)
    ]
    for ext in extensions:
        due = add_duration(definition, calendar, hours, due, int(ext.data.get("by", "0")))

    paused_for = timedelta(0)
    paused_now = False
    pause_start: datetime | None = None
    for e in later:
        if e.at > end:
            break
        in_pause = e.state_after.value in definition.pause_states
        if in_pause and pause_start is None:
            pause_start = e.at
        elif not in_pause and pause_start is not None:
            if pause_start < due:
                due = _shift_for_pause(definition, calendar, hours, due, pause_start, e.at)
            paused_for += e.at - pause_start
            pause_start = None
    if pause_start is not None:
        if stop is None:
            paused_now = True
        if pause_start < due:
            due = _shift_for_pause(definition, calendar, hours, due, pause_start, end)
        paused_for += end - pause_start

    common = {
        "started_at": start.at,
        "due_at": due,
        "paused_for": paused_for,
        "extensions": len(extensions),
    }
    if stop is not None:
        status = ClockStatus.MISSED if stop.at > due else ClockStatus.MET
        return state(status, stopped_at=stop.at, **common)
    if now > due:
        return state(ClockStatus.BREACHED, **common)
    if paused_now:
        return state(ClockStatus.PAUSED, **common)
    if due - now <= due_soon:
        return state(ClockStatus.DUE_SOON, **common)
    return state(ClockStatus.ON_TIME, **common)


def owner_at(events: Sequence[CaseEvent], when: datetime) -> StaffId | None:
    """Who owned the case at ``when``: the owner recorded by the last event up to then."""
    owner: StaffId | None = None
    for e in events:
        if e.at > when:
            break
        owner = e.owner_id
    return owner
