"""Credit use cases (CRD-1…CRD-6).

Every decision that depends on a customer's balance runs under the customer's lock
(``credit:<customer id>``), so two shipments authorized at the same moment are decided one
after the other: the second sees the first's invoice (docs/architecture.md, "Invariants").
Charges to people (CRD-4, CRD-5) are penalty-ledger entries with a unique source key, booked
through ``csdomain.penalties.services.book_entry`` (PEN-10: never into a settled month).
"""

from __future__ import annotations

import builtins
import itertools
from datetime import date, timedelta

from csdomain.authz import Grant, Resource, use_case
from csdomain.cases.services import staff_department
from csdomain.context import ServiceContext, authorize, record
from csdomain.credit.commands import (
    AuthorizeShipment,
    OpenCreditAccount,
    RecordLedgerEntry,
    SetCreditGrade,
    WriteOff,
)
from csdomain.credit.model import (
    OVER_LIMIT,
    AgeingRow,
    CreditAccount,
    CreditGradeChange,
    CreditPosition,
    Decision,
    Eligibility,
    Exposure,
    LedgerEntry,
    LedgerKind,
    OverLimitStatus,
    Shipment,
    ShipmentDecision,
)
from csdomain.credit.rules import (
    below_bound,
    credit_line,
    eligibility_failing,
    last_year_end,
    line_window,
    over_limit_bound,
    within_line,
)
from csdomain.customers.model import Customer
from csdomain.kernel.bounds import parse_month
from csdomain.kernel.dates import month_days
from csdomain.kernel.errors import Conflict, ValidationError
from csdomain.kernel.ids import CustomerId, StaffId
from csdomain.kernel.money import Money
from csdomain.penalties.model import EntryKind, PenaltyEntry
from csdomain.penalties.services import book_entry, month_of
from csdomain.policy.credit import CreditPolicy
from csdomain.ports import UnitOfWork

L = LedgerKind
_SETTLING = (L.PAYMENT, L.WRITE_OFF)
MAX_BATCH = 500


def credit_lock(customer_id: str) -> str:
    """Every balance-dependent credit decision of one customer (CRD-3, CRD-4, CRD-5)."""
    return f"credit:{customer_id}"


class CreditService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    @property
    def policy(self) -> CreditPolicy:
        return self.ctx.policy.credit

    # ----------------------------------------------------------------- helpers
    def _customer_resource(self, uow: UnitOfWork, customer: Customer, **extra: object) -> Resource:
        """A customer's credit records belong to the customer's owner and department."""
        return Resource.of(
            f"customer {customer.id}",
            owners=[customer.owner_id],
            departments=[staff_department(uow, customer.owner_id)],
            **extra,  # type: ignore[arg-type]
        )

    def _customer(self, uow: UnitOfWork, grant: Grant, customer_id: CustomerId) -> Customer:
        customer = uow.customers.get(customer_id)
        grant.require(self._customer_resource(uow, customer), field="customer_id")
        return customer

    def _balance(self, uow: UnitOfWork, customer_id: CustomerId, until: date | None) -> Money:
        return uow.credit_ledger.balance(customer_id, until=until)

    def _window(self, on: date) -> tuple[date, date]:
        """CRD-2: the ``window_days`` days before ``on`` (``on`` itself excluded)."""
        return line_window(self.policy, on)

    def _line(self, uow: UnitOfWork, customer_id: CustomerId, on: date) -> Money:
        # CRD-2 through the pure rule the policy replay shares (credit.rules)
        if self.policy.line_rule == "fixed_by_grade":
            account = uow.credit_accounts.find(customer_id)
            return credit_line(self.policy, account.grade if account else None, Money.zero())
        start, end = self._window(on)
        invoiced = uow.credit_ledger.total(customer_id, [L.INVOICE], since=start, until=end)
        return credit_line(self.policy, None, invoiced)

    def _eligibility(self, uow: UnitOfWork, customer: Customer, on: date) -> Eligibility:
        """CRD-1, each failing condition named."""
        # through the pure rule the policy replay shares (credit.rules)
        rules = self.policy.eligibility
        files = [f for f in uow.files.list_for_customer(customer.id) if f.destroyed_at is None]
        carried = (
            self._balance(uow, customer.id, last_year_end(on))
            if rules.last_year_balance_zero
            else Money.zero()
        )
        failing = eligibility_failing(
            rules,
            [f.documents for f in files],
            uow.credit_accounts.find(customer.id),
            on,
            carried,
        )
        return Eligibility(customer_id=customer.id, eligible=not failing, failing=failing)

    def _unpaid(self, uow: UnitOfWork, shipment: Shipment, until: date) -> Money:
        """What is still unpaid of ``shipment`` on ``until``: payments settle the oldest
        invoices first, so it is paid once they cover every invoice up to its own."""
        entry = uow.credit_ledger.find_for_shipment(shipment.id)
        if entry is None:
            return Money.zero()
        owed = uow.credit_ledger.invoiced_up_to(entry)
        settled = uow.credit_ledger.total(shipment.customer_id, _SETTLING, until=until)
        unpaid = owed - settled
        if unpaid.is_negative():
            return Money.zero()
        return min(unpaid, shipment.amount)

    # --------------------------------------------------------------- accounts
    @use_case("credit.accounts.open")
    def open_account(self, actor_id: StaffId, command: OpenCreditAccount) -> CreditAccount:
        """CRD-1: record the credit contract; refused when a condition fails, naming it."""
        if command.contract_type not in self.policy.eligibility.contract_types:
            raise ValidationError(
                f"contract type must be one of {', '.join(self.policy.eligibility.contract_types)}",
                field="contract_type",
                rule="CRD-1",
            )
        with self.ctx.uow() as uow:
            uow.lock(credit_lock(command.customer_id))
            grant = authorize(uow, self.ctx, actor_id, "credit.accounts.open")
            customer = self._customer(uow, grant, command.customer_id)
            if uow.credit_accounts.find(customer.id) is not None:
                raise Conflict(f"customer {customer.id} already has a credit account", rule="CRD-1")
            account = CreditAccount(
                customer_id=customer.id,
                contract_type=command.contract_type,
                contract_no=command.contract_no,
                contract_signed_on=command.contract_signed_on,
                settlement_agreement=command.settlement_agreement,
                opened_by=grant.actor.id,
                opened_at=self.ctx.now(),
            )
            uow.credit_accounts.add(account)
            found = self._eligibility(uow, customer, self.ctx.today())
            if not found.eligible:
                raise ValidationError(
                    "credit refused: " + "; ".join(found.failing),
                    field="customer_id",
                    rule="CRD-1",
                )
            record(uow, self.ctx, "credit.account_opened", customer.id, grant.actor.id)
            uow.commit()
            return account

    @use_case("credit.accounts.read")
    def eligibility(
        self, actor_id: StaffId, customer_id: CustomerId, on: date | None = None
    ) -> Eligibility:
        """CRD-1: may the customer have credit on ``on`` (default today), and if not, why."""
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "credit.accounts.read")
            customer = self._customer(uow, grant, customer_id)
            return self._eligibility(uow, customer, on or self.ctx.today())

    @use_case("credit.accounts.read")
    def account(self, actor_id: StaffId, customer_id: CustomerId) -> CreditAccount:
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "credit.accounts.read")
            customer = self._customer(uow, grant, customer_id)
            return uow.credit_accounts.get(customer.id)

    @use_case("credit.accounts.read")
    def position(
        self, actor_id: StaffId, customer_id: CustomerId, on: date | None = None
    ) -> CreditPosition:
        """CRD-2: the line on ``on`` and the balance before that day's shipments."""
        day = on or self.ctx.today()
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "credit.accounts.read")
            customer = self._customer(uow, grant, customer_id)
            line = self._line(uow, customer.id, day)
            balance = self._balance(uow, customer.id, day)
            start, end = self._window(day)
            return CreditPosition(
                customer_id=customer.id,
                on=day,
                line=line,
                balance=balance,
                available=max(line - balance, Money.zero()),
                window_from=start,
                window_to=end,
            )

    @use_case("credit.grade")
    def set_grade(
        self, actor_id: StaffId, customer_id: CustomerId, command: SetCreditGrade
    ) -> CreditGradeChange:
        """CRD-6: a new credit grade with its score and reason; the actor approves it."""
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "credit.grade")
            customer = self._customer(uow, grant, customer_id)
            account = uow.credit_accounts.get(customer.id)
            change = CreditGradeChange(
                customer_id=customer.id,
                from_grade=account.grade,
                to_grade=command.grade,
                score=command.score,
                reason=command.reason,
                approved_by=grant.actor.id,
                at=self.ctx.now(),
            )
            account.grade, account.score = command.grade, command.score
            uow.credit_grades.add(change)
            record(
                uow,
                self.ctx,
                "credit.grade_changed",
                customer.id,
                grant.actor.id,
                command.reason,
                to=command.grade,
            )
            uow.commit()
            return change

    @use_case("credit.accounts.read")
    def grade_history(
        self, actor_id: StaffId, customer_id: CustomerId
    ) -> builtins.list[CreditGradeChange]:
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "credit.accounts.read")
            customer = self._customer(uow, grant, customer_id)
            return list(uow.credit_grades.list_for_customer(customer.id))

    # ----------------------------------------------------------------- ledger
    def _record(
        self, actor_id: StaffId, kind: LedgerKind, command: RecordLedgerEntry
    ) -> LedgerEntry:
        with self.ctx.uow() as uow:
            uow.lock(credit_lock(command.customer_id))
            grant = authorize(uow, self.ctx, actor_id, "credit.ledger.record")
            customer = self._customer(uow, grant, command.customer_id)
            entry = LedgerEntry(
                customer_id=customer.id,
                kind=kind,
                amount=command.amount,
                on=command.on,
                reference=command.reference,
                recorded_by=grant.actor.id,
                recorded_at=self.ctx.now(),
            )
            uow.credit_ledger.add(entry)
            record(
                uow,
                self.ctx,
                f"credit.{kind.value}",
                customer.id,
                grant.actor.id,
                amount=str(command.amount.amount),
            )
            uow.commit()
            return entry

    @use_case("credit.ledger.record")
    def record_invoice(self, actor_id: StaffId, command: RecordLedgerEntry) -> LedgerEntry:
        """An invoice made outside ``authorize_shipment`` (a manual invoice, CRD-5)."""
        return self._record(actor_id, L.INVOICE, command)

    @use_case("credit.ledger.record")
    def record_payment(self, actor_id: StaffId, command: RecordLedgerEntry) -> LedgerEntry:
        return self._record(actor_id, L.PAYMENT, command)

    @use_case("credit.accounts.read")
    def ledger(
        self, actor_id: StaffId, customer_id: CustomerId, *, limit: int = 100, offset: int = 0
    ) -> builtins.list[LedgerEntry]:
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "credit.accounts.read")
            customer = self._customer(uow, grant, customer_id)
            return list(
                uow.credit_ledger.list_for_customer(customer.id, limit=limit, offset=offset)
            )

    # -------------------------------------------------------------- shipments
    def _decide(
        self,
        uow: UnitOfWork,
        grant: Grant,
        customer: Customer,
        command: AuthorizeShipment,
        on: date,
    ) -> Shipment:
        """CRD-3, in order: no credit → cash or prepayment; prepaid → against prepayment;
        within the line; a signed first/last over-limit shipment below the bound; refused."""
        p = self.policy
        line = self._line(uow, customer.id, on)
        # everything invoiced up to today counts, also for a shipment dated back: one
        # dated yesterday must not slip past today's (CRD-3)
        balance = self._balance(uow, customer.id, self.ctx.today())
        amount = command.amount
        bound = over_limit_bound(p, line)
        available = max(line - balance, Money.zero())
        prepaid = max(-balance, Money.zero())

        def made(decision: Decision, why: str, **signed: object) -> Shipment:
            return Shipment(
                customer_id=customer.id,
                amount=amount,
                on=on,
                reference=command.reference,
                decision=decision,
                why=why,
                line=line,
                balance=balance,
                available=available,
                bound=bound,
                requested_by=grant.actor.id,
                requested_at=self.ctx.now(),
                reason=command.reason,
                **signed,  # type: ignore[arg-type]
            )

        eligible = self._eligibility(uow, customer, on)
        if prepaid >= amount:
            return made(
                Decision.AGAINST_PREPAYMENT,
                f"{prepaid.amount:.2f} 元 paid in advance covers {amount.amount:.2f} 元 (CRD-3c)",
            )
        if not eligible.eligible:
            return made(
                Decision.CASH_ONLY,
                "no credit (CRD-1): " + "; ".join(eligible.failing) + " — cash before "
                "invoicing, with a collection plan (CRD-3)",
            )
        if within_line(line, balance, amount):
            return made(
                Decision.WITHIN_LINE,
                f"balance {balance.amount:.2f} + {amount.amount:.2f} ≤ line {line.amount:.2f} 元",
            )
        over = f"balance {balance.amount:.2f} + {amount.amount:.2f} > line {line.amount:.2f} 元"
        if not command.over_limit:
            return made(
                Decision.REFUSED,
                f"{over}: over the line; ask for a signed first or last over-limit shipment "
                f"(below {bound.amount:.2f} 元), or prepay (CRD-3)",
            )
        kind = (
            Decision.FIRST_OVER_LIMIT if command.over_limit == "first" else Decision.LAST_OVER_LIMIT
        )
        role = (
            p.over_limit.first_role if kind == Decision.FIRST_OVER_LIMIT else p.over_limit.last_role
        )
        # the authority a signed over-limit shipment needs is policy data (X-3, CRD-3)
        grant.require(
            self._customer_resource(
                uow,
                customer,
                required_role=role,
                needed_for=f"signing a {command.over_limit} over-limit shipment",
            ),
            field="over_limit",
        )
        if not command.reason.strip():
            raise ValidationError(
                "an over-limit shipment needs the signer's reason", field="reason", rule="CRD-3"
            )
        if not below_bound(p, line, amount):
            return made(
                Decision.REFUSED,
                f"{over}: a {command.over_limit} over-limit shipment must be below 1/"
                f"{p.over_limit.divisor} of the line ({bound.amount:.2f} 元); "
                f"{amount.amount:.2f} 元 is not (CRD-3)",
            )
        open_ones = [
            s
            for s in uow.credit_shipments.list_for_customer(customer.id, decisions=list(OVER_LIMIT))
            if self._unpaid(uow, s, on) != Money.zero()
        ]
        if any(s.decision == kind for s in open_ones):
            return made(
                Decision.REFUSED,
                f"{over}: a {command.over_limit} over-limit shipment is already unpaid (CRD-3)",
            )
        if kind == Decision.LAST_OVER_LIMIT and not any(
            s.decision == Decision.FIRST_OVER_LIMIT for s in open_ones
        ):
            return made(
                Decision.REFUSED,
                f"{over}: a last over-limit shipment follows an unpaid first one; ask for a "
                "first over-limit shipment (CRD-3)",
            )
        liable = (
            " — the signer is liable for it (CRD-4)" if kind == Decision.LAST_OVER_LIMIT else ""
        )
        return made(
            kind,
            f"{over}; {amount.amount:.2f} < 1/{p.over_limit.divisor} of the line "
            f"({bound.amount:.2f} 元), signed by {grant.actor.name} ({grant.actor.role}){liable}",
            signed_by=grant.actor.id,
            authority=grant.actor.role,
        )

    @use_case("credit.ship")
    def authorize_shipment(self, actor_id: StaffId, command: AuthorizeShipment) -> ShipmentDecision:
        """CRD-3: decide a shipment and record the decision; an allowed one is invoiced in
        the same transaction, so the next decision for this customer sees it."""
        on = command.on or self.ctx.today()
        if on > self.ctx.today():
            raise ValidationError("a shipment is decided on its day, not ahead", field="on")
        with self.ctx.uow() as uow:
            uow.lock(credit_lock(command.customer_id))
            grant = authorize(uow, self.ctx, actor_id, "credit.ship")
            customer = self._customer(uow, grant, command.customer_id)
            shipment = self._decide(uow, grant, customer, command, on)
            uow.credit_shipments.add(shipment)
            if shipment.allowed:
                uow.credit_ledger.add(
                    LedgerEntry(
                        customer_id=customer.id,
                        kind=L.INVOICE,
                        amount=shipment.amount,
                        on=on,
                        reference=command.reference,
                        recorded_by=grant.actor.id,
                        recorded_at=self.ctx.now(),
                        shipment_id=shipment.id,
                    )
                )
            record(
                uow,
                self.ctx,
                "credit.shipment",
                shipment.id,
                grant.actor.id,
                shipment.why,
                customer_id=customer.id,
                decision=shipment.decision.value,
                amount=str(shipment.amount.amount),
            )
            uow.commit()
            return ShipmentDecision(shipment=shipment, allowed=shipment.allowed)

    @use_case("credit.accounts.read")
    def shipments(self, actor_id: StaffId, customer_id: CustomerId) -> builtins.list[Shipment]:
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "credit.accounts.read")
            customer = self._customer(uow, grant, customer_id)
            return list(uow.credit_shipments.list_for_customer(customer.id))

    # ------------------------------------------------------------ month end
    def _month_end(
        self, uow: UnitOfWork, actor_id: StaffId, month: str
    ) -> builtins.list[PenaltyEntry]:
        start, end = month_days(month)
        charged: list[PenaltyEntry] = []
        share = self.policy.collection.signer_share_percent
        for found in uow.credit_shipments.list_between(
            start, end, decisions=[Decision.LAST_OVER_LIMIT], limit=MAX_BATCH
        ):
            uow.lock(credit_lock(found.customer_id))
            shipment = uow.credit_shipments.get(found.id)
            if shipment.charged or shipment.signed_by is None:
                continue
            unpaid = self._unpaid(uow, shipment, end)
            if unpaid == Money.zero():
                continue
            amount = Money.rounded(unpaid.amount * share / 100)
            shipment.charged = True
            charged.append(
                book_entry(
                    uow,
                    PenaltyEntry(
                        staff_id=shipment.signed_by,
                        month=month_of(end),
                        kind=EntryKind.CREDIT_LIABILITY,
                        amount=amount,
                        explanation=(
                            f"last over-limit shipment {shipment.reference} of "
                            f"{shipment.on.isoformat()} unpaid on {end.isoformat()}: "
                            f"{unpaid.amount:.2f} 元 × {share} % (CRD-4)"
                        ),
                        recorded_at=self.ctx.now(),
                        recorded_by=actor_id,
                        occurred_on=end,
                        source_key=f"credit:{shipment.id}:month_end",
                    ),
                )
            )
            record(
                uow,
                self.ctx,
                "credit.month_end_charge",
                shipment.id,
                actor_id,
                staff_id=shipment.signed_by,
                amount=str(amount.amount),
            )
        return charged

    def _check_month_over(self, month: str) -> str:
        month = parse_month(month, "month", "CRD-4")
        if month_days(month)[1] >= self.ctx.today():
            raise ValidationError(
                f"{month} is not over yet: collection is checked after its last day",
                field="month",
                rule="CRD-4",
            )
        return month

    @use_case("credit.month_end")
    def month_end(self, actor_id: StaffId, month: str) -> builtins.list[PenaltyEntry]:
        """CRD-4: charge the signers of last over-limit shipments still unpaid at the end of
        ``month``; once per shipment, however often it runs."""
        month = self._check_month_over(month)
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "credit.month_end")
            charged = self._month_end(uow, grant.actor.id, month)
            uow.commit()
            return charged

    @use_case("scheduler.credit_month_end")
    def scheduled_month_end(self, actor_id: StaffId) -> builtins.list[PenaltyEntry]:
        """CRD-4 for the month before today, run by the scheduler's system account."""
        first = self.ctx.today().replace(day=1)
        month = month_of(first - timedelta(days=1))
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "scheduler.credit_month_end")
            charged = self._month_end(uow, grant.actor.id, month)
            uow.commit()
            return charged

    # ------------------------------------------------------------- write-off
    def _liable(
        self, uow: UnitOfWork, command: WriteOff, shares: dict[str, int]
    ) -> list[tuple[StaffId, int, str]]:
        missing = sorted(set(shares) - set(command.liable))
        if missing:
            raise ValidationError(
                f"name who holds each liable position: {', '.join(missing)} missing",
                field="liable",
                rule="CRD-5",
            )
        out = []
        for position, weight in shares.items():
            staff = uow.staff.get(command.liable[position])
            if staff.position != position:
                raise ValidationError(
                    f"{staff.name} is {staff.position or 'no position'}, not {position}",
                    field=f"liable.{position}",
                    rule="CRD-5",
                )
            out.append((staff.id, weight, position))
        return out

    @use_case("credit.write_off")
    def write_off(self, actor_id: StaffId, command: WriteOff) -> builtins.list[PenaltyEntry]:
        """CRD-5: write off a bad debt and charge who bears it: within the line (a first
        over-limit shipment counts as within) by the policy's shares; a last over-limit
        shipment to its signer; an unapproved one to logistics, warehouse and market head."""
        with self.ctx.uow() as uow:
            uow.lock(credit_lock(command.customer_id))
            grant = authorize(uow, self.ctx, actor_id, "credit.write_off")
            customer = uow.customers.get(command.customer_id)
            balance = self._balance(uow, customer.id, None)
            if command.amount > balance:
                raise ValidationError(
                    f"only the outstanding balance ({balance.amount:.2f} 元) can be written off",
                    field="amount",
                    rule="CRD-5",
                )
            people: list[tuple[StaffId, int, str]]
            if command.basis == "last_over_limit":
                if command.shipment_id is None:
                    raise ValidationError(
                        "name the last over-limit shipment", field="shipment_id", rule="CRD-5"
                    )
                shipment = uow.credit_shipments.get(command.shipment_id)
                if (
                    shipment.customer_id != customer.id
                    or shipment.decision != Decision.LAST_OVER_LIMIT
                    or shipment.signed_by is None
                ):
                    raise ValidationError(
                        "not a last over-limit shipment of this customer",
                        field="shipment_id",
                        rule="CRD-5",
                    )
                people = [(shipment.signed_by, 1, "signer of the last over-limit shipment")]
            elif command.basis == "unapproved":
                people = self._liable(uow, command, self.policy.liability.unapproved)
            else:
                people = self._liable(uow, command, self.policy.liability.within_line)
            grant.require(
                self._customer_resource(uow, customer, subjects=[p for p, _, _ in people]),
                field="liable",
            )
            entry = LedgerEntry(
                customer_id=customer.id,
                kind=L.WRITE_OFF,
                amount=command.amount,
                on=command.on,
                reference=command.reason[:64],
                recorded_by=grant.actor.id,
                recorded_at=self.ctx.now(),
                shipment_id=command.shipment_id,
            )
            uow.credit_ledger.add(entry)
            amounts = command.amount.allocate([w for _, w, _ in people])
            total_weight = sum(w for _, w, _ in people)
            charged = []
            for (staff_id, weight, position), amount in zip(people, amounts, strict=True):
                charged.append(
                    book_entry(
                        uow,
                        PenaltyEntry(
                            staff_id=staff_id,
                            month=month_of(command.on),
                            kind=EntryKind.CREDIT_LIABILITY,
                            amount=amount,
                            explanation=(
                                f"bad debt of {customer.name} written off "
                                f"{command.on.isoformat()}: {command.amount.amount:.2f} 元 × "
                                f"{weight}/{total_weight} as {position} (CRD-5, {command.basis})"
                            ),
                            recorded_at=self.ctx.now(),
                            recorded_by=grant.actor.id,
                            occurred_on=command.on,
                            source_key=f"credit:{entry.id}:{staff_id}",
                        ),
                    )
                )
            record(
                uow,
                self.ctx,
                "credit.write_off",
                customer.id,
                grant.actor.id,
                command.reason,
                amount=str(command.amount.amount),
                basis=command.basis,
            )
            uow.commit()
            return charged

    # --------------------------------------------------------------- reports
    @use_case("credit.reports")
    def exposure(
        self, actor_id: StaffId, on: date | None = None, *, by: str = "customer"
    ) -> builtins.list[Exposure]:
        """Balances against lines per customer (or per owner, ``by="owner"``) on ``on``,
        the customers the actor's scope reaches, largest balance first."""
        if by not in ("customer", "owner"):
            raise ValidationError("must be customer or owner", field="by")
        day = on or self.ctx.today()
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "credit.reports")
            rows: list[Exposure] = []
            for customer_id, balance in uow.credit_ledger.balances(day, limit=MAX_BATCH):
                customer = uow.customers.get(customer_id)
                if not grant.covers(self._customer_resource(uow, customer)):
                    continue
                line = self._line(uow, customer_id, day)
                over = max(balance - line, Money.zero())
                rows.append(Exposure(customer_id, customer.name, line, balance, over))
            if by == "customer":
                return rows
            owners: dict[str, Exposure] = {}
            for row in rows:
                owner_id = uow.customers.get(CustomerId(row.key)).owner_id
                prev = owners.get(owner_id)
                if prev is None:
                    name = uow.staff.get(owner_id).name
                    owners[owner_id] = Exposure(
                        owner_id, name, row.line, row.balance, row.over_limit
                    )
                else:
                    owners[owner_id] = Exposure(
                        owner_id,
                        prev.name,
                        prev.line + row.line,
                        prev.balance + row.balance,
                        prev.over_limit + row.over_limit,
                        prev.customers + 1,
                    )
            return sorted(owners.values(), key=lambda e: (-e.balance.amount, e.key))

    @use_case("credit.reports")
    def over_limit_shipments(self, actor_id: StaffId, month: str) -> builtins.list[OverLimitStatus]:
        """Over-limit shipments of ``month`` with what is still unpaid of each today."""
        start, end = month_days(parse_month(month, "month", "CRD-3"))
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "credit.reports")
            out = []
            for s in uow.credit_shipments.list_between(
                start, end, decisions=list(OVER_LIMIT), limit=MAX_BATCH
            ):
                customer = uow.customers.get(s.customer_id)
                if grant.covers(self._customer_resource(uow, customer)):
                    out.append(OverLimitStatus(s, self._unpaid(uow, s, self.ctx.today())))
            return out

    @use_case("credit.reports")
    def ageing(self, actor_id: StaffId, on: date | None = None) -> builtins.list[AgeingRow]:
        """Unpaid invoices by age on ``on`` (payments settle the oldest first), in the
        policy's buckets (``credit.ageing_days``)."""
        day = on or self.ctx.today()
        edges = self.policy.ageing_days
        labels = [f"0-{edges[0]}"]
        labels += [f"{a + 1}-{b}" for a, b in itertools.pairwise(edges)]
        labels.append(f">{edges[-1]}")
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "credit.reports")
            rows = []
            for customer_id, balance in uow.credit_ledger.balances(day, limit=MAX_BATCH):
                customer = uow.customers.get(customer_id)
                if balance.is_negative() or not grant.covers(
                    self._customer_resource(uow, customer)
                ):
                    continue
                buckets = {label: Money.zero() for label in labels}
                left = balance
                # the unpaid part is the newest invoices: walk back until the balance is covered
                offset = 0
                while left > Money.zero():
                    page = uow.credit_ledger.list_for_customer(
                        customer_id,
                        kind=L.INVOICE,
                        until=day,
                        newest_first=True,
                        limit=100,
                        offset=offset,
                    )
                    if not page:
                        break
                    for inv in page:
                        part = min(inv.amount, left)
                        age = (day - inv.on).days
                        label = next(
                            (lab for lab, edge in zip(labels, edges, strict=False) if age <= edge),
                            labels[-1],
                        )
                        buckets[label] += part
                        left -= part
                        if left == Money.zero():
                            break
                    offset += len(page)
                rows.append(AgeingRow(customer_id, buckets, balance))
            return rows
