"""Customer-file deadlines under a candidate policy (CUS-3, CUS-1, CUS-7): file hand-overs,
daily registers and file loans, on time or late.

A window holds the files whose recorded hand-over deadline falls in it (one query through
the due-date index), the registers of its days (one query) and the loans lent in it (a page
at a time). Each outcome is computed twice — under the policy in force on the record's day
(``scope.policy_on``: a file's opening, when its deadline was set; a register's day; a loan's
lending) and under the candidate — by ``customers.deadlines``, the functions the use cases
use. A file never handed over is late from its deadline up to the replay's "now", as the
CUS-3 sweep charges it; a late hand-over is charged (PEN-1) when the policy's catalogue maps
``file.handover_late`` to a violation.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal

from csdomain.customers.deadlines import (
    file_handover_due,
    file_handover_late,
    loan_due_back,
    loan_late,
    register_status,
)
from csdomain.customers.model import (
    CustomerFile,
    DailyRegister,
    FileLoan,
    LoanState,
    RegisterStatus,
)
from csdomain.kernel.errors import NotFound
from csdomain.kernel.ids import CustomerId, StaffId
from csdomain.policy.model import Policy
from csdomain.policy_lab.replay import ReplayItem, ReplayScope, Window, WindowResult

PAGE = 500
HANDOVERS = "late hand-overs (CUS-3)"
REGISTERS = "late registers (CUS-1)"
APPRAISAL = "appraisal points (CUS-7)"
LOANS = "overdue loans (CUS-7)"
HANDOVER_LATE_EVENT = "file.handover_late"  # the event the catalogue may charge (PEN-1)
_LATE_REGISTER = (RegisterStatus.LATE, RegisterStatus.MISSING)


def _local(at: datetime | None, tz: tzinfo | None) -> datetime | None:
    """A stored moment in the company's zone (its date is the company's day)."""
    return at if at is None or tz is None else at.astimezone(tz)


def _charged(policy: Policy) -> str | None:
    """PEN-1: the catalogue entry a late hand-over becomes, if the policy has one."""
    for entry in policy.penalties.catalogue:
        if entry.source_event == HANDOVER_LATE_EVENT:
            return entry.code
    return None


class _Names:
    """Readable subjects, read once per window (only for the items that differ)."""

    def __init__(self, scope: ReplayScope) -> None:
        self.scope = scope
        self.cache: dict[str, str] = {}

    def _get(self, key: str, read: Callable[[], str]) -> str:
        if key not in self.cache:
            try:
                self.cache[key] = read()
            except NotFound:
                self.cache[key] = key.split(":", 1)[1]
        return self.cache[key]

    def staff(self, staff_id: StaffId | None) -> str:
        if staff_id is None:
            return "-"
        return self._get(f"s:{staff_id}", lambda: self.scope.uow.staff.get(staff_id).name)

    def customer(self, customer_id: CustomerId) -> str:
        uow = self.scope.uow
        return self._get(f"c:{customer_id}", lambda: uow.customers.get(customer_id).name)


class CustomersReplayer:
    capability = "customers"
    title = "Customer files, daily registers and file loans (CUS-3, CUS-1, CUS-7)"
    notes = (
        "Files whose recorded hand-over deadline falls in the period (a file never handed "
        "over is late from its deadline up to the end of the period or now, as the sweep "
        "charges it; destroyed files never handed over are left out, as the sweep leaves "
        "them); registers handed in or found missing (a missing one is late either way; "
        "days without any register row are not judged); loans lent in the period.",
    )

    def replay(self, scope: ReplayScope, window: Window) -> WindowResult:
        result = WindowResult()
        names = _Names(scope)
        self._files(scope, window, result, names)
        self._registers(scope, window, result, names)
        self._loans(scope, window, result, names)
        return result

    # ---------------------------------------------------------------- CUS-3
    def _files(
        self, scope: ReplayScope, window: Window, result: WindowResult, names: _Names
    ) -> None:
        last = window.end - timedelta(days=1)
        tz = scope.now.tzinfo
        today = scope.now.date()
        for f in scope.uow.files.list_due_between(window.start, last):
            handed = _local(f.handed_over_at, tz)
            if handed is not None and handed > scope.now:
                handed = None  # handed over after the replayed period: not yet, then
            if handed is None and f.destroyed:
                continue
            opened = f.opened_at.astimezone(tz).date()
            old = self._file(scope.policy_on(opened), scope, f, handed, today)
            new = self._file(scope.candidate, scope, f, handed, today)
            if old is None and new is None:
                continue  # the kind is in neither policy
            result.compared += 1
            was = old is not None and old[1]
            now = new is not None and new[1]
            result.add(HANDOVERS, Decimal(int(was)), Decimal(int(now)))
            if (was, old and old[2]) == (now, new and new[2]):
                continue
            when = f"handed over {handed:%Y-%m-%d}" if handed else "not handed over"
            result.items.append(
                ReplayItem(
                    capability=self.capability,
                    kind="handover",
                    subject_id=f.id,
                    subject=f"{names.staff(f.opened_by)}: {f.kind} file of "
                    f"{names.customer(f.customer_id)}",
                    period=f.event_date.isoformat(),
                    measure=HANDOVERS,
                    old_value=Decimal(int(was)),
                    new_value=Decimal(int(now)),
                    old=_file_words(old),
                    new=_file_words(new),
                    rule="CUS-3",
                    detail=f"event {f.event_date.isoformat()}, {when}",
                )
            )

    @staticmethod
    def _file(
        policy: Policy,
        scope: ReplayScope,
        f: CustomerFile,
        handed: datetime | None,
        today: date,
    ) -> tuple[date, bool, str | None] | None:
        """(deadline, late, charged catalogue code) under ``policy``; None: unknown kind."""
        kind = policy.customers.files.get(f.kind)
        if kind is None:
            return None
        due = file_handover_due(kind, scope.calendar_of(policy), f.event_date)
        late = file_handover_late(due, handed, today)
        return due, late, _charged(policy) if late else None

    # ---------------------------------------------------------------- CUS-1
    def _registers(
        self, scope: ReplayScope, window: Window, result: WindowResult, names: _Names
    ) -> None:
        last = window.end - timedelta(days=1)
        tz = scope.now.tzinfo
        for register in scope.uow.daily_registers.list_between(window.start, last):
            in_force = scope.policy_on(register.day)
            old = self._register(in_force, scope, register, tz)
            new = self._register(scope.candidate, scope, register, tz)
            result.compared += 1
            was, now = int(old in _LATE_REGISTER), int(new in _LATE_REGISTER)
            result.add(REGISTERS, Decimal(was), Decimal(now))
            points_old = was * in_force.customers.registers.late_appraisal_points
            points_new = now * scope.candidate.customers.registers.late_appraisal_points
            result.add(APPRAISAL, Decimal(points_old), Decimal(points_new))
            if old == new:
                continue
            submitted = _local(register.submitted_at, tz)
            reason = register.exception_reason.strip()
            result.items.append(
                ReplayItem(
                    capability=self.capability,
                    kind="register",
                    subject_id=register.staff_id,
                    subject=names.staff(register.staff_id),
                    period=register.day.isoformat(),
                    measure=REGISTERS,
                    old_value=Decimal(was),
                    new_value=Decimal(now),
                    old=old.value,
                    new=new.value,
                    rule="CUS-1",
                    detail=(
                        f"register of {register.day.isoformat()} handed in "
                        f"{submitted:%Y-%m-%d %H:%M}"
                        if submitted
                        else "never handed in"
                    )
                    + (f" (reason: {reason})" if reason else ""),
                )
            )

    @staticmethod
    def _register(
        policy: Policy, scope: ReplayScope, register: DailyRegister, tz: tzinfo | None
    ) -> RegisterStatus:
        if register.submitted_at is None:
            return RegisterStatus.MISSING  # never handed in: late under any deadline
        return register_status(
            policy,
            scope.calendar_of(policy),
            register.day,
            register.submitted_at,
            register.exception_reason,
            tz,
        )

    # ---------------------------------------------------------------- CUS-7
    def _loans(
        self, scope: ReplayScope, window: Window, result: WindowResult, names: _Names
    ) -> None:
        start, end = scope.instants(window)
        today = scope.now.date()
        offset = 0
        while start < end:
            page = scope.uow.file_loans.list_lent_between(start, end, limit=PAGE, offset=offset)
            for loan in page:
                self._loan(scope, loan, today, result, names)
            if len(page) < PAGE:
                break
            offset += PAGE

    def _loan(
        self,
        scope: ReplayScope,
        loan: FileLoan,
        today: date,
        result: WindowResult,
        names: _Names,
    ) -> None:
        assert loan.decided_at is not None  # a lent loan was decided
        tz = scope.now.tzinfo
        lent_on = loan.decided_at.astimezone(tz).date()
        returned = _local(loan.returned_at, tz)
        if returned is not None and returned > scope.now:
            returned = None  # returned after the replayed period: still out then
        old_policy = scope.policy_on(lent_on)
        old_due = loan_due_back(old_policy, scope.calendar_of(old_policy), lent_on)
        new_due = loan_due_back(scope.candidate, scope.calendar_of(scope.candidate), lent_on)
        was = int(loan_late(old_due, returned, today))
        now = int(loan_late(new_due, returned, today))
        result.compared += 1
        result.add(LOANS, Decimal(was), Decimal(now))
        if was == now:
            return
        state = (
            f"returned {returned:%Y-%m-%d}"
            if returned is not None
            else ("still out" if loan.state == LoanState.LENT else "out then")
        )
        result.items.append(
            ReplayItem(
                capability=self.capability,
                kind="loan",
                subject_id=loan.id,
                subject=f"{names.staff(loan.borrower_id)}: file {loan.file_id} of "
                f"{names.customer(loan.customer_id)}",
                period=lent_on.isoformat(),
                measure=LOANS,
                old_value=Decimal(was),
                new_value=Decimal(now),
                old=_loan_words(old_due, bool(was)),
                new=_loan_words(new_due, bool(now)),
                rule="CUS-7",
                detail=f"lent {lent_on.isoformat()}, {state}",
            )
        )


def _file_words(found: tuple[date, bool, str | None] | None) -> str:
    if found is None:
        return "no such file kind"
    due, late, charged = found
    if not late:
        return f"on time (due {due.isoformat()})"
    charge = f", charged {charged} (PEN-1)" if charged else ", not charged"
    return f"late (due {due.isoformat()}){charge}"


def _loan_words(due: date, late: bool) -> str:
    return f"{'late' if late else 'on time'} (due back {due.isoformat()})"
