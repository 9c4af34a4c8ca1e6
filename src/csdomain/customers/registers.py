"""Daily customer registers (CUS-1, CUS-7; 000 篇八 3.1, 4.1; 004 第11篇).

Each staff member of the policy's positions (``customers.registers.positions``) hands in a
register of the day's customers every working day, by ``daily_register_due``; with a reason
("特殊情况") it may come until ``daily_register_exception_until`` on the next working day.
A register handed in later, or never (found by the scheduler's sweep once that last deadline
has passed), is late: once per person and day — the register row's unique key holds it — a
``customers.register_late`` event names the person, which the penalty catalogue's
``daily_register_late`` entry turns into a violation (PEN-1), and it costs
``late_appraisal_points`` of the month's appraisal (CUS-7).
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta

from csdomain.authz import Grant, Resource, use_case
from csdomain.context import ServiceContext, authorize, record
from csdomain.customers.commands import SubmitRegister
from csdomain.customers.deadlines import (
    register_due_at,
    register_exception_until,
    register_status,
)
from csdomain.customers.model import (
    AppraisalDeduction,
    DailyRegister,
    RegisterLapse,
    RegisterStatus,
)
from csdomain.kernel.bounds import parse_month
from csdomain.kernel.dates import month_days
from csdomain.kernel.errors import Conflict, ValidationError
from csdomain.kernel.ids import StaffId
from csdomain.org.model import Staff
from csdomain.ports import UnitOfWork

LATE_EVENT = "customers.register_late"  # the penalty catalogue's source_event (PEN-1)
SWEEP_DAYS = 7  # how far back a sweep looks for missing registers (a technical bound)
MAX_REPORT_DAYS = 92  # the longest range one overdue report covers
_LAPSED = (RegisterStatus.LATE, RegisterStatus.MISSING)


class RegisterService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    # ------------------------------------------------------------ deadlines
    def _due_at(self, day: date) -> datetime:
        """CUS-1: the day's deadline (``deadlines.register_due_at``)."""
        return register_due_at(self.ctx.policy, day, self.ctx.now().tzinfo)

    def _exception_until(self, day: date) -> datetime:
        """CUS-1: the exception deadline (``deadlines.register_exception_until``)."""
        return register_exception_until(
            self.ctx.policy, self.ctx.calendar, day, self.ctx.now().tzinfo
        )

    def _status(self, day: date, at: datetime, exception_reason: str) -> RegisterStatus:
        return register_status(
            self.ctx.policy, self.ctx.calendar, day, at, exception_reason, self.ctx.now().tzinfo
        )

    def _owes(self, staff: Staff) -> bool:
        return staff.active and staff.position in self.ctx.policy.customers.registers.positions

    def _working_days(self, start: date, end: date) -> Iterator[date]:
        day = start
        while day <= end:
            if self.ctx.calendar.is_working_day(day):
                yield day
            day += timedelta(days=1)

    def _late(self, uow: UnitOfWork, register: DailyRegister, actor_id: StaffId) -> None:
        """Once per register: flag it and emit the event the penalty catalogue maps."""
        if register.late:
            return
        register.late = True
        record(
            uow,
            self.ctx,
            LATE_EVENT,
            register.id,
            actor_id,
            f"daily register of {register.day.isoformat()} "
            f"{'never handed in' if register.submitted_at is None else 'handed in late'} (CUS-1)",
            owner_id=register.staff_id,
            day=register.day.isoformat(),
            due_at=self._due_at(register.day).isoformat(timespec="minutes"),
        )

    # ------------------------------------------------------------ hand in
    @use_case("customers.registers.submit")
    def submit(self, actor_id: StaffId, command: SubmitRegister) -> DailyRegister:
        """CUS-1: hand in one's register of ``command.day`` (a working day, not in the future).
        Once per day: a second is refused (409); a register the sweep found missing is
        completed, and stays late."""
        now = self.ctx.now()
        day = command.day
        if day > now.date():
            raise ValidationError("a register covers a day that has begun", field="day")
        if not self.ctx.calendar.is_working_day(day):
            raise ValidationError(f"{day} is not a working day", field="day", rule="CUS-1")
        unknown = sorted(set(command.prospect_ids) - set(command.customer_ids))
        if unknown:
            raise ValidationError(
                f"prospects must be among the register's customers: {', '.join(unknown)}",
                field="prospect_ids",
                rule="CUS-1",
            )
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "customers.registers.submit")
            actor = grant.actor
            uow.lock(f"daily-register:{actor.id}:{day.isoformat()}")
            for customer_id in command.customer_ids:
                uow.customers.get(customer_id)
            register = uow.daily_registers.find(actor.id, day)
            if register is not None and register.submitted_at is not None:
                raise Conflict(
                    f"your register of {day} was handed in at "
                    f"{register.submitted_at.isoformat(timespec='minutes')}",
                    rule="CUS-1",
                    field="day",
                )
            status = self._status(day, now, command.exception_reason)
            if register is None:
                register = DailyRegister(staff_id=actor.id, day=day, status=status)
                uow.daily_registers.add(register)
            elif register.late:
                status = RegisterStatus.LATE  # found missing by the sweep: late stays late
            register.status = status
            register.submitted_at = now
            register.customer_ids = list(command.customer_ids)
            register.prospect_ids = list(command.prospect_ids)
            register.note = command.note
            register.exception_reason = command.exception_reason
            record(
                uow,
                self.ctx,
                "customers.register_submitted",
                register.id,
                actor.id,
                command.exception_reason,
                day=day.isoformat(),
                status=status.value,
                customers=str(len(command.customer_ids)),
            )
            if status == RegisterStatus.LATE:
                self._late(uow, register, actor.id)
            uow.commit()
            return register

    # ------------------------------------------------------------ sweep
    @use_case("scheduler.registers_overdue")
    def sweep(self, actor_id: StaffId) -> builtins.list[DailyRegister]:
        """CUS-1: for the last ``SWEEP_DAYS`` days, each register owed and still missing
        after its exception deadline is recorded missing and late, once (the unique key of
        person and day; a concurrent sweep waits on the lock, then finds it recorded)."""
        now = self.ctx.now()
        with self.ctx.uow() as uow:
            uow.lock("daily-registers:sweep")
            grant = authorize(uow, self.ctx, actor_id, "scheduler.registers_overdue")
            owing = [s for s in uow.staff.list() if self._owes(s)]
            start = now.date() - timedelta(days=SWEEP_DAYS)
            have = {
                (r.staff_id, r.day) for r in uow.daily_registers.list_between(start, now.date())
            }
            found = []
            for day in self._working_days(start, now.date()):
                if self._exception_until(day) >= now:
                    continue
                for staff in owing:
                    if (staff.id, day) in have:
                        continue
                    register = DailyRegister(
                        staff_id=staff.id, day=day, status=RegisterStatus.MISSING
                    )
                    uow.daily_registers.add(register)
                    self._late(uow, register, grant.actor.id)
                    found.append(register)
            uow.commit()
            return found

    # ------------------------------------------------------------ reports
    def _lapses(
        self, uow: UnitOfWork, grant: Grant, start: date, end: date
    ) -> builtins.list[RegisterLapse]:
        now = self.ctx.now()
        owing = [
            s
            for s in uow.staff.list()
            if self._owes(s)
            and grant.covers(Resource.of(owners=[s.id], departments=[s.department_id]))
        ]
        registers = {(r.staff_id, r.day): r for r in uow.daily_registers.list_between(start, end)}
        # a register never handed in counts once the sweep recorded it missing, or within the
        # sweep's window before that (staff have no start date: older days stay uncharged)
        window = now.date() - timedelta(days=SWEEP_DAYS)
        rows = []
        for day in self._working_days(start, end):
            for staff in owing:
                register = registers.get((staff.id, day))
                if register is not None:
                    status = register.status
                elif day >= window and self._exception_until(day) < now:
                    status = RegisterStatus.MISSING
                else:
                    continue  # still due
                if status in _LAPSED:
                    rows.append(
                        RegisterLapse(
                            staff_id=staff.id,
                            staff_name=staff.name,
                            department_id=staff.department_id,
                            day=day,
                            due_at=self._due_at(day),
                            exception_until=self._exception_until(day),
                            status=status,
                            submitted_at=register.submitted_at if register else None,
                        )
                    )
        return rows

    @staticmethod
    def _range(start: date, end: date) -> None:
        if end < start:
            raise ValidationError("must not be before start", field="end")
        if (end - start).days >= MAX_REPORT_DAYS:
            raise ValidationError(f"a report covers at most {MAX_REPORT_DAYS} days", field="end")

    @use_case("customers.registers.overdue")
    def overdue(self, actor_id: StaffId, start: date, end: date) -> builtins.list[RegisterLapse]:
        """CUS-1: the overdue-register report — registers of ``start``…``end`` handed in late
        or missing after their exception deadline (recorded by the sweep, or within the
        sweep's window not yet swept), for the people the actor's scope reaches (own /
        department / all), by day."""
        self._range(start, end)
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "customers.registers.overdue")
            return self._lapses(uow, grant, start, end)

    @use_case("customers.registers.appraisal")
    def appraisal(self, actor_id: StaffId, month: str) -> builtins.list[AppraisalDeduction]:
        """CUS-7: each person's late or missing registers of ``month`` and the appraisal
        points they cost (``customers.registers.late_appraisal_points`` each, 000 篇八 4.1)."""
        start, end = month_days(parse_month(month, rule="CUS-7"))
        points = self.ctx.policy.customers.registers.late_appraisal_points
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "customers.registers.appraisal")
            counts: dict[StaffId, tuple[str, int]] = {}
            for lapse in self._lapses(uow, grant, start, end):
                name, n = counts.get(lapse.staff_id, (lapse.staff_name, 0))
                counts[lapse.staff_id] = (name, n + 1)
            return [
                AppraisalDeduction(
                    staff_id=staff_id,
                    staff_name=name,
                    month=month,
                    late_registers=n,
                    points=n * points,
                )
                for staff_id, (name, n) in sorted(counts.items(), key=lambda kv: kv[1][0])
            ]

    @use_case("customers.registers.overdue")
    def registers(
        self, actor_id: StaffId, start: date, end: date, staff_id: StaffId | None = None
    ) -> Sequence[DailyRegister]:
        """The registers handed in (or found missing) of ``start``…``end`` in the actor's
        scope."""
        self._range(start, end)
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "customers.registers.overdue")
            out = []
            for r in uow.daily_registers.list_between(start, end, staff_id=staff_id):
                staff = uow.staff.get(r.staff_id)
                if grant.covers(Resource.of(owners=[staff.id], departments=[staff.department_id])):
                    out.append(r)
            return out
