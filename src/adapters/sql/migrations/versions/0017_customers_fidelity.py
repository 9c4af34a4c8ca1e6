"""Customer rule fidelity (issue 12, CUS-1/3/5/7): daily customer registers (one per person
and day), file loans (one lent loan per file), monthly sales figures (one per customer and
month), and the file's "late hand-over recorded" flag (CUS-3: once).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(64)
ENUM = sa.String(32)
TEXT = sa.String()


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _money() -> sa.types.TypeEngine[Any]:
    return sa.Numeric(14, 2).with_variant(sa.Text(), "sqlite")  # X-2, see 0001


def upgrade() -> None:
    with op.batch_alter_table("customer_files") as batch:
        batch.add_column(
            sa.Column("late_recorded", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "daily_registers",
        sa.Column("id", ID, nullable=False),
        sa.Column("staff_id", ID, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("status", ENUM, nullable=False),
        sa.Column("submitted_at", _ts(), nullable=True),
        sa.Column("customer_ids", sa.JSON(), nullable=False),
        sa.Column("prospect_ids", sa.JSON(), nullable=False),
        sa.Column("note", TEXT, nullable=False),
        sa.Column("exception_reason", TEXT, nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_daily_registers"),
        sa.UniqueConstraint("staff_id", "day", name="uq_daily_registers_staff_id_day"),
    )
    op.create_index("ix_daily_registers_day", "daily_registers", ["day"])
    op.create_table(
        "file_loans",
        sa.Column("id", ID, nullable=False),
        sa.Column("file_id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("borrower_id", ID, nullable=False),
        sa.Column("purpose", TEXT, nullable=False),
        sa.Column("requested_at", _ts(), nullable=False),
        sa.Column("state", ENUM, nullable=False),
        sa.Column("decided_by", ID, nullable=True),
        sa.Column("decided_at", _ts(), nullable=True),
        sa.Column("due_back_on", sa.Date(), nullable=True),
        sa.Column("returned_at", _ts(), nullable=True),
        sa.Column("returned_to", ID, nullable=True),
        sa.Column("rejection_reason", TEXT, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_file_loans"),
    )
    op.create_index("ix_file_loans_file_id", "file_loans", ["file_id"])
    lent = sa.text("state = 'lent'")
    op.create_index(
        "uq_file_loans_lent_file_id",
        "file_loans",
        ["file_id"],
        unique=True,
        sqlite_where=lent,
        postgresql_where=lent,
    )
    op.create_table(
        "sales_figures",
        sa.Column("id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("sales", _money(), nullable=False),
        sa.Column("margin", _money(), nullable=False),
        sa.Column("recorded_by", ID, nullable=False),
        sa.Column("recorded_at", _ts(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sales_figures"),
        sa.UniqueConstraint("customer_id", "month", name="uq_sales_figures_customer_id_month"),
    )
    op.create_index("ix_sales_figures_month", "sales_figures", ["month"])


def downgrade() -> None:
    op.drop_index("ix_sales_figures_month", table_name="sales_figures")
    op.drop_table("sales_figures")
    op.drop_index("uq_file_loans_lent_file_id", table_name="file_loans")
    op.drop_index("ix_file_loans_file_id", table_name="file_loans")
    op.drop_table("file_loans")
    op.drop_index("ix_daily_registers_day", table_name="daily_registers")
    op.drop_table("daily_registers")
    with op.batch_alter_table("customer_files") as batch:
        batch.drop_column("late_recorded")
