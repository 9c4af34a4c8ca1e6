"""The audit trail (X-7): its table, mapping and repository, shared by every capability."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from adapters.sql.errors import translating
from adapters.sql.repositories import _AppendOnly
from adapters.sql.schema import ID, metadata, seq_column
from adapters.sql.types import (
    AwareDateTime,
)
from csdomain.kernel.events import AuditEvent

audit_events = sa.Table(
    "audit_events",
    metadata,
    seq_column(),
    sa.Column("id", ID, nullable=False, unique=True),
    sa.Column("kind", sa.String(), nullable=False, index=True),  # penalty sweeps (0004)
    sa.Column("subject_id", ID, nullable=False, index=True),
    sa.Column("actor_id", ID, nullable=False),
    sa.Column("at", AwareDateTime(), nullable=False),
    sa.Column("reason", sa.String(), nullable=False),
    sa.Column("data", sa.JSON(), nullable=False),  # append-only: never updated
    sqlite_autoincrement=True,
)


# composite indexes (issue 10, migration 0008): every list's filter + order
PERFORMANCE_INDEXES = [
    sa.Index(
        "ix_audit_events_subject_id_at_seq",
        audit_events.c.subject_id,
        audit_events.c.at,
        audit_events.c.seq,
    ),
    sa.Index(
        "ix_audit_events_kind_at_seq", audit_events.c.kind, audit_events.c.at, audit_events.c.seq
    ),
]


class SqlAudit(_AppendOnly[AuditEvent]):
    """X-7: the append-only audit trail, in the order events happened (then were recorded).
    Written and read through Core (not mapped): an audit event is never changed."""

    cls = AuditEvent
    table = audit_events
    label = "audit event"

    @translating
    def list(
        self, *, subject_id: str | None = None, kind: str | None = None
    ) -> Sequence[AuditEvent]:
        c = audit_events.c
        stmt = self._select()
        if subject_id is not None:
            stmt = stmt.where(c.subject_id == subject_id)
        if kind is not None:
            stmt = stmt.where(c.kind == kind)
        return self._all(stmt.order_by(c.at, c.seq))
