"""Service jobs, maintenance contracts, settlements and exchange forms
(CASE-12..14, SAT-1): tables, mapping and repositories.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import sqlalchemy as sa

from adapters.sql.errors import translating
from adapters.sql.mapping import MAPPED
from adapters.sql.org import in_department
from adapters.sql.repositories import _Repository
from adapters.sql.schema import ID, metadata, seq_column
from adapters.sql.types import (
    AwareDateTime,
    MoneyType,
    StrEnumType,
    mutable_json_dict,
    mutable_json_list,
)
from csdomain.cases.ports import Reach
from csdomain.service_jobs.model import (
    JOB_OPEN,
    ExchangeForm,
    ExchangeState,
    JobState,
    MaintenanceContract,
    ServiceJob,
    Settlement,
)

# ----------------------------------------------------------- service jobs (CASE-12..14)

service_jobs = sa.Table(
    "service_jobs",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("customer_name", sa.String(), nullable=False),
    sa.Column("address", sa.String(), nullable=False),
    sa.Column("zone", sa.String(), nullable=False),
    sa.Column("work_type", sa.String(), nullable=False),
    sa.Column("description", sa.String(), nullable=False),
    sa.Column("registered_at", AwareDateTime(), nullable=False),
    sa.Column("registered_by", ID, nullable=False),
    sa.Column("arrive_by", AwareDateTime(), nullable=False, index=True),  # late-arrival sweep
    sa.Column("customer_id", ID, nullable=True),
    sa.Column("case_id", ID, nullable=True),
    sa.Column("state", StrEnumType(JobState), nullable=False, index=True),
    sa.Column("priority", sa.Boolean(), nullable=False),
    sa.Column("technician_id", ID, nullable=True),
    sa.Column("dispatched_at", AwareDateTime(), nullable=True),
    sa.Column("arrived_at", AwareDateTime(), nullable=True),
    sa.Column("completed_at", AwareDateTime(), nullable=True, index=True),
    sa.Column("customer_signed", sa.Boolean(), nullable=False),
    sa.Column("receipt_no", sa.String(), nullable=False),
    sa.Column("repair_card_no", sa.String(), nullable=False),
    sa.Column("inspected_by", ID, nullable=True),
    sa.Column("returned_at", AwareDateTime(), nullable=True),
    sa.Column("invoice_no", sa.String(), nullable=False),
    sa.Column("amount", MoneyType(), nullable=True),
    sa.Column("survey", mutable_json_dict(), nullable=False),  # SAT-1
    sa.Column("overdue_reported_at", AwareDateTime(), nullable=True),
    sa.Column("version", sa.Integer(), nullable=False),
)


maintenance_contracts = sa.Table(
    "maintenance_contracts",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("customer_id", ID, nullable=False),
    sa.Column("number", sa.String(), nullable=False),
    sa.Column("starts_on", sa.Date(), nullable=False),
    sa.Column("ends_on", sa.Date(), nullable=False, index=True),  # renewal notices
    sa.Column("renewal_notified_at", AwareDateTime(), nullable=True),
    sa.Column("version", sa.Integer(), nullable=False),
)


settlements = sa.Table(
    "settlements",
    metadata,
    seq_column(),
    sa.Column("id", ID, nullable=False, unique=True),
    sa.Column("case_id", ID, nullable=False, index=True),
    sa.Column("kind", sa.String(), nullable=False),
    sa.Column("amount", MoneyType(), nullable=False),
    sa.Column("quantity_claimed", sa.Integer(), nullable=False),
    sa.Column("quantity_returned", sa.Integer(), nullable=False),
    sa.Column("created_by", ID, nullable=False),
    sa.Column("created_at", AwareDateTime(), nullable=False),
    sa.Column("note", sa.String(), nullable=False),
    sqlite_autoincrement=True,
)


exchange_forms = sa.Table(
    "exchange_forms",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("salesperson_id", ID, nullable=False),
    sa.Column("customer_name", sa.String(), nullable=False),
    sa.Column("goods", sa.String(), nullable=False),
    sa.Column("quantity", sa.Integer(), nullable=False),
    sa.Column("reason", sa.String(), nullable=False),
    sa.Column("created_at", AwareDateTime(), nullable=False),
    sa.Column("case_id", ID, nullable=True),
    sa.Column("sign_offs", mutable_json_list(), nullable=False),
    sa.Column("state", StrEnumType(ExchangeState), nullable=False),
    sa.Column("ledger_no", sa.Integer(), nullable=True),
    sa.Column("ledger_signed_by", ID, nullable=True),
    sa.Column("version", sa.Integer(), nullable=False),
)


# composite indexes (issue 10, migration 0008): every list's filter + order
PERFORMANCE_INDEXES = [
    # the CASE-12 replay reads jobs by registration time (issue 15, migration 0021)
    sa.Index("ix_service_jobs_registered_at", service_jobs.c.registered_at),
    sa.Index(
        "ix_settlements_case_id_created_at_seq",
        settlements.c.case_id,
        settlements.c.created_at,
        settlements.c.seq,
    ),
]


MAPPED.update(
    {
        ServiceJob: (service_jobs, service_jobs.c.id),
        MaintenanceContract: (maintenance_contracts, maintenance_contracts.c.id),
        Settlement: (settlements, settlements.c.id),
        ExchangeForm: (exchange_forms, exchange_forms.c.id),
    }
)


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
        c = service_jobs.c
        stmt = self._select().where(c.state.in_(sorted(JOB_OPEN)))
        if priority is not None:
            stmt = stmt.where(c.priority == priority)
        if reach is not None:
            terms = [c.technician_id == reach.staff_id, c.registered_by == reach.staff_id]
            if reach.department_id is not None:
                terms += [
                    in_department(c.technician_id, reach.department_id),
                    in_department(c.registered_by, reach.department_id),
                ]
            stmt = stmt.where(sa.or_(*terms))
        return self._all(
            stmt.order_by(c.priority.desc(), c.arrive_by, self._binary(c.id))
            .limit(limit)
            .offset(offset)
        )

    @translating
    def list_late(self, when: datetime, *, limit: int = 500) -> Sequence[ServiceJob]:
        c = service_jobs.c
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
        c = service_jobs.c
        stmt = self._select().where(c.completed_at >= start, c.completed_at < end)
        if technician_id is not None:
            stmt = stmt.where(c.technician_id == technician_id)
        return self._all(stmt.order_by(c.completed_at, self._binary(c.id)))

    @translating
    def list_registered_between(
        self, start: datetime, end: datetime, *, limit: int = 500, offset: int = 0
    ) -> Sequence[ServiceJob]:
        c = service_jobs.c
        stmt = self._select().where(c.registered_at >= start, c.registered_at < end)
        return self._all(
            stmt.order_by(c.registered_at, self._binary(c.id)).limit(limit).offset(offset)
        )


class SqlContracts(_Repository[MaintenanceContract]):
    cls = MaintenanceContract
    label = "contract"

    @translating
    def list_ending_by(
        self, day: date, *, since: date | None = None, limit: int = 500
    ) -> Sequence[MaintenanceContract]:
        c = maintenance_contracts.c
        stmt = self._select().where(c.ends_on <= day, c.renewal_notified_at.is_(None))
        if since is not None:
            stmt = stmt.where(c.ends_on >= since)
        return self._all(stmt.order_by(c.ends_on, self._binary(c.id)).limit(limit))

    @translating
    def list_ending_between(
        self, start: date, end: date, *, limit: int = 500, offset: int = 0
    ) -> Sequence[MaintenanceContract]:
        c = maintenance_contracts.c
        stmt = self._select().where(c.ends_on >= start, c.ends_on < end)
        return self._all(stmt.order_by(c.ends_on, self._binary(c.id)).limit(limit).offset(offset))


class SqlSettlements(_Repository[Settlement]):
    cls = Settlement
    label = "settlement"

    @translating
    def list_for_case(self, case_id: str) -> Sequence[Settlement]:
        c = settlements.c
        return self._all(self._select().where(c.case_id == case_id).order_by(c.created_at, c.seq))


class SqlExchanges(_Repository[ExchangeForm]):
    cls = ExchangeForm
    label = "exchange form"

    @translating
    def list(self) -> Sequence[ExchangeForm]:
        c = exchange_forms.c
        return self._all(self._select().order_by(c.created_at, self._binary(c.id)))

    @translating
    def max_ledger_no(self) -> int:
        value = self.session.scalar(sa.select(sa.func.max(exchange_forms.c.ledger_no)))
        return int(value or 0)
