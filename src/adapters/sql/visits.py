"""Visits (VIS-1…VIS-6): tables, mapping and repositories.

One plan per person and month and one report per planned visit are unique keys (the
invariants' backstop, docs/architecture.md); coverage counts visits per customer with one
``GROUP BY`` over the ``(on, customer_id)`` index.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa

from adapters.sql.errors import translating
from adapters.sql.mapping import MAPPED
from adapters.sql.repositories import _Repository
from adapters.sql.schema import ID, metadata, seq_column
from adapters.sql.types import AwareDateTime, MoneyType, StrEnumType
from csdomain.kernel.ids import CustomerId, StaffId
from csdomain.visits.model import FollowUp, PlannedVisit, PlanStatus, Visit, VisitPlan

visit_plans = sa.Table(
    "visit_plans",
    metadata,
    seq_column(),
    sa.Column("id", ID, nullable=False, unique=True),
    sa.Column("staff_id", ID, nullable=False),
    sa.Column("month", sa.String(), nullable=False),
    sa.Column("due_on", sa.Date(), nullable=False),
    sa.Column("created_at", AwareDateTime(), nullable=False),
    sa.Column("status", StrEnumType(PlanStatus), nullable=False),
    sa.Column("submitted_at", AwareDateTime(), nullable=True),
    sa.Column("late", sa.Boolean(), nullable=False),
    sa.Column("decided_by", ID, nullable=True),
    sa.Column("decided_at", AwareDateTime(), nullable=True),
    sa.Column("decision_note", sa.String(), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    # VIS-1: one plan per person and month
    sa.UniqueConstraint("staff_id", "month", name="uq_visit_plans_staff_month"),
    sqlite_autoincrement=True,
)

planned_visits = sa.Table(
    "planned_visits",
    metadata,
    seq_column(),
    sa.Column("id", ID, nullable=False, unique=True),
    sa.Column("plan_id", ID, nullable=False),
    sa.Column("staff_id", ID, nullable=False),
    sa.Column("customer_id", ID, nullable=False),
    sa.Column("on", sa.Date(), nullable=False),
    sa.Column("asked_on", sa.Date(), nullable=False),
    sa.Column("purpose", sa.String(), nullable=False),
    sa.Column("expense", MoneyType(), nullable=False),
    sa.Column("gift", sa.String(), nullable=False),
    sa.Column("entertainment", sa.String(), nullable=False),
    sa.Column("approved", sa.Boolean(), nullable=False),
    sa.Column("visit_id", ID, nullable=True),
    sa.Column("report_late", sa.Boolean(), nullable=False),
    sa.Column("removed", sa.Boolean(), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sqlite_autoincrement=True,
)

visits = sa.Table(
    "visits",
    metadata,
    seq_column(),
    sa.Column("id", ID, nullable=False, unique=True),
    sa.Column("customer_id", ID, nullable=False),
    sa.Column("staff_id", ID, nullable=False),
    sa.Column("owner_id", ID, nullable=False),
    sa.Column("on", sa.Date(), nullable=False),
    sa.Column("purpose", sa.String(), nullable=False),
    sa.Column("people_met", sa.String(), nullable=False),
    sa.Column("summary", sa.String(), nullable=False),
    sa.Column("outcome", sa.String(), nullable=False),
    sa.Column("report_due_on", sa.Date(), nullable=False),
    sa.Column("reported_at", AwareDateTime(), nullable=False),
    sa.Column("problems_solved", sa.String(), nullable=False),
    sa.Column("watch_items", sa.String(), nullable=False),
    sa.Column("expenses", MoneyType(), nullable=False),
    sa.Column("expenses_approved", sa.Boolean(), nullable=False),
    sa.Column("planned_visit_id", ID, nullable=True),
    sa.Column("late", sa.Boolean(), nullable=False),
    sa.Column("reviewed_by", ID, nullable=True),
    sa.Column("reviewed_at", AwareDateTime(), nullable=True),
    sa.Column("review_note", sa.String(), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sqlite_autoincrement=True,
)

follow_ups = sa.Table(
    "follow_ups",
    metadata,
    seq_column(),
    sa.Column("id", ID, nullable=False, unique=True),
    sa.Column("visit_id", ID, nullable=False, index=True),
    sa.Column("customer_id", ID, nullable=False),
    sa.Column("staff_id", ID, nullable=False),
    sa.Column("text", sa.String(), nullable=False),
    sa.Column("due_on", sa.Date(), nullable=False),
    sa.Column("created_at", AwareDateTime(), nullable=False),
    sa.Column("done_at", AwareDateTime(), nullable=True),
    sa.Column("done_note", sa.String(), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sqlite_autoincrement=True,
)

_PLANNED = sa.text("planned_visit_id IS NOT NULL")

INDEXES = [
    sa.Index("ix_planned_visits_plan_on", planned_visits.c.plan_id, planned_visits.c.on),
    sa.Index("ix_planned_visits_on_customer", planned_visits.c.on, planned_visits.c.customer_id),
    sa.Index("ix_visits_on_customer", visits.c.on, visits.c.customer_id),
    sa.Index("ix_visits_customer_on", visits.c.customer_id, visits.c.on),
    # VIS-2: a planned visit is reported once
    sa.Index(
        "uq_visits_planned",
        visits.c.planned_visit_id,
        unique=True,
        sqlite_where=_PLANNED,
        postgresql_where=_PLANNED,
    ),
    sa.Index("ix_follow_ups_open", follow_ups.c.done_at, follow_ups.c.due_on),
]

MAPPED.update(
    {
        VisitPlan: (visit_plans, visit_plans.c.id),
        PlannedVisit: (planned_visits, planned_visits.c.id),
        Visit: (visits, visits.c.id),
        FollowUp: (follow_ups, follow_ups.c.id),
    }
)


class SqlVisitPlans(_Repository[VisitPlan]):
    cls = VisitPlan
    label = "visit plan"

    @translating
    def find(self, staff_id: StaffId, month: str) -> VisitPlan | None:
        c = visit_plans.c
        return self._first(self._select().where(c.staff_id == staff_id, c.month == month))

    @translating
    def list(
        self, *, staff_id: StaffId | None = None, month: str | None = None, limit: int = 500
    ) -> Sequence[VisitPlan]:
        c = visit_plans.c
        stmt = self._select()
        if staff_id is not None:
            stmt = stmt.where(c.staff_id == staff_id)
        if month is not None:
            stmt = stmt.where(c.month == month)
        return self._all(
            stmt.order_by(c.month, self._binary(c.staff_id), self._binary(c.id)).limit(limit)
        )


class SqlPlannedVisits(_Repository[PlannedVisit]):
    cls = PlannedVisit
    label = "planned visit"

    @translating
    def list_for_plan(self, plan_id: str) -> Sequence[PlannedVisit]:
        c = planned_visits.c
        stmt = self._select().where(c.plan_id == plan_id, c.removed.is_(False))
        return self._all(stmt.order_by(c.on, c.seq))

    @translating
    def list_between(
        self,
        start: date,
        end: date,
        *,
        customer_ids: Sequence[CustomerId] | None = None,
        unreported_only: bool = False,
        limit: int = 5000,
    ) -> Sequence[PlannedVisit]:
        c = planned_visits.c
        stmt = self._select().where(c.on >= start, c.on <= end, c.removed.is_(False))
        if customer_ids is not None:
            stmt = stmt.where(c.customer_id.in_(list(customer_ids)))
        if unreported_only:
            stmt = stmt.where(c.visit_id.is_(None))
        return self._all(stmt.order_by(c.on, c.seq).limit(limit))


class SqlVisits(_Repository[Visit]):
    cls = Visit
    label = "visit"

    @translating
    def list_for_customer(self, customer_id: CustomerId, *, limit: int = 500) -> Sequence[Visit]:
        c = visits.c
        stmt = self._select().where(c.customer_id == customer_id)
        return self._all(stmt.order_by(c.on.desc(), c.seq.desc()).limit(limit))

    @translating
    def list_between(
        self, start: date, end: date, *, staff_id: StaffId | None = None, limit: int = 5000
    ) -> Sequence[Visit]:
        c = visits.c
        stmt = self._select().where(c.on >= start, c.on <= end)
        if staff_id is not None:
            stmt = stmt.where(c.staff_id == staff_id)
        return self._all(stmt.order_by(c.on, c.seq).limit(limit))

    @translating
    def counts_by_customer(self, start: date, end: date) -> dict[CustomerId, int]:
        self.session.flush()
        c = visits.c
        stmt = (
            sa.select(c.customer_id, sa.func.count())
            .where(c.on >= start, c.on <= end)
            .group_by(c.customer_id)
        )
        return {CustomerId(k): int(n) for k, n in self.session.execute(stmt)}


class SqlFollowUps(_Repository[FollowUp]):
    cls = FollowUp
    label = "follow-up item"

    @translating
    def list_for_visit(self, visit_id: str) -> Sequence[FollowUp]:
        c = follow_ups.c
        return self._all(self._select().where(c.visit_id == visit_id).order_by(c.due_on, c.seq))

    @translating
    def list_open(self, *, staff_id: StaffId | None = None, limit: int = 500) -> Sequence[FollowUp]:
        c = follow_ups.c
        stmt = self._select().where(c.done_at.is_(None))
        if staff_id is not None:
            stmt = stmt.where(c.staff_id == staff_id)
        return self._all(stmt.order_by(c.due_on, c.seq).limit(limit))
