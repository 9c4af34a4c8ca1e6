"""In-memory store with copy-on-read, optimistic versions and atomic commits.

Objects handed out are deep copies, so a caller that mutates an object and never commits
changes nothing (like a rolled-back transaction). ``commit`` checks every versioned object
against the version it was read at and refuses stale writes with ConcurrencyConflict.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Sequence
from datetime import date, datetime
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

from adapters import search_keys
from csdomain.cases.model import CapaItem, Case, CaseBreach, CaseEvent, CaseState
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
from csdomain.kernel.errors import ConcurrencyConflict, Conflict, NotFound
from csdomain.kernel.events import AuditEvent
from csdomain.kernel.ids import CustomerId, DepartmentId, DeregistrationId, FileId, StaffId
from csdomain.kernel.money import Money
from csdomain.org.model import ApiToken, Department, Staff
from csdomain.penalties.model import (
    Appeal,
    AppealState,
    BonusRecord,
    PenaltyEntry,
    SettledMonth,
    Statement,
    Violation,
)
from csdomain.service_jobs.model import (
    ExchangeForm,
    MaintenanceContract,
    ServiceJob,
    Settlement,
)

T = TypeVar("T")


# How long a unit of work waits for a domain-key lock before giving up with a conflict
# (the SQL adapters' busy timeout plays the same part).
LOCK_TIMEOUT_SECONDS = 30.0

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


def _open_appeal(a: Appeal) -> object:
    return a.entry_id if a.state == AppealState.OPEN and a.duplicate_of is None else None


def _reversal(e: PenaltyEntry) -> object:
    return e.reverses_id if e.duplicate_of is None else None


# The memory twins of the SQL adapter's unique (partial) indexes: table -> (key of an
# object or None when the constraint does not apply, what a clash means, rule, field).
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
    "appeals": [(_open_appeal, "an appeal of this entry is already open", "PEN-10", "entry_id")],
    "penalty_entries": [
        (_reversal, "this entry was already reversed", "PEN-10", "entry_id"),
    ],
}


class MemoryStore:
    """The shared state all units of work of one application see."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        # domain-key locks (UnitOfWork.lock), created on first use
        self.key_locks: dict[str, threading.Lock] = {}
        # table name -> key -> committed object
        self.tables: dict[str, dict[str, Any]] = {}
        # append-only tables keep insertion order
        self.sequence = 0

    def table(self, name: str) -> dict[str, Any]:
        return self.tables.setdefault(name, {})

    def key_lock(self, key: str) -> threading.Lock:
        with self.lock:
            return self.key_locks.setdefault(key, threading.Lock())

    def unit_of_work(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self)


class _Table(Generic[T]):
    def __init__(
        self, uow: MemoryUnitOfWork, name: str, key: Callable[[T], str], label: str
    ) -> None:
        self.uow = uow
        self.name = name
        self.key = key
        self.label = label

    def _committed(self) -> dict[str, T]:
        return self.uow.store.table(self.name)

    def add(self, obj: T) -> None:
        k = self.key(obj)
        if k in self._committed() or (self.name, k) in self.uow.new:
            raise Conflict(f"{self.label} {k} already exists")
        self.uow.new[(self.name, k)] = obj

    def _track(self, k: str, stored: T) -> T:
        tracked = self.uow.seen.get((self.name, k))
        if tracked is not None:
            return tracked[0]  # type: ignore[no-any-return]
        obj = copy.deepcopy(stored)
        # committed objects are never mutated in place (commit stores fresh copies), so
        # ``stored`` is the state as read: commit compares against it to see what changed
        self.uow.seen[(self.name, k)] = (obj, getattr(stored, "version", None), stored)
        return obj

    def get(self, k: str) -> T:
        if (self.name, k) in self.uow.new:
            return self.uow.new[(self.name, k)]  # type: ignore[no-any-return]
        with self.uow.store.lock:
            stored = self._committed().get(k)
        if stored is None:
            raise NotFound(
                f"{self.label} {k} not found", field=f"{self.label.replace(' ', '_')}_id"
            )
        return self._track(k, stored)

    def find_key(self, k: str) -> T | None:
        try:
            return self.get(k)
        except NotFound:
            return None

    def all(self, predicate: Callable[[T], bool] = lambda _: True) -> list[T]:
        with self.uow.store.lock:
            committed = list(self._committed().items())
        out = [self._track(k, v) for k, v in committed if predicate(v)]
        out.extend(v for (t, _), v in self.uow.new.items() if t == self.name and predicate(v))
        return out


class MemoryUnitOfWork:
    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.new: dict[tuple[str, str], Any] = {}
        self.drawn: list[tuple[str, int]] = []  # case numbers drawn, given back on rollback
        # key -> (working copy, version as read, committed object as read)
        self.seen: dict[tuple[str, str], tuple[Any, int | None, Any]] = {}
        # domain-key locks held until commit or rollback (UnitOfWork.lock)
        self.held: dict[str, threading.Lock] = {}
        self.departments = _Departments(self, "departments", lambda d: d.id, "department")
        self.staff = _Staff(self, "staff", lambda s: s.id, "staff")
        self.tokens = _Tokens(self, "tokens", lambda t: t.token_hash, "token")
        self.customers = _Customers(self, "customers", lambda c: c.id, "customer")
        self.files = _Files(self, "files", lambda f: f.id, "file")
        self.grade_changes = _GradeChanges(self, "grade_changes", lambda g: g.id, "grade change")
        self.access_log = _AccessLog(self, "access_log", lambda e: e.id, "access log entry")
        self.destructions = _Destructions(
            self, "destructions", lambda d: d.id, "destruction record"
        )
        self.destruction_requests = _DestructionRequests(
            self, "destruction_requests", lambda r: r.id, "destruction request"
        )
        self.deregistrations = _Deregistrations(
            self, "deregistrations", lambda d: d.id, "deregistration"
        )
        self.audit = _Audit(self, "audit", lambda e: e.id, "audit event")
        self.cases = _Cases(self, "cases", lambda c: c.id, "case")
        self.case_numbers = _CaseNumbers(self)
        self.case_events = _CaseEvents(self, "case_events", lambda e: e.id, "case event")
        self.case_breaches = _CaseBreaches(self, "case_breaches", lambda b: b.id, "case breach")
        self.capa = _Capa(self, "capa", lambda i: i.id, "corrective action")
        self.service_jobs = _Jobs(self, "service_jobs", lambda j: j.id, "service job")
        self.contracts = _Contracts(self, "contracts", lambda c: c.id, "contract")
        self.settlements = _Settlements(self, "settlements", lambda s: s.id, "settlement")
        self.exchanges = _Exchanges(self, "exchanges", lambda f: f.id, "exchange form")
        self.violations = _Violations(self, "violations", lambda v: v.id, "violation")
        self.penalty_entries = _Entries(self, "penalty_entries", lambda e: e.id, "penalty entry")
        self.appeals = _Appeals(self, "appeals", lambda a: a.id, "appeal")
        self.bonuses = _Bonuses(self, "bonuses", lambda b: b.id, "bonus record")
        self.statements = _Statements(self, "statements", lambda s: s.id, "statement")
        self.settled_months = _SettledMonths(self, "settled_months", lambda m: m.month, "month")

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    def lock(self, *keys: str) -> None:
        """Per-key locks held until commit or rollback, acquired in sorted order (like the
        SQL adapter's advisory locks); waiting longer than LOCK_TIMEOUT_SECONDS is a
        ConcurrencyConflict rather than a hang."""
        for key in sorted(set(keys) - set(self.held)):
            key_lock = self.store.key_lock(key)
            if not key_lock.acquire(timeout=LOCK_TIMEOUT_SECONDS):
                raise ConcurrencyConflict(
                    f"{key} is held by another transaction for too long; try again"
                )
            self.held[key] = key_lock

    def _release(self) -> None:
        held, self.held = self.held, {}
        for key_lock in held.values():
            key_lock.release()

    def _check_unique(self, written: list[tuple[str, str, Any]]) -> None:
        """Refuse a commit that would break a unique constraint (see UNIQUE)."""
        for table in {t for t, _, _ in written if t in UNIQUE}:
            mine = {k: o for t, k, o in written if t == table}
            rows = {**self.store.table(table), **mine}  # the table as this commit leaves it
            for key_of, message, rule, field in UNIQUE[table]:
                wanted = {key_of(o) for o in mine.values()} - {None}
                if not wanted:
                    continue
                holders: dict[object, str] = {}
                for k, obj in rows.items():
                    value = key_of(obj)
                    if value in wanted:
                        if value in holders:
                            raise Conflict(f"{message} ({value})", rule=rule, field=field)
                        holders[value] = k

    def commit(self) -> None:
        try:
            self._commit()
        finally:
            self._release()

    def _commit(self) -> None:
        with self.store.lock:
            changed: list[tuple[str, str, Any]] = []
            for (table, k), (obj, read_version, as_read) in self.seen.items():
                if obj == as_read:
                    continue  # only read here: someone else's later change is no conflict
                current = self.store.table(table).get(k)
                if current is None:
                    continue
                if read_version is not None and current.version != read_version:
                    raise ConcurrencyConflict(
                        f"{table} {k} was changed by someone else; reload and try again"
                    )
                changed.append((table, k, obj))
            for table, k in self.new:
                if k in self.store.table(table):
                    raise Conflict(f"{table} {k} already exists")
            self._check_unique(changed + [(t, k, o) for (t, k), o in self.new.items()])
            written: dict[tuple[str, str], Any] = {}
            for table, k, obj in changed:
                if hasattr(obj, "version"):
                    obj.version += 1
                written[(table, k)] = self.store.table(table)[k] = copy.deepcopy(obj)
            for (table, k), obj in self.new.items():
                if hasattr(obj, "version"):
                    obj.version = 1
                self.store.sequence += 1
                written[(table, k)] = self.store.table(table)[k] = copy.deepcopy(obj)
            # after commit the objects stay usable and tracked at their new versions
            self.seen = {
                key: (obj, getattr(obj, "version", None), written.get(key, as_read))
                for key, (obj, _, as_read) in self.seen.items()
            }
            for key, obj in self.new.items():
                self.seen[key] = (obj, getattr(obj, "version", None), written[key])
            self.new = {}
            self.drawn = []

    def rollback(self) -> None:
        self.case_numbers.give_back()
        self.new = {}
        self.seen = {}
        self._release()


class _Departments(_Table[Department]):
    def list(self) -> Sequence[Department]:
        return sorted(self.all(), key=lambda d: (d.name, d.id))


class _Staff(_Table[Staff]):
    def list(self) -> Sequence[Staff]:
        return sorted(self.all(), key=lambda s: (s.name, s.id))

    def count(self) -> int:
        with self.uow.store.lock:
            return len(self._committed()) + sum(1 for (t, _) in self.uow.new if t == self.name)

    def get(self, k: StaffId) -> Staff:  # type: ignore[override]
        return super().get(k)


class _Tokens(_Table[ApiToken]):
    def find(self, token_hash: str) -> ApiToken | None:
        return self.find_key(token_hash)

    def list_for(self, staff_id: StaffId) -> Sequence[ApiToken]:
        return self.all(lambda t: t.staff_id == staff_id)


class _Customers(_Table[Customer]):
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


class _Files(_Table[CustomerFile]):
    def list_for_customer(self, customer_id: CustomerId) -> Sequence[CustomerFile]:
        return sorted(
            self.all(lambda f: f.customer_id == customer_id), key=lambda f: (f.opened_at, f.id)
        )

    def list_due_before(self, day: date) -> Sequence[CustomerFile]:
        return sorted(
            self.all(lambda f: f.due_on < day and f.destroyed_at is None),
            key=lambda f: (f.due_on, f.id),
        )


class _GradeChanges(_Table[GradeChange]):
    def list_for_customer(self, customer_id: CustomerId) -> Sequence[GradeChange]:
        return sorted(self.all(lambda g: g.customer_id == customer_id), key=lambda g: (g.at, g.id))


class _AccessLog(_Table[AccessLogEntry]):
    def list(self, *, record_id: str | None = None) -> Sequence[AccessLogEntry]:
        return sorted(
            self.all(lambda e: record_id is None or e.record_id == record_id), key=lambda e: e.at
        )


class _Destructions(_Table[DestructionRecord]):
    def list(self) -> Sequence[DestructionRecord]:
        return sorted(self.all(), key=lambda d: (d.at, d.id))


class _DestructionRequests(_Table[DestructionRequest]):
    def list(self, *, file_id: FileId | None = None) -> Sequence[DestructionRequest]:
        return sorted(
            self.all(lambda r: file_id is None or r.file_id == file_id),
            key=lambda r: (r.requested_at, r.id),
        )


class _Deregistrations(_Table[Deregistration]):
    def list_for_customer(self, customer_id: CustomerId) -> Sequence[Deregistration]:
        return sorted(
            self.all(lambda d: d.customer_id == customer_id), key=lambda d: (d.applied_at, d.id)
        )

    def get(self, k: DeregistrationId) -> Deregistration:  # type: ignore[override]
        return super().get(k)


class _Audit(_Table[AuditEvent]):
    def list(
        self, *, subject_id: str | None = None, kind: str | None = None
    ) -> Sequence[AuditEvent]:
        # stable sort: events at the same instant keep the order they were recorded in
        return sorted(
            self.all(
                lambda e: (
                    (subject_id is None or e.subject_id == subject_id)
                    and (kind is None or e.kind == kind)
                )
            ),
            key=lambda e: e.at,
        )


def _staff_department(uow: MemoryUnitOfWork, staff_id: str | None) -> str | None:
    if staff_id is None:
        return None
    with uow.store.lock:
        staff = uow.store.table("staff").get(staff_id)
    return None if staff is None else staff.department_id


class _Cases(_Table[Case]):
    def _reaches(self, reach: Reach, c: Case) -> bool:
        """The same rule as the SQL filter (cases.ports.Reach)."""
        if reach.staff_id in (c.received_by, c.handler_id):
            return True
        if c.customer_id is not None:
            with self.uow.store.lock:
                customer = self.uow.store.table("customers").get(c.customer_id)
            if customer is not None and customer.owner_id == reach.staff_id:
                return True
        return reach.department_id is not None and reach.department_id in (
            c.department_id,
            _staff_department(self.uow, c.handler_id),
            _staff_department(self.uow, c.received_by),
        )

    def get_by_number(self, number: str) -> Case:
        found = self.all(lambda c: c.number == number)
        if not found:
            raise NotFound(f"case {number} not found", field="number")
        return found[0]

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
        rows = self.all(
            lambda c: (
                (state is None or c.state == state)
                and (not open_only or c.is_open)
                and (received_from is None or c.received_at >= received_from)
                and (received_before is None or c.received_at < received_before)
            )
        )
        if reach is not None:
            rows = [c for c in rows if self._reaches(reach, c)]
        rows.sort(key=lambda c: (c.received_at, c.id))
        return rows[offset : offset + limit]

    def list_due_before(
        self, when: datetime, *, limit: int = 500, lock: bool = False
    ) -> Sequence[Case]:
        # the memory store serialises commits; stale concurrent sweeps fail on commit
        rows = self.all(lambda c: c.next_due_at is not None and c.next_due_at <= when and c.is_open)
        rows.sort(key=lambda c: (c.next_due_at, c.id))
        return rows[:limit]


class _CaseNumbers:
    """Per-month counters, incremented under the store lock (unique under concurrency)."""

    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self.uow = uow

    def next(self, month: str) -> int:
        with self.uow.store.lock:
            counters = self.uow.store.table("case_numbers")
            value = int(counters.get(month, 0)) + 1
            counters[month] = value
            self.uow.drawn.append((month, value))
            return value

    def give_back(self) -> None:
        """A rolled-back unit of work returns its numbers, as the SQL counter row does when
        its transaction rolls back (numbers stay gap-free)."""
        with self.uow.store.lock:
            counters = self.uow.store.table("case_numbers")
            for month, value in reversed(self.uow.drawn):
                if counters.get(month) == value:  # nobody drew after it
                    counters[month] = value - 1
        self.uow.drawn = []


class _CaseEvents(_Table[CaseEvent]):
    def list_for_case(self, case_id: str) -> Sequence[CaseEvent]:
        return sorted(self.all(lambda e: e.case_id == case_id), key=lambda e: e.at)

    def list_for_cases(self, case_ids: Sequence[str]) -> dict[str, list[CaseEvent]]:
        wanted = set(case_ids)
        out: dict[str, list[CaseEvent]] = {cid: [] for cid in case_ids}
        for e in sorted(self.all(lambda e: e.case_id in wanted), key=lambda e: e.at):
            out[e.case_id].append(e)
        return out


class _CaseBreaches(_Table[CaseBreach]):
    def add(self, obj: CaseBreach) -> None:
        clash = self.all(lambda b: b.case_id == obj.case_id and b.clock == obj.clock)
        if clash:
            raise Conflict(f"clock {obj.clock} of case {obj.case_id} already has a breach")
        super().add(obj)

    def add_many(self, breaches: Sequence[CaseBreach]) -> None:
        for breach in breaches:
            self.add(breach)

    def list_for_cases(self, case_ids: Sequence[str]) -> dict[str, list[CaseBreach]]:
        wanted = set(case_ids)
        out: dict[str, list[CaseBreach]] = {cid: [] for cid in case_ids}
        for b in sorted(self.all(lambda b: b.case_id in wanted), key=lambda b: b.recorded_at):
            out[b.case_id].append(b)
        return out

    def list_for_case(self, case_id: str) -> Sequence[CaseBreach]:
        return sorted(self.all(lambda b: b.case_id == case_id), key=lambda b: b.recorded_at)

    def list(self, *, since: datetime | None = None) -> Sequence[CaseBreach]:
        return sorted(
            self.all(lambda b: since is None or b.recorded_at >= since),
            key=lambda b: b.recorded_at,
        )


class _Capa(_Table[CapaItem]):
    def list_for_case(self, case_id: str) -> Sequence[CapaItem]:
        return sorted(self.all(lambda i: i.case_id == case_id), key=lambda i: i.created_at)


class _Jobs(_Table[ServiceJob]):
    def _reaches(self, reach: Reach, j: ServiceJob) -> bool:
        """The same rule as the SQL filter (cases.ports.Reach)."""
        people = (j.technician_id, j.registered_by)
        if reach.staff_id in people:
            return True
        return reach.department_id is not None and any(
            _staff_department(self.uow, p) == reach.department_id for p in people if p
        )

    def list_open(
        self,
        *,
        reach: Reach | None = None,
        priority: bool | None = None,
        limit: int = 500,
        offset: int = 0,
    ) -> Sequence[ServiceJob]:
        rows = self.all(lambda j: j.is_open and (priority is None or j.priority == priority))
        if reach is not None:
            rows = [j for j in rows if self._reaches(reach, j)]
        rows.sort(key=lambda j: (not j.priority, j.arrive_by, j.id))
        return rows[offset : offset + limit]

    def list_late(self, when: datetime, *, limit: int = 500) -> Sequence[ServiceJob]:
        rows = self.all(lambda j: j.is_open and j.arrived_at is None and j.arrive_by < when)
        rows.sort(key=lambda j: (j.arrive_by, j.id))
        return rows[:limit]

    def list_completed_between(
        self, start: datetime, end: datetime, technician_id: str | None = None
    ) -> Sequence[ServiceJob]:
        rows = self.all(
            lambda j: (
                j.completed_at is not None
                and start <= j.completed_at < end
                and (technician_id is None or j.technician_id == technician_id)
            )
        )
        return sorted(rows, key=lambda j: (j.completed_at, j.id))


class _Contracts(_Table[MaintenanceContract]):
    def list_ending_by(
        self, day: date, *, since: date | None = None, limit: int = 500
    ) -> Sequence[MaintenanceContract]:
        rows = self.all(
            lambda c: (
                c.ends_on <= day
                and (since is None or c.ends_on >= since)
                and c.renewal_notified_at is None
            )
        )
        return sorted(rows, key=lambda c: (c.ends_on, c.id))[:limit]


class _Settlements(_Table[Settlement]):
    def list_for_case(self, case_id: str) -> Sequence[Settlement]:
        return sorted(self.all(lambda s: s.case_id == case_id), key=lambda s: s.created_at)


class _Exchanges(_Table[ExchangeForm]):
    def list(self) -> Sequence[ExchangeForm]:
        return sorted(self.all(), key=lambda f: (f.created_at, f.id))

    def max_ledger_no(self) -> int:
        return max((f.ledger_no or 0 for f in self.all()), default=0)


class _Violations(_Table[Violation]):
    def find_by_source(self, source_key: str) -> Violation | None:
        found = self.all(lambda v: v.source_key == source_key)
        return found[0] if found else None

    def list_for_staff_month(self, staff_id: str, month: str) -> Sequence[Violation]:
        rows = self.all(
            lambda v: v.staff_id == staff_id and v.occurred_on.strftime("%Y-%m") == month
        )
        return sorted(rows, key=lambda v: (v.occurred_on, v.recorded_at))

    def list_recurring_open(self) -> Sequence[Violation]:
        return sorted(self.all(), key=lambda v: (v.occurred_on, v.id))


class _Entries(_Table[PenaltyEntry]):
    def add(self, obj: PenaltyEntry) -> None:
        if obj.source_key is not None and self.find_by_source(obj.source_key) is not None:
            raise Conflict(f"penalty entry for {obj.source_key} already exists")
        super().add(obj)

    def find_by_source(self, source_key: str) -> PenaltyEntry | None:
        found = self.all(lambda e: e.source_key == source_key)
        return found[0] if found else None

    def list(
        self,
        *,
        staff_id: str | None = None,
        month: str | None = None,
        department_id: str | None = None,
    ) -> Sequence[PenaltyEntry]:
        members = _members(self.uow, department_id)
        return sorted(
            self.all(
                lambda e: (
                    (staff_id is None or e.staff_id == staff_id)
                    and (month is None or e.month == month)
                    and (members is None or e.staff_id in members)
                )
            ),
            key=lambda e: e.recorded_at,
        )

    def months(
        self, *, staff_id: str | None = None, after: str | None = None, before: str | None = None
    ) -> Sequence[str]:
        found = {
            e.month
            for e in self.all(lambda e: staff_id is None or e.staff_id == staff_id)
            if (after is None or e.month > after) and (before is None or e.month < before)
        }
        return sorted(found)


class _Appeals(_Table[Appeal]):
    def list(self, *, staff_id: str | None = None) -> Sequence[Appeal]:
        return sorted(
            self.all(lambda a: staff_id is None or a.staff_id == staff_id),
            key=lambda a: (a.filed_at, a.id),
        )


class _Bonuses(_Table[BonusRecord]):
    def find(self, staff_id: str, month: str) -> BonusRecord | None:
        found = self.all(lambda b: b.staff_id == staff_id and b.month == month)
        return found[0] if found else None

    def list_for_month(self, month: str) -> Sequence[BonusRecord]:
        return sorted(self.all(lambda b: b.month == month), key=lambda b: b.staff_id)


def _members(uow: MemoryUnitOfWork, department_id: str | None) -> set[str] | None:
    """The staff of a department (None: no department filter)."""
    if department_id is None:
        return None
    return {s.id for s in uow.staff.list() if s.department_id == department_id}


class _Statements(_Table[Statement]):
    def carried_over(self, month: str) -> dict[StaffId, Money]:
        return {
            s.staff_id: s.carried_over for s in self.list(month=month) if s.carried_over.amount != 0
        }

    def add_many(self, statements: Sequence[Statement]) -> None:
        for statement in statements:
            self.add(statement)

    def list(
        self,
        *,
        month: str | None = None,
        staff_id: str | None = None,
        department_id: str | None = None,
    ) -> Sequence[Statement]:
        members = _members(self.uow, department_id)
        return sorted(
            self.all(
                lambda s: (
                    (month is None or s.month == month)
                    and (staff_id is None or s.staff_id == staff_id)
                    and (members is None or s.staff_id in members)
                )
            ),
            key=lambda s: (s.month, s.staff_id),
        )


class _SettledMonths(_Table[SettledMonth]):
    def find(self, month: str) -> SettledMonth | None:
        return self.find_key(month)

    def latest(self, *, before: str | None = None) -> SettledMonth | None:
        found = self.all(lambda m: before is None or m.month < before)
        return max(found, key=lambda m: m.month) if found else None


__all__ = ["DepartmentId", "FileId", "MemoryStore", "MemoryUnitOfWork"]
