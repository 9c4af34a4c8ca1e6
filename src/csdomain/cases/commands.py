"""Inputs for case use cases; shapes are checked here, policy membership in the service."""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs

from csdomain.kernel.errors import ValidationError
from csdomain.kernel.ids import CustomerId, DepartmentId, StaffId
from csdomain.kernel.money import Money


def _not_blank(_: Any, attribute: attrs.Attribute[str], value: str) -> None:
    if not value.strip():
        raise ValidationError("must not be empty", field=attribute.name, rule="CASE-1")


@attrs.frozen
class ReceiveCase:
    """CASE-1: what intake records."""

    type: str
    category: str
    channel: str
    content: str = attrs.field(validator=_not_blank)
    customer_id: CustomerId | None = None
    customer_name: str = ""
    contact: str = ""
    product: str = ""
    purchase_date: date | None = None
    demand: str = ""
    urgency: str = "normal"
    major_reasons: list[str] = attrs.field(factory=list)
    subject_staff_ids: list[StaffId] = attrs.field(factory=list)
    related_case_id: str | None = None


@attrs.frozen
class ProposeSolution:
    """CASE-8: the remedy the handler proposes; the amount decides who must approve it."""

    remedy: str
    solution: str = attrs.field(validator=_not_blank)
    amount: Money | None = None


@attrs.frozen
class ResponsibilityShare:
    department_id: DepartmentId
    percent: int


@attrs.frozen
class CloseCase:
    """CASE-9/CASE-10: what closing records."""

    cause: str
    responsibilities: list[ResponsibilityShare] = attrs.field(factory=list)
    responsible_staff_ids: list[StaffId] = attrs.field(factory=list)
    loss: Money | None = None
    improvement_tracked: bool = False
    # customer confirmed, or documented failed contact attempts (CASE-9)
    customer_confirmed: bool = True
    failed_contact_attempts: list[str] = attrs.field(factory=list)
