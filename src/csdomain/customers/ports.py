"""What the customers capability needs from storage (customers, files, grade changes,
access log, destructions, deregistrations: CUS-*, X-5..X-7); composed into
``csdomain.ports.UnitOfWork``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from csdomain.customers.model import (
    AccessLogEntry,
    Customer,
    CustomerFile,
    CustomerStatus,
    Deregistration,
    DestructionRecord,
    DestructionRequest,
    GradeChange,
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


class GradeChangeRepository(Protocol):
    def add(self, change: GradeChange) -> None: ...
    def list_for_customer(self, customer_id: CustomerId) -> Sequence[GradeChange]: ...


class AccessLogRepository(Protocol):
    def add(self, entry: AccessLogEntry) -> None: ...
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
