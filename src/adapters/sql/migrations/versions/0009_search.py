"""Customer search keys (issue 11): name substrings, pinyin, initials, phone, ID number.

One row per key of a customer; the primary key leads with ``key`` so a prefix search is an
index range scan. Existing customers get their keys here; later changes keep them current
(``adapters.sql.search``).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(64)
KEY = sa.String(64).with_variant(sa.String(64, collation="C"), "postgresql")


def upgrade() -> None:
    from adapters.sql.search import keys_rows

    table = op.create_table(
        "customer_search_keys",
        sa.Column("key", KEY, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.PrimaryKeyConstraint("key", "customer_id", name="pk_customer_search_keys"),
    )
    op.create_index("ix_customer_search_keys_customer_id", "customer_search_keys", ["customer_id"])
    customers = sa.table(
        "customers", sa.column("id"), sa.column("name"), sa.column("phone"), sa.column("id_number")
    )
    connection = op.get_bind()
    result = connection.execute(sa.select(customers).order_by(customers.c.id))
    while batch := result.fetchmany(500):
        rows = keys_rows(batch)
        if rows:
            op.bulk_insert(table, rows)


def downgrade() -> None:
    op.drop_index("ix_customer_search_keys_customer_id", "customer_search_keys")
    op.drop_table("customer_search_keys")
