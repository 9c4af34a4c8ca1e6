"""A tour of the Customers capability through the Python API (CUS-1…CUS-7, X-5, X-6).

Runs on the in-memory adapter with a fixed clock, so it is repeatable:

    python examples/customers_tour.py [--out DIR]

Set CSDOMAIN_STORAGE=sql to run it on SQLite: the database ``tour.db`` goes into DIR (default: a
new temporary folder) unless CSDOMAIN_DATABASE_URL names one.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from adapters.bootstrap import bootstrap
from adapters.settings import Settings
from csdomain.authz import hidden_fields
from csdomain.customers.commands import (
    RecordSales,
    RegisterCustomer,
    RequestLoan,
    SubmitRegister,
    UpdateCustomer,
)
from csdomain.kernel.clock import FixedClock
from csdomain.kernel.errors import ConcurrencyConflict, Conflict, PermissionDenied
from csdomain.kernel.money import Money

TZ = ZoneInfo("Asia/Shanghai")


def main(out_dir: Path | None = None) -> None:
    clock = FixedClock(datetime(2026, 9, 18, 10, 0, tzinfo=TZ))  # Friday
    storage = os.environ.get("CSDOMAIN_STORAGE", "memory")
    settings = Settings(storage="memory")
    if storage == "sql":
        settings = Settings.from_env()
        if not os.environ.get("CSDOMAIN_DATABASE_URL"):
            out_dir = out_dir or Path(tempfile.mkdtemp(prefix="csdomain-tour-"))
            out_dir.mkdir(parents=True, exist_ok=True)
            settings = Settings(storage="sql", database_url=f"sqlite:///{out_dir / 'tour.db'}")
            print(f"database: {out_dir / 'tour.db'}")
    app = bootstrap(settings, clock=clock, create_schema=True)
    org, customers = app.services.org, app.services.customers

    admin, _token = org.bootstrap_admin("Admin")
    sales = org.add_department(admin.id, "Sales")
    gm = org.add_staff(admin.id, name="Wang (GM)", role="gm")
    manager = org.add_staff(admin.id, name="Qian (manager)", role="manager", department_id=sales.id)
    org.set_department_head(admin.id, sales.id, manager.id)
    supervisor = org.add_staff(
        admin.id, name="Sun (supervisor)", role="supervisor", department_id=sales.id
    )
    li = org.add_staff(
        admin.id,
        name="Li Lei",
        role="staff",
        department_id=sales.id,
        position="sales_adviser",
        supervisor_id=supervisor.id,
    )
    han = org.add_staff(
        admin.id,
        name="Han Meimei",
        role="staff",
        department_id=sales.id,
        position="sales_adviser",
        supervisor_id=supervisor.id,
    )

    print("CUS-1 registration and ownership")
    zhang = customers.register(li.id, RegisterCustomer(name="Zhang San", phone="138-0013-8000"))
    print(f"  {zhang.name} registered by Li Lei at {zhang.registered_at:%Y-%m-%d %H:%M}")
    clock.advance(timedelta(hours=2))
    try:
        customers.register(han.id, RegisterCustomer(name="Zhang S.", phone="13800138000"))
    except Conflict as exc:
        print(f"  Han's later claim refused: {exc.message}")

    print("Optimistic concurrency")
    customers.update(li.id, zhang.id, UpdateCustomer(expected_version=1, address="Nanjing Rd 1"))
    try:
        customers.update(li.id, zhang.id, UpdateCustomer(expected_version=1, notes="stale"))
    except ConcurrencyConflict as exc:
        print(f"  second update from version 1 refused: {exc.message}")
    zhang = customers.update(
        li.id, zhang.id, UpdateCustomer(expected_version=2, status="closed_deal")
    )

    print("CUS-3 the new-sale file: due 3 working days after the sale")
    sale_file = customers.open_file(li.id, zhang.id, "new_sale", date(2026, 9, 18))
    print(f"  sold Fri 2026-09-18 → hand over by {sale_file.due_on} (Sun 09-20 is a make-up day)")
    customers.add_documents(li.id, sale_file.id, {"contract": "box 12", "invoice_copy": "box 12"})
    clock.set(datetime(2026, 9, 23, 9, 0, tzinfo=TZ))
    for status in customers.overdue_files(li.id):  # the owner's own register (X-5 custodian)
        print(
            f"  overdue since {status.due_on}; missing {len(status.missing_items)} items: "
            f"{', '.join(status.missing_items[:4])}, …"
        )

    print("X-5 confidential reads")
    try:
        customers.read_file(supervisor.id, sale_file.id)
    except PermissionDenied as exc:
        print(f"  supervisor refused: {exc.message}")
    org.grant_permission(gm.id, supervisor.id, "read_top_secret", "file audit")
    customers.read_file(supervisor.id, sale_file.id)
    # master data (ID number, phone, address) is top secret: the owner sees it, others not
    print(f"  Li Lei (owner) sees phone {customers.get(li.id, zhang.id).phone}")
    seen = customers.get(manager.id, zhang.id)
    print(f"  the manager without the permission does not: hidden {sorted(hidden_fields(seen))}")
    # the access log is secret itself: the GM grants the manager read_secret to review it
    org.grant_permission(gm.id, manager.id, "read_secret", "access log review")
    for entry in customers.access_log(manager.id, sale_file.id):
        print(f"  access log: {entry.reader_id} read {entry.record_kind} at {entry.at:%H:%M}")

    print("CUS-4 grading")
    change = customers.evaluate_grade(
        manager.id,
        zhang.id,
        {
            "annual_sales": 90,
            "price": 70,
            "payment_collection": 85,
            "cooperation": 80,
            "trend": 60,
        },
        reason="first evaluation",
    )
    print(
        f"  grade {change.to_grade} (score {change.score}), provisional={change.provisional}, "
        f"re-evaluate on {change.next_evaluation_on}"
    )

    print("CUS-1 daily registers: due 17:30, with a reason until 10:00 the next working day")
    system = org.system_account()
    registers = app.services.registers
    clock.set(datetime(2026, 9, 23, 17, 0, tzinfo=TZ))
    mine = registers.submit(li.id, SubmitRegister(day=date(2026, 9, 23), customer_ids=[zhang.id]))
    print(f"  Li Lei's register of {mine.day}: {mine.status.value}")
    clock.set(datetime(2026, 9, 24, 10, 30, tzinfo=TZ))
    missing = registers.sweep(system.id)  # the scheduler's registers_overdue job
    print(f"  the sweep records {len(missing)} registers missing since 09-17 (each a violation)")
    for row in registers.appraisal(manager.id, "2026-09"):
        print(
            f"  CUS-7 {row.staff_name}: {row.late_registers} late, -{row.points} appraisal points"
        )

    print("CUS-3 a file never handed over is late from its deadline on")
    for status in customers.sweep_unhanded_files(system.id):  # the files_overdue job
        print(f"  {status.file_id} due {status.due_on}: late hand-over recorded once")

    print("CUS-7 lending the file")
    loans = app.services.file_loans
    loan = loans.request(li.id, sale_file.id, RequestLoan(purpose="insurance renewal"))
    loan = loans.decide(supervisor.id, loan.id, approve=True)
    print(f"  lent to Li Lei by the supervisor, due back {loan.due_back_on}")
    try:
        other = loans.request(supervisor.id, sale_file.id, RequestLoan(purpose="audit"))
        loans.decide(manager.id, other.id, approve=True)
    except Conflict as exc:
        print(f"  a second loan refused: {exc.message}")
    loans.give_back(supervisor.id, loan.id, "checked, complete")
    print("  returned to the archive by the supervisor")

    print("CUS-5 key accounts")
    keys = app.services.key_accounts
    keys.record_sales(
        supervisor.id,
        zhang.id,
        RecordSales(month="2026-09", sales=Money.of("86000.00"), cost=Money.of("79000.00")),
    )
    for row in keys.top(manager.id, "2026", by="margin"):
        print(f"  #{row.rank} {row.name}: sales {row.sales}, margin {row.margin}")
    print(
        f"  key accounts (grade {app.policy.customers.key_accounts.min_grade} and above): "
        f"{[r.name for r in keys.key_accounts(manager.id, '2026-09')]}"
    )

    print("CUS-6 deregistration")
    dereg = customers.apply_deregistration(li.id, zhang.id, "customer moved abroad")
    for actor in (supervisor, manager, gm):
        dereg = customers.advance_deregistration(actor.id, dereg.id, approve=True)
    # one step per signer (CUS-6): the applicant (Li) does not settle; finance (Han) does
    dereg = customers.advance_deregistration(
        han.id, dereg.id, approve=True, refund=Money.of("1200.00")
    )
    dereg = customers.advance_deregistration(li.id, dereg.id, approve=True, reason="signed")
    print(f"  {dereg.state.value}; steps {', '.join(dereg.completed_steps)}; refund {dereg.refund}")
    print(f"  customer status: {customers.get(manager.id, zhang.id).status.value}")

    print("X-6 destruction after retention: request → department head → GM, three people")
    clock.set(datetime(2036, 9, 18, 9, 0, tzinfo=TZ))
    request = customers.request_destruction(supervisor.id, sale_file.id, "retention over")
    try:
        customers.review_destruction(gm.id, request.id, approve=True)
    except PermissionDenied as exc:
        print(f"  the GM may not review: {exc.message}")
    customers.review_destruction(manager.id, request.id, approve=True, reason="checked")
    customers.approve_destruction(gm.id, request.id, approve=True, reason="approved")
    (record,) = customers.destructions(manager.id)
    print(
        f"  destroyed {record.file_id}: requested by {record.requested_by}, reviewed by "
        f"{record.reviewed_by}, approved by {record.approved_by}"
    )
    app.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="output folder (default: a new temp folder)")
    main(parser.parse_args().out)
