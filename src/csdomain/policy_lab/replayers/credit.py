"""Credit decisions under a candidate policy (CRD-1, CRD-2, CRD-3): each recorded shipment's
eligibility, line, over-limit bound and line decision.

One window is one month of shipments (one query). The balance before a shipment is a
recorded fact (``Shipment.balance``, what the decision saw), so only what the policy decides
is recomputed, with ``credit.rules`` — the functions ``CreditService`` decides with: the line
(``window_days``, ``line_rule``, ``fixed_lines``; the invoices of the window are read from the
ledger), whether the shipment stays within it, and the bound of a signed over-limit one.
CRD-1 eligibility is recomputed with ``credit.rules.eligibility_failing`` (the function
``CreditService`` decides with) from the customer's files and credit account as they are now
and the recorded ledger's balance at the end of the shipment's previous year: a customer
without credit under a policy is cash only; one with credit again is decided by the line
(without a signature). A decision against a prepayment (taken before eligibility) and the
unpaid-first-shipment checks of a signed one are kept as recorded.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import attrs

from csdomain.credit.model import ALLOWED, OVER_LIMIT, CreditAccount, Decision, LedgerKind, Shipment
from csdomain.credit.rules import (
    below_bound,
    credit_line,
    eligibility_failing,
    last_year_end,
    line_window,
    over_limit_bound,
    within_line,
)
from csdomain.kernel.ids import CustomerId
from csdomain.kernel.money import Money
from csdomain.policy.model import Policy
from csdomain.policy_lab.replay import ReplayItem, ReplayScope, Window, WindowResult

MEASURE = "allowed shipments (元)"
# one month of one company's shipments is read in one query (the port pages by a limit)
MONTH_LIMIT = 1_000_000
_LINE_DECIDED = (Decision.WITHIN_LINE, Decision.REFUSED, *OVER_LIMIT)


Invoiced = dict[tuple[CustomerId, date, date], Money]


@attrs.frozen
class Facts:
    """What CRD-1 reads of a customer: each live file's documents, the credit account and
    the balance at the end of a year (the shipment's previous one)."""

    documents: list[dict[str, str]]
    account: CreditAccount | None
    last_year_balance: Money


def facts(scope: ReplayScope, customer_id: CustomerId, on: date) -> Facts:
    """CRD-1's facts for a shipment on ``on`` (files and account as they are now)."""
    files = scope.uow.files.list_for_customer(customer_id)
    return Facts(
        [f.documents for f in files if f.destroyed_at is None],
        scope.uow.credit_accounts.find(customer_id),
        scope.uow.credit_ledger.balance(customer_id, until=last_year_end(on)),
    )


def failing(policy: Policy, found: Facts, on: date) -> list[str]:
    """CRD-1 under ``policy``: the conditions for credit that fail (none: eligible)."""
    return eligibility_failing(
        policy.credit.eligibility, found.documents, found.account, on, found.last_year_balance
    )


def decide(
    scope: ReplayScope,
    policy: Policy,
    shipment: Shipment,
    grade: str | None,
    invoiced: Invoiced | None = None,
    eligible: bool = True,
) -> tuple[Decision, Money, Money]:
    """CRD-1/CRD-2/CRD-3 for a recorded shipment under ``policy``: (decision, line, bound).
    ``invoiced`` caches the window sums (both policies often share a window); ``eligible``:
    CRD-1 under ``policy``."""
    p = policy.credit
    if p.line_rule == "fixed_by_grade":
        line = credit_line(p, grade, Money.zero())
    else:
        start, end = line_window(p, shipment.on)
        key = (shipment.customer_id, start, end)
        cache = invoiced if invoiced is not None else {}
        if key not in cache:
            cache[key] = scope.uow.credit_ledger.total(
                shipment.customer_id, [LedgerKind.INVOICE], since=start, until=end
            )
        line = credit_line(p, None, cache[key])
    bound = over_limit_bound(p, line)
    if shipment.decision == Decision.AGAINST_PREPAYMENT:
        return shipment.decision, line, bound  # CRD-3c: decided before eligibility
    if not eligible:
        return Decision.CASH_ONLY, line, bound  # CRD-1: no credit
    if shipment.decision not in _LINE_DECIDED:
        # cash only when recorded, eligible now: the line decides, no signature was asked
        return (
            (Decision.WITHIN_LINE, line, bound)
            if within_line(line, shipment.balance, shipment.amount)
            else (Decision.REFUSED, line, bound)
        )
    if within_line(line, shipment.balance, shipment.amount):
        return Decision.WITHIN_LINE, line, bound
    signed = shipment.decision in OVER_LIMIT or shipment.signed_by is not None
    if not signed:
        return Decision.REFUSED, line, bound  # over the line without a signed request
    if not below_bound(p, line, shipment.amount):
        return Decision.REFUSED, line, bound
    if shipment.decision in OVER_LIMIT:
        return shipment.decision, line, bound
    # recorded within the line (no signature asked): over the line now, it needs one
    return Decision.REFUSED, line, bound


class CreditReplayer:
    capability = "credit"
    title = "Credit decisions of shipments (CRD-1, CRD-2, CRD-3)"
    notes = (
        "Each shipment's CRD-1 eligibility (customer files and credit account as they are "
        "now, the recorded balance at the end of the previous year), line and bound "
        "recomputed, with the balance it saw; without credit a shipment is cash only; a "
        "shipment within the line before and over it now (or cash only before and eligible "
        "now) is decided without a signature; grades as they are now for fixed lines; "
        "decisions against a prepayment and the unpaid-first-shipment checks are kept as "
        "recorded.",
    )

    def replay(self, scope: ReplayScope, window: Window) -> WindowResult:
        result = WindowResult()
        last = window.end - timedelta(days=1)
        shipments = scope.uow.credit_shipments.list_between(
            window.start, last, decisions=list(Decision), limit=MONTH_LIMIT
        )
        grades: dict[CustomerId, str | None] = {}
        invoiced: Invoiced = {}
        known: dict[tuple[CustomerId, int], Facts] = {}
        for shipment in shipments:
            if shipment.customer_id not in grades:
                account = scope.uow.credit_accounts.find(shipment.customer_id)
                grades[shipment.customer_id] = account.grade if account else None
            grade = grades[shipment.customer_id]
            in_force = scope.policy_on(shipment.on)
            key = (shipment.customer_id, shipment.on.year)
            if key not in known:
                known[key] = facts(scope, shipment.customer_id, shipment.on)
            old_failing = failing(in_force, known[key], shipment.on)
            new_failing = failing(scope.candidate, known[key], shipment.on)
            old, old_line, old_bound = decide(
                scope, in_force, shipment, grade, invoiced, not old_failing
            )
            new, new_line, new_bound = decide(
                scope, scope.candidate, shipment, grade, invoiced, not new_failing
            )
            result.compared += 1
            amount = shipment.amount.amount
            old_allowed = amount if old in ALLOWED else Decimal(0)
            new_allowed = amount if new in ALLOWED else Decimal(0)
            result.add(MEASURE, old_allowed, new_allowed)
            if bool(old_failing) != bool(new_failing):
                result.items.append(
                    ReplayItem(
                        capability=self.capability,
                        kind="eligibility",
                        subject_id=shipment.id,
                        subject=f"{shipment.reference or shipment.id} ({shipment.customer_id})",
                        period=shipment.on.isoformat(),
                        measure=MEASURE,
                        old_value=old_allowed,
                        new_value=new_allowed,
                        old=_eligibility(old, old_failing),
                        new=_eligibility(new, new_failing),
                        rule="CRD-1",
                        detail=f"{shipment.amount.amount:.2f} 元",
                    )
                )
                continue
            if old == new:
                continue
            result.items.append(
                ReplayItem(
                    capability=self.capability,
                    kind="shipment",
                    subject_id=shipment.id,
                    subject=f"{shipment.reference or shipment.id} ({shipment.customer_id})",
                    period=shipment.on.isoformat(),
                    measure=MEASURE,
                    old_value=old_allowed,
                    new_value=new_allowed,
                    old=f"{old.value} (line {old_line.amount:.2f}, bound {old_bound.amount:.2f})",
                    new=f"{new.value} (line {new_line.amount:.2f}, bound {new_bound.amount:.2f})",
                    rule="CRD-3" if old_line == new_line else "CRD-2",
                    detail=(
                        f"{shipment.amount.amount:.2f} 元 on a balance of "
                        f"{shipment.balance.amount:.2f} 元"
                    ),
                )
            )
        return result


def _eligibility(decision: Decision, failing: list[str]) -> str:
    if not failing:
        return f"eligible: {decision.value}"
    return f"not eligible ({'; '.join(failing)}): {decision.value}"
