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
from csdomain.policy.cases import ClockDefinition, ComplaintFormPolicy
from csdomain.policy.model import Policy

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


def applies(
    definition: ClockDefinition,
    case_type: str,
    severity: str,
    channel: str,
    category: str = "",
    market: str = "",
) -> bool:
    """CASE-7: whether a clock applies to a case of this type, severity, channel, category
    and market (an empty filter in the definition matches every value)."""
    return (
        (not definition.types or case_type in definition.types)
        and (definition.severity == "any" or definition.severity == severity)
        and (not definition.channels or channel in definition.channels)
        and (not definition.categories or category in definition.categories)
        and (not definition.markets or market in definition.markets)
    )


HANDOFF = "handoff:"


def handoff_clocks(form: ComplaintFormPolicy, case_type: str, market: str) -> list[ClockDefinition]:
    """CASE-7 (001 2-B): one clock per complaint-form step, from its hand-off (event
    ``handoff:<step>``) to the next step's (the last: the form's ``end_event``), with the
    step's duration for the case's market. Not extendable (``max_extensions`` 0)."""
    if form.types and case_type not in form.types:
        return []
    clocks: list[ClockDefinition] = []
    for i, step in enumerate(form.steps):
        following = form.steps[i + 1] if i + 1 < len(form.steps) else None
        clocks.append(
            ClockDefinition(
                name=f"form.{step.name}",
                label=step.label,
                start_event=HANDOFF + step.name,
                stop_event=HANDOFF + following.name if following else form.end_event,
                duration=step.duration_for(market),
                unit=step.unit,
                basis=step.basis,
                extension_role="gm",
                max_extensions=0,
                penalise=step.penalise,
            )
        )
    return clocks


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


def case_clocks(
    policy: Policy,
    calendar: Calendar,
    case_type: str,
    severity: str,
    channel: str,
    events: Sequence[CaseEvent],
    now: datetime,
    *,
    category: str = "",
    market: str = "",
) -> list[ClockState]:
    """CASE-7: the state at ``now`` of every clock of ``policy`` that applies to a case of
    this type, severity, channel, category and market, and of its complaint form's hand-off
    steps (001 2-B). The one computation the use cases, the sweep and the policy replay
    share."""
    hours = policy.calendar.business_hours
    soon = timedelta(hours=policy.cases.due_soon_hours)
    return [
        clock_state(d, events, calendar, hours, now, soon)
        for d in case_definitions(policy, case_type, severity, channel, category, market)
    ]


def case_definitions(
    policy: Policy,
    case_type: str,
    severity: str,
    channel: str,
    category: str = "",
    market: str = "",
) -> list[ClockDefinition]:
    """CASE-7: the clock definitions of a case: the policy's clocks that apply to it and its
    complaint form's hand-off step clocks."""
    c = policy.cases
    return [
        d for d in c.clocks if applies(d, case_type, severity, channel, category, market)
    ] + handoff_clocks(c.complaint_form, case_type, market)


def escalation_step(chain: Sequence[str], level: int) -> str:
    """CASE-7: where the ``level``-th breach of a case (0 = its first) escalates: one step
    up the policy's chain per breach, staying at the top once it is reached ("" = no chain)."""
    return chain[min(level, len(chain) - 1)] if chain else ""


def escalation_name(policy: Policy, level: int) -> str:
    """CASE-6/CASE-7: the step the ``level``-th breach of a case escalates to, by name: the
    position of ``cases.escalation_steps`` when the policy has them, else the role of
    ``cases.escalation_chain`` (what the sweep records as ``escalated_to``)."""
    steps = policy.cases.escalation_steps
    if steps:
        return steps[min(level, len(steps) - 1)].position
    return escalation_step(policy.cases.escalation_chain, level)


def owner_at(events: Sequence[CaseEvent], when: datetime) -> StaffId | None:
    """Who owned the case at ``when``: the owner recorded by the last event up to then."""
    owner: StaffId | None = None
    for e in events:
        if e.at > when:
            break
        owner = e.owner_id
    return owner
