"""Customer aggregates (CUS-1…CUS-7, X-5, X-6)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import attrs

from csdomain.kernel.ids import (
    CustomerId,
    DeregistrationId,
    FileId,
    GradeChangeId,
    StaffId,
    new_customer_id,
    new_deregistration_id,
    new_file_id,
    new_grade_change_id,
    new_record_id,
)
from csdomain.kernel.money import Money


class CustomerKind(enum.StrEnum):
    """CUS-2: end consumer, agent/distributor, franchisee."""

    END_CONSUMER = "end_consumer"
    AGENT = "agent"
    FRANCHISEE = "franchisee"


class LegalForm(enum.StrEnum):
    """CUS-2: natural person (自然人) or legal person (法人)."""

    INDIVIDUAL = "individual"
    CORPORATE = "corporate"


class CustomerStatus(enum.StrEnum):
    """CUS-2 lifecycle: prospect → closed deal (已成交) → deregistering → deregistered (CUS-6)."""

    PROSPECT = "prospect"
    CLOSED_DEAL = "closed_deal"
    DEREGISTERING = "deregistering"
    DEREGISTERED = "deregistered"


class Source(enum.StrEnum):
    """CUS-1: how the customer came; walk-ins and referrals have ownership rules."""

    WALK_IN = "walk_in"
    REFERRAL = "referral"
    PHONE = "phone"
    VISIT = "visit"
    OTHER = "other"


@attrs.define(slots=False)
class Customer:
    name: str
    kind: CustomerKind
    legal_form: LegalForm
    phone: str
    owner_id: StaffId
    registered_by: StaffId
    registered_at: datetime
    source: Source
    id_number: str | None = None
    contact_name: str = ""
    address: str = ""
    status: CustomerStatus = CustomerStatus.PROSPECT
    referrer_customer_id: CustomerId | None = None
    intermediary: bool = False
    intermediary_name: str = ""
    grade: str | None = None
    grade_score: int | None = None
    grade_provisional: bool = False
    next_evaluation_on: date | None = None
    cooperation_since: date | None = None
    notes: str = ""
    # set only by the 0006 migration: an earlier live customer already had this normalized
    # identity, so this record is kept but left out of the uniqueness constraint (CUS-1)
    duplicate_of: CustomerId | None = None
    id: CustomerId = attrs.field(factory=new_customer_id)
    version: int = 0


@attrs.define(slots=False)
class GradeChange:
    """CUS-4: every grade decision with its reason and who proposed and approved it."""

    customer_id: CustomerId
    from_grade: str | None
    to_grade: str
    score: int | None
    provisional: bool
    reason: str
    proposed_by: StaffId
    approved_by: StaffId
    at: datetime
    next_evaluation_on: date | None = None
    id: GradeChangeId = attrs.field(factory=new_grade_change_id)


@attrs.define(slots=False)
class CustomerFile:
    """CUS-3: a customer file (档案) of a policy-defined kind with its checklist.

    ``documents`` maps a checklist item code to where the document is (archive box, scan
    reference); an item is present when it has an entry. The documents are confidential (X-5);
    the checklist status (which items are missing, the deadline) is hand-over register data.
    """

    customer_id: CustomerId
    kind: str
    event_date: date
    due_on: date
    opened_at: datetime
    opened_by: StaffId
    retention_until: date
    documents: dict[str, str] = attrs.field(factory=dict)
    handed_over_at: datetime | None = None
    handed_over_by: StaffId | None = None
    received_by: StaffId | None = None
    missing_at_handover: list[str] = attrs.field(factory=list)
    destroyed_at: datetime | None = None
    # the destruction request in progress; one at a time (the file's version holds it)
    destruction_request_id: str | None = None
    # CUS-3: the file's late hand-over was recorded (a ``file.handover_late`` event) — by the
    # sweep when the deadline passed without a hand-over, or at a late hand-over; once
    late_recorded: bool = False
    id: FileId = attrs.field(factory=new_file_id)
    version: int = 0

    def missing_items(self, checklist: list[str]) -> list[str]:
        return [code for code in checklist if code not in self.documents]

    @property
    def destroyed(self) -> bool:
        return self.destroyed_at is not None


@attrs.frozen
class FileStatus:
    """The non-confidential view of a file: deadline, hand-over and completeness (CUS-3)."""

    file_id: FileId
    customer_id: CustomerId
    kind: str
    event_date: date
    due_on: date
    handed_over_at: datetime | None
    handed_over_late: bool
    missing_items: list[str]
    complete: bool
    overdue: bool
    destroyed: bool


@attrs.define(slots=False)
class AccessLogEntry:
    """X-5: one read of a confidential record."""

    reader_id: StaffId
    record_kind: str
    record_id: str
    level: str
    at: datetime
    id: str = attrs.field(factory=new_record_id)


@attrs.define(slots=False)
class DestructionRecord:
    """X-6: the record left when a customer file is destroyed after its retention period."""

    file_id: FileId
    customer_id: CustomerId
    reviewed_by: StaffId
    approved_by: StaffId
    reason: str
    retention_until: date
    at: datetime
    id: str = attrs.field(factory=new_record_id)
    # who requested it (the third signer of the X-6 flow) and the request it completes
    requested_by: StaffId | None = None
    request_id: str | None = None


class DestructionState(enum.StrEnum):
    REQUESTED = "requested"
    REVIEWED = "reviewed"
    APPROVED = "approved"
    REJECTED = "rejected"


@attrs.define(slots=False)
class DestructionRequest:
    """X-6: destroying a file is a flow of three signatures by three people — the request,
    the review by the head of the owner's department, the GM's approval."""

    file_id: FileId
    customer_id: CustomerId
    requested_by: StaffId
    requested_at: datetime
    reason: str
    state: DestructionState = DestructionState.REQUESTED
    reviewed_by: StaffId | None = None
    reviewed_at: datetime | None = None
    approved_by: StaffId | None = None
    approved_at: datetime | None = None
    rejected_by: StaffId | None = None
    rejection_reason: str = ""
    id: str = attrs.field(factory=new_record_id)
    version: int = 0

    @property
    def signers(self) -> tuple[StaffId, ...]:
        return tuple(s for s in (self.requested_by, self.reviewed_by) if s)


class DeregistrationState(enum.StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    REJECTED = "rejected"


@attrs.define(slots=False)
class Deregistration:
    """CUS-6: the application to close a customer's account, advanced step by step."""

    customer_id: CustomerId
    applied_by: StaffId
    applied_at: datetime
    reason: str
    status_before: CustomerStatus
    completed_steps: list[str] = attrs.field(factory=list)
    state: DeregistrationState = DeregistrationState.OPEN
    refund: Money | None = None
    id: DeregistrationId = attrs.field(factory=new_deregistration_id)
    version: int = 0


class RegisterStatus(enum.StrEnum):
    """CUS-1: how a daily register stands against its deadlines."""

    ON_TIME = "on_time"  # by daily_register_due on the day
    EXCEPTION = "exception"  # later, with a reason, by daily_register_exception_until next day
    LATE = "late"  # handed in after that
    MISSING = "missing"  # not handed in, and the last deadline has passed


@attrs.define(slots=False)
class DailyRegister:
    """CUS-1 / CUS-7: a staff member's daily customer register (客户信息登记表, 000 篇八 3.1):
    the day's callers, visitors and self-developed customers, prospects marked. One per person
    and working day (a unique key); ``late`` is set once, when the register was handed in late
    or the sweep found it missing (a ``customers.register_late`` event, PEN-1)."""

    staff_id: StaffId
    day: date
    status: RegisterStatus
    submitted_at: datetime | None = None
    customer_ids: list[str] = attrs.field(factory=list)
    prospect_ids: list[str] = attrs.field(factory=list)
    note: str = ""
    exception_reason: str = ""
    late: bool = False
    id: str = attrs.field(factory=new_record_id)
    version: int = 0


@attrs.frozen
class RegisterLapse:
    """A row of the overdue-register report (CUS-1): a register missing or handed in late."""

    staff_id: StaffId
    staff_name: str
    department_id: str | None
    day: date
    due_at: datetime
    exception_until: datetime
    status: RegisterStatus
    submitted_at: datetime | None


@attrs.frozen
class AppraisalDeduction:
    """CUS-7: a person's late or missing registers in a month and the appraisal points they
    cost (``customers.registers.late_appraisal_points`` each, 000 篇八 4.1)."""

    staff_id: StaffId
    staff_name: str
    month: str
    late_registers: int
    points: int


class LoanState(enum.StrEnum):
    REQUESTED = "requested"
    LENT = "lent"
    RETURNED = "returned"
    REJECTED = "rejected"


@attrs.define(slots=False)
class FileLoan:
    """CUS-7: lending a customer file (000 篇五 6 《档案借阅制度》): requested with a purpose,
    approved by the policy's role (not the borrower), returned to the archive. A file is on
    loan to one borrower at a time (a unique key on the lent loan of a file)."""

    file_id: FileId
    customer_id: CustomerId
    borrower_id: StaffId
    purpose: str
    requested_at: datetime
    state: LoanState = LoanState.REQUESTED
    decided_by: StaffId | None = None
    decided_at: datetime | None = None
    due_back_on: date | None = None
    returned_at: datetime | None = None
    returned_to: StaffId | None = None
    rejection_reason: str = ""
    id: str = attrs.field(factory=new_record_id)
    version: int = 0


@attrs.define(slots=False)
class SalesFigure:
    """CUS-5: a customer's sales and gross margin in a month (002 7-6 客户销售信息月报表);
    one per customer and month (a unique key); a correction is a new version with a reason
    in the audit trail (X-7)."""

    customer_id: CustomerId
    month: str
    sales: Money
    margin: Money
    recorded_by: StaffId
    recorded_at: datetime
    id: str = attrs.field(factory=new_record_id)
    version: int = 0


@attrs.frozen
class RankedCustomer:
    """A row of a CUS-5 top list: the customer's period totals (``growth`` = sales − the
    previous period's; ``growth_percent`` is None without previous sales)."""

    rank: int
    customer_id: CustomerId
    name: str
    grade: str | None
    sales: Money
    margin: Money
    margin_percent: Decimal | None
    previous_sales: Money
    growth: Money
    growth_percent: Decimal | None


@attrs.frozen
class LostKeyAccount:
    """CUS-5: a key account of the previous period that is not one any more, and why:
    ``downgraded``, ``deregistered`` or ``no_orders``."""

    customer_id: CustomerId
    name: str
    grade_before: str | None
    grade_now: str | None
    reason: str


@attrs.frozen
class KeyAccountChurn:
    """CUS-5: key accounts at the end of the previous period, those lost by the end of this
    one, and the churn rate (lost ÷ key accounts before, percent; None when there were none)."""

    period: str
    previous_period: str
    key_accounts_before: int
    key_accounts_now: int
    lost: list[LostKeyAccount]
    churn_percent: Decimal | None


@attrs.frozen
class HandoverRate:
    """RPT (000 篇五 8): a department's file hand-over timeliness and completeness in a month:
    of the files due then (and no longer pending), how many were handed over on time and how
    many complete (nothing missing at the hand-over). Percentages are None without files."""

    department_id: str | None
    department_name: str
    files: int
    on_time: int
    complete: int
    pending: int
    on_time_percent: Decimal | None
    complete_percent: Decimal | None
