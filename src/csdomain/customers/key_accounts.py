"""Key accounts (CUS-5; 002 3-9, 4-10, 7-6, 7-7).

A customer's sales and gross margin are recorded per month (one figure per customer and
month, a unique key). A *period* is a month (``YYYY-MM``) or a year (``YYYY``, its twelve
months); the previous period is the month or year before. From the figures:

- top lists by sales, by growth (sales − the previous period's sales) and by margin, each
  ``customers.key_accounts.top_n`` long (002 3-9; 7-7 客户销售毛利排名表);
- key accounts: customers graded ``customers.key_accounts.min_grade`` or higher (002 4-10
  "AA and above"; the order is the grading bands'), as the grade history stood at a moment;
- key-account churn: key accounts at the end of the previous period that are lost by the end
  of this one — downgraded, deregistered, or with no orders in the period when
  ``churn_without_orders`` (002 4-10 "AA(包含)以上客户流失(订单全部转移)率").
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal

from csdomain.authz import Resource, use_case
from csdomain.context import ServiceContext, authorize, record
from csdomain.customers.commands import RecordSales
from csdomain.customers.model import (
    KeyAccountChurn,
    LostKeyAccount,
    RankedCustomer,
    SalesFigure,
)
from csdomain.kernel.errors import ConcurrencyConflict, ValidationError
from csdomain.kernel.ids import CustomerId, StaffId
from csdomain.kernel.money import Money
from csdomain.ports import UnitOfWork

# years 2000…2099 as input; 19xx only as the period before 2000 (CUS-5 growth, churn)
_PERIOD = re.compile(r"^((?:19|20)\d\d)(?:-(0[1-9]|1[0-2]))?$")
MEASURES = ("sales", "growth", "margin")
_TENTH = Decimal("0.1")


def _percent(part: Decimal, whole: Decimal) -> Decimal | None:
    return None if whole == 0 else (part * 100 / whole).quantize(_TENTH)


def period_months(period: str) -> builtins.list[str]:
    """The months of a period: ``2026-10`` → [2026-10]; ``2026`` → 2026-01…2026-12."""
    match = _PERIOD.match(period) if isinstance(period, str) else None
    if match is None:
        raise ValidationError(
            f"a period is a month (YYYY-MM) or a year (YYYY), got {period!r}",
            field="period",
            rule="CUS-5",
        )
    year, month = match.group(1), match.group(2)
    if month:
        return [period]
    return [f"{year}-{m:02d}" for m in range(1, 13)]


def previous_period(period: str) -> str:
    months = period_months(period)
    year = int(period[:4])
    if len(months) == 12:
        return f"{year - 1:04d}"
    month = int(period[5:])
    return f"{year - 1:04d}-12" if month == 1 else f"{year:04d}-{month - 1:02d}"


class KeyAccountService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    # ------------------------------------------------------------ figures
    @use_case("customers.sales.record")
    def record_sales(
        self, actor_id: StaffId, customer_id: CustomerId, command: RecordSales
    ) -> SalesFigure:
        """CUS-5: record (or, naming ``expected_version`` and a reason, correct) a customer's
        sales and margin of a month. One figure per customer and month: the lock and the
        unique key refuse a second."""
        margin = command.sales - command.cost
        with self.ctx.uow() as uow:
            uow.lock(f"sales-figure:{customer_id}:{command.month}")
            grant = authorize(uow, self.ctx, actor_id, "customers.sales.record")
            customer = uow.customers.get(customer_id)
            owner = uow.staff.get(customer.owner_id)
            grant.require(
                Resource.of(
                    f"customer {customer.id}", owners=[owner.id], departments=[owner.department_id]
                )
            )
            figure = uow.sales_figures.find(customer.id, command.month)
            if figure is None:
                if command.expected_version is not None:
                    raise ConcurrencyConflict(
                        f"no sales of {command.month} are recorded for customer {customer.id}",
                        field="expected_version",
                    )
                figure = SalesFigure(
                    customer_id=customer.id,
                    month=command.month,
                    sales=command.sales,
                    margin=margin,
                    recorded_by=grant.actor.id,
                    recorded_at=self.ctx.now(),
                )
                uow.sales_figures.add(figure)
                kind = "customer.sales_recorded"
            else:
                if command.expected_version != figure.version:
                    raise ConcurrencyConflict(
                        f"the sales of {command.month} are recorded (version {figure.version}); "
                        "a correction names that version and a reason",
                        field="expected_version",
                    )
                if not command.reason.strip():
                    raise ValidationError("a correction needs a reason", field="reason", rule="X-7")
                figure.sales = command.sales
                figure.margin = margin
                figure.recorded_by = grant.actor.id
                figure.recorded_at = self.ctx.now()
                kind = "customer.sales_corrected"
            record(
                uow,
                self.ctx,
                kind,
                customer.id,
                grant.actor.id,
                command.reason,
                month=command.month,
                sales=str(command.sales.amount),
                margin=str(margin.amount),
            )
            uow.commit()
            return figure

    def _totals(
        self, uow: UnitOfWork, months: Sequence[str]
    ) -> dict[CustomerId, tuple[Money, Money]]:
        totals: dict[CustomerId, tuple[Money, Money]] = {}
        for f in uow.sales_figures.list_months(months):
            sales, margin = totals.get(f.customer_id, (Money.zero(), Money.zero()))
            totals[f.customer_id] = (sales + f.sales, margin + f.margin)
        return totals

    # ------------------------------------------------------------ top lists
    @use_case("customers.key_accounts.read")
    def top(
        self, actor_id: StaffId, period: str, by: str = "sales"
    ) -> builtins.list[RankedCustomer]:
        """CUS-5: the top ``top_n`` customers of ``period`` by ``sales``, ``growth`` or
        ``margin`` (ties by customer id)."""
        if by not in MEASURES:
            raise ValidationError(f"rank by one of {', '.join(MEASURES)}", field="by", rule="CUS-5")
        months = period_months(period)
        before = period_months(previous_period(period))
        top_n = self.ctx.policy.customers.key_accounts.top_n
        zero = (Money.zero(), Money.zero())
        with self.ctx.uow() as uow:
            authorize(uow, self.ctx, actor_id, "customers.key_accounts.read")
            now = self._totals(uow, months)
            prev = self._totals(uow, before)
            ids = set(now) | (set(prev) if by == "growth" else set())

            def measure(cid: CustomerId) -> Decimal:
                sales, margin = now.get(cid, zero)
                if by == "sales":
                    return sales.amount
                if by == "margin":
                    return margin.amount
                return (sales - prev.get(cid, zero)[0]).amount

            ranked = sorted(ids, key=lambda cid: (-measure(cid), cid))[:top_n]
            rows = []
            for rank, cid in enumerate(ranked, start=1):
                customer = uow.customers.get(cid)
                sales, margin = now.get(cid, zero)
                previous = prev.get(cid, zero)[0]
                growth = sales - previous
                rows.append(
                    RankedCustomer(
                        rank=rank,
                        customer_id=cid,
                        name=customer.name,
                        grade=customer.grade,
                        sales=sales,
                        margin=margin,
                        margin_percent=_percent(margin.amount, sales.amount),
                        previous_sales=previous,
                        growth=growth,
                        growth_percent=_percent(growth.amount, previous.amount),
                    )
                )
            return rows

    # ------------------------------------------------------------ key accounts
    def _start(self, period: str) -> datetime:
        first = period_months(period)[0]
        return datetime.combine(
            date(int(first[:4]), int(first[5:]), 1), time.min, tzinfo=self.ctx.now().tzinfo
        )

    def _end(self, period: str) -> datetime:
        last = period_months(period)[-1]
        year, month = int(last[:4]), int(last[5:])
        nxt = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
        return datetime.combine(nxt, time.min, tzinfo=self.ctx.now().tzinfo)

    def _grades_at(self, uow: UnitOfWork, until: datetime) -> dict[CustomerId, str]:
        grades: dict[CustomerId, str] = {}
        for change in uow.grade_changes.list_until(until):
            grades[change.customer_id] = change.to_grade
        return grades

    def _deregistered_before(self, uow: UnitOfWork, until: datetime) -> set[str]:
        return {e.subject_id for e in uow.audit.list(kind="customer.deregistered") if e.at < until}

    def _key_at(self, uow: UnitOfWork, until: datetime) -> dict[CustomerId, str]:
        key = set(self.ctx.policy.customers.key_grades())
        gone = self._deregistered_before(uow, until)
        return {
            cid: g for cid, g in self._grades_at(uow, until).items() if g in key and cid not in gone
        }

    @use_case("customers.key_accounts.read")
    def key_accounts(self, actor_id: StaffId, period: str) -> builtins.list[RankedCustomer]:
        """CUS-5: the key accounts at the end of ``period`` (graded ``min_grade`` or higher,
        not deregistered), ranked by the period's sales."""
        months = period_months(period)
        prev_months = period_months(previous_period(period))
        zero = (Money.zero(), Money.zero())
        with self.ctx.uow() as uow:
            authorize(uow, self.ctx, actor_id, "customers.key_accounts.read")
            key = self._key_at(uow, self._end(period))
            now = self._totals(uow, months)
            prev = self._totals(uow, prev_months)
            ranked = sorted(key, key=lambda cid: (-now.get(cid, zero)[0].amount, cid))
            rows = []
            for rank, cid in enumerate(ranked, start=1):
                customer = uow.customers.get(cid)
                sales, margin = now.get(cid, zero)
                previous = prev.get(cid, zero)[0]
                rows.append(
                    RankedCustomer(
                        rank=rank,
                        customer_id=cid,
                        name=customer.name,
                        grade=key[cid],
                        sales=sales,
                        margin=margin,
                        margin_percent=_percent(margin.amount, sales.amount),
                        previous_sales=previous,
                        growth=sales - previous,
                        growth_percent=_percent((sales - previous).amount, previous.amount),
                    )
                )
            return rows

    @use_case("customers.key_accounts.read")
    def churn(self, actor_id: StaffId, period: str) -> KeyAccountChurn:
        """CUS-5: the key accounts of the previous period lost in ``period`` and the churn
        rate (the KPI's target in 002 4-10 is 0)."""
        policy = self.ctx.policy.customers
        key_grades = set(policy.key_grades())
        prev = previous_period(period)
        start, end = self._start(period), self._end(period)
        with self.ctx.uow() as uow:
            authorize(uow, self.ctx, actor_id, "customers.key_accounts.read")
            before = self._key_at(uow, start)
            grades_now = self._grades_at(uow, end)
            gone = self._deregistered_before(uow, end)
            sales = self._totals(uow, period_months(period))
            lost = []
            for cid in sorted(before):
                grade_now = grades_now.get(cid)
                if cid in gone:
                    reason = "deregistered"
                elif grade_now not in key_grades:
                    reason = "downgraded"
                elif policy.key_accounts.churn_without_orders and (
                    cid not in sales or sales[cid][0].amount == 0
                ):
                    reason = "no_orders"
                else:
                    continue
                lost.append(
                    LostKeyAccount(
                        customer_id=cid,
                        name=uow.customers.get(cid).name,
                        grade_before=before[cid],
                        grade_now=grade_now,
                        reason=reason,
                    )
                )
            now_count = len([c for c, g in grades_now.items() if g in key_grades and c not in gone])
            return KeyAccountChurn(
                period=period,
                previous_period=prev,
                key_accounts_before=len(before),
                key_accounts_now=now_count,
                lost=lost,
                churn_percent=_percent(Decimal(len(lost)), Decimal(len(before))),
            )
