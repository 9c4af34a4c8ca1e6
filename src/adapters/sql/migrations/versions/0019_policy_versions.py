"""Versioned policies (issue 15): the ``policy_versions`` table (numbers unique, one active
version per effective date) and the version a penalty entry was decided by
(``penalty_entries.policy_version``; NULL for entries recorded before versions existed and for
entries no policy decides, e.g. reversals).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(64)
ENUM = sa.String(32)
TEXT = sa.String()


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _seq() -> sa.Column[int]:
    return sa.Column(
        "seq",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
    )


def upgrade() -> None:
    op.create_table(
        "policy_versions",
        _seq(),
        sa.Column("id", ID, nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("document", TEXT, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("uploaded_by", ID, nullable=False),
        sa.Column("uploaded_at", _ts(), nullable=False),
        sa.Column("note", TEXT, nullable=False),
        sa.Column("state", ENUM, nullable=False),
        sa.Column("approved_by", ID, nullable=True),
        sa.Column("approved_at", _ts(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_policy_versions"),
        sa.UniqueConstraint("id", name="uq_policy_versions_id"),
        sa.UniqueConstraint("number", name="uq_policy_versions_number"),
        sqlite_autoincrement=True,
    )
    active = sa.text("state = 'active'")
    op.create_index(
        "uq_policy_versions_active_day",
        "policy_versions",
        ["effective_from"],
        unique=True,
        sqlite_where=active,
        postgresql_where=active,
    )
    op.add_column("penalty_entries", sa.Column("policy_version", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("penalty_entries") as batch:
        batch.drop_column("policy_version")
    op.drop_index("uq_policy_versions_active_day", table_name="policy_versions")
    op.drop_table("policy_versions")
