"""Pure credit arithmetic (CRD-2, CRD-3): the line, the over-limit bound and the line checks
of a shipment decision. ``CreditService`` decides with them and the policy replay
(issue 15) re-evaluates recorded shipments with them, so a rule has one implementation."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from csdomain.kernel.money import Money
from csdomain.policy.credit import CreditPolicy


def line_window(policy: CreditPolicy, on: date) -> tuple[date, date]:
    """CRD-2: the ``window_days`` days before ``on`` (``on`` itself excluded)."""
    return on - timedelta(days=policy.window_days), on - timedelta(days=1)


def credit_line(policy: CreditPolicy, grade: str | None, invoiced_in_window: Money) -> Money:
    """CRD-2: ``rolling_invoiced`` — what was invoiced in the window; ``fixed_by_grade`` —
    the approved line of the customer's credit grade (none without an account)."""
    if policy.line_rule == "fixed_by_grade":
        if grade is None:
            return Money.zero()
        return Money.of(policy.fixed_lines.get(grade, "0.00"))
    return invoiced_in_window


def over_limit_bound(policy: CreditPolicy, line: Money) -> Money:
    """CRD-3: an over-limit shipment must stay below ``1/divisor`` of the line."""
    return Money.rounded(line.amount / Decimal(policy.over_limit.divisor))


def within_line(line: Money, balance: Money, amount: Money) -> bool:
    """CRD-3: the balance with this shipment stays within the line."""
    return balance + amount <= line


def below_bound(policy: CreditPolicy, line: Money, amount: Money) -> bool:
    """CRD-3: a signed over-limit shipment's amount is below ``1/divisor`` of the line."""
    return amount.amount * policy.over_limit.divisor < line.amount
