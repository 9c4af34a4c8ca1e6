"""Credit ledger sums read from covering indexes (CRD-2, issue 13 benchmark): the window's
invoices by ``(customer_id, kind, on, amount)`` and the balance up to a day by
``(customer_id, on, kind, amount)``, so neither ``SUM`` visits the table's rows — with
50 000 rows per customer the balance went from a table walk to an index range.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_credit_ledger_customer_kind_on", "credit_ledger")
    op.create_index(
        "ix_credit_ledger_customer_kind_on",
        "credit_ledger",
        ["customer_id", "kind", "on", "amount"],
    )
    op.create_index(
        "ix_credit_ledger_customer_on", "credit_ledger", ["customer_id", "on", "kind", "amount"]
    )


def downgrade() -> None:
    op.drop_index("ix_credit_ledger_customer_on", "credit_ledger")
    op.drop_index("ix_credit_ledger_customer_kind_on", "credit_ledger")
    op.create_index(
        "ix_credit_ledger_customer_kind_on", "credit_ledger", ["customer_id", "kind", "on"]
    )
