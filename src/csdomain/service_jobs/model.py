"""Repair calls (CASE-12), their survey (SAT-1), maintenance contracts, settlements (CASE-13)
and exchange/transfer forms (CASE-14)."""

from __future__ import annotations

import enum
from datetime import date, datetime

import attrs

from csdomain.kernel.ids import CustomerId, StaffId, new_id
from csdomain.kernel.money import Money


def _job_id() -> str:
    return new_id(str, "job")


def _rec_id() -> str:
    return new_id(str, "svc")


class JobState(enum.StrEnum):
    REGISTERED = "registered"
    DISPATCHED = "dispatched"
    ON_SITE = "on_site"
    FIXED_ON_SITE = "fixed_on_site"
    TAKEN_IN = "taken_in"
    INSPECTED = "inspected"
    RETURNED = "returned"
    INVOICED = "invoiced"
    CLOSED = "closed"


JOB_OPEN = frozenset(
    {
        JobState.REGISTERED,
        JobState.DISPATCHED,
        JobState.ON_SITE,
        JobState.TAKEN_IN,
        JobState.INSPECTED,
    }
)


@attrs.define(slots=False)
class ServiceJob:
    """CASE-12: register → dispatch → on site within the zone's time → fixed on site (customer
    signs) or taken in (receipt, repair card, supervisor inspection, return) → invoiced when
    paid (work type A) → closed."""

    customer_name: str
    address: str
    zone: str
    work_type: str
    description: str
    registered_at: datetime
    registered_by: StaffId
    arrive_by: datetime
    customer_id: CustomerId | None = None
    case_id: str | None = None
    state: JobState = JobState.REGISTERED
    priority: bool = False
    technician_id: StaffId | None = None
    dispatched_at: datetime | None = None
    arrived_at: datetime | None = None
    completed_at: datetime | None = None
    customer_signed: bool = False
    receipt_no: str = ""
    repair_card_no: str = ""
    inspected_by: StaffId | None = None
    returned_at: datetime | None = None
    invoice_no: str = ""
    amount: Money | None = None
    # SAT-1: item -> level, for every job
    survey: dict[str, str] = attrs.field(factory=dict)
    overdue_reported_at: datetime | None = None
    id: str = attrs.field(factory=_job_id)
    version: int = 0

    @property
    def is_open(self) -> bool:
        return self.state in JOB_OPEN


@attrs.define(slots=False)
class MaintenanceContract:
    """CASE-12: a maintenance contract; a renewal notice goes out before it expires."""

    customer_id: CustomerId
    number: str
    starts_on: date
    ends_on: date
    renewal_notified_at: datetime | None = None
    id: str = attrs.field(factory=_rec_id)
    version: int = 0


@attrs.define(slots=False)
class Settlement:
    """CASE-13: an allowance/compensation or return/rework document. The *actually returned*
    quantity is what is booked."""

    case_id: str
    kind: str
    amount: Money
    quantity_claimed: int
    quantity_returned: int
    created_by: StaffId
    created_at: datetime
    note: str = ""
    id: str = attrs.field(factory=_rec_id)


class ExchangeState(enum.StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    REJECTED = "rejected"


@attrs.define(slots=False)
class ExchangeForm:
    """CASE-14: the exchange/transfer form with its sign-off chain and ledger entry."""

    salesperson_id: StaffId
    customer_name: str
    goods: str
    quantity: int
    reason: str
    created_at: datetime
    case_id: str | None = None
    # step name -> "actor_id|iso time|opinion"
    sign_offs: list[dict[str, str]] = attrs.field(factory=list)
    state: ExchangeState = ExchangeState.OPEN
    ledger_no: int | None = None
    ledger_signed_by: StaffId | None = None
    id: str = attrs.field(factory=_rec_id)
    version: int = 0
