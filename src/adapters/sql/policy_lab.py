"""Policy versions (issue 15): table, mapping and repository.

Version numbers are unique (``uq_policy_versions_number``, the backstop of the
``policy-versions`` lock) and one version is active per effective date (the partial unique
index ``uq_policy_versions_active_day``).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from adapters.sql.errors import translating
from adapters.sql.mapping import MAPPED
from adapters.sql.repositories import _Repository
from adapters.sql.schema import ID, metadata, seq_column
from adapters.sql.types import AwareDateTime, StrEnumType
from csdomain.kernel.errors import NotFound
from csdomain.policy_lab.model import PolicyVersion, VersionState

policy_versions = sa.Table(
    "policy_versions",
    metadata,
    seq_column(),
    sa.Column("id", ID, nullable=False, unique=True),
    sa.Column("number", sa.Integer(), nullable=False),
    sa.Column("effective_from", sa.Date(), nullable=False),
    sa.Column("document", sa.String(), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("uploaded_by", ID, nullable=False),
    sa.Column("uploaded_at", AwareDateTime(), nullable=False),
    sa.Column("note", sa.String(), nullable=False),
    sa.Column("state", StrEnumType(VersionState), nullable=False),
    sa.Column("approved_by", ID, nullable=True),
    sa.Column("approved_at", AwareDateTime(), nullable=True),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.UniqueConstraint("number", name="uq_policy_versions_number"),
    sqlite_autoincrement=True,
)

_ACTIVE = sa.text("state = 'active'")

INDEXES = [
    # issue 15: one active version per effective date
    sa.Index(
        "uq_policy_versions_active_day",
        policy_versions.c.effective_from,
        unique=True,
        sqlite_where=_ACTIVE,
        postgresql_where=_ACTIVE,
    ),
]

MAPPED.update({PolicyVersion: (policy_versions, policy_versions.c.id)})


class SqlPolicyVersions(_Repository[PolicyVersion]):
    cls = PolicyVersion
    label = "policy version"

    @translating
    def get(self, number: int) -> PolicyVersion:  # type: ignore[override]
        found = self._first(self._select().where(policy_versions.c.number == number))
        if found is None:
            raise NotFound(f"policy version {number} not found", field="number")
        return found

    @translating
    def list(self, *, state: VersionState | None = None) -> Sequence[PolicyVersion]:
        stmt = self._select()
        if state is not None:
            stmt = stmt.where(policy_versions.c.state == state)
        return self._all(stmt.order_by(policy_versions.c.number))

    @translating
    def last_number(self) -> int:
        self.session.flush()
        stmt = sa.select(sa.func.coalesce(sa.func.max(policy_versions.c.number), 0))
        return int(self.session.execute(stmt).scalar_one())

    @translating
    def flush(self) -> None:
        self.session.flush()
