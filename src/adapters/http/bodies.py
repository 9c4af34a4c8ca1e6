"""Request bodies of API operations whose use case takes plain arguments, not a command.

Registration and updates use the core's own commands (``RegisterCustomer``,
``UpdateCustomer``); the classes here only give the remaining use-case arguments a JSON shape,
structured by the same strict converter, so a wrong field is reported by name (422).
"""

from __future__ import annotations

from datetime import date

import attrs

from csdomain.kernel.ids import CustomerId, DepartmentId, StaffId
from csdomain.kernel.money import Money
from csdomain.penalties.model import AppealState


@attrs.frozen
class AddDepartment:
    name: str
    head_id: StaffId | None = None


@attrs.frozen
class SetDepartmentHead:
    head_id: StaffId


@attrs.frozen
class AddStaff:
    """A staff member; ``role`` ranks their authority (X-3)."""

    name: str
    role: str
    department_id: DepartmentId | None = None
    position: str = ""
    supervisor_id: StaffId | None = None


@attrs.frozen
class IssueToken:
    label: str = ""


@attrs.frozen
class IssuedToken:
    """A new API token; the plaintext is shown once and never stored."""

    staff_id: StaffId
    label: str
    token: str


@attrs.frozen
class PermissionChange:
    """Grant or revoke a confidential-read permission (X-5), with the reason (X-7)."""

    permission: str
    reason: str


@attrs.frozen
class Transfer:
    """Move a customer to another owner (CUS-1), with the version read."""

    new_owner_id: StaffId
    reason: str
    expected_version: int


@attrs.frozen
class GradeEvaluation:
    """CUS-4: criterion → score (0…max_score); the grade follows from the policy's weights."""

    scores: dict[str, int]
    reason: str = ""
    proposed_by: StaffId | None = None


@attrs.frozen
class GradeChangeRequest:
    """CUS-4: an out-of-cycle grade change, proposed by the owning unit, with a reason."""

    grade: str
    reason: str
    proposed_by: StaffId
    expected_version: int


@attrs.frozen
class OpenFile:
    """CUS-3: a file of a policy-defined kind for the sale/service date ``event_date``."""

    kind: str
    event_date: date


@attrs.frozen
class AddDocuments:
    """Checklist item code → where the document is (archive box, scan reference)."""

    documents: dict[str, str]


@attrs.frozen
class HandOver:
    """CUS-3: both sides sign the hand-over register."""

    received_by: StaffId
    note: str = ""


@attrs.frozen
class DestructionDecision:
    """X-6: the department head's review or the GM's approval of a destruction request;
    a rejection needs a reason."""

    approve: bool
    reason: str = ""


@attrs.frozen
class ApplyDeregistration:
    reason: str


@attrs.frozen
class AdvanceDeregistration:
    """CUS-6: approve or reject the next step; the finance step records the refund."""

    approve: bool
    reason: str = ""
    refund: Money | None = None


# ----------------------------------------------------------------- cases (CASE-1…CASE-13)
@attrs.frozen
class Note:
    """An optional note or message recorded with the action."""

    message: str = ""


@attrs.frozen
class NotAccept:
    """CASE-3: a policy ground and the explanation given to the customer."""

    ground: str
    explanation: str


@attrs.frozen
class Assign:
    """CASE-6: the handling department and handler (never the complaint's subject, X-4)."""

    department_id: DepartmentId
    handler_id: StaffId
    reason: str = ""


@attrs.frozen
class InvestigationReport:
    """CASE-7: cause, course, responsible and countermeasures."""

    report: str


@attrs.frozen
class Reason:
    reason: str


@attrs.frozen
class OptionalReason:
    reason: str = ""


@attrs.frozen
class Reply:
    """CASE-9: how the customer was told (written, phone, in_person, email) and what."""

    method: str
    message: str


@attrs.frozen
class FollowUp:
    """CASE-9/SAT-1: the customer's reaction and satisfaction (1…5)."""

    accepted: bool
    satisfaction: int
    comment: str = ""


@attrs.frozen
class MarkMajor:
    """CASE-4: the policy's major reasons."""

    reasons: list[str]


@attrs.frozen
class EarlyWarning:
    """CASE-5: the 24-hour early warning to management and legal."""

    to: str
    summary: str


@attrs.frozen
class CrisisMeeting:
    """CASE-5: the emergency meeting record."""

    attendees: list[StaffId]
    minutes: str


@attrs.frozen
class ClockExtension:
    """CASE-7: extend one clock by ``by`` of its own unit (GM, at most the policy's number)."""

    clock: str
    by: int
    reason: str


@attrs.frozen
class AddCapa:
    """CASE-11: a corrective/preventive action; due in the policy's working days by default."""

    description: str
    owner_id: StaffId
    due_working_days: int | None = None


@attrs.frozen
class CompleteCapa:
    note: str = ""


@attrs.frozen
class VerifyCapa:
    """CASE-11: effectiveness, verified by someone of another department."""

    effective: bool
    note: str


@attrs.frozen
class RecordSettlement:
    """CASE-13: the actually returned quantity is what is booked."""

    kind: str
    amount: Money
    quantity_claimed: int
    quantity_returned: int
    note: str = ""


# ------------------------------------------------------------ service jobs (CASE-12, 14)
@attrs.frozen
class Dispatch:
    technician_id: StaffId


@attrs.frozen
class FixOnSite:
    """Fixed on site: the customer signs the service report."""

    customer_signed: bool


@attrs.frozen
class TakeIn:
    """Taken in for repair: a receipt to the customer and a repair card."""

    receipt_no: str
    repair_card_no: str


@attrs.frozen
class Inspection:
    note: str = ""


@attrs.frozen
class Invoice:
    """Paid work (type A) is invoiced when paid."""

    invoice_no: str
    amount: Money


@attrs.frozen
class Survey:
    """SAT-1: survey item → level, every item rated."""

    ratings: dict[str, str]


@attrs.frozen
class AddContract:
    """CASE-12: a maintenance contract; a renewal notice goes out before it ends."""

    customer_id: CustomerId
    number: str
    starts_on: date
    ends_on: date


@attrs.frozen
class SignOff:
    """CASE-14: the next step of the exchange form's sign-off chain; a refusal needs an
    opinion."""

    approve: bool
    opinion: str = ""


# -------------------------------------------------------------- penalties (PEN-1…PEN-11)
@attrs.frozen
class RecordViolation:
    """PEN-1: a violation recorded by hand, with its evidence."""

    staff_id: StaffId
    code: str
    occurred_on: date
    evidence: str
    units: int = 1


@attrs.frozen
class Correction:
    """PEN-3: the day the violation was corrected (recurrences stop from it)."""

    corrected_on: date


@attrs.frozen
class AccrueRecurrences:
    """PEN-3: accrue up to ``as_of`` (default: today)."""

    as_of: date | None = None


@attrs.frozen
class LossShare:
    staff_id: StaffId
    points: int


@attrs.frozen
class LossCharges:
    """PEN-5: a closed case's loss over the responsible people's base points."""

    shares: list[LossShare]


@attrs.frozen
class SetBonus:
    """The month's efficiency bonus, base of the PEN-6 cap."""

    bonus: Money


@attrs.frozen
class PerformanceCut:
    """PEN-4: a cut of the month's performance pay within the policy's band."""

    staff_id: StaffId
    month: str
    percent: int
    performance_pay: Money
    reason: str


@attrs.frozen
class Reward:
    """PEN-11: proposed by a supervisor, approved by the policy's role."""

    staff_id: StaffId
    proposed_by: StaffId
    amount: Money
    reason: str
    month: str | None = None


@attrs.frozen
class DecideAppeal:
    """PEN-10: upheld, reduced (with ``new_amount``) or waived, with a reason."""

    decision: AppealState
    reason: str
    new_amount: Money | None = None
