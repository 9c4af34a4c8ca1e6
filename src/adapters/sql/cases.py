"""Complaint and service cases (CASE-*): tables, mapping and repositories."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from adapters.sql import customers as sql_customers
from adapters.sql.errors import translating
from adapters.sql.mapping import MAPPED
from adapters.sql.org import in_department
from adapters.sql.repositories import _AppendOnly, _Repository, pending_keys
from adapters.sql.schema import ID, metadata, seq_column
from adapters.sql.types import (
    AwareDateTime,
    MoneyType,
    StrEnumType,
    mutable_json_list,
)
from csdomain.cases.model import (
    OPEN_STATES,
    CapaItem,
    Case,
    CaseBreach,
    CaseEvent,
    CaseState,
    Severity,
)
from csdomain.cases.ports import Reach
from csdomain.kernel.errors import Conflict, NotFound

# ------------------------------------------------------------------------- cases (CASE-*)

cases = sa.Table(
    "cases",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("number", sa.String(32), nullable=False, unique=True),  # YYYYMM-NNNN (CASE-1)
    sa.Column("type", sa.String(), nullable=False),
    sa.Column("category", sa.String(), nullable=False),
    sa.Column("channel", sa.String(), nullable=False),
    sa.Column("content", sa.String(), nullable=False),
    sa.Column("received_at", AwareDateTime(), nullable=False, index=True),
    sa.Column("received_by", ID, nullable=False),
    sa.Column("customer_id", ID, nullable=True, index=True),
    sa.Column("customer_name", sa.String(), nullable=False),
    sa.Column("contact", sa.String(), nullable=False),
    sa.Column("product", sa.String(), nullable=False),
    sa.Column("purchase_date", sa.Date(), nullable=True),
    sa.Column("demand", sa.String(), nullable=False),
    sa.Column("urgency", sa.String(), nullable=False),
    sa.Column("severity", StrEnumType(Severity), nullable=False),
    sa.Column("major_reasons", mutable_json_list(), nullable=False),
    sa.Column("state", StrEnumType(CaseState), nullable=False, index=True),
    sa.Column("subject_staff_ids", mutable_json_list(), nullable=False),
    sa.Column("department_id", ID, nullable=True),
    sa.Column("handler_id", ID, nullable=True),
    sa.Column("rejections", sa.Integer(), nullable=False),
    sa.Column("escalation_level", sa.Integer(), nullable=False),
    sa.Column("remedy", sa.String(), nullable=False),
    sa.Column("remedy_amount", MoneyType(), nullable=True),
    sa.Column("solution", sa.String(), nullable=False),
    sa.Column("approved_by", ID, nullable=True),
    sa.Column("cause", sa.String(), nullable=False),
    sa.Column("responsibilities", mutable_json_list(), nullable=False),
    sa.Column("responsible_staff_ids", mutable_json_list(), nullable=False),
    sa.Column("loss", MoneyType(), nullable=True),
    sa.Column("improvement_tracked", sa.Boolean(), nullable=False),
    sa.Column("closed_at", AwareDateTime(), nullable=True),
    sa.Column("related_case_id", ID, nullable=True),
    sa.Column("market", sa.String(64), nullable=False),  # CASE-7 (migration 0018)
    sa.Column("priority", sa.Integer(), nullable=False),  # CUS-4
    sa.Column("return_visit_due_at", AwareDateTime(), nullable=True, index=True),  # CASE-9
    sa.Column("return_visited_at", AwareDateTime(), nullable=True),
    sa.Column("return_visit_satisfaction", sa.Integer(), nullable=True),
    sa.Column("next_due_at", AwareDateTime(), nullable=True, index=True),  # the clock sweep
    sa.Column("version", sa.Integer(), nullable=False),
)


case_numbers = sa.Table(
    "case_numbers",
    metadata,  # per-month counters (CASE-1), not a core class
    sa.Column("month", sa.String(6), primary_key=True),
    sa.Column("last", sa.Integer(), nullable=False),
)


case_events = sa.Table(
    "case_events",
    metadata,
    seq_column(),
    sa.Column("id", ID, nullable=False, unique=True),
    sa.Column("case_id", ID, nullable=False, index=True),
    sa.Column("kind", sa.String(), nullable=False),
    sa.Column("at", AwareDateTime(), nullable=False),
    sa.Column("actor_id", ID, nullable=False),
    sa.Column("state_after", StrEnumType(CaseState), nullable=False),
    sa.Column("owner_id", ID, nullable=False),
    sa.Column("reason", sa.String(), nullable=False),
    sa.Column("data", sa.JSON(), nullable=False),  # append-only
    sqlite_autoincrement=True,
)


case_breaches = sa.Table(
    "case_breaches",
    metadata,
    seq_column(),
    sa.Column("id", ID, nullable=False, unique=True),
    sa.Column("case_id", ID, nullable=False),
    sa.Column("clock", sa.String(64), nullable=False),
    sa.Column("due_at", AwareDateTime(), nullable=False),
    sa.Column("owner_id", ID, nullable=False),
    sa.Column("recorded_at", AwareDateTime(), nullable=False, index=True),
    sa.Column("escalated_to", sa.String(), nullable=False),
    sa.UniqueConstraint("case_id", "clock"),  # one breach per case and clock (CASE-7)
    sqlite_autoincrement=True,
)


capa_items = sa.Table(
    "capa_items",
    metadata,
    seq_column(),
    sa.Column("id", ID, nullable=False, unique=True),
    sa.Column("case_id", ID, nullable=False, index=True),
    sa.Column("description", sa.String(), nullable=False),
    sa.Column("owner_id", ID, nullable=False),
    sa.Column("due_on", sa.Date(), nullable=False),
    sa.Column("created_at", AwareDateTime(), nullable=False),
    sa.Column("done_at", AwareDateTime(), nullable=True),
    sa.Column("verified_by", ID, nullable=True),
    sa.Column("verified_at", AwareDateTime(), nullable=True),
    sa.Column("effective", sa.Boolean(), nullable=True),
    sa.Column("version", sa.Integer(), nullable=False),
    sqlite_autoincrement=True,
)


# composite indexes (issue 10, migration 0008): every list's filter + order
PERFORMANCE_INDEXES = [
    sa.Index("ix_cases_state_received_at_id", cases.c.state, cases.c.received_at, cases.c.id),
    sa.Index(
        "ix_case_events_case_id_at_seq", case_events.c.case_id, case_events.c.at, case_events.c.seq
    ),
    sa.Index(
        "ix_capa_items_case_id_created_at_seq",
        capa_items.c.case_id,
        capa_items.c.created_at,
        capa_items.c.seq,
    ),
]


MAPPED.update(
    {
        Case: (cases, cases.c.id),
        CaseBreach: (case_breaches, case_breaches.c.id),
        CapaItem: (capa_items, capa_items.c.id),
    }
)


def _case_reach(reach: Reach) -> sa.ColumnElement[bool]:
    """cases.ports.Reach as SQL, the same rule as the memory adapter's."""
    c, cu = cases.c, sql_customers.customers.c
    owned = c.customer_id.in_(sa.select(cu.id).where(cu.owner_id == reach.staff_id))
    terms = [c.received_by == reach.staff_id, c.handler_id == reach.staff_id, owned]
    if reach.department_id is not None:
        terms += [
            c.department_id == reach.department_id,
            in_department(c.handler_id, reach.department_id),
            in_department(c.received_by, reach.department_id),
        ]
    return sa.or_(*terms)


class SqlCases(_Repository[Case]):
    cls = Case
    label = "case"

    @translating
    def get_by_number(self, number: str) -> Case:
        found = self._first(self._select().where(cases.c.number == number))
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
        by_priority: bool = False,
        limit: int = 100,
        offset: int = 0,
    ) -> Sequence[Case]:
        c = cases.c
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
        order = (c.priority,) if by_priority else ()  # CUS-4: the work list, A first
        stmt = stmt.order_by(*order, c.received_at, self._binary(c.id)).limit(limit).offset(offset)
        return self._all(stmt)

    @translating
    def list_return_visits_due(
        self,
        when: datetime,
        *,
        reach: Reach | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Sequence[Case]:
        """CASE-9: through the ``return_visit_due_at`` index."""
        c = cases.c
        stmt = self._select().where(
            c.return_visit_due_at.is_not(None),
            c.return_visit_due_at <= when,
            c.return_visited_at.is_(None),
        )
        if reach is not None:
            stmt = stmt.where(_case_reach(reach))
        stmt = stmt.order_by(c.return_visit_due_at, self._binary(c.id))
        return self._all(stmt.limit(limit).offset(offset))

    @translating
    def list_due_before(
        self, when: datetime, *, limit: int = 500, lock: bool = False
    ) -> Sequence[Case]:
        """The clock sweep's selector, through the ``next_due_at`` index. With ``lock`` on
        PostgreSQL the rows are locked and rows another sweep holds are skipped; SQLite has a
        single writer, and a stale concurrent sweep fails on commit (ConcurrencyConflict)."""
        c = cases.c
        stmt = (
            self._select()
            .where(
                c.next_due_at.is_not(None), c.next_due_at <= when, c.state.in_(sorted(OPEN_STATES))
            )
            .order_by(c.priority, c.next_due_at, self._binary(c.id))  # CUS-4: A first
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
        stmt = _NEXT_NUMBER.get(conn.dialect.name)
        if stmt is None:
            stmt = _NEXT_NUMBER[conn.dialect.name] = _next_number(conn.dialect.name)
        return int(conn.execute(stmt, {"month": month}).scalar_one())


_NEXT_NUMBER: dict[str, Any] = {}  # per dialect, built once: this runs on every intake


def _next_number(dialect: str) -> Any:
    """The month counter's upsert: insert 1 or add one, returning the number drawn."""
    insert: Any
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise NotImplementedError(dialect)
    c = case_numbers.c
    return (
        insert(case_numbers)
        .values(month=sa.bindparam("month"), last=1)
        .on_conflict_do_update(index_elements=[c.month], set_={"last": c.last + 1})
        .returning(c.last)
    )


class SqlCaseEvents(_AppendOnly[CaseEvent]):
    """X-7: a case's append-only history, written and read through Core (not mapped)."""

    cls = CaseEvent
    table = case_events
    label = "case event"

    @translating
    def list_for_case(self, case_id: str) -> Sequence[CaseEvent]:
        """X-7: in the order they happened (then were recorded)."""
        c = case_events.c
        return self._all(self._select().where(c.case_id == case_id).order_by(c.at, c.seq))

    @translating
    def list_for_cases(self, case_ids: Sequence[str]) -> dict[str, list[CaseEvent]]:
        c = case_events.c
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
        c = case_breaches.c
        pending = (CaseBreach, f"{obj.case_id}\x00{obj.clock}") in pending_keys(self.session)
        with self.session.no_autoflush:
            stored = self.session.scalar(
                sa.select(sa.literal(1))
                .select_from(case_breaches)
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
        c = case_breaches.c
        out: dict[str, list[CaseBreach]] = {cid: [] for cid in case_ids}
        if case_ids:
            stmt = self._select().where(c.case_id.in_(case_ids)).order_by(c.recorded_at, c.seq)
            for breach in self._all(stmt):
                out[breach.case_id].append(breach)
        return out

    @translating
    def list_for_case(self, case_id: str) -> Sequence[CaseBreach]:
        c = case_breaches.c
        return self._all(self._select().where(c.case_id == case_id).order_by(c.recorded_at, c.seq))

    @translating
    def list(self, *, since: datetime | None = None) -> Sequence[CaseBreach]:
        c = case_breaches.c
        stmt = self._select()
        if since is not None:
            stmt = stmt.where(c.recorded_at >= since)
        return self._all(stmt.order_by(c.recorded_at, c.seq))


class SqlCapa(_Repository[CapaItem]):
    cls = CapaItem
    label = "corrective action"

    @translating
    def list_for_case(self, case_id: str) -> Sequence[CapaItem]:
        c = capa_items.c
        return self._all(self._select().where(c.case_id == case_id).order_by(c.created_at, c.seq))
