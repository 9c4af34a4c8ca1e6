"""Initial schema: organisation, customers, files, grades, access log, destructions,
deregistrations and the audit trail.

Revision ID: 0001
Revises:
Create Date: 2026-09-01

Written with plain SQLAlchemy types (not the adapter's TypeDecorators) so this revision stays
the same even if the Python types change later. Money is NUMERIC(14, 2) (X-2), exact decimal
text on SQLite (which would coerce NUMERIC to a binary REAL); datetimes are timestamptz on
PostgreSQL and naive UTC on SQLite; enums are their string values; JSON for lists and maps.
Append-only tables have a database-filled ``seq`` primary key giving insertion order (X-7).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(64)
ENUM = sa.String(32)
TEXT = sa.String()


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _money() -> sa.types.TypeEngine[Any]:
    return sa.Numeric(14, 2).with_variant(sa.Text(), "sqlite")


def _seq() -> sa.Column[int]:
    return sa.Column(
        "seq",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
    )


def upgrade() -> None:
    op.create_table(
        "departments",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", TEXT, nullable=False),
        sa.Column("head_id", ID, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_departments"),
    )
    op.create_table(
        "staff",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", TEXT, nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("department_id", ID, nullable=True),
        sa.Column("position", TEXT, nullable=False),
        sa.Column("supervisor_id", ID, nullable=True),
        sa.Column("permissions", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_staff"),
    )
    op.create_table(
        "api_tokens",
        _seq(),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("staff_id", ID, nullable=False),
        sa.Column("label", TEXT, nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_api_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_api_tokens_staff_id", "api_tokens", ["staff_id"])
    op.create_table(
        "customers",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", TEXT, nullable=False),
        sa.Column("kind", ENUM, nullable=False),
        sa.Column("legal_form", ENUM, nullable=False),
        sa.Column("phone", TEXT, nullable=False),
        sa.Column("owner_id", ID, nullable=False),
        sa.Column("registered_by", ID, nullable=False),
        sa.Column("registered_at", _ts(), nullable=False),
        sa.Column("source", ENUM, nullable=False),
        sa.Column("id_number", TEXT, nullable=True),
        sa.Column("contact_name", TEXT, nullable=False),
        sa.Column("address", TEXT, nullable=False),
        sa.Column("status", ENUM, nullable=False),
        sa.Column("referrer_customer_id", ID, nullable=True),
        sa.Column("intermediary", sa.Boolean(), nullable=False),
        sa.Column("intermediary_name", TEXT, nullable=False),
        sa.Column("grade", TEXT, nullable=True),
        sa.Column("grade_score", sa.Integer(), nullable=True),
        sa.Column("grade_provisional", sa.Boolean(), nullable=False),
        sa.Column("next_evaluation_on", sa.Date(), nullable=True),
        sa.Column("cooperation_since", sa.Date(), nullable=True),
        sa.Column("notes", TEXT, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_customers"),
    )
    # CUS-1: identity checks look customers up by phone and ID number; lists filter by owner
    # and order by registration time.
    op.create_index("ix_customers_phone", "customers", ["phone"])
    op.create_index("ix_customers_id_number", "customers", ["id_number"])
    op.create_index("ix_customers_owner_id", "customers", ["owner_id"])
    op.create_index("ix_customers_registered_at", "customers", ["registered_at"])
    op.create_table(
        "customer_files",
        sa.Column("id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("kind", TEXT, nullable=False),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("opened_at", _ts(), nullable=False),
        sa.Column("opened_by", ID, nullable=False),
        sa.Column("retention_until", sa.Date(), nullable=False),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.Column("handed_over_at", _ts(), nullable=True),
        sa.Column("handed_over_by", ID, nullable=True),
        sa.Column("received_by", ID, nullable=True),
        sa.Column("missing_at_handover", sa.JSON(), nullable=False),
        sa.Column("destroyed_at", _ts(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_customer_files"),
    )
    op.create_index("ix_customer_files_customer_id", "customer_files", ["customer_id"])
    # CUS-3: overdue hand-overs are found through the deadline index
    op.create_index("ix_customer_files_due_on", "customer_files", ["due_on"])
    op.create_table(
        "grade_changes",
        sa.Column("id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("from_grade", TEXT, nullable=True),
        sa.Column("to_grade", TEXT, nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("provisional", sa.Boolean(), nullable=False),
        sa.Column("reason", TEXT, nullable=False),
        sa.Column("proposed_by", ID, nullable=False),
        sa.Column("approved_by", ID, nullable=False),
        sa.Column("at", _ts(), nullable=False),
        sa.Column("next_evaluation_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_grade_changes"),
    )
    op.create_index("ix_grade_changes_customer_id", "grade_changes", ["customer_id"])
    op.create_table(
        "access_log",
        _seq(),
        sa.Column("id", ID, nullable=False),
        sa.Column("reader_id", ID, nullable=False),
        sa.Column("record_kind", TEXT, nullable=False),
        sa.Column("record_id", ID, nullable=False),
        sa.Column("level", TEXT, nullable=False),
        sa.Column("at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_access_log"),
        sa.UniqueConstraint("id", name="uq_access_log_id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_access_log_record_id", "access_log", ["record_id"])
    op.create_table(
        "destructions",
        sa.Column("id", ID, nullable=False),
        sa.Column("file_id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("reviewed_by", ID, nullable=False),
        sa.Column("approved_by", ID, nullable=False),
        sa.Column("reason", TEXT, nullable=False),
        sa.Column("retention_until", sa.Date(), nullable=False),
        sa.Column("at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_destructions"),
    )
    op.create_index("ix_destructions_file_id", "destructions", ["file_id"])
    op.create_table(
        "deregistrations",
        sa.Column("id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("applied_by", ID, nullable=False),
        sa.Column("applied_at", _ts(), nullable=False),
        sa.Column("reason", TEXT, nullable=False),
        sa.Column("status_before", ENUM, nullable=False),
        sa.Column("completed_steps", sa.JSON(), nullable=False),
        sa.Column("state", ENUM, nullable=False),
        sa.Column("refund", _money(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_deregistrations"),
    )
    op.create_index("ix_deregistrations_customer_id", "deregistrations", ["customer_id"])
    op.create_table(
        "audit_events",
        _seq(),
        sa.Column("id", ID, nullable=False),
        sa.Column("kind", TEXT, nullable=False),
        sa.Column("subject_id", ID, nullable=False),
        sa.Column("actor_id", ID, nullable=False),
        sa.Column("at", _ts(), nullable=False),
        sa.Column("reason", TEXT, nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_events"),
        sa.UniqueConstraint("id", name="uq_audit_events_id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_audit_events_subject_id", "audit_events", ["subject_id"])


def downgrade() -> None:
    for table in (
        "audit_events",
        "deregistrations",
        "destructions",
        "access_log",
        "grade_changes",
        "customer_files",
        "customers",
        "api_tokens",
        "staff",
        "departments",
    ):
        op.drop_table(table)
