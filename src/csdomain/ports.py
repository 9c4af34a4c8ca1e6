"""Ports: what the core needs from storage. Adapters implement them (memory, sql).

Each capability declares its repositories in ``csdomain/<capability>/ports.py``; this
module keeps what is shared (the audit trail) and the ``UnitOfWork`` composing them all.

One contract test suite (tests/contract) runs against every implementation, so the memory
adapter and the SQL adapter behave the same: ``get`` raises NotFound, ``commit`` refuses a
stale write with ConcurrencyConflict, leaving the context without commit rolls back.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import Protocol, Self

from csdomain.cases.ports import (
    CapaRepository,
    CaseBreachRepository,
    CaseEventRepository,
    CaseNumberRepository,
    CaseRepository,
)
from csdomain.credit.ports import (
    CreditAccountRepository,
    CreditGradeRepository,
    CreditLedgerRepository,
    ShipmentRepository,
)
from csdomain.customers.ports import (
    AccessLogRepository,
    CustomerRepository,
    DailyRegisterRepository,
    DeregistrationRepository,
    DestructionRepository,
    DestructionRequestRepository,
    FileLoanRepository,
    FileRepository,
    GradeChangeRepository,
    SalesFigureRepository,
)
from csdomain.kernel.events import AuditEvent
from csdomain.org.ports import (
    DepartmentRepository,
    RegionRepository,
    StaffRepository,
    TokenRepository,
)
from csdomain.penalties.ports import (
    AppealRepository,
    BonusRepository,
    PenaltyEntryRepository,
    RecommendationRepository,
    SettledMonthRepository,
    StatementRepository,
    ViolationRepository,
)
from csdomain.policy_lab.ports import PolicyVersionRepository
from csdomain.service_jobs.ports import (
    ContractRepository,
    ExchangeRepository,
    ServiceJobRepository,
    SettlementRepository,
)
from csdomain.surveys.ports import (
    SurveyRecipientRepository,
    SurveyRepository,
    SurveyResponseRepository,
)
from csdomain.visits.ports import (
    FollowUpRepository,
    PlannedVisitRepository,
    VisitPlanRepository,
    VisitRepository,
)


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
    def regions(self) -> RegionRepository: ...
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
    def daily_registers(self) -> DailyRegisterRepository: ...
    @property
    def file_loans(self) -> FileLoanRepository: ...
    @property
    def sales_figures(self) -> SalesFigureRepository: ...
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
    def recommendations(self) -> RecommendationRepository: ...

    @property
    def bonuses(self) -> BonusRepository: ...

    @property
    def statements(self) -> StatementRepository: ...

    @property
    def settled_months(self) -> SettledMonthRepository: ...

    @property
    def credit_accounts(self) -> CreditAccountRepository: ...

    @property
    def credit_grades(self) -> CreditGradeRepository: ...

    @property
    def credit_ledger(self) -> CreditLedgerRepository: ...

    @property
    def credit_shipments(self) -> ShipmentRepository: ...

    @property
    def visit_plans(self) -> VisitPlanRepository: ...

    @property
    def planned_visits(self) -> PlannedVisitRepository: ...

    @property
    def visits(self) -> VisitRepository: ...

    @property
    def follow_ups(self) -> FollowUpRepository: ...

    @property
    def surveys(self) -> SurveyRepository: ...

    @property
    def survey_recipients(self) -> SurveyRecipientRepository: ...

    @property
    def survey_responses(self) -> SurveyResponseRepository: ...

    @property
    def policy_versions(self) -> PolicyVersionRepository: ...

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


# the capabilities' ports, importable from here as before the split (issue 9)
__all__ = [
    "AccessLogRepository",
    "AuditRepository",
    "CustomerRepository",
    "DepartmentRepository",
    "DeregistrationRepository",
    "DestructionRepository",
    "DestructionRequestRepository",
    "FileRepository",
    "GradeChangeRepository",
    "StaffRepository",
    "TokenRepository",
    "UnitOfWork",
    "UnitOfWorkFactory",
]
