"""Indexes for the what-if replay's window reads (issue 15; issue 10: an index for every
list's filter): service jobs by registration time (CASE-12 replay), file loans by the time
they were lent (CUS-7 replay).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0021"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_service_jobs_registered_at", "service_jobs", ["registered_at"])
    op.create_index("ix_file_loans_decided_at", "file_loans", ["decided_at"])


def downgrade() -> None:
    op.drop_index("ix_file_loans_decided_at", "file_loans")
    op.drop_index("ix_service_jobs_registered_at", "service_jobs")
