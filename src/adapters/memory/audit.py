"""The audit trail (X-7): the memory repository, shared by every capability."""

from __future__ import annotations

from collections.abc import Sequence

from adapters.memory.table import _Table
from csdomain.kernel.events import AuditEvent


class MemoryAudit(_Table[AuditEvent]):
    def list(
        self, *, subject_id: str | None = None, kind: str | None = None
    ) -> Sequence[AuditEvent]:
        # stable sort: events at the same instant keep the order they were recorded in
        return sorted(
            self.all(
                lambda e: (
                    (subject_id is None or e.subject_id == subject_id)
                    and (kind is None or e.kind == kind)
                )
            ),
            key=lambda e: e.at,
        )
