"""Repositories of csdomain.ports over one SQLAlchemy session (one unit of work).

Each method returns the core objects themselves (they are mapped); orderings, errors and
messages are those of the memory adapter, so the contract suite holds for both.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session, instrumentation
from sqlalchemy.orm.util import identity_key

from adapters.sql import tables as t
from adapters.sql.errors import translating
from adapters.sql.mapping import MAPPED
from adapters.sql.search import matching_ids  # also registers the search-key listener
from csdomain.cases.model import OPEN_STATES, CapaItem, Case, CaseBreach, CaseEvent, CaseState
from csdomain.cases.ports import Reach
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
from csdomain.kernel.errors import Conflict, NotFound
from csdomain.kernel.events import AuditEvent
from csdomain.kernel.ids import CustomerId, DepartmentId, DeregistrationId, FileId, StaffId
from csdomain.kernel.money import Money
from csdomain.org.model import ApiToken, Department, Staff
from csdomain.penalties.model import (
    Appeal,
    BonusRecord,
    PenaltyEntry,
    SettledMonth,
    Statement,
    Violation,
)
from csdomain.service_jobs.model import (
    JOB_OPEN,
    ExchangeForm,
    MaintenanceContract,
    ServiceJob,
    Settlement,
)

T = TypeVar("T")
_PENDING = "csdomain.pending"


def pending_keys(session: Session) -> set[tuple[Any, str]]:
    """Keys added in this session's current transaction (cleared by the unit of work when it
    commits or rolls back): a set, so checking a unit of work's additions is O(1), where
    scanning ``session.new`` (a copy each time) made a big unit of work quadratic."""
    found: set[tuple[Any, str]] = session.info.setdefault(_PENDING, set())
    return found


def adopt(obj: object) -> None:
    """Give an object built before the mapping was loaded (so without SQLAlchemy state) its
    instrumentation, then set its column attributes again so JSON lists and maps are
    change-tracked like those of objects built later."""
    if sa.inspect(obj, raiseerr=False) is not None:
        return
    manager = instrumentation.manager_of_class(type(obj))
    if manager is None:
        return  # not a mapped class: session.add reports it
    manager._new_state_if_none(obj)  # what SQLAlchemy's own __init__ hook does
    for attr in sa.inspect(type(obj)).column_attrs:
        if attr.key in obj.__dict__:
            # a copy: setting the very same list would not be wrapped for change tracking
            setattr(obj, attr.key, copy.copy(obj.__dict__[attr.key]))


class _Repository(Generic[T]):
    cls: type[T]
    label: str

    def __init__(self, session: Session) -> None:
        self.session = session
        table, pk = MAPPED[self.cls]
        self.table = table
        self.pk = pk

    def _key(self, obj: T) -> str:
        return str(getattr(obj, self.pk.key))

    def _binary(self, column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
        """Order text by code point on every backend, as Python (the memory adapter) does;
        PostgreSQL would otherwise use the database's locale collation."""
        if self.session.get_bind().dialect.name == "postgresql":
            return column.collate("C")
        return column

    def _select(self) -> sa.Select[T]:
        return sa.select(self.cls)

    def _all(self, stmt: sa.Select[T]) -> list[T]:
        return list(self.session.scalars(stmt))

    @translating
    def add(self, obj: T) -> None:
        """Stage ``obj`` for insertion. No query: a key already stored is refused by the
        primary key when the unit of work flushes (a Conflict then); a key added or loaded in
        this unit of work is refused here, from the session's own bookkeeping (issue 10)."""
        key = self._key(obj)
        added = pending_keys(self.session)
        if (self.cls, key) in added or (identity_key(self.cls, key) in self.session.identity_map):
            raise Conflict(f"{self.label} {key} already exists")
        added.add((self.cls, key))
        adopt(obj)
        self.session.add(obj)

    def _find_key(self, key: str) -> T | None:
        return self.session.get(self.cls, key)

    def _first(self, stmt: sa.Select[T]) -> T | None:
        return self.session.scalars(stmt.limit(1)).first()

    @translating
    def get(self, key: str) -> T:
        obj = self.session.get(self.cls, key)
        if obj is None:
            field = f"{self.label.replace(' ', '_')}_id"
            raise NotFound(f"{self.label} {key} not found", field=field)
        return obj


class SqlDepartments(_Repository[Department]):
    cls = Department
    label = "department"

    def get(self, department_id: DepartmentId) -> Department:  # type: ignore[override]
        return super().get(department_id)

    @translating
    def list(self) -> Sequence[Department]:
        c = t.departments.c
        return self._all(self._select().order_by(self._binary(c.name), self._binary(c.id)))


class SqlStaff(_Repository[Staff]):
    cls = Staff
    label = "staff"

    def get(self, staff_id: StaffId) -> Staff:  # type: ignore[override]
        return super().get(staff_id)

    @translating
    def list(self) -> Sequence[Staff]:
        c = t.staff.c
        return self._all(self._select().order_by(self._binary(c.name), self._binary(c.id)))

    @translating
    def count(self) -> int:
        return int(self.session.scalar(sa.select(sa.func.count()).select_from(t.staff)) or 0)


class SqlTokens(_Repository[ApiToken]):
    cls = ApiToken
    label = "token"

    @translating
    def find(self, token_hash: str) -> ApiToken | None:
        return self.session.get(ApiToken, token_hash)

    @translating
    def list_for(self, staff_id: StaffId) -> Sequence[ApiToken]:
        c = t.api_tokens.c
        return self._all(self._select().where(c.staff_id == staff_id).order_by(c.seq))


class SqlCustomers(_Repository[Customer]):
    cls = Customer
    label = "customer"

    def get(self, customer_id: CustomerId) -> Customer:  # type: ignore[override]
        return super().get(customer_id)

    def _order(self, stmt: sa.Select[Customer]) -> sa.Select[Customer]:
        c = t.customers.c
        return stmt.order_by(c.registered_at, self._binary(c.id))

    @translating
    def find_by_identity(self, phone: str, id_number: str | None) -> Sequence[Customer]:
        """Through the phone and id_number indexes (CUS-1 ownership check)."""
        c = t.customers.c
        match = c.phone == phone
        if id_number is not None:
            match = sa.or_(match, c.id_number == id_number)
        return self._all(self._order(self._select().where(match)))

    @translating
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
        c = t.customers.c
        stmt = self._select()
        if department_id is not None:  # the department scope, before paging
            members = sa.select(t.staff.c.id).where(t.staff.c.department_id == department_id)
            stmt = stmt.where(c.owner_id.in_(members))
        if owner_id is not None:
            stmt = stmt.where(c.owner_id == owner_id)
        if status is not None:
            stmt = stmt.where(c.status == status)
        if grade is not None:
            stmt = stmt.where(c.grade == grade)
        return self._all(self._order(stmt).limit(limit).offset(offset))

    @translating
    def search(
        self,
        text: str,
        *,
        owner_id: StaffId | None = None,
        department_id: DepartmentId | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Sequence[Customer]:
        """Through the ``customer_search_keys`` index (``adapters.sql.search``)."""
        ids = matching_ids(text)
        if ids is None:
            return []
        c = t.customers.c
        stmt = self._select().where(c.id.in_(ids))
        if department_id is not None:  # the department scope, before paging
            members = sa.select(t.staff.c.id).where(t.staff.c.department_id == department_id)
            stmt = stmt.where(c.owner_id.in_(members))
        if owner_id is not None:
            stmt = stmt.where(c.owner_id == owner_id)
        return self._all(self._order(stmt).limit(limit).offset(offset))


class SqlFiles(_Repository[CustomerFile]):
    cls = CustomerFile
    label = "file"

    def get(self, file_id: FileId) -> CustomerFile:  # type: ignore[override]
        return super().get(file_id)

    @translating
    def list_for_customer(self, customer_id: CustomerId) -> Sequence[CustomerFile]:
        c = t.customer_files.c
        return self._all(
            self._select()
            .where(c.customer_id == customer_id)
            .order_by(c.opened_at, self._binary(c.id))
        )

    @translating
    def list_due_before(self, day: date) -> Sequence[CustomerFile]:
        """Overdue candidates (CUS-3) through the ``due_on`` index, not a full scan."""
        c = t.customer_files.c
        return self._all(
            self._select()
            .where(c.due_on < day, c.destroyed_at.is_(None))
            .order_by(c.due_on, self._binary(c.id))
        )


class SqlGradeChanges(_Repository[GradeChange]):
    cls = GradeChange
    label = "grade change"

    @translating
    def list_for_customer(self, customer_id: CustomerId) -> Sequence[GradeChange]:
        c = t.grade_changes.c
        return self._all(
            self._select().where(c.customer_id == customer_id).order_by(c.at, self._binary(c.id))
        )


class SqlAccessLog(_Repository[AccessLogEntry]):
    """X-5: reads of confidential records, in the order they happened."""

    cls = AccessLogEntry
    label = "access log entry"

    @translating
    def list(self, *, record_id: str | None = None) -> Sequence[AccessLogEntry]:
        c = t.access_log.c
        stmt = self._select()
        if record_id is not None:
            stmt = stmt.where(c.record_id == record_id)
        return self._all(stmt.order_by(c.at, c.seq))


class SqlDestructions(_Repository[DestructionRecord]):
    cls = DestructionRecord
    label = "destruction record"

    @translating
    def list(self) -> Sequence[DestructionRecord]:
        c = t.destructions.c
        return self._all(self._select().order_by(c.at, self._binary(c.id)))


class SqlDestructionRequests(_Repository[DestructionRequest]):
    cls = DestructionRequest
    label = "destruction request"

    @translating
    def list(self, *, file_id: FileId | None = None) -> Sequence[DestructionRequest]:
        c = t.destruction_requests.c
        stmt = self._select()
        if file_id is not None:
            stmt = stmt.where(c.file_id == file_id)
        return self._all(stmt.order_by(c.requested_at, self._binary(c.id)))


class SqlDeregistrations(_Repository[Deregistration]):
    cls = Deregistration
    label = "deregistration"

    def get(self, deregistration_id: DeregistrationId) -> Deregistration:  # type: ignore[override]
        return super().get(deregistration_id)

    @translating
    def list_for_customer(self, customer_id: CustomerId) -> Sequence[Deregistration]:
        c = t.deregistrations.c
        return self._all(
            self._select()
            .where(c.customer_id == customer_id)
            .order_by(c.applied_at, self._binary(c.id))
        )


class SqlAudit(_Repository[AuditEvent]):
    """X-7: the append-only audit trail, in the order events happened (then were recorded)."""

    cls = AuditEvent
    label = "audit event"

    @translating
    def list(
        self, *, subject_id: str | None = None, kind: str | None = None
    ) -> Sequence[AuditEvent]:
        c = t.audit_events.c
        stmt = self._select()
        if subject_id is not None:
            stmt = stmt.where(c.subject_id == subject_id)
        if kind is not None:
            stmt = stmt.where(c.kind == kind)
        return self._all(stmt.order_by(c.at, c.seq))


# ------------------------------------------------------------------------- cases (CASE-*)


def _in_department(staff_column: sa.ColumnElement[Any], department: str) -> sa.ColumnElement[bool]:
    """``staff_column`` names a member of ``department``."""
    s = t.staff.c
    return staff_column.in_(sa.select(s.id).where(s.department_id == department))


def _case_reach(reach: Reach) -> sa.ColumnElement[bool]:
    """cases.ports.Reach as SQL, the same rule as the memory adapter's."""
    c, cu = t.cases.c, t.customers.c
    owned = c.customer_id.in_(sa.select(cu.id).where(cu.owner_id == reach.staff_id))
    terms = [c.received_by == reach.staff_id, c.handler_id == reach.staff_id, owned]
    if reach.department_id is not None:
        terms += [
            c.department_id == reach.department_id,
            _in_department(c.handler_id, reach.department_id),
            _in_department(c.received_by, reach.department_id),
        ]
    return sa.or_(*terms)


class SqlCases(_Repository[Case]):
    cls = Case
    label = "case"

    @translating
    def get_by_number(self, number: str) -> Case:
        found = self._first(self._select().where(t.cases.c.number == number))
        if found is None:
            raise NotFound(f"case {number} not found", field="number")
        return found

    @translating
    def list(
        self,
        *,
        state: CaseState | None = None,
        open_only: bool = False,
        received_from: datetime | None = None,
        received_before: datetime | None = None,
        reach: Reach | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Sequence[Case]:
        c = t.cases.c
        stmt = self._select()
        if reach is not None:
            stmt = stmt.where(_case_reach(reach))
        if state is not None:
            stmt = stmt.where(c.state == state)
        if open_only:
            stmt = stmt.where(c.state.in_(sorted(OPEN_STATES)))
        if received_from is not None:
            stmt = stmt.where(c.received_at >= received_from)
        if received_before is not None:
            stmt = stmt.where(c.received_at < received_before)
        stmt = stmt.order_by(c.received_at, self._binary(c.id)).limit(limit).offset(offset)
        return self._all(stmt)

    @translating
    def list_due_before(
        self, when: datetime, *, limit: int = 500, lock: bool = False
    ) -> Sequence[Case]:
        """The clock sweep's selector, through the ``next_due_at`` index. With ``lock`` on
        PostgreSQL the rows are locked and rows another sweep holds are skipped; SQLite has a
        single writer, and a stale concurrent sweep fails on commit (ConcurrencyConflict)."""
        c = t.cases.c
        stmt = (
            self._select()
            .where(
                c.next_due_at.is_not(None), c.next_due_at <= when, c.state.in_(sorted(OPEN_STATES))
            )
            .order_by(c.next_due_at, self._binary(c.id))
            .limit(limit)
        )
        if lock and self.session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        return self._all(stmt)


class SqlCaseNumbers:
    """CASE-1 monthly sequence numbers, unique and gap-free under concurrency.

    The count is taken in the unit of work's own transaction (issue 10: one transaction and
    one commit per intake): the counter row stays locked until the case that drew the number
    commits, so concurrent intakes of a month queue on it, and a rolled-back intake gives its
    number back.
    """

    def __init__(self, session: Session) -> None:
        self.session = session

    @translating
    def next(self, month: str) -> int:
        conn = self.session.connection()
        insert: Any
        if conn.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        elif conn.dialect.name == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:  # pragma: no cover - only SQLite and PostgreSQL are supported
            raise NotImplementedError(conn.dialect.name)
        c = t.case_numbers.c
        stmt = (
            insert(t.case_numbers)
            .values(month=month, last=1)
            .on_conflict_do_update(index_elements=[c.month], set_={"last": c.last + 1})
            .returning(c.last)
        )
        return int(conn.execute(stmt).scalar_one())


class SqlCaseEvents(_Repository[CaseEvent]):
    cls = CaseEvent
    label = "case event"

    @translating
    def list_for_case(self, case_id: str) -> Sequence[CaseEvent]:
        """X-7: in the order they happened (then were recorded)."""
        c = t.case_events.c
        return self._all(self._select().where(c.case_id == case_id).order_by(c.at, c.seq))

    @translating
    def list_for_cases(self, case_ids: Sequence[str]) -> dict[str, list[CaseEvent]]:
        c = t.case_events.c
        out: dict[str, list[CaseEvent]] = {cid: [] for cid in case_ids}
        if case_ids:
            stmt = self._select().where(c.case_id.in_(case_ids)).order_by(c.at, c.seq)
            for ev in self._all(stmt):
                out[ev.case_id].append(ev)
        return out


class SqlCaseBreaches(_Repository[CaseBreach]):
    cls = CaseBreach
    label = "case breach"

    @translating
    def add(self, obj: CaseBreach) -> None:
        """One breach per case and clock (CASE-7); the unique constraint settles races."""
        c = t.case_breaches.c
        pending = (CaseBreach, f"{obj.case_id}\x00{obj.clock}") in pending_keys(self.session)
        with self.session.no_autoflush:
            stored = self.session.scalar(
                sa.select(sa.literal(1))
                .select_from(t.case_breaches)
                .where(c.case_id == obj.case_id, c.clock == obj.clock)
            )
        if pending or stored is not None:
            raise Conflict(f"clock {obj.clock} of case {obj.case_id} already has a breach")
        self.add_many([obj])

    @translating
    def add_many(self, breaches: Sequence[CaseBreach]) -> None:
        pending = pending_keys(self.session)
        for breach in breaches:
            super().add(breach)
            pending.add((CaseBreach, f"{breach.case_id}\x00{breach.clock}"))

    @translating
    def list_for_cases(self, case_ids: Sequence[str]) -> dict[str, list[CaseBreach]]:
        c = t.case_breaches.c
        out: dict[str, list[CaseBreach]] = {cid: [] for cid in case_ids}
        if case_ids:
            stmt = self._select().where(c.case_id.in_(case_ids)).order_by(c.recorded_at, c.seq)
            for breach in self._all(stmt):
                out[breach.case_id].append(breach)
        return out

    @translating
    def list_for_case(self, case_id: str) -> Sequence[CaseBreach]:
        c = t.case_breaches.c
        return self._all(self._select().where(c.case_id == case_id).order_by(c.recorded_at, c.seq))

    @translating
    def list(self, *, since: datetime | None = None) -> Sequence[CaseBreach]:
        c = t.case_breaches.c
        stmt = self._select()
        if since is not None:
            stmt = stmt.where(c.recorded_at >= since)
        return self._all(stmt.order_by(c.recorded_at, c.seq))


class SqlCapa(_Repository[CapaItem]):
    cls = CapaItem
    label = "corrective action"

    @translating
    def list_for_case(self, case_id: str) -> Sequence[CapaItem]:
        c = t.capa_items.c
        return self._all(self._select().where(c.case_id == case_id).order_by(c.created_at, c.seq))


# ----------------------------------------------------------- service jobs (CASE-12..14)


class SqlServiceJobs(_Repository[ServiceJob]):
    cls = ServiceJob
    label = "service job"

    @translating
    def list_open(
        self,
        *,
        reach: Reach | None = None,
        priority: bool | None = None,
        limit: int = 500,
        offset: int = 0,
    ) -> Sequence[ServiceJob]:
        """Priority jobs first (CASE-12: jobs not dispatched today go first tomorrow)."""
        c = t.service_jobs.c
        stmt = self._select().where(c.state.in_(sorted(JOB_OPEN)))
        if priority is not None:
            stmt = stmt.where(c.priority == priority)
        if reach is not None:
            terms = [c.technician_id == reach.staff_id, c.registered_by == reach.staff_id]
            if reach.department_id is not None:
                terms += [
                    _in_department(c.technician_id, reach.department_id),
                    _in_department(c.registered_by, reach.department_id),
                ]
            stmt = stmt.where(sa.or_(*terms))
        return self._all(
            stmt.order_by(c.priority.desc(), c.arrive_by, self._binary(c.id))
            .limit(limit)
            .offset(offset)
        )

    @translating
    def list_late(self, when: datetime, *, limit: int = 500) -> Sequence[ServiceJob]:
        c = t.service_jobs.c
        return self._all(
            self._select()
            .where(c.arrive_by < when, c.arrived_at.is_(None), c.state.in_(sorted(JOB_OPEN)))
            .order_by(c.arrive_by, self._binary(c.id))
            .limit(limit)
        )

    @translating
    def list_completed_between(
        self, start: datetime, end: datetime, technician_id: str | None = None
    ) -> Sequence[ServiceJob]:
        c = t.service_jobs.c
        stmt = self._select().where(c.completed_at >= start, c.completed_at < end)
        if technician_id is not None:
            stmt = stmt.where(c.technician_id == technician_id)
        return self._all(stmt.order_by(c.completed_at, self._binary(c.id)))


class SqlContracts(_Repository[MaintenanceContract]):
    cls = MaintenanceContract
    label = "contract"

    @translating
    def list_ending_by(
        self, day: date, *, since: date | None = None, limit: int = 500
    ) -> Sequence[MaintenanceContract]:
        c = t.maintenance_contracts.c
        stmt = self._select().where(c.ends_on <= day, c.renewal_notified_at.is_(None))
        if since is not None:
            stmt = stmt.where(c.ends_on >= since)
        return self._all(stmt.order_by(c.ends_on, self._binary(c.id)).limit(limit))


class SqlSettlements(_Repository[Settlement]):
    cls = Settlement
    label = "settlement"

    @translating
    def list_for_case(self, case_id: str) -> Sequence[Settlement]:
        c = t.settlements.c
        return self._all(self._select().where(c.case_id == case_id).order_by(c.created_at, c.seq))


class SqlExchanges(_Repository[ExchangeForm]):
    cls = ExchangeForm
    label = "exchange form"

    @translating
    def list(self) -> Sequence[ExchangeForm]:
        c = t.exchange_forms.c
        return self._all(self._select().order_by(c.created_at, self._binary(c.id)))

    @translating
    def max_ledger_no(self) -> int:
        value = self.session.scalar(sa.select(sa.func.max(t.exchange_forms.c.ledger_no)))
        return int(value or 0)


# ------------------------------------------------------------------ penalties (PEN-*)


def _month_bounds(month: str) -> tuple[date, date]:
    """``YYYY-MM`` → [first day, first day of the next month), so the index can be used."""
    year, mm = (int(part) for part in month.split("-"))
    start = date(year, mm, 1)
    return start, date(year + mm // 12, mm % 12 + 1, 1)


class SqlViolations(_Repository[Violation]):
    cls = Violation
    label = "violation"

    @translating
    def find_by_source(self, source_key: str) -> Violation | None:
        c = t.violations.c
        return self._first(self._select().where(c.source_key == source_key).order_by(c.seq))

    @translating
    def list_for_staff_month(self, staff_id: str, month: str) -> Sequence[Violation]:
        c = t.violations.c
        start, end = _month_bounds(month)
        return self._all(
            self._select()
            .where(c.staff_id == staff_id, c.occurred_on >= start, c.occurred_on < end)
            .order_by(c.occurred_on, c.recorded_at, c.seq)
        )

    @translating
    def list_recurring_open(self) -> Sequence[Violation]:
        c = t.violations.c
        return self._all(self._select().order_by(c.occurred_on, self._binary(c.id)))


def _department_staff(department_id: str) -> sa.Select[tuple[str]]:
    """The ids of a department's staff (the scope filter of penalty reads)."""
    return sa.select(t.staff.c.id).where(t.staff.c.department_id == department_id)


class SqlPenaltyEntries(_Repository[PenaltyEntry]):
    cls = PenaltyEntry
    label = "penalty entry"

    @translating
    def add(self, obj: PenaltyEntry) -> None:
        """Idempotent by ``source_key`` (the unique index settles races)."""
        pending = pending_keys(self.session)
        if obj.source_key is not None and (
            (PenaltyEntry, "source\x00" + obj.source_key) in pending
            or self._stored_source(obj.source_key)
        ):
            raise Conflict(f"penalty entry for {obj.source_key} already exists")
        super().add(obj)
        if obj.source_key is not None:
            pending.add((PenaltyEntry, "source\x00" + obj.source_key))

    def _stored_source(self, source_key: str) -> bool:
        c = t.penalty_entries.c
        with self.session.no_autoflush:
            return (
                self.session.scalar(
                    sa.select(sa.literal(1))
                    .select_from(t.penalty_entries)
                    .where(c.source_key == source_key)
                )
                is not None
            )

    @translating
    def find_by_source(self, source_key: str) -> PenaltyEntry | None:
        c = t.penalty_entries.c
        return self._first(self._select().where(c.source_key == source_key))

    @translating
    def list(
        self,
        *,
        staff_id: str | None = None,
        month: str | None = None,
        department_id: str | None = None,
    ) -> Sequence[PenaltyEntry]:
        """In recording order."""
        c = t.penalty_entries.c
        stmt = self._select()
        if staff_id is not None:
            stmt = stmt.where(c.staff_id == staff_id)
        if month is not None:
            stmt = stmt.where(c.month == month)
        if department_id is not None:
            stmt = stmt.where(c.staff_id.in_(_department_staff(department_id)))
        return self._all(stmt.order_by(c.recorded_at, c.seq))

    @translating
    def months(
        self, *, staff_id: str | None = None, after: str | None = None, before: str | None = None
    ) -> Sequence[str]:
        c = t.penalty_entries.c
        stmt = sa.select(c.month).distinct()
        if staff_id is not None:
            stmt = stmt.where(c.staff_id == staff_id)
        if after is not None:
            stmt = stmt.where(c.month > after)
        if before is not None:
            stmt = stmt.where(c.month < before)
        return [str(m) for m in self.session.scalars(stmt.order_by(c.month))]


class SqlAppeals(_Repository[Appeal]):
    cls = Appeal
    label = "appeal"

    @translating
    def list(self, *, staff_id: str | None = None) -> Sequence[Appeal]:
        c = t.appeals.c
        stmt = self._select()
        if staff_id is not None:
            stmt = stmt.where(c.staff_id == staff_id)
        return self._all(stmt.order_by(c.filed_at, self._binary(c.id)))


class SqlBonuses(_Repository[BonusRecord]):
    cls = BonusRecord
    label = "bonus record"

    @translating
    def find(self, staff_id: str, month: str) -> BonusRecord | None:
        c = t.bonus_records.c
        return self._first(self._select().where(c.staff_id == staff_id, c.month == month))

    @translating
    def list_for_month(self, month: str) -> Sequence[BonusRecord]:
        c = t.bonus_records.c
        return self._all(self._select().where(c.month == month).order_by(self._binary(c.staff_id)))


class SqlStatements(_Repository[Statement]):
    cls = Statement
    label = "statement"

    @translating
    def carried_over(self, month: str) -> dict[StaffId, Money]:
        c = t.statements.c
        rows = self.session.execute(
            sa.select(c.staff_id, c.carried_over).where(c.month == month)
        ).all()
        return {StaffId(sid): amount for sid, amount in rows if amount.amount != 0}

    @translating
    def add_many(self, statements: Sequence[Statement]) -> None:
        for statement in statements:
            adopt(statement)
        self.session.add_all(statements)

    @translating
    def list(
        self,
        *,
        month: str | None = None,
        staff_id: str | None = None,
        department_id: str | None = None,
    ) -> Sequence[Statement]:
        c = t.statements.c
        stmt = self._select()
        if month is not None:
            stmt = stmt.where(c.month == month)
        if staff_id is not None:
            stmt = stmt.where(c.staff_id == staff_id)
        if department_id is not None:
            stmt = stmt.where(c.staff_id.in_(_department_staff(department_id)))
        return self._all(stmt.order_by(c.month, self._binary(c.staff_id), c.seq))


class SqlSettledMonths(_Repository[SettledMonth]):
    cls = SettledMonth
    label = "month"

    @translating
    def find(self, month: str) -> SettledMonth | None:
        return self._find_key(month)

    @translating
    def latest(self, *, before: str | None = None) -> SettledMonth | None:
        c = t.settled_months.c
        stmt = self._select()
        if before is not None:
            stmt = stmt.where(c.month < before)
        return self._first(stmt.order_by(c.month.desc()))
