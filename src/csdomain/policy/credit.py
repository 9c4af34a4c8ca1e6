"""Customer credit policy (CRD-1…CRD-6): eligibility, the line's rule, over-limit shipments,
month-end collection and who bears a bad debt. Every number here is the company's to change."""

from __future__ import annotations

import itertools
from typing import Any

import attrs

from csdomain.policy import validators as v

LINE_RULES = ("rolling_invoiced", "fixed_by_grade")
GRADES = ("A", "B", "C", "D")


def _shares(_: Any, attribute: attrs.Attribute[dict[str, int]], value: dict[str, int]) -> None:
    if not value:
        raise ValueError(f"{attribute.name}: name at least one position and its share")
    bad = {k: n for k, n in value.items() if not isinstance(n, int) or n <= 0}
    if bad:
        raise ValueError(f"{attribute.name}: every share must be a whole number > 0: {bad}")


def _amounts(_: Any, attribute: attrs.Attribute[dict[str, str]], value: dict[str, str]) -> None:
    unknown = sorted(set(value) - set(GRADES))
    if unknown:
        raise ValueError(f"{attribute.name}: unknown grades {unknown}; known: {list(GRADES)}")
    for text in value.values():
        v.amount(None, attribute, text)  # type: ignore[arg-type]  # same message per key


def _ascending(_: Any, attribute: attrs.Attribute[list[int]], value: list[int]) -> None:
    if not value or any(b <= a for a, b in itertools.pairwise(value)) or value[0] <= 0:
        raise ValueError(f"{attribute.name}: bucket edges must be positive and ascending")


@attrs.frozen(kw_only=True)
class CreditEligibilityPolicy:
    """CRD-1: credit only with a customer file holding the ID copy, a signed contract of one of
    these types with a settlement agreement, and last year's balance cleared to zero."""

    file_item: str = "id_copy"
    contract_types: list[str] = attrs.field(factory=lambda: ["distribution", "direct_sales"])
    settlement_agreement_required: bool = True
    last_year_balance_zero: bool = True


@attrs.frozen(kw_only=True)
class OverLimitPolicy:
    """CRD-3: over the line, a *first* and a *last* shipment each below ``1/divisor`` of the
    line, signed by at least ``first_role`` / ``last_role``; the last one's signer is liable."""

    divisor: int = attrs.field(default=3, validator=v.positive)
    first_role: str = attrs.field(default="manager", validator=v.role)
    last_role: str = attrs.field(default="manager", validator=v.role)


@attrs.frozen(kw_only=True)
class CollectionPolicy:
    """CRD-4: a last over-limit shipment unpaid at the end of its month is charged to its
    signer: ``signer_share_percent`` of what is unpaid, with this penalty-ledger label."""

    signer_share_percent: int = attrs.field(default=100, validator=v.positive)

    @signer_share_percent.validator
    def _check(self, _: attrs.Attribute[int], value: int) -> None:
        if value > 100:
            raise ValueError("signer_share_percent must be at most 100")


@attrs.frozen(kw_only=True)
class LiabilityPolicy:
    """CRD-5: who bears a written-off bad debt, by position, in whole-number shares."""

    within_line: dict[str, int] = attrs.field(
        factory=lambda: {"salesperson": 60, "sales supervisor": 40}, validator=_shares
    )
    unapproved: dict[str, int] = attrs.field(
        factory=lambda: {
            "logistics specialist": 1,
            "warehouse keeper": 1,
            "market department head": 1,
        },
        validator=_shares,
    )


@attrs.frozen(kw_only=True)
class CreditPolicy:
    """CRD-2: ``line_rule`` ``rolling_invoiced`` = invoiced in the ``window_days`` before the
    day; ``fixed_by_grade`` = the approved line of the customer's credit grade."""

    line_rule: str = attrs.field(default="rolling_invoiced", validator=v.one_of(LINE_RULES))
    window_days: int = attrs.field(default=30, validator=v.positive)
    fixed_lines: dict[str, str] = attrs.field(
        factory=lambda: {"A": "200000.00", "B": "100000.00", "C": "50000.00", "D": "0.00"},
        validator=_amounts,
    )
    eligibility: CreditEligibilityPolicy = attrs.field(factory=CreditEligibilityPolicy)
    over_limit: OverLimitPolicy = attrs.field(factory=OverLimitPolicy)
    collection: CollectionPolicy = attrs.field(factory=CollectionPolicy)
    liability: LiabilityPolicy = attrs.field(factory=LiabilityPolicy)
    # ageing report (RPT): the upper edges in days of each bucket; beyond the last = overdue
    ageing_days: list[int] = attrs.field(factory=lambda: [30, 60, 90], validator=_ascending)
