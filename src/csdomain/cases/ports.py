"""Ports the cases capability needs: its repositories and a Notifier (CASE-5)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

import attrs

from csdomain.cases.model import CapaItem, Case, CaseBreach, CaseEvent, CaseState
from csdomain.kernel.ids import DepartmentId, StaffId


@attrs.frozen
class Reach:
    """The records a reader's scope reaches (X-5, docs/permissions.md), as a repository filter
    so pagination counts only what the reader may see; ``None`` instead of a Reach = all.

    Cases: the receiver, the handler and the owner of the case's customer reach a case
    (scope ``own``); with ``department_id`` also every case of that department or whose
    handler or receiver belongs to it (scope ``department``). Service jobs: the technician and the
    registrar; with ``department_id`` also jobs whose technician or registrar belongs to it.
    """

    staff_id: StaffId
    department_id: DepartmentId | None = None


class CaseRepository(Protocol):
    def add(self, case: Case) -> None: ...
    def get(self, case_id: str) -> Case: ...
    def get_by_number(self, number: str) -> Case: ...
    def list(
        self,
        *,
        state: CaseState | None = None,
        open_only: bool = False,
        received_from: datetime | None = None,
        received_before: datetime | None = None,
        reach: Reach | None = None,
        by_priority: bool = False,
        limit: int = 100,
        offset: int = 0,
    ) -> Sequence[Case]:
        """Ordered by reception time, then id (``by_priority``: by priority first, CUS-4);
        only the cases ``reach`` reaches (all: None)."""
        ...

    def list_return_visits_due(
        self,
        when: datetime,
        *,
        reach: Reach | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Sequence[Case]:
        """CASE-9: cases whose return visit was due at or before ``when`` and is not made,
        by due time then id, through the ``return_visit_due_at`` index."""
        ...

    def list_due_before(
        self, when: datetime, *, limit: int = 500, lock: bool = False
    ) -> Sequence[Case]:
        """Open cases whose ``next_due_at`` is at or before ``when``, through its index,
        highest priority first (CUS-4: grade A first in escalations), then by due time.

        With ``lock`` the rows are locked for this transaction and rows locked by another
        sweep are skipped (PostgreSQL ``FOR UPDATE SKIP LOCKED``)."""
        ...


class CaseNumberRepository(Protocol):
    def next(self, month: str) -> int:
        """The next sequence number for ``YYYYMM`` (1, 2, …), drawn in the unit of work:
        unique under concurrency, and given back if the unit of work rolls back (gap-free)."""
        ...


class CaseEventRepository(Protocol):
    def add(self, event: CaseEvent) -> None: ...
    def list_for_case(self, case_id: str) -> Sequence[CaseEvent]:
        """In the order they happened."""
        ...

    def list_for_cases(self, case_ids: Sequence[str]) -> dict[str, list[CaseEvent]]:
        """Each case's events in the order they happened: one query for a sweep batch."""
        ...


class CaseBreachRepository(Protocol):
    def add(self, breach: CaseBreach) -> None:
        """Raises Conflict if this case's clock already has a breach."""
        ...

    def add_many(self, breaches: Sequence[CaseBreach]) -> None:
        """A sweep batch's breaches, without a per-row query: the caller has read the batch's
        breaches (``list_for_cases``); the (case, clock) unique key refuses a concurrent
        duplicate at commit (Conflict)."""
        ...

    def list_for_cases(self, case_ids: Sequence[str]) -> dict[str, list[CaseBreach]]: ...

    def list_for_case(self, case_id: str) -> Sequence[CaseBreach]: ...
    def list(self, *, since: datetime | None = None) -> Sequence[CaseBreach]: ...


class CapaRepository(Protocol):
    def add(self, item: CapaItem) -> None: ...
    def get(self, item_id: str) -> CapaItem: ...
    def list_for_case(self, case_id: str) -> Sequence[CapaItem]: ...


class Notifier(Protocol):
    """CASE-5: tells people at once (log, e-mail…). Called after the commit."""

    def notify(self, recipients: Sequence[StaffId], subject: str, body: str) -> None: ...
