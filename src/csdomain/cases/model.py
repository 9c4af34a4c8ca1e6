"""The Case aggregate (CASE-1…CASE-11, X-4, X-7).

A case keeps its whole history as CaseEvents. Clock state is *derived* from that history and
the policy (``cases.clocks``), so correcting a policy or the calendar recomputes cleanly.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

import attrs

from csdomain.kernel.ids import CustomerId, DepartmentId, StaffId, new_id
from csdomain.kernel.money import Money


def new_case_id() -> str:
    return new_id(str, "cas")


def new_case_record_id() -> str:
    return new_id(str, "cse")


class CaseState(enum.StrEnum):
    """CASE-3…CASE-10 lifecycle (see docs/cases.md for the diagram)."""

    RECEIVED = "received"
    NOT_ACCEPTED = "not_accepted"
    ACCEPTED = "accepted"
    ASSIGNED = "assigned"
    INVESTIGATING = "investigating"
    WAITING_CUSTOMER = "waiting_customer"
    PROPOSED = "proposed"
    APPROVED = "approved"
    REPLIED = "replied"
    PROPOSE_AGAIN = "propose_again"
    RESOLVED = "resolved"
    CLOSED = "closed"


OPEN_STATES = frozenset(s for s in CaseState if s not in (CaseState.CLOSED, CaseState.NOT_ACCEPTED))


class Severity(enum.StrEnum):
    GENERAL = "general"
    MAJOR = "major"


@attrs.define(slots=False)
class Responsibility:
    """CASE-10: a responsible department and its share in percent."""

    department_id: DepartmentId
    percent: int


@attrs.define(slots=False)
class Case:
    number: str
    type: str
    category: str
    channel: str
    content: str
    received_at: datetime
    received_by: StaffId
    customer_id: CustomerId | None = None
    customer_name: str = ""
    contact: str = ""
    product: str = ""
    purchase_date: date | None = None
    demand: str = ""
    urgency: str = "normal"
    severity: Severity = Severity.GENERAL
    major_reasons: list[str] = attrs.field(factory=list)
    state: CaseState = CaseState.RECEIVED
    # staff members the complaint is about: they may not handle or approve it
    subject_staff_ids: list[StaffId] = attrs.field(factory=list)
    department_id: DepartmentId | None = None
    handler_id: StaffId | None = None
    rejections: int = 0
    escalation_level: int = 0
    # the proposed remedy (CASE-8)
    remedy: str = ""
    remedy_amount: Money | None = None
    solution: str = ""
    approved_by: StaffId | None = None
    # closure (CASE-10)
    cause: str = ""
    responsibilities: list[dict[str, object]] = attrs.field(factory=list)
    responsible_staff_ids: list[StaffId] = attrs.field(factory=list)
    loss: Money | None = None
    improvement_tracked: bool = False
    closed_at: datetime | None = None
    related_case_id: str | None = None
    # CASE-7: the market (domestic / foreign, policy catalogue) picks the case's clocks
    market: str = "domestic"
    # CUS-4: complaint priority from the customer's grade at intake (1 = first)
    priority: int = 9
    # CASE-9: the return visit (回访) after handling: due time, when made and the satisfaction
    return_visit_due_at: datetime | None = None
    return_visited_at: datetime | None = None
    return_visit_satisfaction: int | None = None
    # earliest due time of a running, unbreached clock: the sweep's indexed selector
    next_due_at: datetime | None = None
    id: str = attrs.field(factory=new_case_id)
    version: int = 0

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def owner_id(self) -> StaffId:
        """Who owns the case now: its handler once assigned, else whoever received it."""
        return self.handler_id or self.received_by


@attrs.define(slots=False)
class CaseEvent:
    """One thing that happened to a case, with actor and time (X-7). ``data`` holds strings."""

    case_id: str
    kind: str
    at: datetime
    actor_id: StaffId
    state_after: CaseState
    owner_id: StaffId
    reason: str = ""
    data: dict[str, str] = attrs.field(factory=dict)
    id: str = attrs.field(factory=new_case_record_id)


@attrs.define(slots=False)
class CaseBreach:
    """A clock that passed its due time: recorded once per case and clock (CASE-7)."""

    case_id: str
    clock: str
    due_at: datetime
    owner_id: StaffId
    recorded_at: datetime
    escalated_to: str = ""
    id: str = attrs.field(factory=new_case_record_id)


@attrs.define(slots=False)
class CapaItem:
    """CASE-11: a corrective or preventive action; verified by another department."""

    case_id: str
    description: str
    owner_id: StaffId
    due_on: date
    created_at: datetime
    done_at: datetime | None = None
    verified_by: StaffId | None = None
    verified_at: datetime | None = None
    effective: bool | None = None
    id: str = attrs.field(factory=new_case_record_id)
    version: int = 0

    @property
    def open(self) -> bool:
        return self.effective is not True
