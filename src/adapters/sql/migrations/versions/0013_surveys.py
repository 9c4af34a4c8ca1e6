"""Customer satisfaction surveys (SAT-2, SAT-3): periodic surveys, the customers each is
distributed to, the responses (one per customer per survey, held by a unique constraint).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-09
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
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
        "surveys",
        _seq(),
        sa.Column("id", ID, nullable=False),
        sa.Column("title", TEXT, nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("statistics_due", sa.Date(), nullable=False),
        sa.Column("reply_due", sa.Date(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("department_id", ID, nullable=True),
        sa.Column("created_by", ID, nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("closed_by", ID, nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("reply_on", sa.Date(), nullable=True),
        sa.Column("reply_text", TEXT, nullable=True),
        sa.Column("reply_by", ID, nullable=True),
        sa.Column("case_id", ID, nullable=True),
        sa.Column("capa_id", ID, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_surveys"),
        sa.UniqueConstraint("id", name="uq_surveys_id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_surveys_period_start", "surveys", ["period_start"])
    op.create_table(
        "survey_recipients",
        _seq(),
        sa.Column("id", ID, nullable=False),
        sa.Column("survey_id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_survey_recipients"),
        sa.UniqueConstraint("id", name="uq_survey_recipients_id"),
        sa.UniqueConstraint(
            "survey_id", "customer_id", name="uq_survey_recipients_survey_customer"
        ),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "survey_responses",
        _seq(),
        sa.Column("id", ID, nullable=False),
        sa.Column("survey_id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("level", ENUM, nullable=False),
        sa.Column("comment", TEXT, nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("recorded_by", ID, nullable=False),
        sa.Column("recorded_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_survey_responses"),
        sa.UniqueConstraint("id", name="uq_survey_responses_id"),
        sa.UniqueConstraint("survey_id", "customer_id", name="uq_survey_responses_survey_customer"),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_survey_responses_survey_id_level", "survey_responses", ["survey_id", "level"]
    )


def downgrade() -> None:
    for table in ("survey_responses", "survey_recipients", "surveys"):
        op.drop_table(table)
