"""SQL storage (SQLite or PostgreSQL) behind csdomain.ports.UnitOfWork.

One SqlStorage per application: it owns the engine. Each unit of work is one session and one
transaction; objects it returns stay usable after it closes (``expire_on_commit=False``, and
leaving the block closes the session without expiring anything), like the memory adapter's
copies. Leaving the block without ``commit()`` rolls the transaction back.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, Generic, Self, TypeVar, overload
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from adapters.sql.audit import SqlAudit
from adapters.sql.cases import SqlCapa, SqlCaseBreaches, SqlCaseEvents, SqlCaseNumbers, SqlCases
from adapters.sql.credit import SqlCreditAccounts, SqlCreditGrades, SqlCreditLedger, SqlShipments
from adapters.sql.customers import (
    SqlAccessLog,
    SqlCustomers,
    SqlDailyRegisters,
    SqlDeregistrations,
    SqlDestructionRequests,
    SqlDestructions,
    SqlFileLoans,
    SqlFiles,
    SqlGradeChanges,
    SqlSalesFigures,
)
from adapters.sql.errors import translated, translating
from adapters.sql.mapping import VersionedSession, map_core
from adapters.sql.org import SqlDepartments, SqlRegions, SqlStaff, SqlTokens
from adapters.sql.penalties import (
    SqlAppeals,
    SqlBonuses,
    SqlPenaltyEntries,
    SqlRecommendations,
    SqlSettledMonths,
    SqlStatements,
    SqlViolations,
)
from adapters.sql.policy_lab import SqlPolicyVersions
from adapters.sql.repositories import appended, pending_keys, write_appended
from adapters.sql.service_jobs import SqlContracts, SqlExchanges, SqlServiceJobs, SqlSettlements
from adapters.sql.surveys import SqlSurveyRecipients, SqlSurveyResponses, SqlSurveys
from adapters.sql.types import register_timezone
from adapters.sql.visits import SqlFollowUps, SqlPlannedVisits, SqlVisitPlans, SqlVisits
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
from csdomain.ports import AuditRepository
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

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
DEFAULT_URL = "sqlite:///./csdomain.db"
_UPGRADE_LOCK = 0x637364_6D6967  # "csd" "mig": the advisory lock serialising upgrades
# Alembic keeps the running migration in module globals (``op``, ``context``): one at a time
# per process, whatever the storage.
_ALEMBIC = threading.Lock()


def _is_memory_sqlite(url: URL) -> bool:
    return url.database in (None, "", ":memory:") or "mode=memory" in str(url)


def sqlite_file(url: str | URL) -> Path | None:
    """The file a SQLite URL names (None for other databases and in-memory SQLite)."""
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or _is_memory_sqlite(u) or not u.database:
        return None
    if u.database.startswith("file:"):
        return None  # URI filenames: left to SQLite
    return Path(u.database)


def create_engine(url: str | URL, *, busy_timeout: float = 30.0) -> Engine:
    """An engine configured for the unit-of-work pattern on SQLite or PostgreSQL.

    SQLite: a busy timeout so concurrent writers wait for the lock instead of failing at
    once, and WAL so readers never block the writer. In-memory SQLite shares one connection
    (otherwise every connection would see its own empty database).
    """
    u = make_url(url)
    if u.get_backend_name() != "sqlite":
        return sa.create_engine(u, pool_pre_ping=True)
    memory = _is_memory_sqlite(u)
    kwargs: dict[str, Any] = {
        "connect_args": {"timeout": busy_timeout, "check_same_thread": False},
    }
    if memory:
        kwargs["poolclass"] = StaticPool
    engine = sa.create_engine(u, **kwargs)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            if not memory:
                cursor.execute("PRAGMA journal_mode = WAL")
        finally:
            cursor.close()

    return engine


def lock_id(key: str) -> int:
    """A stable signed 64-bit number for a lock key (PostgreSQL advisory locks take a
    bigint): the first 8 bytes of its BLAKE2b digest, the same in every process and run."""
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


R = TypeVar("R")


class _Repo(Generic[R]):
    """A unit of work's repository, built over its session when first read and then kept
    in the instance's ``__dict__`` (a non-data descriptor, so later reads are plain
    attribute reads): building all 43 per unit of work cost more than some use cases."""

    def __init__(self, factory: Callable[[Session], R]) -> None:
        self.factory = factory
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, uow: None, owner: type) -> Self: ...
    @overload
    def __get__(self, uow: SqlUnitOfWork, owner: type) -> R: ...
    def __get__(self, uow: SqlUnitOfWork | None, owner: type) -> R | Self:
        if uow is None:
            return self
        repository = self.factory(uow.session)
        uow.__dict__[self.name] = repository
        return repository


class SqlUnitOfWork:
    """One business transaction over one session (csdomain.ports.UnitOfWork)."""

    # each repository is built on first use (a use case touches two or three of the 43):
    # typed as the ports, so this satisfies csdomain.ports.UnitOfWork by construction
    departments = _Repo[DepartmentRepository](SqlDepartments)
    staff = _Repo[StaffRepository](SqlStaff)
    regions = _Repo[RegionRepository](SqlRegions)
    tokens = _Repo[TokenRepository](SqlTokens)
    customers = _Repo[CustomerRepository](SqlCustomers)
    files = _Repo[FileRepository](SqlFiles)
    grade_changes = _Repo[GradeChangeRepository](SqlGradeChanges)
    access_log = _Repo[AccessLogRepository](SqlAccessLog)
    destructions = _Repo[DestructionRepository](SqlDestructions)
    destruction_requests = _Repo[DestructionRequestRepository](SqlDestructionRequests)
    deregistrations = _Repo[DeregistrationRepository](SqlDeregistrations)
    daily_registers = _Repo[DailyRegisterRepository](SqlDailyRegisters)
    file_loans = _Repo[FileLoanRepository](SqlFileLoans)
    sales_figures = _Repo[SalesFigureRepository](SqlSalesFigures)
    audit = _Repo[AuditRepository](SqlAudit)
    cases = _Repo[CaseRepository](SqlCases)
    case_numbers = _Repo[CaseNumberRepository](SqlCaseNumbers)
    case_events = _Repo[CaseEventRepository](SqlCaseEvents)
    case_breaches = _Repo[CaseBreachRepository](SqlCaseBreaches)
    capa = _Repo[CapaRepository](SqlCapa)
    service_jobs = _Repo[ServiceJobRepository](SqlServiceJobs)
    contracts = _Repo[ContractRepository](SqlContracts)
    settlements = _Repo[SettlementRepository](SqlSettlements)
    exchanges = _Repo[ExchangeRepository](SqlExchanges)
    violations = _Repo[ViolationRepository](SqlViolations)
    penalty_entries = _Repo[PenaltyEntryRepository](SqlPenaltyEntries)
    appeals = _Repo[AppealRepository](SqlAppeals)
    recommendations = _Repo[RecommendationRepository](SqlRecommendations)
    bonuses = _Repo[BonusRepository](SqlBonuses)
    statements = _Repo[StatementRepository](SqlStatements)
    settled_months = _Repo[SettledMonthRepository](SqlSettledMonths)
    credit_accounts = _Repo[CreditAccountRepository](SqlCreditAccounts)
    credit_grades = _Repo[CreditGradeRepository](SqlCreditGrades)
    credit_ledger = _Repo[CreditLedgerRepository](SqlCreditLedger)
    credit_shipments = _Repo[ShipmentRepository](SqlShipments)
    visit_plans = _Repo[VisitPlanRepository](SqlVisitPlans)
    planned_visits = _Repo[PlannedVisitRepository](SqlPlannedVisits)
    visits = _Repo[VisitRepository](SqlVisits)
    follow_ups = _Repo[FollowUpRepository](SqlFollowUps)
    surveys = _Repo[SurveyRepository](SqlSurveys)
    survey_recipients = _Repo[SurveyRecipientRepository](SqlSurveyRecipients)
    survey_responses = _Repo[SurveyResponseRepository](SqlSurveyResponses)
    policy_versions = _Repo[PolicyVersionRepository](SqlPolicyVersions)

    def __init__(self, sessions: sessionmaker[VersionedSession]) -> None:
        self.session = sessions()
        self._locked: set[str] = set()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close(), not rollback(): it ends the transaction (discarding anything uncommitted)
        # without expiring the objects already handed out, which stay usable.
        with translated():
            self.session.close()
        self._locked = set()
        appended(self.session).clear()

    @translating
    def lock(self, *keys: str) -> None:
        """Domain-key locks held to the end of the transaction (csdomain.ports.UnitOfWork).

        PostgreSQL: ``pg_advisory_xact_lock`` on each key's 64-bit hash, in sorted order, so
        two transactions wanting the same keys queue instead of deadlocking; the database
        releases them at commit or rollback. SQLite locks the whole database, not keys:
        ``BEGIN IMMEDIATE`` takes the write lock now (waiting up to the busy timeout) unless
        this transaction already holds it because it has written. Reads before that ran in
        autocommit mode (pysqlite opens transactions only for writes), so nothing stale is
        carried into the locked part; versioned rows read earlier are still checked at
        commit.
        """
        wanted = sorted(set(keys) - self._locked)
        if not wanted:
            return
        connection = self.session.connection()
        if connection.dialect.name == "postgresql":
            for key in wanted:
                connection.execute(
                    sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_id(key)}
                )
        elif connection.dialect.name == "sqlite":
            driver = connection.connection.driver_connection
            if not getattr(driver, "in_transaction", False):
                connection.exec_driver_sql("BEGIN IMMEDIATE")
        self._locked.update(wanted)

    @translating
    def commit(self) -> None:
        try:
            write_appended(self.session)  # append-only records, after the ORM's flush
            self.session.commit()
        finally:
            self._locked = set()
            pending_keys(self.session).clear()  # committed (identity map) or rolled back
            appended(self.session).clear()

    @translating
    def rollback(self) -> None:
        """Discard everything since the last commit. Like leaving the block, this closes the
        session rather than expiring it, so objects already handed out stay readable (the
        memory adapter's working copies behave the same); the unit of work stays usable."""
        pending_keys(self.session).clear()
        appended(self.session).clear()
        self.session.close()
        self._locked = set()


class SqlStorage:
    """The SQL adapter: ``SqlStorage("sqlite:///./csdomain.db")`` or a PostgreSQL URL such as
    ``postgresql+psycopg://user@host/db``. ``timezone`` is the company time zone (the
    policy's): stored datetimes are read back in it, so ``.date()`` gives the local day."""

    def __init__(
        self,
        url: str = DEFAULT_URL,
        timezone: str = "Asia/Shanghai",
        *,
        busy_timeout: float = 30.0,
    ) -> None:
        map_core()
        self.url = make_url(url)
        self.timezone = ZoneInfo(timezone)
        self.engine = create_engine(self.url, busy_timeout=busy_timeout)
        register_timezone(self.engine.dialect, self.timezone)
        self._sessions = sessionmaker(
            bind=self.engine,
            class_=VersionedSession,
            expire_on_commit=False,
            autoflush=True,
        )

    def unit_of_work(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._sessions)

    def upgrade(self, revision: str = "head") -> None:
        """Bring the schema to ``revision`` (Alembic ``upgrade head``) with the packaged
        migrations, so it works from an installed package as well as from the repository."""
        from alembic import command

        with _ALEMBIC, translated(), self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # several processes (e.g. web workers) may upgrade at start-up: one at a time
                connection.execute(
                    sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _UPGRADE_LOCK}
                )
            command.upgrade(self._alembic_config(connection), revision)

    def downgrade(self, revision: str = "base") -> None:
        """Take the schema back to ``revision`` (``base`` drops every table)."""
        from alembic import command

        with _ALEMBIC, translated(), self.engine.begin() as connection:
            command.downgrade(self._alembic_config(connection), revision)

    def schema_revision(self) -> str | None:
        """The schema revision the database is at (None when never upgraded)."""
        from alembic.runtime.migration import MigrationContext

        with translated(), self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def _alembic_config(self, connection: sa.Connection) -> Any:
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
        config.attributes["connection"] = connection
        return config

    def close(self) -> None:
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"SqlStorage({self.url.render_as_string(hide_password=True)!r})"


__all__ = [
    "DEFAULT_URL",
    "MIGRATIONS",
    "SqlStorage",
    "SqlUnitOfWork",
    "create_engine",
    "lock_id",
    "sqlite_file",
]
