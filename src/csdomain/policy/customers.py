"""Customer records policy (issue 12): daily registers (CUS-1, CUS-7), file lending (CUS-7)
and key accounts (CUS-5). Every number is the company's to change (docs/customers.md)."""

from __future__ import annotations

from typing import Any

import attrs

from csdomain.policy import validators as v


def _codes(_: Any, attribute: attrs.Attribute[list[str]], value: list[str]) -> None:
    if any(not isinstance(x, str) or not x.strip() for x in value):
        raise ValueError(f"{attribute.name}: codes must be non-empty strings")
    if len(set(value)) != len(value):
        raise ValueError(f"{attribute.name}: codes must be unique")


@attrs.frozen(kw_only=True)
class RegistersPolicy:
    """CUS-1 / CUS-7: who hands in a daily customer register (客户信息登记表, 000 篇八 3.1)
    and what a late one costs in the month's appraisal (000 篇八 4.1). When it is due is
    ``customers.registration.daily_register_due`` / ``daily_register_exception_until``."""

    # staff (role ``staff``… any role) with these positions owe one register per working day
    positions: list[str] = attrs.field(factory=lambda: ["sales_adviser"], validator=_codes)
    # appraisal points off the month for each register handed in late or never (CUS-7)
    late_appraisal_points: int = attrs.field(default=2, validator=v.non_negative)


@attrs.frozen(kw_only=True)
class LendingPolicy:
    """CUS-7: a lent file is due back this many working days after it was lent (000 篇五 6;
    who approves a loan is the permission table's ``customers.files.loans.approve``)."""

    return_working_days: int = attrs.field(default=5, validator=v.positive)


@attrs.frozen(kw_only=True)
class KeyAccountsPolicy:
    """CUS-5: key accounts are customers graded ``min_grade`` or higher (002 4-10 "AA and
    above"; the grade order is ``customers.grading.bands``); the top lists are ``top_n``
    long (002 3-9); a key account of the previous period is lost when it is downgraded below
    ``min_grade``, deregistered, or (``churn_without_orders``) buys nothing in the period
    (002 4-10 "订单全部转移": all its orders moved away)."""

    min_grade: str = "A"
    top_n: int = attrs.field(default=10, validator=v.positive)
    churn_without_orders: bool = True
