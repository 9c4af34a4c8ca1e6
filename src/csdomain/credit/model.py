"""Credit records. Amounts are exact ``Money`` (X-2); nothing is edited or deleted (X-7):
a payment or write-off is a new ledger row, a grade change a new history row."""

from __future__ import annotations

import enum
from datetime import date, datetime

import attrs

from csdomain.kernel.ids import CustomerId, StaffId, new_id
from csdomain.kernel.money import Money


def _id(prefix: str) -> str:
    return new_id(str, prefix)


@attrs.define(slots=False)
class CreditAccount:
    """CRD-1: the customer's credit terms — the signed contract and its settlement agreement —
    and CRD-6 the current credit grade and score."""

    customer_id: CustomerId
    contract_type: str
    contract_no: str
    contract_signed_on: date
    settlement_agreement: bool
    opened_by: StaffId
    opened_at: datetime
    grade: str = "C"
    score: int = 0
    version: int = 0


@attrs.define(slots=False)
class CreditGradeChange:
    """CRD-6: a credit grade change with its score, reason and approver (never edited)."""

    customer_id: CustomerId
    from_grade: str | None
    to_grade: str
    score: int
    reason: str
    approved_by: StaffId
    at: datetime
    id: str = attrs.field(factory=lambda: _id("cgr"))


class LedgerKind(enum.StrEnum):
    INVOICE = "invoice"  # a shipment invoiced: raises the balance, and the line (CRD-2)
    PAYMENT = "payment"
    WRITE_OFF = "write_off"  # a bad debt written off (CRD-5)


@attrs.define(slots=False)
class LedgerEntry:
    """One row of the customer's ledger: the balance is invoices − payments − write-offs."""

    customer_id: CustomerId
    kind: LedgerKind
    amount: Money
    on: date
    reference: str
    recorded_by: StaffId
    recorded_at: datetime
    shipment_id: str | None = None
    id: str = attrs.field(factory=lambda: _id("led"))


class Decision(enum.StrEnum):
    """CRD-3: what a shipment request came to."""

    WITHIN_LINE = "within_line"
    FIRST_OVER_LIMIT = "first_over_limit"  # regional manager signs; < 1/3 of the line
    LAST_OVER_LIMIT = "last_over_limit"  # same bound; the signer is liable (CRD-4)
    AGAINST_PREPAYMENT = "against_prepayment"
    CASH_ONLY = "cash_only"  # no credit (CRD-1): cash before invoicing
    REFUSED = "refused"


ALLOWED = frozenset(
    {
        Decision.WITHIN_LINE,
        Decision.FIRST_OVER_LIMIT,
        Decision.LAST_OVER_LIMIT,
        Decision.AGAINST_PREPAYMENT,
    }
)
OVER_LIMIT = frozenset({Decision.FIRST_OVER_LIMIT, Decision.LAST_OVER_LIMIT})


@attrs.define(slots=False)
class Shipment:
    """CRD-3: one shipment request and its decision, with the numbers that led to it. An
    allowed shipment is invoiced at once (its ledger row carries ``shipment_id``); an
    over-limit one records who signed it, with what authority and why."""

    customer_id: CustomerId
    amount: Money
    on: date
    reference: str
    decision: Decision
    why: str
    line: Money
    balance: Money  # the balance before this shipment
    available: Money  # line − balance (never below zero)
    bound: Money  # 1/divisor of the line: an over-limit shipment must stay below it
    requested_by: StaffId
    requested_at: datetime
    signed_by: StaffId | None = None
    authority: str = ""  # the signer's role
    reason: str = ""
    charged: bool = False  # CRD-4: the signer was charged at month end
    id: str = attrs.field(factory=lambda: _id("shp"))
    version: int = 0

    @property
    def allowed(self) -> bool:
        return self.decision in ALLOWED


@attrs.frozen
class ShipmentDecision:
    """What ``authorize_shipment`` answers: the stored shipment and whether it may go."""

    shipment: Shipment
    allowed: bool


@attrs.frozen
class Eligibility:
    """CRD-1: whether the customer may have credit, and each condition that fails."""

    customer_id: CustomerId
    eligible: bool
    failing: list[str]


@attrs.frozen
class CreditPosition:
    """The customer's line and exposure on a day (CRD-2), from indexed aggregates."""

    customer_id: CustomerId
    on: date
    line: Money
    balance: Money
    available: Money
    window_from: date
    window_to: date


@attrs.frozen
class Exposure:
    """A report row: one customer's (or one owner's) balance against its line."""

    key: str  # customer id, or owner staff id
    name: str
    line: Money
    balance: Money
    over_limit: Money
    customers: int = 1


@attrs.frozen
class AgeingRow:
    """A customer's unpaid invoices by age on a day (payments settle the oldest first)."""

    customer_id: CustomerId
    buckets: dict[str, Money]
    total: Money


@attrs.frozen
class OverLimitStatus:
    """A report row: an over-limit shipment and what is still unpaid of it (CRD-3, CRD-4)."""

    shipment: Shipment
    unpaid: Money
