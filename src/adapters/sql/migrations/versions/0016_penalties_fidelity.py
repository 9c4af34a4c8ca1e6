"""Penalty rule fidelity (issue 12, PEN-2/5/7/8/9/10).

- ``regions``: regional markets and their heads (PEN-2: an escalated complaint neither
  resolved nor reported also charges the regional market head, 004 第1篇 第四条).
- ``staff``: ``base_points`` (PEN-5), ``group_leader_id`` (PEN-8), ``region_id`` (PEN-2).
- ``violations``: ``issue`` (PEN-2 repeat complaints, 001 制度8), ``no_culprit_in_group_of``
  (PEN-8), ``access_log_id`` (PEN-9: the read a leak concerns).
- ``penalty_entries.sanction`` (PEN-7: the administrative sanction an entry's fine carries).
- ``sanction_recommendations``: dismissal recommendations (PEN-2, PEN-9), one per violation
  (a unique key).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(64)
ENUM = sa.String(32)


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "regions",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("head_id", ID, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_regions"),
    )
    with op.batch_alter_table("staff") as batch:
        batch.add_column(sa.Column("base_points", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("group_leader_id", ID, nullable=True))
        batch.add_column(sa.Column("region_id", ID, nullable=True))
    with op.batch_alter_table("violations") as batch:
        batch.add_column(sa.Column("issue", sa.String(), nullable=False, server_default=""))
        batch.add_column(sa.Column("no_culprit_in_group_of", ID, nullable=True))
        batch.add_column(sa.Column("access_log_id", ID, nullable=True))
    op.create_index("ix_violations_code_issue", "violations", ["code", "issue"])
    with op.batch_alter_table("penalty_entries") as batch:
        batch.add_column(sa.Column("sanction", sa.String(), nullable=False, server_default=""))
    op.create_table(
        "sanction_recommendations",
        sa.Column("id", ID, nullable=False),
        sa.Column("staff_id", ID, nullable=False),
        sa.Column("violation_id", ID, nullable=False),
        sa.Column("sanction", sa.String(), nullable=False),
        sa.Column("rule", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("state", ENUM, nullable=False),
        sa.Column("decided_by", ID, nullable=True),
        sa.Column("decided_at", _ts(), nullable=True),
        sa.Column("decision_reason", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sanction_recommendations"),
        sa.UniqueConstraint("violation_id", name="uq_sanction_recommendations_violation_id"),
    )
    op.create_index(
        "ix_sanction_recommendations_staff_id", "sanction_recommendations", ["staff_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_sanction_recommendations_staff_id", "sanction_recommendations")
    op.drop_table("sanction_recommendations")
    with op.batch_alter_table("penalty_entries") as batch:
        batch.drop_column("sanction")
    op.drop_index("ix_violations_code_issue", "violations")
    with op.batch_alter_table("violations") as batch:
        batch.drop_column("access_log_id")
        batch.drop_column("no_culprit_in_group_of")
        batch.drop_column("issue")
    with op.batch_alter_table("staff") as batch:
        batch.drop_column("region_id")
        batch.drop_column("group_leader_id")
        batch.drop_column("base_points")
    op.drop_table("regions")
