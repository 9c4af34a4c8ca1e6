"""Ports: what the core needs from storage. Adapters implement them (memory, sql).

One contract test suite (tests/contract) runs against every implementation, so the memory
adapter and the SQL adapter behave the same: ``get`` raises NotFound, ``commit`` refuses a
stale write with ConcurrencyConflict, leaving the context without commit rolls back.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from types import TracebackType
from typing import Protocol, Self

from csdomain.cases.ports import (
    CapaRepository,
    CaseBreachRepository,
    CaseEventRepository,
    CaseNumberRepository,
    CaseRepository,
)
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
from csdomain.kernel.events import AuditEvent
from csdomain.kernel.ids import CustomerId, DepartmentId, DeregistrationId, FileId, StaffId
from csdomain.org.model import ApiToken, Department, Staff
from csdomain.penalties.ports import (
    AppealRepository,
    BonusRepository,
    PenaltyEntryRepository,
    SettledMonthRepository,
    StatementRepository,
    ViolationRepository,
)
from csdomain.service_jobs.ports import (
    ContractRepository,
    ExchangeRepository,
    ServiceJobRepository,
    SettlementRepository,
)


class DepartmentRepository(Protocol):
    def add(self, department: Department) -> None: ...
    def get(self, department_id: DepartmentId) -> Department: ...
    def list(self) -> Sequence[Department]: ...


class StaffRepository(Protocol):
    def add(self, staff: Staff) -> None: ...
    def get(self, staff_id: StaffId) -> Staff: ...
    def list(self) -> Sequence[Staff]: ...
    def count(self) -> int: ...


class TokenRepository(Protocol):
    def add(self, token: ApiToken) -> None: ...
    def find(self, token_hash: str) -> ApiToken | None: ...
    def list_for(self, staff_id: StaffId) -> Sequence[ApiToken]: ...


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


class AuditRepository(Protocol):
    def add(self, event: AuditEvent) -> None: ...
    def list(
        self, *, subject_id: str | None = None, kind: str | None = None
    ) -> Sequence[AuditEvent]:
        """Events in the order they happened."""
        ...


class UnitOfWork(Protocol):
    """One business transaction. Use as a context manager; nothing is stored without
    ``commit()``; leaving the block without committing rolls back."""

    # read-only properties: implementations may use plain attributes of any subtype
    @property
    def departments(self) -> DepartmentRepository: ...
    @property
    def staff(self) -> StaffRepository: ...
    @property
    def tokens(self) -> TokenRepository: ...
    @property
    def customers(self) -> CustomerRepository: ...
    @property
    def files(self) -> FileRepository: ...
    @property
    def grade_changes(self) -> GradeChangeRepository: ...
    @property
    def access_log(self) -> AccessLogRepository: ...
    @property
    def destructions(self) -> DestructionRepository: ...
    @property
    def destruction_requests(self) -> DestructionRequestRepository: ...
    @property
    def deregistrations(self) -> DeregistrationRepository: ...
    @property
    def audit(self) -> AuditRepository: ...

    @property
    def cases(self) -> CaseRepository: ...

    @property
    def case_numbers(self) -> CaseNumberRepository: ...

    @property
    def case_events(self) -> CaseEventRepository: ...

    @property
    def case_breaches(self) -> CaseBreachRepository: ...

    @property
    def capa(self) -> CapaRepository: ...

    @property
    def service_jobs(self) -> ServiceJobRepository: ...

    @property
    def contracts(self) -> ContractRepository: ...

    @property
    def settlements(self) -> SettlementRepository: ...

    @property
    def exchanges(self) -> ExchangeRepository: ...

    @property
    def violations(self) -> ViolationRepository: ...

    @property
    def penalty_entries(self) -> PenaltyEntryRepository: ...

    @property
    def appeals(self) -> AppealRepository: ...

    @property
    def bonuses(self) -> BonusRepository: ...

    @property
    def statements(self) -> StatementRepository: ...

    @property
    def settled_months(self) -> SettledMonthRepository: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...
    def rollback(self) -> None: ...

    def lock(self, *keys: str) -> None:
        """Hold an exclusive lock on each domain key (e.g. ``"case:cas_…"``) until this unit
        of work commits or rolls back; another unit of work locking a same key waits.

        This is how a use case makes a check-then-write rule that spans rows ("once",
        "at most", "unique") hold under concurrency: lock the rule's key *before* reading
        what the check looks at. Keys are free-form strings (``<rule area>:<id>``); locking
        a key again in the same unit of work is a no-op. Take every key a use case needs
        in one call (they are acquired in sorted order, so two callers cannot deadlock).
        The storage's constraint (unique index) remains the backstop; see
        docs/architecture.md, "Invariants"."""
        ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...
