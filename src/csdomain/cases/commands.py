"""Inputs for case use cases; shapes and bounds are checked here (every failing field at
once, see ``csdomain.kernel.bounds``), policy membership in the service."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

import attrs

from csdomain.kernel.bounds import MAX_CODE, MAX_NAME, bounded, items, money, number, text
from csdomain.kernel.ids import CustomerId, DepartmentId, StaffId
from csdomain.kernel.money import Money

_NAME = text(max_length=MAX_NAME, rule="CASE-1")


def _code(catalogue: str, rule: str) -> Any:
    return text(max_length=MAX_CODE, catalogue=catalogue, rule=rule)


@attrs.frozen
@bounded
class ReceiveCase:
    """CASE-1: what intake records."""

    type: str = attrs.field(metadata=_code("case_types", "CASE-2"))
    category: str = attrs.field(metadata=_code("case_categories", "CASE-2"))
    channel: str = attrs.field(metadata=_code("case_channels", "CASE-1"))
    content: str = attrs.field(metadata=text(min_length=1, rule="CASE-1"))
    customer_id: CustomerId | None = None
    customer_name: str = attrs.field(default="", metadata=_NAME)
    contact: str = attrs.field(default="", metadata=_NAME)
    product: str = attrs.field(default="", metadata=_NAME)
    purchase_date: date | None = None
    demand: str = attrs.field(default="", metadata=_code("case_demands_or_none", "CASE-1"))
    urgency: str = attrs.field(default="normal", metadata=_code("case_urgencies", "CASE-4"))
    major_reasons: list[str] = attrs.field(
        factory=list,
        metadata=items(max_items=20, max_length=MAX_CODE, catalogue="major_reasons", rule="CASE-4"),
    )
    subject_staff_ids: list[StaffId] = attrs.field(factory=list, metadata=items(max_items=20))
    related_case_id: str | None = None
    # CASE-7: domestic / foreign (policy catalogue); empty: the policy's default market
    market: str = attrs.field(default="", metadata=_code("case_markets_or_default", "CASE-7"))

    # the cross-field rule "name the customer" (checked by the use case), for adapters that
    # describe the shape (the OpenAPI document)
    __openapi__: ClassVar[dict[str, Any]] = {
        "anyOf": [
            {"required": ["customer_id"], "properties": {"customer_id": {"type": "string"}}},
            {
                "required": ["customer_name"],
                "properties": {"customer_name": {"type": "string", "pattern": r"\S"}},
            },
        ]
    }


@attrs.frozen
@bounded
class ProposeSolution:
    """CASE-8: the remedy the handler proposes; the amount decides who must approve it."""

    remedy: str = attrs.field(metadata=_code("remedies", "CASE-8"))
    solution: str = attrs.field(metadata=text(min_length=1, rule="CASE-8"))
    amount: Money | None = attrs.field(default=None, metadata=money(rule="CASE-8"))


@attrs.frozen
@bounded
class ResponsibilityShare:
    department_id: DepartmentId
    percent: int = attrs.field(metadata=number(maximum=100, rule="CASE-10"))


@attrs.frozen
@bounded
class CloseCase:
    """CASE-9/CASE-10: what closing records."""

    cause: str = attrs.field(metadata=_code("causes", "CASE-10"))
    responsibilities: list[ResponsibilityShare] = attrs.field(
        factory=list, metadata=items(max_items=20)
    )
    responsible_staff_ids: list[StaffId] = attrs.field(factory=list, metadata=items(max_items=20))
    loss: Money | None = attrs.field(default=None, metadata=money(rule="CASE-10"))
    improvement_tracked: bool = False
    # customer confirmed, or documented failed contact attempts (CASE-9)
    customer_confirmed: bool = True
    failed_contact_attempts: list[str] = attrs.field(
        factory=list, metadata=items(max_items=20, max_length=MAX_NAME, rule="CASE-9")
    )
