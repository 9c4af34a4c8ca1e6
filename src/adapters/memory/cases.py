"""Complaint and service cases (CASE-*): the memory repositories."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from adapters.memory.org import staff_department
from adapters.memory.table import UnitOfWorkState, _Table
from csdomain.cases.model import CapaItem, Case, CaseBreach, CaseEvent, CaseState
from csdomain.cases.ports import Reach
from csdomain.kernel.errors import Conflict, NotFound


class MemoryCases(_Table[Case]):
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
            staff_department(self.uow, c.handler_id),
            staff_department(self.uow, c.received_by),
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
        by_priority: bool = False,
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
        if by_priority:
            rows.sort(key=lambda c: (c.priority, c.received_at, c.id))
        else:
            rows.sort(key=lambda c: (c.received_at, c.id))
        return rows[offset : offset + limit]

    def list_return_visits_due(
        self,
        when: datetime,
        *,
        reach: Reach | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Sequence[Case]:
        rows = self.all(
            lambda c: (
                c.return_visit_due_at is not None
                and c.return_visit_due_at <= when
                and c.return_visited_at is None
            )
        )
        if reach is not None:
            rows = [c for c in rows if self._reaches(reach, c)]
        rows.sort(key=lambda c: (c.return_visit_due_at, c.id))
        return rows[offset : offset + limit]

    def list_due_before(
        self, when: datetime, *, limit: int = 500, lock: bool = False
    ) -> Sequence[Case]:
        # the memory store serialises commits; stale concurrent sweeps fail on commit
        rows = self.all(lambda c: c.next_due_at is not None and c.next_due_at <= when and c.is_open)
        rows.sort(key=lambda c: (c.priority, c.next_due_at, c.id))  # CUS-4: A first
        return rows[:limit]


class MemoryCaseNumbers:
    """Per-month counters, incremented under the store lock (unique under concurrency)."""

    def __init__(self, uow: UnitOfWorkState) -> None:
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


class MemoryCaseEvents(_Table[CaseEvent]):
    def list_for_case(self, case_id: str) -> Sequence[CaseEvent]:
        return sorted(self.all(lambda e: e.case_id == case_id), key=lambda e: e.at)

    def list_for_cases(self, case_ids: Sequence[str]) -> dict[str, list[CaseEvent]]:
        wanted = set(case_ids)
        out: dict[str, list[CaseEvent]] = {cid: [] for cid in case_ids}
        for e in sorted(self.all(lambda e: e.case_id in wanted), key=lambda e: e.at):
            out[e.case_id].append(e)
        return out


class MemoryCaseBreaches(_Table[CaseBreach]):
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


class MemoryCapa(_Table[CapaItem]):
    def list_for_case(self, case_id: str) -> Sequence[CapaItem]:
        return sorted(self.all(lambda i: i.case_id == case_id), key=lambda i: i.created_at)
