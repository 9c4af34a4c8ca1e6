"""Request bodies of API operations whose use case takes plain arguments, not a command.

Registration and updates use the core's own commands (``RegisterCustomer``,
``UpdateCustomer``); the classes here only give the remaining use-case arguments a JSON shape,
structured by the same strict converter, so a wrong field is reported by name (422).
"""

from __future__ import annotations

from datetime import date

import attrs

from csdomain.kernel.ids import DepartmentId, StaffId
from csdomain.kernel.money import Money


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
class Destroy:
    """X-6: destruction after retention, reviewed by the department head, approved by GM."""

    reviewed_by: StaffId
    approved_by: StaffId
    reason: str


@attrs.frozen
class ApplyDeregistration:
    reason: str


@attrs.frozen
class AdvanceDeregistration:
    """CUS-6: approve or reject the next step; the finance step records the refund."""

    approve: bool
    reason: str = ""
    refund: Money | None = None
