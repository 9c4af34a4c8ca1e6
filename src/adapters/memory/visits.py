"""Visits (VIS-1…VIS-6): the memory repositories, ordered as the SQL adapter's."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date

from adapters.memory.table import _Table
from csdomain.kernel.ids import CustomerId, StaffId
from csdomain.visits.model import FollowUp, PlannedVisit, Visit, VisitPlan

UNIQUE = {
    "visit_plans": [
        (lambda p: (p.staff_id, p.month), "one visit plan per person and month", "VIS-1", "month")
    ],
    "visits": [
        (
            lambda v: v.planned_visit_id,
            "this planned visit is already reported",
            "VIS-2",
            "planned_visit_id",
        )
    ],
}


class MemoryVisitPlans(_Table[VisitPlan]):
    def find(self, staff_id: StaffId, month: str) -> VisitPlan | None:
        rows = self.all(lambda p: p.staff_id == staff_id and p.month == month)
        return rows[0] if rows else None

    def list(
        self, *, staff_id: StaffId | None = None, month: str | None = None, limit: int = 500
    ) -> Sequence[VisitPlan]:
        rows = self.all(
            lambda p: (
                (staff_id is None or p.staff_id == staff_id) and (month is None or p.month == month)
            )
        )
        return sorted(rows, key=lambda p: (p.month, p.staff_id, p.id))[:limit]


class MemoryPlannedVisits(_Table[PlannedVisit]):
    def list_for_plan(self, plan_id: str) -> Sequence[PlannedVisit]:
        return sorted(
            self.all(lambda v: v.plan_id == plan_id and not v.removed), key=lambda v: v.on
        )

    def list_between(
        self,
        start: date,
        end: date,
        *,
        customer_ids: Sequence[CustomerId] | None = None,
        unreported_only: bool = False,
        limit: int = 5000,
    ) -> Sequence[PlannedVisit]:
        wanted = None if customer_ids is None else set(customer_ids)
        rows = self.all(
            lambda v: (
                start <= v.on <= end
                and not v.removed
                and (wanted is None or v.customer_id in wanted)
                and (not unreported_only or v.visit_id is None)
            )
        )
        return sorted(rows, key=lambda v: v.on)[:limit]


class MemoryVisits(_Table[Visit]):
    def list_for_customer(self, customer_id: CustomerId, *, limit: int = 500) -> Sequence[Visit]:
        rows = self.all(lambda v: v.customer_id == customer_id)
        return sorted(rows, key=lambda v: (v.on, v.reported_at), reverse=True)[:limit]

    def list_between(
        self, start: date, end: date, *, staff_id: StaffId | None = None, limit: int = 5000
    ) -> Sequence[Visit]:
        rows = self.all(
            lambda v: start <= v.on <= end and (staff_id is None or v.staff_id == staff_id)
        )
        return sorted(rows, key=lambda v: (v.on, v.reported_at))[:limit]

    def counts_by_customer(self, start: date, end: date) -> dict[CustomerId, int]:
        return dict(Counter(v.customer_id for v in self.all(lambda v: start <= v.on <= end)))


class MemoryFollowUps(_Table[FollowUp]):
    def list_for_visit(self, visit_id: str) -> Sequence[FollowUp]:
        return sorted(self.all(lambda f: f.visit_id == visit_id), key=lambda f: (f.due_on, f.id))

    def list_open(self, *, staff_id: StaffId | None = None, limit: int = 500) -> Sequence[FollowUp]:
        rows = self.all(
            lambda f: f.done_at is None and (staff_id is None or f.staff_id == staff_id)
        )
        return sorted(rows, key=lambda f: (f.due_on, f.id))[:limit]
