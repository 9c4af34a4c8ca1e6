"""Replay jobs shared by every worker (issue 15): the ``replay_jobs`` table the HTTP replay
writes its jobs to (status, progress, the runner and its heartbeat, the error or the report
as JSON text), so a job is polled on any gunicorn worker and survives a restart.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(64)
ENUM = sa.String(32)
TEXT = sa.String()


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "replay_jobs",
        sa.Column("id", ID, nullable=False),
        sa.Column("status", ENUM, nullable=False),
        sa.Column("started_by", ID, nullable=False),
        sa.Column("submitted_at", _ts(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("runner", sa.String(200), nullable=False),
        sa.Column("heartbeat_at", _ts(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("step", TEXT, nullable=False),
        sa.Column("finished_at", _ts(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("report", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_replay_jobs"),
    )
    op.create_index("ix_replay_jobs_status", "replay_jobs", ["status"])


def downgrade() -> None:
    op.drop_index("ix_replay_jobs_status", table_name="replay_jobs")
    op.drop_table("replay_jobs")
