"""Pure credit arithmetic (CRD-2, CRD-3): the line, the over-limit bound and the line checks
of a shipment decision. ``CreditService`` decides with them and the policy replay
(issue 15) re-evaluates recorded shipments with them, so a rule has one implementation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal

from csdomain.credit.model import CreditAccount
from csdomain.kernel.money import Money
from csdomain.policy.credit import CreditEligibilityPolicy, CreditPolicy


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


def last_year_end(on: date) -> date:
    """CRD-1: the day last year's balance is read on."""
    return date(on.year - 1, 12, 31)


def eligibility_failing(
    rules: CreditEligibilityPolicy,
    file_documents: Iterable[Mapping[str, object]],
    account: CreditAccount | None,
    on: date,
    last_year_balance: Money,
) -> list[str]:
    """CRD-1: each condition for credit that fails, in words (none: eligible) — a customer
    file holding ``file_item``, a contract of a credit type with a settlement agreement, and
    last year's balance cleared (``last_year_balance``: the balance on
    ``last_year_end(on)``). ``file_documents``: the documents of each live file.
    ``CreditService`` decides with it and the policy replay re-evaluates decisions with it."""
    failing: list[str] = []
    if not any(rules.file_item in documents for documents in file_documents):
        failing.append(f"no customer file holds the account holder's ID copy ({rules.file_item!r})")
    if account is None:
        failing.append("no credit account: no contract with a settlement agreement signed")
    else:
        if account.contract_type not in rules.contract_types:
            failing.append(
                f"contract type {account.contract_type!r} gives no credit "
                f"(credit contracts: {', '.join(rules.contract_types)})"
            )
        if rules.settlement_agreement_required and not account.settlement_agreement:
            failing.append("the contract has no settlement agreement")
    if rules.last_year_balance_zero and last_year_balance != Money.zero():
        failing.append(
            f"last year's balance is not cleared: {last_year_balance.amount:.2f} 元 "
            f"outstanding on {last_year_end(on).isoformat()}"
        )
    return failing
