"""The built-in worker's run ledger: one row per (job, tick), so one worker acts per tick.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scheduler_runs",
        sa.Column("job", sa.String(64), nullable=False),
        sa.Column("tick", sa.String(32), nullable=False),
        sa.Column("holder", sa.String(200), nullable=False),
        sa.Column("started_at", sa.String(40), nullable=False),
        sa.Column("finished_at", sa.String(40), nullable=True),
        sa.Column("outcome", sa.String(500), nullable=True),
        sa.PrimaryKeyConstraint("job", "tick", name="pk_scheduler_runs"),
    )


def downgrade() -> None:
    op.drop_table("scheduler_runs")
