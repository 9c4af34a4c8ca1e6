"""Domain events and the audit trail (rule X-7).

Every decision is recorded as an AuditEvent with actor, time and reason. Nothing is deleted;
corrections are new events. Later capabilities (penalties) subscribe to these events.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from csdomain.kernel.ids import EventId, new_event_id


@attrs.define(slots=False)
class AuditEvent:
    kind: str
    subject_id: str
    actor_id: str
    at: datetime
    reason: str = ""
    data: dict[str, str] = attrs.field(factory=dict)
    id: EventId = attrs.field(factory=new_event_id)
