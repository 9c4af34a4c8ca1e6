"""The penalty ledger: violations, entries, appeals, bonus bases, statements and settled
months (PEN-1…PEN-11); audit events indexed by kind for the violation sweeps.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(64)
ENUM = sa.String(32)
TEXT = sa.String()
MONTH = sa.String(7)  # YYYY-MM


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
        "violations",
        _seq(),
        sa.Column("id", ID, nullable=False),
        sa.Column("staff_id", ID, nullable=False),
        sa.Column("code", TEXT, nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("evidence", TEXT, nullable=False),
        sa.Column("recorded_by", ID, nullable=False),
        sa.Column("recorded_at", _ts(), nullable=False),
        sa.Column("source_key", TEXT, nullable=True),
        sa.Column("corrected_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_violations"),
        sa.UniqueConstraint("id", name="uq_violations_id"),
        # automatic violations count once per source, even when two sweeps race
        sa.UniqueConstraint("source_key", name="uq_violations_source_key"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_violations_staff_id_occurred_on", "violations", ["staff_id", "occurred_on"])
    op.create_table(
        "penalty_entries",
        _seq(),
        sa.Column("id", ID, nullable=False),
        sa.Column("staff_id", ID, nullable=False),
        sa.Column("month", MONTH, nullable=False),
        sa.Column("kind", ENUM, nullable=False),
        sa.Column("amount", _money(), nullable=False),
        sa.Column("explanation", TEXT, nullable=False),
        sa.Column("recorded_at", _ts(), nullable=False),
        sa.Column("recorded_by", ID, nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("violation_id", ID, nullable=True),
        sa.Column("source_key", TEXT, nullable=True),
        sa.Column("caused_by", sa.JSON(), nullable=False),
        sa.Column("reverses_id", ID, nullable=True),
        sa.Column("adjusts_month", MONTH, nullable=True),
        sa.PrimaryKeyConstraint("seq", name="pk_penalty_entries"),
        sa.UniqueConstraint("id", name="uq_penalty_entries_id"),
        sa.UniqueConstraint("source_key", name="uq_penalty_entries_source_key"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_penalty_entries_staff_id", "penalty_entries", ["staff_id"])
    op.create_index("ix_penalty_entries_month", "penalty_entries", ["month"])
    op.create_table(
        "appeals",
        sa.Column("id", ID, nullable=False),
        sa.Column("entry_id", ID, nullable=False),
        sa.Column("staff_id", ID, nullable=False),
        sa.Column("reason", TEXT, nullable=False),
        sa.Column("filed_at", _ts(), nullable=False),
        sa.Column("state", ENUM, nullable=False),
        sa.Column("decided_by", ID, nullable=True),
        sa.Column("decided_at", _ts(), nullable=True),
        sa.Column("decision_reason", TEXT, nullable=False),
        sa.Column("new_amount", _money(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_appeals"),
    )
    op.create_index("ix_appeals_staff_id", "appeals", ["staff_id"])
    op.create_table(
        "bonus_records",
        sa.Column("id", ID, nullable=False),
        sa.Column("staff_id", ID, nullable=False),
        sa.Column("month", MONTH, nullable=False),
        sa.Column("bonus", _money(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_bonus_records"),
        sa.UniqueConstraint("staff_id", "month", name="uq_bonus_records_staff_id_month"),
    )
    op.create_table(
        "statements",
        _seq(),
        sa.Column("id", ID, nullable=False),
        sa.Column("staff_id", ID, nullable=False),
        sa.Column("month", MONTH, nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("fines", _money(), nullable=False),
        sa.Column("complaint_due", _money(), nullable=False),
        sa.Column("complaint_deducted", _money(), nullable=False),
        sa.Column("carried_over", _money(), nullable=False),
        sa.Column("rewards", _money(), nullable=False),
        sa.Column("total", _money(), nullable=False),
        sa.Column("sanction", TEXT, nullable=False),
        sa.Column("settled_at", _ts(), nullable=True),
        sa.PrimaryKeyConstraint("seq", name="pk_statements"),
        sa.UniqueConstraint("id", name="uq_statements_id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_statements_month", "statements", ["month"])
    op.create_table(
        "settled_months",
        sa.Column("month", MONTH, nullable=False),
        sa.Column("settled_at", _ts(), nullable=False),
        sa.Column("settled_by", ID, nullable=False),
        sa.PrimaryKeyConstraint("month", name="pk_settled_months"),
    )
    # the penalty sweeps read audit events by kind (PEN-1 from CUS-3 hand-over events)
    op.create_index("ix_audit_events_kind", "audit_events", ["kind"])


def downgrade() -> None:
    op.drop_index("ix_audit_events_kind", table_name="audit_events")
    for table in (
        "settled_months",
        "statements",
        "bonus_records",
        "appeals",
        "penalty_entries",
        "violations",
    ):
        op.drop_table(table)
