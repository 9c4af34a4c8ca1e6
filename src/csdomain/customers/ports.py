"""What the customers capability needs from storage (customers, files, grade changes,
access log, destructions, deregistrations: CUS-*, X-5..X-7); composed into
``csdomain.ports.UnitOfWork``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol

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
    SalesFigure,
)
from csdomain.kernel.ids import CustomerId, DepartmentId, DeregistrationId, FileId, StaffId


class CustomerRepository(Protocol):
    def add(self, customer: Customer) -> None: ...
    def get(self, customer_id: CustomerId) -> Customer: ...
    def find_by_identity(self, phone: str, id_number: str | None) -> Sequence[Customer]:
        """Customers (of any status) with this phone, or this ID number when given."""
        ...

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
        """Ordered by registration time, then id. ``department_id``: customers whose owner is
        in that department (the ``department`` scope, X-5), filtered before paging."""
        ...

    def search(
        self,
        text: str,
        *,
        owner_id: StaffId | None = None,
        department_id: DepartmentId | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Sequence[Customer]:
        """Customers whose name (substring, pinyin, pinyin initials), phone or ID number
        matches ``text``, through an index (never a scan of every customer in SQL); ordered
        by registration time, then id."""
        ...


class FileRepository(Protocol):
    def add(self, customer_file: CustomerFile) -> None: ...
    def get(self, file_id: FileId) -> CustomerFile: ...
    def list_for_customer(self, customer_id: CustomerId) -> Sequence[CustomerFile]: ...
    def list_due_before(self, day: date) -> Sequence[CustomerFile]:
        """Files not destroyed whose hand-over deadline is before ``day`` (overdue candidates),
        selected through the due-date index rather than by loading every file."""
        ...

    def list_due_between(self, start: date, end: date) -> Sequence[CustomerFile]:
        """Files (destroyed or not) whose hand-over deadline is ``start``…``end`` inclusive,
        through the due-date index (RPT hand-over rates, CUS-3 sweep)."""
        ...


class GradeChangeRepository(Protocol):
    def add(self, change: GradeChange) -> None: ...
    def list_for_customer(self, customer_id: CustomerId) -> Sequence[GradeChange]: ...
    def list_until(self, until: datetime) -> Sequence[GradeChange]:
        """Every grade change made before ``until``, in order (CUS-5: grades at a period's
        end)."""
        ...


class AccessLogRepository(Protocol):
    def add(self, entry: AccessLogEntry) -> None: ...
    def get(self, entry_id: str) -> AccessLogEntry:
        """One entry (PEN-9: a leak violation cites the read it concerns)."""
        ...

    def list(self, *, record_id: str | None = None) -> Sequence[AccessLogEntry]: ...


class DestructionRepository(Protocol):
    def add(self, record: DestructionRecord) -> None: ...
    def list(self) -> Sequence[DestructionRecord]: ...


class DestructionRequestRepository(Protocol):
    def add(self, request: DestructionRequest) -> None: ...
    def get(self, request_id: str) -> DestructionRequest: ...
    def list(self, *, file_id: FileId | None = None) -> Sequence[DestructionRequest]:
        """Ordered by request time, then id."""
        ...


class DeregistrationRepository(Protocol):
    def add(self, deregistration: Deregistration) -> None: ...
    def get(self, deregistration_id: DeregistrationId) -> Deregistration: ...
    def list_for_customer(self, customer_id: CustomerId) -> Sequence[Deregistration]: ...


class DailyRegisterRepository(Protocol):
    """CUS-1 / CUS-7: one register per staff member and day (a unique key)."""

    def add(self, register: DailyRegister) -> None: ...
    def find(self, staff_id: StaffId, day: date) -> DailyRegister | None: ...
    def list_between(
        self, start: date, end: date, *, staff_id: StaffId | None = None
    ) -> Sequence[DailyRegister]:
        """Registers of days ``start``…``end`` inclusive, by day, then staff id."""
        ...


class FileLoanRepository(Protocol):
    """CUS-7: file loans; at most one lent loan per file (a unique key)."""

    def add(self, loan: FileLoan) -> None: ...
    def get(self, loan_id: str) -> FileLoan: ...
    def list(
        self, *, file_id: FileId | None = None, open_only: bool = False, limit: int = 500
    ) -> Sequence[FileLoan]:
        """By request time, then id; ``open_only``: requested or lent."""
        ...

    def list_lent_between(
        self, start: datetime, end: datetime, *, limit: int = 500, offset: int = 0
    ) -> Sequence[FileLoan]:
        """Loans lent (approved: lent or returned since) at ``start`` <= decision < ``end``,
        by decision time, then id; a page at a time (issue 15: the CUS-7 replay)."""
        ...


class SalesFigureRepository(Protocol):
    """CUS-5: one sales figure per customer and month (a unique key)."""

    def add(self, figure: SalesFigure) -> None: ...
    def find(self, customer_id: CustomerId, month: str) -> SalesFigure | None: ...
    def list_months(self, months: Sequence[str]) -> Sequence[SalesFigure]:
        """Every customer's figures of these months (through the month index)."""
        ...
