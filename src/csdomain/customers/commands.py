"""Input commands for customer use cases.

Adapters structure raw input (JSON, CLI options) into these classes; the validators here are
the single place where field shapes are checked, so every adapter reports the same field names.
"""

from __future__ import annotations

import re
from typing import Any

import attrs

from csdomain.customers.model import CustomerKind, CustomerStatus, LegalForm, Source
from csdomain.kernel.errors import ValidationError
from csdomain.kernel.ids import CustomerId, StaffId

_PHONE = re.compile(r"^\+?\d{5,20}$")


def normalize_phone(value: str) -> str:
    """Phones are compared digits-only (spaces, dashes and brackets are ignored)."""
    return re.sub(r"[\s\-()]", "", value)


def _phone(_: Any, attribute: attrs.Attribute[str], value: str) -> None:
    if not _PHONE.match(value):
        raise ValidationError(
            "must be 5-20 digits, optionally with a leading +", field=attribute.name, rule="CUS-1"
        )


def _not_blank(_: Any, attribute: attrs.Attribute[str], value: str) -> None:
    if not value.strip():
        raise ValidationError("must not be empty", field=attribute.name, rule="CUS-1")


def _optional_id_number(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().upper()
    return value or None


@attrs.frozen
class RegisterCustomer:
    """CUS-1/CUS-2: what a registration needs."""

    name: str = attrs.field(validator=_not_blank)
    phone: str = attrs.field(converter=normalize_phone, validator=_phone)
    kind: CustomerKind = CustomerKind.END_CONSUMER
    legal_form: LegalForm = LegalForm.INDIVIDUAL
    source: Source = Source.WALK_IN
    id_number: str | None = attrs.field(default=None, converter=_optional_id_number)
    contact_name: str = ""
    address: str = ""
    referrer_customer_id: CustomerId | None = None
    wants_referrer_owner: bool = False
    intermediary: bool = False
    intermediary_name: str = ""
    notes: str = ""
    # registering on behalf of another staff member (e.g. the on-duty adviser)
    owner_id: StaffId | None = None


@attrs.frozen
class UpdateCustomer:
    """Changes to a customer's details; ``expected_version`` guards against lost updates."""

    expected_version: int
    name: str | None = attrs.field(default=None)
    phone: str | None = attrs.field(
        default=None, converter=attrs.converters.optional(normalize_phone),
        validator=attrs.validators.optional(_phone),
    )
    id_number: str | None = attrs.field(default=None, converter=_optional_id_number)
    contact_name: str | None = None
    address: str | None = None
    kind: CustomerKind | None = None
    legal_form: LegalForm | None = None
    status: CustomerStatus | None = None
    intermediary: bool | None = None
    intermediary_name: str | None = None
    notes: str | None = None

    @name.validator
    def _check_name(self, attribute: attrs.Attribute[str | None], value: str | None) -> None:
        if value is not None:
            _not_blank(self, attribute, value)  # type: ignore[arg-type]
