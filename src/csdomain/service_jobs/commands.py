"""Inputs for service-job use cases; bounds checked for every field at once
(``csdomain.kernel.bounds``)."""

from __future__ import annotations

import attrs

from csdomain.kernel.bounds import MAX_CODE, MAX_NAME, MAX_QUANTITY, bounded, number, text
from csdomain.kernel.ids import CustomerId

_REQUIRED_NAME = text(max_length=MAX_NAME, min_length=1, rule="CASE-12")


@attrs.frozen
@bounded
class RegisterJob:
    customer_name: str = attrs.field(metadata=_REQUIRED_NAME)
    address: str = attrs.field(metadata=_REQUIRED_NAME)
    zone: str = attrs.field(
        metadata=text(max_length=MAX_CODE, min_length=1, catalogue="zones", rule="CASE-12")
    )
    work_type: str = attrs.field(
        metadata=text(max_length=MAX_CODE, min_length=1, catalogue="work_types", rule="CASE-12")
    )
    description: str = attrs.field(metadata=text(min_length=1, rule="CASE-12"))
    customer_id: CustomerId | None = None
    case_id: str | None = None


@attrs.frozen
@bounded
class OpenExchange:
    """CASE-14: the salesperson's exchange/transfer form."""

    customer_name: str = attrs.field(
        metadata=text(max_length=MAX_NAME, min_length=1, rule="CASE-14")
    )
    goods: str = attrs.field(metadata=text(max_length=MAX_NAME, min_length=1, rule="CASE-14"))
    quantity: int = attrs.field(
        default=1, metadata=number(minimum=1, maximum=MAX_QUANTITY, rule="CASE-14")
    )
    reason: str = attrs.field(default="", metadata=text(min_length=1, rule="CASE-14"))
    case_id: str | None = None
