"""Credit decisions under a candidate policy (CRD-2, CRD-3): each recorded shipment's line,
over-limit bound and line decision.

One window is one month of shipments (one query). The balance before a shipment is a
recorded fact (``Shipment.balance``, what the decision saw), so only what the policy decides
is recomputed, with ``credit.rules`` — the functions ``CreditService`` decides with: the line
(``window_days``, ``line_rule``, ``fixed_lines``; the invoices of the window are read from the
ledger), whether the shipment stays within it, and the bound of a signed over-limit one.
Decisions the line does not take (cash only for a customer without credit, against a
prepayment) and the unpaid-first-shipment checks of a signed one are kept as recorded.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from csdomain.credit.model import ALLOWED, OVER_LIMIT, Decision, LedgerKind, Shipment
from csdomain.credit.rules import (
    below_bound,
    credit_line,
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


def decide(
    scope: ReplayScope,
    policy: Policy,
    shipment: Shipment,
    grade: str | None,
    invoiced: Invoiced | None = None,
) -> tuple[Decision, Money, Money]:
    """CRD-2/CRD-3 for a recorded shipment under ``policy``: (decision, line, bound).
    ``invoiced`` caches the window sums (both policies often share a window)."""
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
    if shipment.decision not in _LINE_DECIDED:
        return shipment.decision, line, bound  # CRD-1 / prepayment: not the line's decision
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
    title = "Credit decisions of shipments (CRD-2, CRD-3)"
    notes = (
        "Each shipment's line and bound recomputed, with the balance it saw; a shipment "
        "within the line before and over it now counts as refused (a signature was not "
        "asked for); grades as they are now for fixed lines.",
    )

    def replay(self, scope: ReplayScope, window: Window) -> WindowResult:
        result = WindowResult()
        last = window.end - timedelta(days=1)
        shipments = scope.uow.credit_shipments.list_between(
            window.start, last, decisions=list(Decision), limit=MONTH_LIMIT
        )
        grades: dict[CustomerId, str | None] = {}
        invoiced: Invoiced = {}
        for shipment in shipments:
            if shipment.customer_id not in grades:
                account = scope.uow.credit_accounts.find(shipment.customer_id)
                grades[shipment.customer_id] = account.grade if account else None
            grade = grades[shipment.customer_id]
            in_force = scope.policy_on(shipment.on)
            old, old_line, old_bound = decide(scope, in_force, shipment, grade, invoiced)
            new, new_line, new_bound = decide(scope, scope.candidate, shipment, grade, invoiced)
            result.compared += 1
            amount = shipment.amount.amount
            old_allowed = amount if old in ALLOWED else Decimal(0)
            new_allowed = amount if new in ALLOWED else Decimal(0)
            result.add(MEASURE, old_allowed, new_allowed)
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
