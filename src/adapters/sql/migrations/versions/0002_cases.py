"""Cases: complaints and service cases with their event history, clock breaches, CAPA items
and the monthly case-number counters (CASE-1…CASE-11).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
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
        "cases",
        sa.Column("id", ID, nullable=False),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("type", TEXT, nullable=False),
        sa.Column("category", TEXT, nullable=False),
        sa.Column("channel", TEXT, nullable=False),
        sa.Column("content", TEXT, nullable=False),
        sa.Column("received_at", _ts(), nullable=False),
        sa.Column("received_by", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=True),
        sa.Column("customer_name", TEXT, nullable=False),
        sa.Column("contact", TEXT, nullable=False),
        sa.Column("product", TEXT, nullable=False),
        sa.Column("purchase_date", sa.Date(), nullable=True),
        sa.Column("demand", TEXT, nullable=False),
        sa.Column("urgency", TEXT, nullable=False),
        sa.Column("severity", ENUM, nullable=False),
        sa.Column("major_reasons", sa.JSON(), nullable=False),
        sa.Column("state", ENUM, nullable=False),
        sa.Column("subject_staff_ids", sa.JSON(), nullable=False),
        sa.Column("department_id", ID, nullable=True),
        sa.Column("handler_id", ID, nullable=True),
        sa.Column("rejections", sa.Integer(), nullable=False),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        sa.Column("remedy", TEXT, nullable=False),
        sa.Column("remedy_amount", _money(), nullable=True),
        sa.Column("solution", TEXT, nullable=False),
        sa.Column("approved_by", ID, nullable=True),
        sa.Column("cause", TEXT, nullable=False),
        sa.Column("responsibilities", sa.JSON(), nullable=False),
        sa.Column("responsible_staff_ids", sa.JSON(), nullable=False),
        sa.Column("loss", _money(), nullable=True),
        sa.Column("improvement_tracked", sa.Boolean(), nullable=False),
        sa.Column("closed_at", _ts(), nullable=True),
        sa.Column("related_case_id", ID, nullable=True),
        sa.Column("next_due_at", _ts(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cases"),
        sa.UniqueConstraint("number", name="uq_cases_number"),
    )
    op.create_index("ix_cases_received_at", "cases", ["received_at"])
    op.create_index("ix_cases_customer_id", "cases", ["customer_id"])
    op.create_index("ix_cases_state", "cases", ["state"])
    # CASE-7: the clock sweep selects cases through their earliest due time
    op.create_index("ix_cases_next_due_at", "cases", ["next_due_at"])
    op.create_table(
        "case_numbers",
        sa.Column("month", sa.String(6), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month", name="pk_case_numbers"),
    )
    op.create_table(
        "case_events",
        _seq(),
        sa.Column("id", ID, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("kind", TEXT, nullable=False),
        sa.Column("at", _ts(), nullable=False),
        sa.Column("actor_id", ID, nullable=False),
        sa.Column("state_after", ENUM, nullable=False),
        sa.Column("owner_id", ID, nullable=False),
        sa.Column("reason", TEXT, nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_case_events"),
        sa.UniqueConstraint("id", name="uq_case_events_id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_case_events_case_id", "case_events", ["case_id"])
    op.create_table(
        "case_breaches",
        _seq(),
        sa.Column("id", ID, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("clock", sa.String(64), nullable=False),
        sa.Column("due_at", _ts(), nullable=False),
        sa.Column("owner_id", ID, nullable=False),
        sa.Column("recorded_at", _ts(), nullable=False),
        sa.Column("escalated_to", TEXT, nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_case_breaches"),
        sa.UniqueConstraint("id", name="uq_case_breaches_id"),
        # CASE-7: one breach per case and clock, even when two sweeps race
        sa.UniqueConstraint("case_id", "clock", name="uq_case_breaches_case_id_clock"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_case_breaches_recorded_at", "case_breaches", ["recorded_at"])
    op.create_table(
        "capa_items",
        _seq(),
        sa.Column("id", ID, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("description", TEXT, nullable=False),
        sa.Column("owner_id", ID, nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("done_at", _ts(), nullable=True),
        sa.Column("verified_by", ID, nullable=True),
        sa.Column("verified_at", _ts(), nullable=True),
        sa.Column("effective", sa.Boolean(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_capa_items"),
        sa.UniqueConstraint("id", name="uq_capa_items_id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_capa_items_case_id", "capa_items", ["case_id"])


def downgrade() -> None:
    for table in ("capa_items", "case_breaches", "case_events", "case_numbers", "cases"):
        op.drop_table(table)
