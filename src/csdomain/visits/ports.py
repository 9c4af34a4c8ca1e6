"""Visit storage. Coverage counts visits per customer with one grouped, indexed query over a
period (VIS-4) — never every visit loaded into memory."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from csdomain.kernel.ids import CustomerId, StaffId
from csdomain.visits.model import FollowUp, PlannedVisit, Visit, VisitPlan


class VisitPlanRepository(Protocol):
    def add(self, plan: VisitPlan) -> None: ...
    def get(self, plan_id: str) -> VisitPlan: ...
    def find(self, staff_id: StaffId, month: str) -> VisitPlan | None:
        """The person's plan of the month (one per person and month, a unique key)."""
        ...

    def list(
        self, *, staff_id: StaffId | None = None, month: str | None = None, limit: int = 500
    ) -> Sequence[VisitPlan]:
        """By month, then person."""
        ...


class PlannedVisitRepository(Protocol):
    def add(self, planned: PlannedVisit) -> None: ...
    def get(self, planned_id: str) -> PlannedVisit: ...
    def list_for_plan(self, plan_id: str) -> Sequence[PlannedVisit]:
        """By day, then as added; removed ones left out."""
        ...

    def list_between(
        self,
        start: date,
        end: date,
        *,
        customer_ids: Sequence[CustomerId] | None = None,
        unreported_only: bool = False,
        limit: int = 5000,
    ) -> Sequence[PlannedVisit]:
        """Planned visits dated ``start``…``end`` (of any plan, removed ones left out),
        oldest first."""
        ...


class VisitRepository(Protocol):
    def add(self, visit: Visit) -> None: ...
    def get(self, visit_id: str) -> Visit: ...
    def list_for_customer(self, customer_id: CustomerId, *, limit: int = 500) -> Sequence[Visit]:
        """Newest first."""
        ...

    def list_between(
        self, start: date, end: date, *, staff_id: StaffId | None = None, limit: int = 5000
    ) -> Sequence[Visit]:
        """Visits dated ``start``…``end`` (by ``staff_id`` when given), oldest first."""
        ...

    def counts_by_customer(self, start: date, end: date) -> dict[CustomerId, int]:
        """Visits per customer dated ``start``…``end`` (one grouped query, VIS-3/VIS-4)."""
        ...


class FollowUpRepository(Protocol):
    def add(self, item: FollowUp) -> None: ...
    def get(self, item_id: str) -> FollowUp: ...
    def list_for_visit(self, visit_id: str) -> Sequence[FollowUp]: ...
    def list_open(self, *, staff_id: StaffId | None = None, limit: int = 500) -> Sequence[FollowUp]:
        """Items not done yet, earliest due first."""
        ...
