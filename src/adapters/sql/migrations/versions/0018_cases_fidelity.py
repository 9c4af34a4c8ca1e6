"""Case rule fidelity (issue 12, CASE-6/7/8/9/13/15, RPT).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03

``cases`` gains the market its clocks depend on (CASE-7, existing rows: domestic), the
complaint priority from the customer's grade (CUS-4, existing rows: the default 9) and the
return visit after handling (CASE-9: due time, indexed for the overdue report; when made; the
customer's satisfaction).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(
            sa.Column("market", sa.String(64), nullable=False, server_default="domestic")
        )
        batch.add_column(sa.Column("priority", sa.Integer(), nullable=False, server_default="9"))
        batch.add_column(sa.Column("return_visit_due_at", _ts(), nullable=True))
        batch.add_column(sa.Column("return_visited_at", _ts(), nullable=True))
        batch.add_column(sa.Column("return_visit_satisfaction", sa.Integer(), nullable=True))
    with op.batch_alter_table("cases") as batch:
        batch.alter_column("market", server_default=None)
        batch.alter_column("priority", server_default=None)
    op.create_index("ix_cases_return_visit_due_at", "cases", ["return_visit_due_at"])


def downgrade() -> None:
    op.drop_index("ix_cases_return_visit_due_at", "cases")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("return_visit_satisfaction")
        batch.drop_column("return_visited_at")
        batch.drop_column("return_visit_due_at")
        batch.drop_column("priority")
        batch.drop_column("market")
