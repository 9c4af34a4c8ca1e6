"""Input commands for customer use cases.

Adapters structure raw input (JSON, CLI options) into these classes; the validators here are
the single place where field shapes are checked, so every adapter reports the same field names.
"""

from __future__ import annotations

import enum
import re
from typing import Any, TypeVar

import attrs

from csdomain.customers.identity import nfkc
from csdomain.customers.model import CustomerKind, CustomerStatus, LegalForm, Source
from csdomain.kernel.errors import ValidationError
from csdomain.kernel.ids import CustomerId, StaffId

_PHONE = re.compile(r"^\+?\d{5,20}$")


def normalize_phone(value: str) -> str:
    """The phone as typed, NFKC-folded (full-width digits become ASCII) without spaces, dashes
    and brackets. The use case then parses it in the policy's region into E.164 (CUS-1,
    ``csdomain.customers.identity.normalize_phone``)."""
    return re.sub(r"[\s\-()]", "", nfkc(value))


def _name(value: str) -> str:
    """Names are stored NFKC-folded (full-width letters and digits become ASCII) and trimmed."""
    return nfkc(value)


def _opt_name(value: str | None) -> str | None:
    return None if value is None else nfkc(value)


def _phone(_: Any, attribute: attrs.Attribute[str], value: str) -> None:
    if not _PHONE.match(value):
        raise ValidationError(
            "must be 5-20 digits, optionally with a leading +", field=attribute.name, rule="CUS-1"
        )


def _not_blank(_: Any, attribute: attrs.Attribute[str], value: str) -> None:
    if not value.strip():
        raise ValidationError("must not be empty", field=attribute.name, rule="CUS-1")


E = TypeVar("E", bound=enum.Enum)


def _to_enum(cls: type[E], value: object, field: str) -> E:
    """Accept the enum or its value, so Python callers may pass plain strings."""
    try:
        return cls(value)
    except ValueError:
        allowed = ", ".join(str(m.value) for m in cls)
        raise ValidationError(f"must be one of: {allowed}; got {value!r}", field=field) from None


# named converters: the attrs mypy plugin only understands named functions
def _kind(value: object) -> CustomerKind:
    return _to_enum(CustomerKind, value, "kind")


def _legal_form(value: object) -> LegalForm:
    return _to_enum(LegalForm, value, "legal_form")


def _source(value: object) -> Source:
    return _to_enum(Source, value, "source")


def _opt_kind(value: object) -> CustomerKind | None:
    return None if value is None else _kind(value)


def _opt_legal_form(value: object) -> LegalForm | None:
    return None if value is None else _legal_form(value)


def _opt_status(value: object) -> CustomerStatus | None:
    return None if value is None else _to_enum(CustomerStatus, value, "status")


def _optional_id_number(value: str | None) -> str | None:
    if value is None:
        return None
    value = nfkc(value).upper()
    return value or None


@attrs.frozen
class RegisterCustomer:
    """CUS-1/CUS-2: what a registration needs."""

    name: str = attrs.field(converter=_name, validator=_not_blank)
    phone: str = attrs.field(converter=normalize_phone, validator=_phone)
    kind: CustomerKind = attrs.field(default=CustomerKind.END_CONSUMER, converter=_kind)
    legal_form: LegalForm = attrs.field(default=LegalForm.INDIVIDUAL, converter=_legal_form)
    source: Source = attrs.field(default=Source.WALK_IN, converter=_source)
    id_number: str | None = attrs.field(default=None, converter=_optional_id_number)
    contact_name: str = attrs.field(default="", converter=_name)
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
    name: str | None = attrs.field(default=None, converter=_opt_name)
    phone: str | None = attrs.field(
        default=None,
        converter=attrs.converters.optional(normalize_phone),
        validator=attrs.validators.optional(_phone),
    )
    id_number: str | None = attrs.field(default=None, converter=_optional_id_number)
    contact_name: str | None = attrs.field(default=None, converter=_opt_name)
    address: str | None = None
    kind: CustomerKind | None = attrs.field(default=None, converter=_opt_kind)
    legal_form: LegalForm | None = attrs.field(default=None, converter=_opt_legal_form)
    status: CustomerStatus | None = attrs.field(default=None, converter=_opt_status)
    intermediary: bool | None = None
    intermediary_name: str | None = None
    notes: str | None = None

    @name.validator
    def _check_name(self, attribute: attrs.Attribute[str | None], value: str | None) -> None:
        if value is not None:
            _not_blank(self, attribute, value)  # type: ignore[arg-type]
