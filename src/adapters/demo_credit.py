"""The demo company's customer credit (CRD-1…CRD-6): a few corporate customers on credit,
their invoices and payments, over-limit shipments signed by the sales manager, and the
scheduler's month-end collection that charges an unpaid last over-limit shipment to its
signer (CRD-4) — so ``csdomain credit report …`` shows real work after ``init --demo``.

It draws from its own random stream, so adding credit left the rest of the demo (customers,
cases, penalties) exactly as it was for a seed.
"""

from __future__ import annotations

import functools
import random
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import TYPE_CHECKING

from csdomain.credit.commands import (
    AuthorizeShipment,
    OpenCreditAccount,
    RecordLedgerEntry,
    SetCreditGrade,
)
from csdomain.kernel.errors import DomainError
from csdomain.kernel.ids import CustomerId, StaffId
from csdomain.kernel.money import Money

if TYPE_CHECKING:
    from adapters.bootstrap import App
    from adapters.demo import _Company, _Schedule

_HUNDRED = Decimal("100")


def _hundreds(value: Decimal) -> Money:
    """An amount rounded down to whole hundreds of 元, as orders are priced."""
    return Money.of((value / _HUNDRED).to_integral_value(ROUND_DOWN) * _HUNDRED)


class DemoCredit:
    """Credit for ``accounts`` corporate customers over the demo's working ``days``.

    The first account opened is the difficult one: in the first month it takes a first and a last
    over-limit shipment and pays nothing until the month is over, so the month end charges
    the signer (CRD-4); the second takes a first over-limit shipment in the last month that
    is paid in time. The others ship within their rolling line (CRD-2) and pay weekly."""

    def __init__(
        self,
        app: App,
        company: _Company,
        seed: int,
        when: Callable[[date, int, int], datetime],
    ) -> None:
        self.app = app
        self.s = app.services.credit
        self.manager = company.managers["sales"]
        self.system = app.services.org.system_account()
        self.rng = random.Random(f"credit-{seed}")
        self.when = when
        self.accounts: list[tuple[CustomerId, StaffId]] = []
        self.decisions: Counter[str] = Counter()
        self.charges = 0
        self._paused: dict[CustomerId, tuple[date, date]] = {}
        self._refs = 0

    def _ref(self, prefix: str) -> str:
        self._refs += 1
        return f"{prefix}-{self._refs:05d}"

    # ------------------------------------------------------------------ plan
    def plan(
        self,
        candidates: Callable[[], list[tuple[CustomerId, StaffId]]],
        no_file: Callable[[], list[tuple[CustomerId, StaffId]]],
        days: list[date],
        months: list[date],
        schedule: _Schedule,
    ) -> None:
        """Schedule everything. Accounts open in three waves, two at a time, among the
        corporate customers whose file holds the ID copy (who qualifies is known only as the
        history runs, so ``candidates`` is asked at each wave)."""
        waves = sorted({days[min(i, len(days) - 1)] for i in (3, 8, 14)})

        def wave(day: date) -> None:
            opened = {c for c, _ in self.accounts}
            for customer_id, adviser in [c for c in candidates() if c[0] not in opened][:2]:
                if self.open(customer_id, adviser, day):
                    later = [d for d in days if d > day]
                    self._weekly(customer_id, adviser, later[len(self.accounts) % 5 :: 5], schedule)

        for day in waves:
            schedule.at(self.when(day, 10, 30), functools.partial(wave, day))

        def cash_only() -> None:  # CRD-1: no ID copy in any file, no credit
            for customer_id, adviser in no_file()[:1]:
                self.ship(adviser, customer_id, Money.of("8000.00"), waves[-1])

        schedule.at(self.when(waves[-1], 11, 0), cash_only)
        self._scenarios([d for d in days if d > waves[0]], months, schedule)
        for month in months[1:]:  # the scheduler's job at 01:30 on the 1st (CRD-4)
            schedule.at(self.when(month, 1, 30), self.month_end)

    def open(self, customer_id: CustomerId, adviser: StaffId, day: date) -> bool:
        """CRD-1 account, a CRD-6 grade, and the last month's invoices from the ERP."""
        r = self.rng
        try:
            self.s.open_account(
                self.manager.id,
                OpenCreditAccount(
                    customer_id=customer_id,
                    contract_type=r.choice(["distribution", "direct_sales"]),
                    contract_no=self._ref("HT"),
                    contract_signed_on=day - timedelta(days=r.randint(20, 200)),
                    settlement_agreement=True,
                ),
            )
        except DomainError:
            return False  # not eligible after all (CRD-1): stays a cash customer
        self.accounts.append((customer_id, adviser))
        score = r.randint(55, 98)
        grade = "A" if score >= 85 else "B" if score >= 70 else "C"
        self.s.set_grade(
            self.manager.id,
            customer_id,
            SetCreditGrade(grade=grade, score=score, reason="开户资信调查"),
        )
        for back in (27, 17, 7):  # the rolling line needs last month's invoices (CRD-2)
            self.s.record_invoice(
                adviser,
                RecordLedgerEntry(
                    customer_id=customer_id,
                    amount=_hundreds(Decimal(r.randint(20_000, 60_000))),
                    on=day - timedelta(days=back),
                    reference=self._ref("ERP"),
                ),
            )
        self.pay(adviser, customer_id, day - timedelta(days=2), share=Decimal("0.6"))
        return True

    # ------------------------------------------------------------- actions
    def ship(
        self,
        actor: StaffId,
        customer_id: CustomerId,
        amount: Money,
        day: date,
        over_limit: str = "",
        reason: str = "",
    ) -> str:
        decision = self.s.authorize_shipment(
            actor,
            AuthorizeShipment(
                customer_id=customer_id,
                amount=amount,
                reference=self._ref("FH"),
                on=day,
                over_limit=over_limit,
                reason=reason,
            ),
        )
        self.decisions[decision.shipment.decision.value] += 1
        return decision.shipment.decision.value

    def pay(self, adviser: StaffId, customer_id: CustomerId, day: date, share: Decimal) -> None:
        """A bank transfer of ``share`` of the balance (the oldest invoices first)."""
        balance = self.s.position(adviser, customer_id, day + timedelta(days=1)).balance
        amount = _hundreds(balance.amount * share)
        if amount.amount <= 0:
            return
        self.s.record_payment(
            adviser,
            RecordLedgerEntry(
                customer_id=customer_id, amount=amount, on=day, reference=self._ref("YH")
            ),
        )

    def month_end(self) -> None:
        self.charges += len(self.s.scheduled_month_end(self.system.id))

    # ------------------------------------------------------------- stories
    def _weekly(
        self, customer_id: CustomerId, adviser: StaffId, days: list[date], schedule: _Schedule
    ) -> None:
        """An order a week within what is available, and a payment three days later."""

        def order(day: date) -> None:
            available = self.s.position(adviser, customer_id, day).available
            wanted = Decimal(self.rng.randint(15_000, 45_000))
            amount = _hundreds(min(available.amount, wanted))
            if amount.amount > 0:
                self.ship(adviser, customer_id, amount, day)

        def payment(day: date) -> None:
            stop, resume = self._paused.get(customer_id, (day, day))
            if not stop <= day < resume:
                self.pay(adviser, customer_id, day, Decimal(self.rng.randint(70, 100)) / 100)

        for day in days:
            schedule.at(self.when(day, 11, self.rng.randint(0, 59)), functools.partial(order, day))
            pay_day = day + timedelta(days=3)
            schedule.at(self.when(pay_day, 15, 0), functools.partial(payment, pay_day))

    def _scenarios(self, days: list[date], months: list[date], schedule: _Schedule) -> None:
        """The first account's unpaid last over-limit shipment late in the first month,
        the second account's first over-limit shipment early in the last full month."""
        if len(months) < 2:
            return
        first_month = [d for d in days if d < months[1]]
        last_month = [d for d in days if months[-2] <= d < months[-1]] or days
        if len(first_month) >= 4:
            late = first_month[-4]
            schedule.at(self.when(late, 14, 0), lambda: self._over_limit(0, late, months[1]))
        if len(last_month) >= 3:
            early = last_month[2]
            schedule.at(self.when(early, 14, 0), lambda: self._over_limit(1, early, None))

    def _over_limit(self, account: int, day: date, unpaid_until: date | None) -> None:
        """Use up the line; an unsigned request over it is refused, then the sales manager
        signs a first over-limit shipment below a third of the line (CRD-3) — and, when the
        customer is to leave it unpaid past the month end, a last one (CRD-4)."""
        if account >= len(self.accounts):
            return
        customer_id, adviser = self.accounts[account]
        position = self.s.position(adviser, customer_id, day)
        if position.available.amount > 0:
            self.ship(adviser, customer_id, position.available, day)
        step = _hundreds(position.line.amount * Decimal("0.2"))
        if step.amount <= 0:
            return
        self.ship(adviser, customer_id, step, day)  # refused: over the line, unsigned
        self.ship(self.manager.id, customer_id, step, day, "first", "旺季订单，客户承诺月内回款")
        if unpaid_until is not None:
            self._paused[customer_id] = (day, unpaid_until + timedelta(days=9))
            self.ship(self.manager.id, customer_id, step, day, "last", "季末冲量")
