"""In-memory store with copy-on-read, optimistic versions and atomic commits.

Objects handed out are deep copies, so a caller that mutates an object and never commits
changes nothing (like a rolled-back transaction). ``commit`` checks every versioned object
against the version it was read at and refuses stale writes with ConcurrencyConflict.

The repositories are each capability's (``adapters.memory.<area>``, on the generic
``adapters.memory.table._Table``); this module holds the shared state and the unit of work
that builds them and commits what they track (issue 9).
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from adapters.memory import customers as memory_customers
from adapters.memory import penalties as memory_penalties
from adapters.memory import policy_lab as memory_policy_lab
from adapters.memory import surveys as memory_surveys
from adapters.memory import visits as memory_visits
from adapters.memory.audit import MemoryAudit
from adapters.memory.cases import (
    MemoryCapa,
    MemoryCaseBreaches,
    MemoryCaseEvents,
    MemoryCaseNumbers,
    MemoryCases,
)
from adapters.memory.credit import (
    MemoryCreditAccounts,
    MemoryCreditGrades,
    MemoryCreditLedger,
    MemoryShipments,
)
from adapters.memory.customers import (
    MemoryAccessLog,
    MemoryCustomers,
    MemoryDailyRegisters,
    MemoryDeregistrations,
    MemoryDestructionRequests,
    MemoryDestructions,
    MemoryFileLoans,
    MemoryFiles,
    MemoryGradeChanges,
    MemorySalesFigures,
)
from adapters.memory.org import MemoryDepartments, MemoryRegions, MemoryStaff, MemoryTokens
from adapters.memory.penalties import (
    MemoryAppeals,
    MemoryBonuses,
    MemoryPenaltyEntries,
    MemoryRecommendations,
    MemorySettledMonths,
    MemoryStatements,
    MemoryViolations,
)
from adapters.memory.policy_lab import MemoryPolicyVersions
from adapters.memory.service_jobs import (
    MemoryContracts,
    MemoryExchanges,
    MemoryServiceJobs,
    MemorySettlements,
)
from adapters.memory.surveys import (
    MemorySurveyRecipients,
    MemorySurveyResponses,
    MemorySurveys,
)
from adapters.memory.visits import (
    MemoryFollowUps,
    MemoryPlannedVisits,
    MemoryVisitPlans,
    MemoryVisits,
)
from csdomain.kernel.errors import ConcurrencyConflict, Conflict

# How long a unit of work waits for a domain-key lock before giving up with a conflict
# (the SQL adapters' busy timeout plays the same part).
LOCK_TIMEOUT_SECONDS = 30.0


# The memory twins of the SQL adapter's unique (partial) indexes: table -> (key of an
# object or None when the constraint does not apply, what a clash means, rule, field).
UNIQUE: dict[str, list[tuple[Callable[[Any], object], str, str, str]]] = {
    **memory_customers.UNIQUE,
    **memory_penalties.UNIQUE,
    **memory_visits.UNIQUE,
    **memory_surveys.UNIQUE,
    **memory_policy_lab.UNIQUE,
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


class MemoryUnitOfWork:
    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.new: dict[tuple[str, str], Any] = {}
        self.drawn: list[tuple[str, int]] = []  # case numbers drawn, given back on rollback
        # key -> (working copy, version as read, committed object as read)
        self.seen: dict[tuple[str, str], tuple[Any, int | None, Any]] = {}
        # domain-key locks held until commit or rollback (UnitOfWork.lock)
        self.held: dict[str, threading.Lock] = {}
        self.departments = MemoryDepartments(self, "departments", lambda d: d.id, "department")
        self.staff = MemoryStaff(self, "staff", lambda s: s.id, "staff")
        self.regions = MemoryRegions(self, "regions", lambda r: r.id, "region")
        self.tokens = MemoryTokens(self, "tokens", lambda t: t.token_hash, "token")
        self.customers = MemoryCustomers(self, "customers", lambda c: c.id, "customer")
        self.files = MemoryFiles(self, "files", lambda f: f.id, "file")
        self.grade_changes = MemoryGradeChanges(
            self, "grade_changes", lambda g: g.id, "grade change"
        )
        self.access_log = MemoryAccessLog(self, "access_log", lambda e: e.id, "access log entry")
        self.destructions = MemoryDestructions(
            self, "destructions", lambda d: d.id, "destruction record"
        )
        self.destruction_requests = MemoryDestructionRequests(
            self, "destruction_requests", lambda r: r.id, "destruction request"
        )
        self.deregistrations = MemoryDeregistrations(
            self, "deregistrations", lambda d: d.id, "deregistration"
        )
        self.daily_registers = MemoryDailyRegisters(
            self, "daily_registers", lambda r: r.id, "daily register"
        )
        self.file_loans = MemoryFileLoans(self, "file_loans", lambda loan: loan.id, "file loan")
        self.sales_figures = MemorySalesFigures(
            self, "sales_figures", lambda f: f.id, "sales figure"
        )
        self.audit = MemoryAudit(self, "audit", lambda e: e.id, "audit event")
        self.cases = MemoryCases(self, "cases", lambda c: c.id, "case")
        self.case_numbers = MemoryCaseNumbers(self)
        self.case_events = MemoryCaseEvents(self, "case_events", lambda e: e.id, "case event")
        self.case_breaches = MemoryCaseBreaches(
            self, "case_breaches", lambda b: b.id, "case breach"
        )
        self.capa = MemoryCapa(self, "capa", lambda i: i.id, "corrective action")
        self.service_jobs = MemoryServiceJobs(self, "service_jobs", lambda j: j.id, "service job")
        self.contracts = MemoryContracts(self, "contracts", lambda c: c.id, "contract")
        self.settlements = MemorySettlements(self, "settlements", lambda s: s.id, "settlement")
        self.exchanges = MemoryExchanges(self, "exchanges", lambda f: f.id, "exchange form")
        self.violations = MemoryViolations(self, "violations", lambda v: v.id, "violation")
        self.penalty_entries = MemoryPenaltyEntries(
            self, "penalty_entries", lambda e: e.id, "penalty entry"
        )
        self.appeals = MemoryAppeals(self, "appeals", lambda a: a.id, "appeal")
        self.recommendations = MemoryRecommendations(
            self, "recommendations", lambda r: r.id, "recommendation"
        )
        self.bonuses = MemoryBonuses(self, "bonuses", lambda b: b.id, "bonus record")
        self.statements = MemoryStatements(self, "statements", lambda s: s.id, "statement")
        self.settled_months = MemorySettledMonths(
            self, "settled_months", lambda m: m.month, "month"
        )
        self.credit_accounts = MemoryCreditAccounts(
            self, "credit_accounts", lambda a: a.customer_id, "credit account"
        )
        self.credit_grades = MemoryCreditGrades(
            self, "credit_grades", lambda g: g.id, "credit grade change"
        )
        self.credit_ledger = MemoryCreditLedger(
            self, "credit_ledger", lambda e: e.id, "ledger entry"
        )
        self.credit_shipments = MemoryShipments(
            self, "credit_shipments", lambda s: s.id, "shipment"
        )
        self.visit_plans = MemoryVisitPlans(self, "visit_plans", lambda p: p.id, "visit plan")
        self.planned_visits = MemoryPlannedVisits(
            self, "planned_visits", lambda v: v.id, "planned visit"
        )
        self.visits = MemoryVisits(self, "visits", lambda v: v.id, "visit")
        self.follow_ups = MemoryFollowUps(self, "follow_ups", lambda f: f.id, "follow-up item")
        self.surveys = MemorySurveys(self, "surveys", lambda s: s.id, "survey")
        self.survey_recipients = MemorySurveyRecipients(
            self, "survey_recipients", lambda r: r.id, "survey recipient"
        )
        self.survey_responses = MemorySurveyResponses(
            self, "survey_responses", lambda r: r.id, "survey response"
        )
        self.policy_versions = MemoryPolicyVersions(
            self, "policy_versions", lambda v: str(v.number), "policy version"
        )

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


__all__ = ["LOCK_TIMEOUT_SECONDS", "MemoryStore", "MemoryUnitOfWork"]
