"""Inputs of the credit use cases, bounded at construction (X-8): every amount a positive,
exact RMB amount below the domain maximum, every text a length."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import attrs

from csdomain.kernel.bounds import MAX_CODE, MAX_NAME, bounded, money, number, text
from csdomain.kernel.bounds import month as month_text
from csdomain.kernel.ids import CustomerId, StaffId
from csdomain.kernel.money import Money

_CENT = Decimal("0.01")


def _choice(values: list[str], rule: str) -> Any:
    """A code from a fixed list (checked here; an OpenAPI ``enum`` for adapters)."""

    def check(value: str) -> str | None:
        return None if value in values else f"must be one of {', '.join(map(repr, values))}"

    return {**text(max_length=MAX_CODE, rule=rule), "values": values, "check": check}


@attrs.frozen
@bounded
class OpenCreditAccount:
    """CRD-1: the contract a credit account rests on."""

    customer_id: CustomerId
    contract_type: str = attrs.field(
        metadata=text(min_length=1, max_length=MAX_CODE, catalogue="contract_types", rule="CRD-1")
    )
    contract_no: str = attrs.field(metadata=text(min_length=1, max_length=MAX_CODE, rule="CRD-1"))
    contract_signed_on: date
    settlement_agreement: bool


@attrs.frozen
@bounded
class SetCreditGrade:
    """CRD-6: a new credit grade from the credit investigation's score."""

    grade: str = attrs.field(metadata=_choice(["A", "B", "C", "D"], "CRD-6"))
    score: int = attrs.field(metadata=number(minimum=0, maximum=100, rule="CRD-6"))
    reason: str = attrs.field(metadata=text(min_length=1, rule="CRD-6"))


@attrs.frozen
@bounded
class RecordLedgerEntry:
    """An invoice, payment or write-off already made elsewhere (ERP, bank): recorded here."""

    customer_id: CustomerId
    amount: Money = attrs.field(metadata=money(minimum=_CENT, rule="X-2"))
    on: date
    reference: str = attrs.field(metadata=text(min_length=1, max_length=MAX_CODE, rule="CRD-2"))


@attrs.frozen
@bounded
class AuthorizeShipment:
    """CRD-3: a shipment to authorize. ``over_limit`` asks for a ``first`` or ``last``
    over-limit shipment, signed by the acting person with the ``reason``."""

    customer_id: CustomerId
    amount: Money = attrs.field(metadata=money(minimum=_CENT, rule="CRD-3"))
    reference: str = attrs.field(metadata=text(min_length=1, max_length=MAX_CODE, rule="CRD-3"))
    on: date | None = None
    over_limit: str = attrs.field(default="", metadata=_choice(["", "first", "last"], "CRD-3"))
    reason: str = attrs.field(default="", metadata=text(max_length=MAX_NAME * 5, rule="CRD-3"))


@attrs.frozen
@bounded
class WriteOff:
    """CRD-5: a bad debt written off, and who bears it: ``basis`` ``within_line`` (shared by
    the policy's positions), ``last_over_limit`` (its signer) or ``unapproved`` (an over-limit
    shipment made without approval: logistics, warehouse, market department head).
    ``liable`` names the person holding each position the policy's shares name."""

    customer_id: CustomerId
    amount: Money = attrs.field(metadata=money(minimum=_CENT, rule="CRD-5"))
    on: date
    reason: str = attrs.field(metadata=text(min_length=1, rule="CRD-5"))
    basis: str = attrs.field(
        metadata=_choice(["within_line", "last_over_limit", "unapproved"], "CRD-5")
    )
    shipment_id: str | None = None
    liable: dict[str, StaffId] = attrs.field(factory=dict)


@attrs.frozen
@bounded
class CreditMonthEnd:
    """CRD-4: the month whose last over-limit shipments are checked."""

    month: str = attrs.field(metadata=month_text(rule="CRD-4"))
