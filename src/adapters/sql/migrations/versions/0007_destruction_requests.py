"""X-6 destruction as a flow (request → department-head review → GM approval), issue 7.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

``destruction_requests`` holds each request and its three signatures; a file names the request
in progress (``customer_files.destruction_request_id``) so its version keeps one request open at
a time; a destruction record names the requester too.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(64)
ENUM = sa.String(32)
TEXT = sa.String()


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "destruction_requests",
        sa.Column("id", ID, nullable=False),
        sa.Column("file_id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("requested_by", ID, nullable=False),
        sa.Column("requested_at", _ts(), nullable=False),
        sa.Column("reason", TEXT, nullable=False),
        sa.Column("state", ENUM, nullable=False),
        sa.Column("reviewed_by", ID, nullable=True),
        sa.Column("reviewed_at", _ts(), nullable=True),
        sa.Column("approved_by", ID, nullable=True),
        sa.Column("approved_at", _ts(), nullable=True),
        sa.Column("rejected_by", ID, nullable=True),
        sa.Column("rejection_reason", TEXT, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_destruction_requests"),
    )
    op.create_index("ix_destruction_requests_file_id", "destruction_requests", ["file_id"])
    with op.batch_alter_table("customer_files") as batch:
        batch.add_column(sa.Column("destruction_request_id", ID, nullable=True))
    with op.batch_alter_table("destructions") as batch:
        batch.add_column(sa.Column("requested_by", ID, nullable=True))
        batch.add_column(sa.Column("request_id", ID, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("destructions") as batch:
        batch.drop_column("request_id")
        batch.drop_column("requested_by")
    with op.batch_alter_table("customer_files") as batch:
        batch.drop_column("destruction_request_id")
    op.drop_index("ix_destruction_requests_file_id", table_name="destruction_requests")
    op.drop_table("destruction_requests")
