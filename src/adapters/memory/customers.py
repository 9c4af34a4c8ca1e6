"""Customers and their files (CUS-*, X-5..X-7): the memory repositories."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from adapters import search_keys
from adapters.memory.table import _Table
from csdomain.customers.model import (
    AccessLogEntry,
    Customer,
    CustomerFile,
    CustomerStatus,
    DailyRegister,
    Deregistration,
    DestructionRecord,
    DestructionRequest,
    FileLoan,
    GradeChange,
    LoanState,
    SalesFigure,
)
from csdomain.kernel.ids import CustomerId, DepartmentId, DeregistrationId, FileId, StaffId

_LIVE_CUSTOMER = (
    CustomerStatus.PROSPECT,
    CustomerStatus.CLOSED_DEAL,
    CustomerStatus.DEREGISTERING,
)


def _live_phone(c: Customer) -> object:
    return c.phone if c.status in _LIVE_CUSTOMER and c.duplicate_of is None else None


def _live_id_number(c: Customer) -> object:
    live = c.status in _LIVE_CUSTOMER and c.duplicate_of is None
    return c.id_number if live and c.id_number is not None else None


# memory twins of this capability's unique (partial) indexes (see store.UNIQUE)
UNIQUE: dict[str, list[tuple[Callable[[Any], object], str, str, str]]] = {
    "customers": [
        (_live_phone, "another live customer already has this phone", "CUS-1", "phone"),
        (
            _live_id_number,
            "another live customer already has this ID number",
            "CUS-1",
            "id_number",
        ),
    ],
    "daily_registers": [
        (
            lambda r: (r.staff_id, r.day),
            "this person's register of this day is already recorded",
            "CUS-1",
            "day",
        )
    ],
    "file_loans": [
        (
            lambda loan: loan.file_id if loan.state == LoanState.LENT else None,
            "the file is already on loan",
            "CUS-7",
            "file_id",
        )
    ],
    "sales_figures": [
        (
            lambda f: (f.customer_id, f.month),
            "this customer's sales of this month are already recorded",
            "CUS-5",
            "month",
        )
    ],
}


class MemoryCustomers(_Table[Customer]):
    def find_by_identity(self, phone: str, id_number: str | None) -> Sequence[Customer]:
        return self.all(
            lambda c: c.phone == phone or (id_number is not None and c.id_number == id_number)
        )

    def list(
        self,
        *,
        owner_id: StaffId | None = None,
        status: CustomerStatus | None = None,
        grade: str | None = None,
        department_id: DepartmentId | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Sequence[Customer]:
        members: set[str] | None = None
        if department_id is not None:
            with self.uow.store.lock:
                staff = list(self.uow.store.table("staff").values())
            members = {s.id for s in staff if s.department_id == department_id}
        rows = self.all(
            lambda c: (
                (owner_id is None or c.owner_id == owner_id)
                and (status is None or c.status == status)
                and (grade is None or c.grade == grade)
                and (members is None or c.owner_id in members)
            )
        )
        rows.sort(key=lambda c: (c.registered_at, c.id))
        return rows[offset : offset + limit]

    def search(
        self,
        text: str,
        *,
        owner_id: StaffId | None = None,
        department_id: DepartmentId | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Sequence[Customer]:
        """The same keys as the SQL adapter's index, matched by a scan (memory is small)."""
        wanted = search_keys.query_keys(text)
        members: set[str] | None = None
        if department_id is not None:
            with self.uow.store.lock:
                staff = list(self.uow.store.table("staff").values())
            members = {s.id for s in staff if s.department_id == department_id}
        rows = self.all(
            lambda c: (
                (owner_id is None or c.owner_id == owner_id)
                and (members is None or c.owner_id in members)
                and search_keys.matches(
                    search_keys.customer_keys(c.name, c.phone, c.id_number), wanted
                )
            )
        )
        rows.sort(key=lambda c: (c.registered_at, c.id))
        return rows[offset : offset + limit]


class MemoryFiles(_Table[CustomerFile]):
    def list_for_customer(self, customer_id: CustomerId) -> Sequence[CustomerFile]:
        return sorted(
            self.all(lambda f: f.customer_id == customer_id), key=lambda f: (f.opened_at, f.id)
        )

    def list_due_before(self, day: date) -> Sequence[CustomerFile]:
        return sorted(
            self.all(lambda f: f.due_on < day and f.destroyed_at is None),
            key=lambda f: (f.due_on, f.id),
        )

    def list_due_between(self, start: date, end: date) -> Sequence[CustomerFile]:
        return sorted(self.all(lambda f: start <= f.due_on <= end), key=lambda f: (f.due_on, f.id))


class MemoryGradeChanges(_Table[GradeChange]):
    def list_for_customer(self, customer_id: CustomerId) -> Sequence[GradeChange]:
        return sorted(self.all(lambda g: g.customer_id == customer_id), key=lambda g: (g.at, g.id))

    def list_until(self, until: datetime) -> Sequence[GradeChange]:
        return sorted(self.all(lambda g: g.at < until), key=lambda g: (g.at, g.id))


class MemoryAccessLog(_Table[AccessLogEntry]):
    def list(self, *, record_id: str | None = None) -> Sequence[AccessLogEntry]:
        return sorted(
            self.all(lambda e: record_id is None or e.record_id == record_id), key=lambda e: e.at
        )


class MemoryDestructions(_Table[DestructionRecord]):
    def list(self) -> Sequence[DestructionRecord]:
        return sorted(self.all(), key=lambda d: (d.at, d.id))


class MemoryDestructionRequests(_Table[DestructionRequest]):
    def list(self, *, file_id: FileId | None = None) -> Sequence[DestructionRequest]:
        return sorted(
            self.all(lambda r: file_id is None or r.file_id == file_id),
            key=lambda r: (r.requested_at, r.id),
        )


class MemoryDeregistrations(_Table[Deregistration]):
    def list_for_customer(self, customer_id: CustomerId) -> Sequence[Deregistration]:
        return sorted(
            self.all(lambda d: d.customer_id == customer_id), key=lambda d: (d.applied_at, d.id)
        )

    def get(self, k: DeregistrationId) -> Deregistration:  # type: ignore[override]
        return super().get(k)


class MemoryDailyRegisters(_Table[DailyRegister]):
    def find(self, staff_id: StaffId, day: date) -> DailyRegister | None:
        rows = self.all(lambda r: r.staff_id == staff_id and r.day == day)
        return rows[0] if rows else None

    def list_between(
        self, start: date, end: date, *, staff_id: StaffId | None = None
    ) -> Sequence[DailyRegister]:
        rows = self.all(
            lambda r: start <= r.day <= end and (staff_id is None or r.staff_id == staff_id)
        )
        return sorted(rows, key=lambda r: (r.day, r.staff_id))


class MemoryFileLoans(_Table[FileLoan]):
    def list(
        self, *, file_id: FileId | None = None, open_only: bool = False, limit: int = 500
    ) -> Sequence[FileLoan]:
        open_states = (LoanState.REQUESTED, LoanState.LENT)
        rows = self.all(
            lambda loan: (
                (file_id is None or loan.file_id == file_id)
                and (not open_only or loan.state in open_states)
            )
        )
        return sorted(rows, key=lambda loan: (loan.requested_at, loan.id))[:limit]

    def list_lent_between(
        self, start: datetime, end: datetime, *, limit: int = 500, offset: int = 0
    ) -> Sequence[FileLoan]:
        approved = (LoanState.LENT, LoanState.RETURNED)
        rows = self.all(
            lambda loan: (
                loan.state in approved
                and loan.decided_at is not None
                and start <= loan.decided_at < end
            )
        )
        rows.sort(key=lambda loan: (loan.decided_at, loan.id))
        return rows[offset : offset + limit]


class MemorySalesFigures(_Table[SalesFigure]):
    def find(self, customer_id: CustomerId, month: str) -> SalesFigure | None:
        rows = self.all(lambda f: f.customer_id == customer_id and f.month == month)
        return rows[0] if rows else None

    def list_months(self, months: Sequence[str]) -> Sequence[SalesFigure]:
        wanted = set(months)
        return sorted(self.all(lambda f: f.month in wanted), key=lambda f: (f.month, f.id))
