"""A customer with credit, in a few lines (CRD-1: file with the ID copy, a distribution
contract with a settlement agreement, nothing owed from last year)."""

from __future__ import annotations

from datetime import date

from adapters.bootstrap import App
from csd_support import Org
from csdomain.credit.commands import OpenCreditAccount, RecordLedgerEntry
from csdomain.customers.commands import RegisterCustomer
from csdomain.customers.model import Customer
from csdomain.kernel.money import Money


def credit_customer(
    app: App, org: Org, name: str = "Dalian Motors", phone: str = "13800000001"
) -> Customer:
    s = app.services
    customer = s.customers.register(org.sales.id, RegisterCustomer(name=name, phone=phone))
    f = s.customers.open_file(org.sales.id, customer.id, "new_sale", date(2026, 8, 3))
    s.customers.add_documents(org.sales.id, f.id, {"id_copy": "box 7"})
    s.credit.open_account(
        org.manager.id,
        OpenCreditAccount(
            customer_id=customer.id,
            contract_type="distribution",
            contract_no="D-2026-01",
            contract_signed_on=date(2026, 8, 1),
            settlement_agreement=True,
        ),
    )
    return customer


def invoice(app: App, org: Org, customer: Customer, amount: str, day: date, ref: str = "") -> None:
    app.services.credit.record_invoice(
        org.sales.id,
        RecordLedgerEntry(
            customer_id=customer.id,
            amount=Money.of(amount),
            on=day,
            reference=ref or f"INV-{day.isoformat()}-{amount}",
        ),
    )


def pay(app: App, org: Org, customer: Customer, amount: str, day: date) -> None:
    app.services.credit.record_payment(
        org.sales.id,
        RecordLedgerEntry(
            customer_id=customer.id, amount=Money.of(amount), on=day, reference=f"PAY-{day}"
        ),
    )
