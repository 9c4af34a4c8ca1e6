"""The customers capability's deadlines as pure functions (CUS-1, CUS-3, CUS-7).

One implementation each, shared by the use cases (``customers.services``,
``customers.registers``, ``customers.loans``) and the what-if replay
(``policy_lab.replayers.customers``): a difference in a replay is a difference of policy,
never of code. Numbers and times come from the :class:`~csdomain.policy.model.Policy`,
working days from the Calendar port (X-1).
"""

from __future__ import annotations

from datetime import date, datetime, time, tzinfo

from csdomain.customers.model import RegisterStatus
from csdomain.kernel.calendar import Calendar, add_working_days
from csdomain.policy.model import FileKindPolicy, Policy


def _hhmm(text: str) -> time:
    hh, mm = text.split(":")
    return time(int(hh), int(mm))


# ---------------------------------------------------------------- CUS-3 file hand-overs
def file_handover_due(kind: FileKindPolicy, calendar: Calendar, event_date: date) -> date:
    """CUS-3: the day a file of ``kind`` must be handed over by — the kind's
    ``handover_working_days`` working days after the business event."""
    return add_working_days(calendar, event_date, kind.handover_working_days)


def file_handover_late(due_on: date, handed_over_at: datetime | None, as_of: date) -> bool:
    """CUS-3: a hand-over after its deadline day is late; a file never handed over is late
    from the day after its deadline on (as the sweep charges it, PEN-1)."""
    if handed_over_at is not None:
        return handed_over_at.date() > due_on
    return as_of > due_on


# ---------------------------------------------------------------- CUS-1 daily registers
def register_due_at(policy: Policy, day: date, tz: tzinfo | None) -> datetime:
    """CUS-1: the day's deadline, ``daily_register_due`` in the company's time zone."""
    reg = policy.customers.registration
    return datetime.combine(day, _hhmm(reg.daily_register_due), tzinfo=tz)


def register_exception_until(
    policy: Policy, calendar: Calendar, day: date, tz: tzinfo | None
) -> datetime:
    """CUS-1: the exception deadline, ``daily_register_exception_until`` on the next working
    day (we read 000 篇八's "次日" as the next working day)."""
    reg = policy.customers.registration
    nxt = add_working_days(calendar, day, 1)
    return datetime.combine(nxt, _hhmm(reg.daily_register_exception_until), tzinfo=tz)


def register_status(
    policy: Policy,
    calendar: Calendar,
    day: date,
    at: datetime,
    exception_reason: str,
    tz: tzinfo | None,
) -> RegisterStatus:
    """CUS-1: a register of ``day`` handed in at ``at`` is on time by the due time, an
    exception with a reason by the exception deadline, late after that."""
    if at <= register_due_at(policy, day, tz):
        return RegisterStatus.ON_TIME
    if exception_reason.strip() and at <= register_exception_until(policy, calendar, day, tz):
        return RegisterStatus.EXCEPTION
    return RegisterStatus.LATE


# ---------------------------------------------------------------- CUS-7 file loans
def loan_due_back(policy: Policy, calendar: Calendar, lent_on: date) -> date:
    """CUS-7: a lent file is due back ``customers.lending.return_working_days`` working days
    after the day it was lent."""
    return add_working_days(calendar, lent_on, policy.customers.lending.return_working_days)


def loan_late(due_back_on: date, returned_at: datetime | None, as_of: date) -> bool:
    """CUS-7: a file returned after its due-back day came back late; one still out is
    overdue once ``as_of`` is past that day (the open-loans check)."""
    if returned_at is not None:
        return returned_at.date() > due_back_on
    return as_of > due_back_on
