"""A customer's credit through one month (CRD-1…CRD-6): open the account, invoice September,
see the rolling line on 1 and 5 October, authorize shipments within the line and over it,
run the October month end twice, write off a bad debt and print the reports.

    python examples/credit_month.py

Runs on the memory adapter with a fixed clock; prints what each step decided and why.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from adapters.bootstrap import bootstrap
from adapters.settings import Settings
from csdomain.credit.commands import (
    AuthorizeShipment,
    OpenCreditAccount,
    RecordLedgerEntry,
    WriteOff,
)
from csdomain.customers.commands import RegisterCustomer
from csdomain.kernel.clock import FixedClock
from csdomain.kernel.money import Money

TZ = ZoneInfo("Asia/Shanghai")


def main() -> None:
    clock = FixedClock(datetime(2026, 9, 1, 9, 0, tzinfo=TZ))
    app = bootstrap(Settings(storage="memory"), clock=clock)
    org, s = app.services.org, app.services
    admin, _ = org.bootstrap_admin("Admin")
    manager = org.add_staff(admin.id, name="Qian (regional manager)", role="manager")
    deputy = org.add_staff(admin.id, name="Zhao (deputy GM)", role="deputy_gm")
    li = org.add_staff(admin.id, name="Li (salesperson)", role="staff", position="salesperson")
    sun = org.add_staff(admin.id, name="Sun", role="supervisor", position="sales supervisor")

    customer = s.customers.register(li.id, RegisterCustomer(name="大连汽贸", phone="13800000001"))
    f = s.customers.open_file(li.id, customer.id, "new_sale", date(2026, 8, 3))
    s.customers.add_documents(li.id, f.id, {"id_copy": "archive box 7"})
    s.credit.open_account(
        manager.id,
        OpenCreditAccount(
            customer_id=customer.id,
            contract_type="distribution",
            contract_no="D-2026-01",
            contract_signed_on=date(2026, 8, 1),
            settlement_agreement=True,
        ),
    )
    for day in (1, 15, 30):
        s.credit.record_invoice(
            li.id,
            RecordLedgerEntry(
                customer_id=customer.id,
                amount=Money.of("30000.00"),
                on=date(2026, 9, day),
                reference=f"INV-09{day:02d}",
            ),
        )
    clock.set(datetime(2026, 10, 5, 9, 0, tzinfo=TZ))
    for day in (1, 5):
        pos = s.credit.position(li.id, customer.id, date(2026, 10, day))
        print(f"CRD-2 line on 2026-10-{day:02d}: {pos.line} (balance {pos.balance})")

    def ship(actor_id: str, amount: str, ref: str, over: str = "", reason: str = "") -> None:
        d = s.credit.authorize_shipment(
            actor_id,
            AuthorizeShipment(
                customer_id=customer.id,
                amount=Money.of(amount),
                reference=ref,
                on=date(2026, 10, 1),
                over_limit=over,
                reason=reason,
            ),
        )
        print(f"CRD-3 {ref} {amount} 元: {d.shipment.decision.value} — {d.shipment.why}")

    clock.set(datetime(2026, 10, 1, 10, 0, tzinfo=TZ))
    ship(li.id, "10000.00", "SH-1")
    ship(manager.id, "20000.00", "SH-2", "first", "peak season order")
    ship(manager.id, "25000.00", "SH-3", "last", "closing the quarter")
    s.credit.record_payment(
        li.id,
        RecordLedgerEntry(
            customer_id=customer.id,
            amount=Money.of("110000.00"),
            on=date(2026, 10, 20),
            reference="BANK-1020",
        ),
    )
    clock.set(datetime(2026, 11, 1, 2, 0, tzinfo=TZ))
    for run in (1, 2):
        charged = s.credit.month_end(manager.id, "2026-10")
        print(f"CRD-4 month end, run {run}: {[e.explanation for e in charged] or 'nothing new'}")
    charged = s.credit.write_off(
        deputy.id,
        WriteOff(
            customer_id=customer.id,
            amount=Money.of("1000.00"),
            on=date(2026, 11, 1),
            reason="unrecoverable remainder",
            basis="within_line",
            liable={"salesperson": li.id, "sales supervisor": sun.id},
        ),
    )
    for e in charged:
        print(f"CRD-5 {e.amount} charged: {e.explanation}")
    for row in s.credit.exposure(manager.id, by="owner"):
        print(f"exposure of {row.name}: balance {row.balance}, line {row.line}")
    for aged in s.credit.ageing(manager.id):
        print("ageing:", {k: str(v.amount) for k, v in aged.buckets.items()})


if __name__ == "__main__":
    main()
