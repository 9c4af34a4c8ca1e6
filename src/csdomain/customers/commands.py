"""Input commands for customer use cases.

Adapters structure raw input (JSON, CLI options) into these classes; the validators here are
the single place where field shapes are checked, so every adapter reports the same field names.
"""

from __future__ import annotations

import enum
import re
from datetime import date
from typing import TypeVar

import attrs

from csdomain.customers.identity import nfkc
from csdomain.customers.model import CustomerKind, CustomerStatus, LegalForm, Source
from csdomain.kernel.bounds import (
    MAX_CODE,
    MAX_ID,
    MAX_NAME,
    MAX_TEXT,
    bounded,
    checked,
    items,
    money,
    text,
)
from csdomain.kernel.bounds import month as month_text
from csdomain.kernel.errors import ValidationError
from csdomain.kernel.ids import CustomerId, StaffId
from csdomain.kernel.money import Money

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


def _phone_problem(value: str) -> str | None:
    if not _PHONE.match(value):
        return "must be 5-20 digits, optionally with a leading +"
    return None


# the same shape before normalization (spaces, dashes, brackets anywhere), for adapters
# that describe the input (the OpenAPI document) and the first check here
_PHONE_INPUT = r"^[\s\-()]{0,3}(?:\+[\s\-()]{0,3})?(?:\d[\s\-()]{0,3}){5,20}$"
# checked with the other fields' bounds, so every bad field is reported at once
_PHONE_FIELD = checked(
    _phone_problem,
    max_length=100,
    pattern=_PHONE_INPUT,
    what="5-20 digits, optionally with a leading +",
    rule="CUS-1",
)


_NAME = text(max_length=MAX_NAME, rule="CUS-1")
_REQUIRED_NAME = text(max_length=MAX_NAME, min_length=1, rule="CUS-1")
_TEXT = text(rule="CUS-1")


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
@bounded
class RegisterCustomer:
    """CUS-1/CUS-2: what a registration needs."""

    name: str = attrs.field(converter=_name, metadata=_REQUIRED_NAME)
    phone: str = attrs.field(converter=normalize_phone, metadata=_PHONE_FIELD)
    kind: CustomerKind = attrs.field(default=CustomerKind.END_CONSUMER, converter=_kind)
    legal_form: LegalForm = attrs.field(default=LegalForm.INDIVIDUAL, converter=_legal_form)
    source: Source = attrs.field(default=Source.WALK_IN, converter=_source)
    id_number: str | None = attrs.field(
        default=None, converter=_optional_id_number, metadata=text(max_length=MAX_CODE)
    )
    contact_name: str = attrs.field(default="", converter=_name, metadata=_NAME)
    address: str = attrs.field(default="", metadata=_NAME)
    referrer_customer_id: CustomerId | None = None
    wants_referrer_owner: bool = False
    intermediary: bool = False
    intermediary_name: str = attrs.field(default="", metadata=_NAME)
    notes: str = attrs.field(default="", metadata=_TEXT)
    # registering on behalf of another staff member (e.g. the on-duty adviser)
    owner_id: StaffId | None = None


@attrs.frozen
@bounded
class UpdateCustomer:
    """Changes to a customer's details; ``expected_version`` guards against lost updates."""

    expected_version: int
    name: str | None = attrs.field(default=None, converter=_opt_name, metadata=_REQUIRED_NAME)
    phone: str | None = attrs.field(
        default=None,
        converter=attrs.converters.optional(normalize_phone),
        metadata=_PHONE_FIELD,
    )
    id_number: str | None = attrs.field(
        default=None, converter=_optional_id_number, metadata=text(max_length=MAX_CODE)
    )
    contact_name: str | None = attrs.field(default=None, converter=_opt_name, metadata=_NAME)
    address: str | None = attrs.field(default=None, metadata=_NAME)
    kind: CustomerKind | None = attrs.field(default=None, converter=_opt_kind)
    legal_form: LegalForm | None = attrs.field(default=None, converter=_opt_legal_form)
    status: CustomerStatus | None = attrs.field(default=None, converter=_opt_status)
    intermediary: bool | None = None
    intermediary_name: str | None = attrs.field(default=None, metadata=_NAME)
    notes: str | None = attrs.field(default=None, metadata=_TEXT)


@attrs.frozen
@bounded
class SubmitRegister:
    """CUS-1: a daily customer register — the day's callers, visitors and self-developed
    customers (``customer_ids``), the prospects among them (``prospect_ids``). After the
    day's deadline an ``exception_reason`` keeps it on time until the next working day's
    exception deadline (000 篇八 3.1 "特殊情况")."""

    day: date
    customer_ids: list[CustomerId] = attrs.field(
        factory=list, metadata=items(max_length=MAX_ID, rule="CUS-1")
    )
    prospect_ids: list[CustomerId] = attrs.field(
        factory=list, metadata=items(max_length=MAX_ID, rule="CUS-1")
    )
    note: str = attrs.field(default="", metadata=text(max_length=MAX_TEXT, rule="CUS-1"))
    exception_reason: str = attrs.field(
        default="", metadata=text(max_length=MAX_TEXT, rule="CUS-1")
    )


@attrs.frozen
@bounded
class RequestLoan:
    """CUS-7: borrowing a customer file, with what for (000 篇五 6)."""

    purpose: str = attrs.field(metadata=text(min_length=1, max_length=MAX_TEXT, rule="CUS-7"))


@attrs.frozen
@bounded
class RecordSales:
    """CUS-5: a customer's sales and their cost in ``month`` (``YYYY-MM``); the gross margin
    is sales − cost (a loss when the cost is higher). A correction of a recorded month names
    the ``expected_version`` it replaces and a ``reason`` (X-7)."""

    month: str = attrs.field(metadata=month_text(rule="CUS-5"))
    sales: Money = attrs.field(metadata=money(rule="CUS-5"))
    cost: Money = attrs.field(metadata=money(rule="CUS-5"))
    expected_version: int | None = None
    reason: str = attrs.field(default="", metadata=text(max_length=MAX_TEXT, rule="CUS-5"))
