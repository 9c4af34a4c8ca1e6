"""Visits (VIS-1…VIS-6): monthly visit plans (one per person and month), their planned
visits, visit records (a planned visit reported once) and follow-up items.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
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
        "visit_plans",
        _seq(),
        sa.Column("id", ID, nullable=False),
        sa.Column("staff_id", ID, nullable=False),
        sa.Column("month", TEXT, nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("status", ENUM, nullable=False),
        sa.Column("submitted_at", _ts(), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("decided_by", ID, nullable=True),
        sa.Column("decided_at", _ts(), nullable=True),
        sa.Column("decision_note", TEXT, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_visit_plans"),
        sa.UniqueConstraint("id", name="uq_visit_plans_id"),
        sa.UniqueConstraint("staff_id", "month", name="uq_visit_plans_staff_month"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "planned_visits",
        _seq(),
        sa.Column("id", ID, nullable=False),
        sa.Column("plan_id", ID, nullable=False),
        sa.Column("staff_id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("asked_on", sa.Date(), nullable=False),
        sa.Column("purpose", TEXT, nullable=False),
        sa.Column("expense", _money(), nullable=False),
        sa.Column("gift", TEXT, nullable=False),
        sa.Column("entertainment", TEXT, nullable=False),
        sa.Column("approved", sa.Boolean(), nullable=False),
        sa.Column("visit_id", ID, nullable=True),
        sa.Column("report_late", sa.Boolean(), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_planned_visits"),
        sa.UniqueConstraint("id", name="uq_planned_visits_id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_planned_visits_plan_on", "planned_visits", ["plan_id", "on"])
    op.create_index("ix_planned_visits_on_customer", "planned_visits", ["on", "customer_id"])
    op.create_table(
        "visits",
        _seq(),
        sa.Column("id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("staff_id", ID, nullable=False),
        sa.Column("owner_id", ID, nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("purpose", TEXT, nullable=False),
        sa.Column("people_met", TEXT, nullable=False),
        sa.Column("summary", TEXT, nullable=False),
        sa.Column("outcome", TEXT, nullable=False),
        sa.Column("report_due_on", sa.Date(), nullable=False),
        sa.Column("reported_at", _ts(), nullable=False),
        sa.Column("problems_solved", TEXT, nullable=False),
        sa.Column("watch_items", TEXT, nullable=False),
        sa.Column("expenses", _money(), nullable=False),
        sa.Column("expenses_approved", sa.Boolean(), nullable=False),
        sa.Column("planned_visit_id", ID, nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("reviewed_by", ID, nullable=True),
        sa.Column("reviewed_at", _ts(), nullable=True),
        sa.Column("review_note", TEXT, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_visits"),
        sa.UniqueConstraint("id", name="uq_visits_id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_visits_on_customer", "visits", ["on", "customer_id"])
    op.create_index("ix_visits_customer_on", "visits", ["customer_id", "on"])
    where = sa.text("planned_visit_id IS NOT NULL")
    op.create_index(
        "uq_visits_planned",
        "visits",
        ["planned_visit_id"],
        unique=True,
        sqlite_where=where,
        postgresql_where=where,
    )
    op.create_table(
        "follow_ups",
        _seq(),
        sa.Column("id", ID, nullable=False),
        sa.Column("visit_id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("staff_id", ID, nullable=False),
        sa.Column("text", TEXT, nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("done_at", _ts(), nullable=True),
        sa.Column("done_note", TEXT, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_follow_ups"),
        sa.UniqueConstraint("id", name="uq_follow_ups_id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_follow_ups_visit_id", "follow_ups", ["visit_id"])
    op.create_index("ix_follow_ups_open", "follow_ups", ["done_at", "due_on"])


def downgrade() -> None:
    for table in ("follow_ups", "visits", "planned_visits", "visit_plans"):
        op.drop_table(table)
