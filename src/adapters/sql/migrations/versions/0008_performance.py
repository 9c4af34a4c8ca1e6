"""Composite indexes for every list's filter + order, and for settlement (issue 10).

Each list reads one index range in its order instead of sorting all matching rows (e.g. one
staff member's customer page: ``(owner_id, registered_at, id)``); settlement reads a month's
entries, statements and bonuses per person through ``(month, …)`` / ``(staff_id, month, …)``.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES: list[tuple[str, list[str]]] = [
    ("api_tokens", ["staff_id", "seq"]),
    ("customers", ["owner_id", "registered_at", "id"]),
    ("customers", ["status", "registered_at", "id"]),
    ("customer_files", ["customer_id", "opened_at", "id"]),
    ("grade_changes", ["customer_id", "at", "id"]),
    ("access_log", ["record_id", "at", "seq"]),
    ("deregistrations", ["customer_id", "applied_at", "id"]),
    ("audit_events", ["subject_id", "at", "seq"]),
    ("audit_events", ["kind", "at", "seq"]),
    ("cases", ["state", "received_at", "id"]),
    ("case_events", ["case_id", "at", "seq"]),
    ("capa_items", ["case_id", "created_at", "seq"]),
    ("settlements", ["case_id", "created_at", "seq"]),
    ("penalty_entries", ["staff_id", "month", "recorded_at", "seq"]),
    ("penalty_entries", ["month", "recorded_at", "seq"]),
    ("statements", ["month", "staff_id"]),
    ("statements", ["staff_id", "month"]),
    ("bonus_records", ["month", "staff_id"]),
    ("appeals", ["staff_id", "filed_at", "id"]),
]


def _name(table: str, columns: list[str]) -> str:
    return f"ix_{table}_{'_'.join(columns)}"


def upgrade() -> None:
    for table, columns in INDEXES:
        op.create_index(_name(table, columns), table, columns)


def downgrade() -> None:
    for table, columns in reversed(INDEXES):
        op.drop_index(_name(table, columns), table_name=table)
