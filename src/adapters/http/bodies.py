"""Request bodies of API operations whose use case takes plain arguments, not a command.

Registration and updates use the core's own commands (``RegisterCustomer``,
``UpdateCustomer``); the classes here only give the remaining use-case arguments a JSON shape,
structured by the same strict converter, so a wrong field is reported by name (422).

Every class is ``@bounded`` (``csdomain.kernel.bounds``): each text has a maximum length (the
default is ``MAX_TEXT``, identifiers ``MAX_ID``), each number a range, each amount the domain
maximum; ``catalogue`` metadata names the policy catalogue a value must come from, so the
OpenAPI document can list it as an ``enum`` (``adapters.http.openapi``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs

from csdomain.kernel.bounds import (
    MAX_CODE,
    MAX_NAME,
    MAX_QUANTITY,
    bounded,
    id_text,
    items,
    money,
    number,
    text,
)
from csdomain.kernel.bounds import (
    month as month_text,
)
from csdomain.kernel.ids import CustomerId, DepartmentId, StaffId
from csdomain.kernel.money import Money
from csdomain.kernel.roles import Permission, Role
from csdomain.penalties.model import AppealState


def _code(*, catalogue: str | None = None, values: list[str] | None = None, **kw: Any) -> Any:
    """A short code; ``catalogue`` names the policy list it must come from, ``values`` a
    fixed list (both become an OpenAPI ``enum``)."""
    meta = dict(text(max_length=MAX_CODE, catalogue=catalogue, **kw))
    if values is not None:
        meta["values"] = values
    return meta


def _required(rule: str, max_length: int | None = None) -> Any:
    """Text that must not be blank (the use case refuses an empty one)."""
    if max_length is None:
        return text(min_length=1, rule=rule)
    return text(min_length=1, max_length=max_length, rule=rule)


_NAME = text(max_length=MAX_NAME)


@attrs.frozen
@bounded
class AddDepartment:
    name: str = attrs.field(metadata=_required("X-3", MAX_NAME))
    head_id: StaffId | None = None


@attrs.frozen
@bounded
class SetDepartmentHead:
    head_id: StaffId


@attrs.frozen
@bounded
class AddStaff:
    """A staff member; ``role`` ranks their authority (X-3)."""

    name: str = attrs.field(metadata=_required("X-3", MAX_NAME))
    role: str = attrs.field(metadata=_code(values=[r.value for r in Role], rule="X-3"))
    department_id: DepartmentId | None = None
    position: str = attrs.field(default="", metadata=_NAME)
    supervisor_id: StaffId | None = None
    # PEN-5 base points, PEN-8 group leader, PEN-2 regional market
    base_points: int | None = attrs.field(default=None, metadata=number(rule="PEN-5"))
    group_leader_id: StaffId | None = None
    region_id: str | None = attrs.field(default=None, metadata=id_text())


@attrs.frozen
@bounded
class UpdateStaff:
    """PEN-5 base points, PEN-8 group leader, PEN-2 regional market (given fields only)."""

    base_points: int | None = attrs.field(default=None, metadata=number(rule="PEN-5"))
    group_leader_id: StaffId | None = None
    region_id: str | None = attrs.field(default=None, metadata=id_text())


@attrs.frozen
@bounded
class AddRegion:
    """PEN-2: a regional market and its head."""

    name: str = attrs.field(metadata=_required("PEN-2", MAX_NAME))
    head_id: StaffId | None = None


@attrs.frozen
@bounded
class IssueToken:
    label: str = attrs.field(default="", metadata=_NAME)


@attrs.frozen
@bounded
class IssuedToken:
    """A new API token; the plaintext is shown once and never stored."""

    staff_id: StaffId
    label: str
    token: str


@attrs.frozen
@bounded
class PermissionChange:
    """Grant or revoke a confidential-read permission (X-5), with the reason (X-7)."""

    permission: str = attrs.field(metadata=_code(values=[p.value for p in Permission], rule="X-5"))
    reason: str = attrs.field(metadata=_required("X-7"))


@attrs.frozen
@bounded
class Transfer:
    """Move a customer to another owner (CUS-1), with the version read."""

    new_owner_id: StaffId
    reason: str = attrs.field(metadata=_required("X-7"))
    expected_version: int


@attrs.frozen
@bounded
class GradeEvaluation:
    """CUS-4: criterion → score (0…max_score); the grade follows from the policy's weights."""

    scores: dict[str, int] = attrs.field(
        metadata=items(
            keys="grading_criteria", maximum=1000, maximum_from="grading_max_score", rule="CUS-4"
        )
    )
    reason: str = attrs.field(default="", metadata=_required("CUS-4"))
    proposed_by: StaffId | None = None


@attrs.frozen
@bounded
class GradeChangeRequest:
    """CUS-4: an out-of-cycle grade change, proposed by the owning unit, with a reason."""

    grade: str = attrs.field(metadata=_code(catalogue="grades", rule="CUS-4"))
    reason: str = attrs.field(metadata=_required("CUS-4"))
    proposed_by: StaffId
    expected_version: int


@attrs.frozen
@bounded
class OpenFile:
    """CUS-3: a file of a policy-defined kind for the sale/service date ``event_date``."""

    kind: str = attrs.field(metadata=_code(catalogue="file_kinds", rule="CUS-3"))
    event_date: date


@attrs.frozen
@bounded
class AddDocuments:
    """Checklist item code → where the document is (archive box, scan reference)."""

    documents: dict[str, str] = attrs.field(
        metadata=items(min_items=1, max_length=MAX_NAME, min_length=1, rule="CUS-3")
    )


@attrs.frozen
@bounded
class HandOver:
    """CUS-3: both sides sign the hand-over register."""

    received_by: StaffId
    note: str = ""


@attrs.frozen
@bounded
class DestructionDecision:
    """X-6: the department head's review or the GM's approval of a destruction request;
    a rejection needs a reason."""

    approve: bool
    reason: str = attrs.field(default="", metadata=text(rule="X-6"))


@attrs.frozen
@bounded
class ApplyDeregistration:
    reason: str = attrs.field(metadata=_required("CUS-6"))


@attrs.frozen
@bounded
class AdvanceDeregistration:
    """CUS-6: approve or reject the next step; the finance step records the refund."""

    approve: bool
    reason: str = ""
    refund: Money | None = attrs.field(default=None, metadata=money(rule="CUS-6"))


# ----------------------------------------------------------------- cases (CASE-1…CASE-13)
@attrs.frozen
@bounded
class Note:
    """An optional note or message recorded with the action."""

    message: str = ""


@attrs.frozen
@bounded
class NotAccept:
    """CASE-3: a policy ground and the explanation given to the customer."""

    ground: str = attrs.field(metadata=_code(catalogue="non_acceptance_grounds", rule="CASE-3"))
    explanation: str = attrs.field(metadata=_required("CASE-3"))


@attrs.frozen
@bounded
class Assign:
    """CASE-6: the handling department and handler (never the complaint's subject, X-4)."""

    department_id: DepartmentId
    handler_id: StaffId
    reason: str = ""


@attrs.frozen
@bounded
class InvestigationReport:
    """CASE-7: cause, course, responsible and countermeasures."""

    report: str = attrs.field(metadata=_required("CASE-7"))


@attrs.frozen
@bounded
class Reason:
    reason: str = attrs.field(metadata=_required("X-7"))


@attrs.frozen
@bounded
class OptionalReason:
    reason: str = ""


@attrs.frozen
@bounded
class Reply:
    """CASE-9: how the customer was told (written, phone, in_person, email) and what."""

    method: str = attrs.field(
        metadata=_code(values=["written", "phone", "in_person", "email"], rule="CASE-9")
    )
    message: str


@attrs.frozen
@bounded
class FollowUp:
    """CASE-9/SAT-1: the customer's reaction and satisfaction (1…5)."""

    accepted: bool
    satisfaction: int = attrs.field(metadata=number(minimum=1, maximum=5, rule="SAT-1"))
    comment: str = ""


@attrs.frozen
@bounded
class HandOff:
    """CASE-7 (001 2-B): the complaint form's next step and an optional note."""

    step: str = attrs.field(
        metadata=text(max_length=MAX_CODE, catalogue="form_steps", rule="CASE-7")
    )
    note: str = ""


@attrs.frozen
@bounded
class ReturnVisit:
    """CASE-9 (000 篇四 2.4): the return visit's satisfaction (the policy's scale) and a
    comment."""

    satisfaction: int = attrs.field(metadata=number(minimum=1, maximum=100, rule="CASE-9"))
    comment: str = ""


@attrs.frozen
@bounded
class MarkMajor:
    """CASE-4: the policy's major reasons."""

    reasons: list[str] = attrs.field(
        metadata=items(max_items=20, min_items=1, **_code(catalogue="major_reasons", rule="CASE-4"))
    )


@attrs.frozen
@bounded
class EarlyWarning:
    """CASE-5: the 24-hour early warning to management and legal."""

    to: str = attrs.field(metadata=_NAME)
    summary: str = attrs.field(metadata=_required("CASE-5"))


@attrs.frozen
@bounded
class CrisisMeeting:
    """CASE-5: the emergency meeting record."""

    attendees: list[StaffId] = attrs.field(metadata=items(max_items=50, min_items=1))
    minutes: str


@attrs.frozen
@bounded
class ClockExtension:
    """CASE-7: extend one clock by ``by`` of its own unit (GM, at most the policy's number)."""

    clock: str = attrs.field(metadata=_code(catalogue="clocks", rule="CASE-7"))
    by: int = attrs.field(metadata=number(minimum=1, maximum=1000, rule="CASE-7"))
    reason: str = attrs.field(metadata=_required("CASE-7"))


@attrs.frozen
@bounded
class AddCapa:
    """CASE-11: a corrective/preventive action; due in the policy's working days by default."""

    description: str = attrs.field(metadata=_required("CASE-11"))
    owner_id: StaffId
    due_working_days: int | None = attrs.field(
        default=None, metadata=number(minimum=1, maximum=1000, rule="CASE-11")
    )


@attrs.frozen
@bounded
class CompleteCapa:
    note: str = ""


@attrs.frozen
@bounded
class VerifyCapa:
    """CASE-11: effectiveness, verified by someone of another department."""

    effective: bool
    note: str


@attrs.frozen
@bounded
class RecordSettlement:
    """CASE-13: the actually returned quantity is what is booked."""

    kind: str = attrs.field(metadata=_code(catalogue="settlement_kinds", rule="CASE-13"))
    amount: Money = attrs.field(metadata=money(rule="CASE-13"))
    quantity_claimed: int = attrs.field(metadata=number(maximum=MAX_QUANTITY, rule="CASE-13"))
    quantity_returned: int = attrs.field(metadata=number(maximum=MAX_QUANTITY, rule="CASE-13"))
    note: str = ""


# ------------------------------------------------------------ service jobs (CASE-12, 14)
@attrs.frozen
@bounded
class Dispatch:
    technician_id: StaffId


@attrs.frozen
@bounded
class FixOnSite:
    """Fixed on site: the customer signs the service report."""

    customer_signed: bool = attrs.field(metadata={"const": True})


@attrs.frozen
@bounded
class TakeIn:
    """Taken in for repair: a receipt to the customer and a repair card."""

    receipt_no: str = attrs.field(metadata=_required("CASE-12", MAX_CODE))
    repair_card_no: str = attrs.field(metadata=_required("CASE-12", MAX_CODE))


@attrs.frozen
@bounded
class Inspection:
    note: str = ""


@attrs.frozen
@bounded
class Invoice:
    """Paid work (type A) is invoiced when paid."""

    invoice_no: str = attrs.field(metadata=text(max_length=MAX_CODE, rule="CASE-12"))
    amount: Money = attrs.field(metadata=money(rule="CASE-12"))


@attrs.frozen
@bounded
class Survey:
    """SAT-1: survey item → level, every item rated."""

    ratings: dict[str, str] = attrs.field(
        metadata=items(keys="survey_items", **_code(catalogue="survey_levels", rule="SAT-1"))
    )


@attrs.frozen
@bounded
class AddContract:
    """CASE-12: a maintenance contract; a renewal notice goes out before it ends."""

    customer_id: CustomerId
    number: str = attrs.field(metadata=_required("CASE-12", MAX_CODE))
    starts_on: date
    ends_on: date


@attrs.frozen
@bounded
class SignOff:
    """CASE-14: the next step of the exchange form's sign-off chain; a refusal needs an
    opinion."""

    approve: bool
    opinion: str = ""


# -------------------------------------------------------------- penalties (PEN-1…PEN-11)
@attrs.frozen
@bounded
class RecordViolation:
    """PEN-1: a violation recorded by hand, with its evidence."""

    staff_id: StaffId
    code: str = attrs.field(metadata=_code(catalogue="violation_codes", rule="PEN-1"))
    occurred_on: date
    evidence: str = attrs.field(metadata=_required("PEN-1"))
    units: int = attrs.field(
        default=1, metadata=number(minimum=1, maximum=MAX_QUANTITY, rule="PEN-1")
    )
    # PEN-9: the amount chosen within the type's range
    amount: Money | None = attrs.field(default=None, metadata=money(rule="PEN-9"))
    # PEN-2: the customer issue (a repeat doubles); PEN-8: no culprit, the group leader pays
    issue: str = attrs.field(default="", metadata=_NAME)
    no_culprit: bool = False
    # PEN-9: the access-log entry of the read a leak concerns
    access_log_id: str | None = attrs.field(default=None, metadata=id_text())


@attrs.frozen
@bounded
class Correction:
    """PEN-3: the day the violation was corrected (recurrences stop from it)."""

    corrected_on: date


@attrs.frozen
@bounded
class AccrueRecurrences:
    """PEN-3: accrue up to ``as_of`` (default: today)."""

    as_of: date | None = None


@attrs.frozen
@bounded
class LossShare:
    staff_id: StaffId
    points: int = attrs.field(metadata=number(minimum=1, maximum=1_000_000, rule="PEN-5"))


@attrs.frozen
@bounded
class LossCharges:
    """PEN-5: a closed case's loss over the responsible people's base points."""

    # empty: from the case's CASE-10 responsibility and the staff's base points
    shares: list[LossShare] = attrs.field(factory=list, metadata=items(max_items=50))


@attrs.frozen
@bounded
class ImposeSanction:
    """PEN-7: an administrative sanction and its fine (default: the level's minimum)."""

    staff_id: StaffId
    sanction: str = attrs.field(metadata=_required("PEN-7", MAX_CODE))
    month: str = attrs.field(metadata=month_text(rule="PEN-7"))
    reason: str = attrs.field(metadata=_required("PEN-7"))
    amount: Money | None = attrs.field(default=None, metadata=money(rule="PEN-7"))


@attrs.frozen
@bounded
class DecideRecommendation:
    """PEN-2/PEN-9: accept (the sanction's fine is booked) or reject, with a reason."""

    accept: bool
    reason: str = attrs.field(metadata=_required("PEN-2"))


@attrs.frozen
@bounded
class SetBonus:
    """The month's efficiency bonus, base of the PEN-6 cap."""

    bonus: Money = attrs.field(metadata=money(rule="PEN-6"))


@attrs.frozen
@bounded
class PerformanceCut:
    """PEN-4: a cut of the month's performance pay within the policy's band."""

    staff_id: StaffId
    month: str = attrs.field(metadata=month_text(rule="PEN-4"))
    percent: int = attrs.field(
        metadata={
            **number(maximum=100, rule="PEN-4"),
            "minimum_from": "performance_cut_min_percent",
            "maximum_from": "performance_cut_max_percent",
        }
    )
    performance_pay: Money = attrs.field(metadata=money(rule="PEN-4"))
    reason: str = attrs.field(metadata=_required("PEN-4"))


@attrs.frozen
@bounded
class Reward:
    """PEN-11: proposed by a supervisor, approved by the policy's role."""

    staff_id: StaffId
    proposed_by: StaffId
    amount: Money = attrs.field(metadata=money(rule="PEN-11"))
    reason: str = attrs.field(metadata=_required("PEN-11"))
    month: str | None = attrs.field(default=None, metadata=month_text(rule="PEN-11"))


@attrs.frozen
@bounded
class DecideAppeal:
    """PEN-10: upheld, reduced (with ``new_amount``) or waived, with a reason."""

    decision: AppealState = attrs.field(
        metadata={"values": [s.value for s in AppealState if s is not AppealState.OPEN]}
    )
    reason: str = attrs.field(metadata=_required("PEN-10"))
    new_amount: Money | None = attrs.field(default=None, metadata=money(rule="PEN-10"))
