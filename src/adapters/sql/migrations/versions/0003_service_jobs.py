"""Service jobs, maintenance contracts, settlements and exchange forms (CASE-12…CASE-14,
SAT-1).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(64)
ENUM = sa.String(32)
TEXT = sa.String()


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _money() -> sa.types.TypeEngine[Any]:
    return sa.Numeric(14, 2).with_variant(sa.Text(), "sqlite")  # X-2, see 0001


def _seq() -> sa.Column[int]:
    return sa.Column(
        "seq",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
    )


def upgrade() -> None:
    op.create_table(
        "service_jobs",
        sa.Column("id", ID, nullable=False),
        sa.Column("customer_name", TEXT, nullable=False),
        sa.Column("address", TEXT, nullable=False),
        sa.Column("zone", TEXT, nullable=False),
        sa.Column("work_type", TEXT, nullable=False),
        sa.Column("description", TEXT, nullable=False),
        sa.Column("registered_at", _ts(), nullable=False),
        sa.Column("registered_by", ID, nullable=False),
        sa.Column("arrive_by", _ts(), nullable=False),
        sa.Column("customer_id", ID, nullable=True),
        sa.Column("case_id", ID, nullable=True),
        sa.Column("state", ENUM, nullable=False),
        sa.Column("priority", sa.Boolean(), nullable=False),
        sa.Column("technician_id", ID, nullable=True),
        sa.Column("dispatched_at", _ts(), nullable=True),
        sa.Column("arrived_at", _ts(), nullable=True),
        sa.Column("completed_at", _ts(), nullable=True),
        sa.Column("customer_signed", sa.Boolean(), nullable=False),
        sa.Column("receipt_no", TEXT, nullable=False),
        sa.Column("repair_card_no", TEXT, nullable=False),
        sa.Column("inspected_by", ID, nullable=True),
        sa.Column("returned_at", _ts(), nullable=True),
        sa.Column("invoice_no", TEXT, nullable=False),
        sa.Column("amount", _money(), nullable=True),
        sa.Column("survey", sa.JSON(), nullable=False),
        sa.Column("overdue_reported_at", _ts(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_service_jobs"),
    )
    # CASE-12: late arrivals are swept by their arrive-by time; open jobs by state
    op.create_index("ix_service_jobs_arrive_by", "service_jobs", ["arrive_by"])
    op.create_index("ix_service_jobs_state", "service_jobs", ["state"])
    op.create_index("ix_service_jobs_completed_at", "service_jobs", ["completed_at"])
    op.create_table(
        "maintenance_contracts",
        sa.Column("id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("number", TEXT, nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("renewal_notified_at", _ts(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_maintenance_contracts"),
    )
    op.create_index("ix_maintenance_contracts_ends_on", "maintenance_contracts", ["ends_on"])
    op.create_table(
        "settlements",
        _seq(),
        sa.Column("id", ID, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("kind", TEXT, nullable=False),
        sa.Column("amount", _money(), nullable=False),
        sa.Column("quantity_claimed", sa.Integer(), nullable=False),
        sa.Column("quantity_returned", sa.Integer(), nullable=False),
        sa.Column("created_by", ID, nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("note", TEXT, nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_settlements"),
        sa.UniqueConstraint("id", name="uq_settlements_id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_settlements_case_id", "settlements", ["case_id"])
    op.create_table(
        "exchange_forms",
        sa.Column("id", ID, nullable=False),
        sa.Column("salesperson_id", ID, nullable=False),
        sa.Column("customer_name", TEXT, nullable=False),
        sa.Column("goods", TEXT, nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("reason", TEXT, nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("case_id", ID, nullable=True),
        sa.Column("sign_offs", sa.JSON(), nullable=False),
        sa.Column("state", ENUM, nullable=False),
        sa.Column("ledger_no", sa.Integer(), nullable=True),
        sa.Column("ledger_signed_by", ID, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_exchange_forms"),
    )


def downgrade() -> None:
    for table in ("exchange_forms", "settlements", "maintenance_contracts", "service_jobs"):
        op.drop_table(table)
