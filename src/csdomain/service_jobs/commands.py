"""Inputs for service-job use cases."""

from __future__ import annotations

from typing import Any

import attrs

from csdomain.kernel.errors import ValidationError
from csdomain.kernel.ids import CustomerId


def _not_blank(_: Any, attribute: attrs.Attribute[str], value: str) -> None:
    if not value.strip():
        raise ValidationError("must not be empty", field=attribute.name, rule="CASE-12")


@attrs.frozen
class RegisterJob:
    customer_name: str = attrs.field(validator=_not_blank)
    address: str = attrs.field(validator=_not_blank)
    zone: str = attrs.field(validator=_not_blank)
    work_type: str = attrs.field(validator=_not_blank)
    description: str = attrs.field(validator=_not_blank)
    customer_id: CustomerId | None = None
    case_id: str | None = None


@attrs.frozen
class OpenExchange:
    """CASE-14: the salesperson's exchange/transfer form."""

    customer_name: str = attrs.field(validator=_not_blank)
    goods: str = attrs.field(validator=_not_blank)
    quantity: int = 1
    reason: str = attrs.field(default="", validator=_not_blank)
    case_id: str | None = None
