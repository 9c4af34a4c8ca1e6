"""Customer credit (CRD-1…CRD-6): accounts, credit grade history, the ledger of invoices,
payments and write-offs (amounts in whole 分, so SUM is exact everywhere), shipments.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
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
        "credit_accounts",
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("contract_type", TEXT, nullable=False),
        sa.Column("contract_no", TEXT, nullable=False),
        sa.Column("contract_signed_on", sa.Date(), nullable=False),
        sa.Column("settlement_agreement", sa.Boolean(), nullable=False),
        sa.Column("opened_by", ID, nullable=False),
        sa.Column("opened_at", _ts(), nullable=False),
        sa.Column("grade", TEXT, nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", name="pk_credit_accounts"),
    )
    op.create_table(
        "credit_grades",
        _seq(),
        sa.Column("id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("from_grade", TEXT, nullable=True),
        sa.Column("to_grade", TEXT, nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("reason", TEXT, nullable=False),
        sa.Column("approved_by", ID, nullable=False),
        sa.Column("at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_credit_grades"),
        sa.UniqueConstraint("id", name="uq_credit_grades_id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_credit_grades_customer_id", "credit_grades", ["customer_id"])
    op.create_table(
        "credit_ledger",
        _seq(),
        sa.Column("id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("kind", ENUM, nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("reference", TEXT, nullable=False),
        sa.Column("recorded_by", ID, nullable=False),
        sa.Column("recorded_at", _ts(), nullable=False),
        sa.Column("shipment_id", ID, nullable=True),
        sa.PrimaryKeyConstraint("seq", name="pk_credit_ledger"),
        sa.UniqueConstraint("id", name="uq_credit_ledger_id"),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_credit_ledger_customer_kind_on", "credit_ledger", ["customer_id", "kind", "on"]
    )
    op.create_index("ix_credit_ledger_on", "credit_ledger", ["on"])
    where = sa.text("shipment_id IS NOT NULL AND kind = 'invoice'")
    op.create_index(
        "uq_credit_ledger_shipment_invoice",
        "credit_ledger",
        ["shipment_id"],
        unique=True,
        sqlite_where=where,
        postgresql_where=where,
    )
    op.create_table(
        "credit_shipments",
        _seq(),
        sa.Column("id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("reference", TEXT, nullable=False),
        sa.Column("decision", ENUM, nullable=False),
        sa.Column("why", TEXT, nullable=False),
        sa.Column("line", sa.BigInteger(), nullable=False),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        sa.Column("available", sa.BigInteger(), nullable=False),
        sa.Column("bound", sa.BigInteger(), nullable=False),
        sa.Column("requested_by", ID, nullable=False),
        sa.Column("requested_at", _ts(), nullable=False),
        sa.Column("signed_by", ID, nullable=True),
        sa.Column("authority", TEXT, nullable=False),
        sa.Column("reason", TEXT, nullable=False),
        sa.Column("charged", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_credit_shipments"),
        sa.UniqueConstraint("id", name="uq_credit_shipments_id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_credit_shipments_customer_on", "credit_shipments", ["customer_id", "on"])
    op.create_index("ix_credit_shipments_decision_on", "credit_shipments", ["decision", "on"])


def downgrade() -> None:
    for table in ("credit_shipments", "credit_ledger", "credit_grades", "credit_accounts"):
        op.drop_table(table)
