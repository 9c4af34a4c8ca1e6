"""Visit compliance under a candidate policy (VIS-3): for every period that ends in the
window, each graded customer's visits against what their grade requires.

A window evaluates the periods (a month, a quarter, a half-year, the year: the grade's
``months``, aligned to January by ``visits.services.period_of``, as the plan check and the
coverage report align them) that end on its last day and lie wholly in the replayed period.
Visits are counted once per period (one grouped query); customers are read a page at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from csdomain.customers.model import Customer
from csdomain.kernel.ids import CustomerId
from csdomain.policy.model import Policy
from csdomain.policy_lab.replay import ReplayItem, ReplayScope, Window, WindowResult
from csdomain.visits.services import period_of

PAGE = 500
MEASURE = "visits short (VIS-3)"

Period = tuple[date, date]


def _requirement(
    policy: Policy, grade: str | None, last: date, start: date
) -> tuple[Period, int] | None:
    """VIS-3: the period of the grade that ends on ``last`` (within the replay) and the visits
    it requires; None when the grade has no rule or its period does not end here."""
    rule = policy.visits.frequency.get(grade or "")
    if rule is None:
        return None
    period = period_of(last, rule.months)
    if period[1] != last or period[0] < start:
        return None
    return period, rule.visits


class VisitsReplayer:
    capability = "visits"
    title = "Visit compliance per customer and period (VIS-3)"
    notes = (
        "Customers with the policy's coverage statuses and their grades as they are now; "
        "each period counted once it ends inside the replayed period.",
    )

    def replay(self, scope: ReplayScope, window: Window) -> WindowResult:
        result = WindowResult()
        last = window.end - timedelta(days=1)
        if (last + timedelta(days=1)).day != 1:
            return result  # the period stops mid-month: no visit period ends in this window
        old_policy = scope.policy_on(last)
        counts: dict[Period, dict[CustomerId, int]] = {}

        def made(period: Period, customer: Customer) -> int:
            if period not in counts:
                counts[period] = scope.uow.visits.counts_by_customer(*period)
            return counts[period].get(customer.id, 0)

        statuses = set(old_policy.visits.coverage_statuses) | set(
            scope.candidate.visits.coverage_statuses
        )
        offset = 0
        while True:
            page = scope.uow.customers.list(limit=PAGE, offset=offset)
            for customer in page:
                if customer.status.value not in statuses or customer.duplicate_of is not None:
                    continue
                before = self._short(old_policy, customer, last, scope.start, made)
                after = self._short(scope.candidate, customer, last, scope.start, made)
                if before is None and after is None:
                    continue
                result.compared += 1
                old_short = before[2] if before else 0
                new_short = after[2] if after else 0
                result.add(MEASURE, Decimal(old_short), Decimal(new_short))
                if old_short == new_short:
                    continue
                result.items.append(
                    ReplayItem(
                        capability=self.capability,
                        kind="visits",
                        subject_id=customer.id,
                        subject=f"{customer.name} (grade {customer.grade or '-'})",
                        period=window.month,
                        measure=MEASURE,
                        old_value=Decimal(old_short),
                        new_value=Decimal(new_short),
                        old=_words(before),
                        new=_words(after),
                        rule="VIS-3",
                        detail=f"owner {customer.owner_id}",
                    )
                )
            if len(page) < PAGE:
                break
            offset += PAGE
        return result

    @staticmethod
    def _short(
        policy: Policy,
        customer: Customer,
        last: date,
        start: date,
        made: Callable[[Period, Customer], int],
    ) -> tuple[Period, int, int] | None:
        if customer.status.value not in policy.visits.coverage_statuses:
            return None
        found = _requirement(policy, customer.grade, last, start)
        if found is None:
            return None
        period, required = found
        done = made(period, customer)
        return period, required, max(0, required - done)


def _words(found: tuple[Period, int, int] | None) -> str:
    if found is None:
        return "no visits required"
    (first, last), required, short = found
    state = f"short by {short}" if short else "met"
    return f"{required} required {first}…{last}: {state}"
