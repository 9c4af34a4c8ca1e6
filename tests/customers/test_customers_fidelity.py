"""Issue 12, customers: daily registers (CUS-1, CUS-7), never-handed-over files and the
service checklist (CUS-3), file lending (CUS-7), key accounts (CUS-5) and the hand-over
rates report (RPT) — on memory, SQLite and PostgreSQL (tests/customers/conftest.py)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from typing import Any

import attrs
import pytest

from adapters.bootstrap import App
from csd_support import Org, at
from csdomain.customers.commands import RecordSales, RegisterCustomer, RequestLoan, SubmitRegister
from csdomain.customers.model import Customer, LoanState, RegisterStatus
from csdomain.kernel.clock import FixedClock
from csdomain.kernel.errors import (
    ConcurrencyConflict,
    Conflict,
    InvalidTransition,
    PermissionDenied,
    ValidationError,
)
from csdomain.kernel.ids import StaffId
from csdomain.kernel.money import Money
from csdomain.policy_lab.model import PolicyHistory


def register(app: App, owner: StaffId, name: str, phone: str) -> Customer:
    return app.services.customers.register(owner, RegisterCustomer(name=name, phone=phone))


def submit(app: App, who: Any, day: str, **kw: Any) -> Any:
    return app.services.registers.submit(who.id, SubmitRegister(day=date.fromisoformat(day), **kw))


# ------------------------------------------------------------------ CUS-1 daily registers
def test_cus1_a_register_is_on_time_by_the_due_time_and_an_exception_until_10_next_day(
    app: App, org: Org, clock: FixedClock
) -> None:
    """CUS-1 (000 篇八 3.1): due before the end of work (17:30); with a reason it may come
    until 10:00 the next working day; otherwise it is late."""
    c = register(app, org.sales.id, "Dalian Motors", "13800000001")
    clock.set(at("2026-09-16 17:30"))
    on_time = submit(app, org.sales, "2026-09-16", customer_ids=[c.id], prospect_ids=[c.id])
    assert on_time.status == RegisterStatus.ON_TIME and on_time.late is False
    clock.set(at("2026-09-17 09:59"))
    exception = submit(app, org.sales2, "2026-09-16", exception_reason="customer event")
    assert exception.status == RegisterStatus.EXCEPTION and exception.late is False
    late = submit(app, org.service, "2026-09-16")  # no reason: late after 17:30
    assert late.status == RegisterStatus.LATE and late.late is True
    clock.set(at("2026-09-17 10:01"))
    too_late = submit(app, org.sales, "2026-09-15", exception_reason="forgot")
    assert too_late.status == RegisterStatus.LATE
    with pytest.raises(Conflict) as info:  # once per person and day
        submit(app, org.sales, "2026-09-16")
    assert info.value.rule == "CUS-1"


def test_cus1_the_exception_deadline_is_the_next_working_day(
    app: App, org: Org, clock: FixedClock
) -> None:
    """CUS-1: 30 September's register may come with a reason until 10:00 on 8 October, the
    next working day after National Day (PRC calendar)."""
    clock.set(at("2026-10-08 09:30"))
    r = submit(app, org.sales, "2026-09-30", exception_reason="holiday")
    assert r.status == RegisterStatus.EXCEPTION
    clock.set(at("2026-10-08 10:30"))
    assert submit(app, org.sales2, "2026-09-30", exception_reason="x").status == "late"


def test_cus1_register_input_is_checked(app: App, org: Org, clock: FixedClock) -> None:
    c = register(app, org.sales.id, "Dalian Motors", "13800000001")
    with pytest.raises(ValidationError) as info:
        submit(app, org.sales, "2026-09-19")  # a Saturday, and the future
    assert info.value.field == "day"
    with pytest.raises(ValidationError) as info:
        submit(app, org.sales, "2026-09-18", prospect_ids=[c.id])
    assert info.value.field == "prospect_ids" and info.value.rule == "CUS-1"


def test_cus1_the_sweep_records_a_missing_register_once_and_the_catalogue_fines_it(
    app: App, org: Org, clock: FixedClock
) -> None:
    """CUS-1 / PEN-1: a register still missing after 10:00 next working day is recorded
    missing once (a `customers.register_late` event); the penalty catalogue's
    `daily_register_late` entry turns each into one violation of the person."""
    clock.set(at("2026-09-17 17:00"))
    submit(app, org.sales, "2026-09-17")
    submit(app, org.sales2, "2026-09-17")
    system = app.services.org.system_account()
    clock.set(at("2026-09-18 09:00"))
    before = app.services.registers.sweep(system.id)
    # 09-11, 09-14…09-16 are past their exception deadline; 09-17's runs until 09-18 10:00
    assert {(r.staff_id, r.day) for r in before} == {
        (s.id, date(2026, 9, d)) for s in (org.sales, org.sales2) for d in (11, 14, 15, 16)
    }
    clock.set(at("2026-09-18 10:30"))
    assert app.services.registers.sweep(system.id) == []  # 09-17 was handed in
    # completing a register found missing keeps it late, with no second event
    late = submit(app, org.sales, "2026-09-16")
    assert late.status == RegisterStatus.LATE
    entries = app.services.penalties.record_from_events(system.id)
    assert len(entries) == 8
    assert {e.staff_id for e in entries} == {org.sales.id, org.sales2.id}
    assert app.services.penalties.record_from_events(system.id) == []


def test_cus1_the_overdue_register_report_lists_late_and_missing_in_scope(
    app: App, org: Org, clock: FixedClock
) -> None:
    clock.set(at("2026-09-16 17:00"))
    submit(app, org.sales, "2026-09-16")
    clock.set(at("2026-09-18 11:00"))
    submit(app, org.sales2, "2026-09-16")  # late
    rows = app.services.registers.overdue(org.supervisor.id, date(2026, 9, 16), date(2026, 9, 18))
    assert {(r.staff_id, r.day, r.status) for r in rows} == {
        (org.sales2.id, date(2026, 9, 16), RegisterStatus.LATE),
        (org.sales.id, date(2026, 9, 17), RegisterStatus.MISSING),
        (org.sales2.id, date(2026, 9, 17), RegisterStatus.MISSING),
    }  # 09-18 is still due
    assert [r.day for r in rows] == sorted(r.day for r in rows)
    own = app.services.registers.overdue(org.sales.id, date(2026, 9, 16), date(2026, 9, 18))
    assert {r.staff_id for r in own} == {org.sales.id}  # staff see their own
    with pytest.raises(ValidationError):
        app.services.registers.overdue(org.supervisor.id, date(2026, 9, 16), date(2026, 12, 31))


def test_cus7_late_registers_cost_the_policys_appraisal_points(
    app: App, org: Org, clock: FixedClock
) -> None:
    """CUS-7 (000 篇八 4.1): each late or missing register costs
    `customers.registers.late_appraisal_points` (2) of the month's appraisal."""
    for day in ("2026-09-14", "2026-09-15", "2026-09-16", "2026-09-17"):
        clock.set(at(f"{day} 17:00"))
        submit(app, org.sales, day)
    clock.set(at("2026-09-18 12:00"))
    rows = app.services.registers.appraisal(org.manager.id, "2026-09")
    by = {r.staff_id: r for r in rows}
    # within the sweep's week: 09-11 and 09-14…09-17 are due; Li Lei handed in four on time
    assert (by[org.sales.id].late_registers, by[org.sales2.id].late_registers) == (1, 5)
    assert by[org.sales.id].points == 2 * by[org.sales.id].late_registers
    assert org.service.id not in by  # service advisers owe no register (policy positions)


# ------------------------------------------------------------------ CUS-3 files
def test_cus3_a_file_never_handed_over_is_late_from_its_deadline_once(
    app: App, org: Org, clock: FixedClock
) -> None:
    """CUS-3: the sweep finds files past their deadline with no hand-over and records the
    late hand-over (`file.handover_late` → `file_late`) once, charged to who opened it."""
    c = register(app, org.sales.id, "Dalian Motors", "13800000001")
    f = app.services.customers.open_file(org.sales.id, c.id, "new_sale", date(2026, 9, 14))
    system = app.services.org.system_account()
    clock.set(at("2026-09-17 23:00"))  # due 09-17: not late yet
    assert app.services.customers.sweep_unhanded_files(system.id) == []
    clock.set(at("2026-09-18 00:05"))
    flagged = app.services.customers.sweep_unhanded_files(system.id)
    assert [s.file_id for s in flagged] == [f.id]
    assert app.services.customers.sweep_unhanded_files(system.id) == []
    clock.set(at("2026-09-21 10:00"))
    status = app.services.customers.hand_over_file(org.sales.id, f.id, org.supervisor.id)
    assert status.handed_over_late is True
    app.services.penalties.record_from_events(system.id)
    with app.storage.unit_of_work() as uow:
        codes = [v.code for v in uow.violations.list_for_staff_month(org.sales.id, "2026-09")]
        late_events = uow.audit.list(subject_id=f.id, kind="file.handover_late")
    assert codes.count("file_late") == 1 and len(late_events) == 1


def test_cus3_the_service_file_checklist_follows_the_seed(app: App) -> None:
    """CUS-3 (000 篇五): reception sheet, work order, settlement sheet, 12-item free check."""
    service = app.policy.customers.files["service"]
    assert service.item_codes() == [
        "reception_sheet",
        "work_order",
        "settlement_sheet",
        "free_check_sheet",
    ]
    assert "12" in service.items[3].label


# ------------------------------------------------------------------ RPT hand-over rates
def test_rpt_handover_timeliness_and_completeness_per_department(
    app: App, org: Org, clock: FixedClock
) -> None:
    """RPT (000 篇五 8): of the files due in the month, on time ÷ files and complete ÷
    files, per department of the person who opened the file; a pending file is left out."""
    c = register(app, org.sales.id, "Dalian Motors", "13800000001")
    svc = app.services.customers
    items = app.policy.customers.files["service"].item_codes()
    f1 = svc.open_file(org.sales.id, c.id, "service", date(2026, 9, 14))  # due 09-15
    f2 = svc.open_file(org.sales.id, c.id, "service", date(2026, 9, 14))
    svc.open_file(org.sales.id, c.id, "service", date(2026, 9, 14))  # never handed over
    f4 = svc.open_file(org.sales.id, c.id, "service", date(2026, 9, 29))  # due 09-30: pending
    svc.add_documents(org.sales.id, f1.id, {code: "box 1" for code in items})
    clock.set(at("2026-09-15 16:00"))
    svc.hand_over_file(org.sales.id, f1.id, org.supervisor.id)  # on time, complete
    clock.set(at("2026-09-16 09:00"))
    svc.hand_over_file(org.sales.id, f2.id, org.supervisor.id)  # late, incomplete
    clock.set(at("2026-09-29 12:00"))
    [row] = svc.handover_rates(org.manager.id, "2026-09")
    assert (row.files, row.on_time, row.complete, row.pending) == (3, 1, 1, 1)
    assert row.on_time_percent == Decimal("33.3") and row.complete_percent == Decimal("33.3")
    assert row.department_name == "Sales"
    assert f4.due_on == date(2026, 9, 30)
    with pytest.raises(PermissionDenied):  # a supervisor's report; staff may not
        svc.handover_rates(org.sales.id, "2026-09")
    with pytest.raises(ValidationError):
        svc.handover_rates(org.manager.id, "2026-9")


# ------------------------------------------------------------------ CUS-7 file lending
def test_cus7_a_file_is_lent_only_by_the_procedure_and_to_one_borrower_at_a_time(
    app: App, org: Org, clock: FixedClock
) -> None:
    """CUS-7 (000 篇五 6): requested → approved by the policy's role (not the borrower) →
    returned by someone else; a lent file cannot be lent again until it is returned."""
    c = register(app, org.sales.id, "Dalian Motors", "13800000001")
    f = app.services.customers.open_file(org.sales.id, c.id, "new_sale", date(2026, 9, 14))
    loans = app.services.file_loans
    first = loans.request(org.sales.id, f.id, RequestLoan(purpose="renewal offer"))
    second = loans.request(org.supervisor.id, f.id, RequestLoan(purpose="audit"))
    with pytest.raises(PermissionDenied):  # staff do not lend files
        loans.decide(org.sales2.id, first.id, approve=True)
    with pytest.raises(PermissionDenied) as info:  # nobody lends to themselves
        loans.decide(org.supervisor.id, second.id, approve=True)
    assert info.value.rule == "X-4"
    lent = loans.decide(org.supervisor.id, first.id, approve=True)
    assert lent.state == LoanState.LENT and lent.due_back_on == date(
        2026, 9, 24
    )  # 09-20 is a working Sunday
    with pytest.raises(Conflict) as info:
        loans.decide(org.manager.id, second.id, approve=True)
    assert info.value.rule == "CUS-7"
    with pytest.raises(PermissionDenied):  # the borrower does not check it back in
        loans.give_back(org.sales.id, first.id)
    clock.set(at("2026-09-28 10:00"))
    overdue = loans.loans(org.manager.id, overdue_only=True)
    assert [loan.id for loan in overdue] == [first.id]
    back = loans.give_back(org.supervisor.id, first.id)
    assert back.state == LoanState.RETURNED and back.returned_to == org.supervisor.id
    with pytest.raises(InvalidTransition):
        loans.give_back(org.supervisor.id, first.id)
    again = loans.decide(org.manager.id, second.id, approve=True)
    assert again.state == LoanState.LENT
    assert {loan.id for loan in loans.loans(org.sales.id)} == {first.id}  # staff: their own
    with pytest.raises(ValidationError):  # a refusal needs a reason
        third = loans.request(org.sales.id, f.id, RequestLoan(purpose="again"))
        loans.decide(org.supervisor.id, third.id, approve=False)


def test_cus7_two_simultaneous_approvals_lend_a_file_once(
    app: App, org: Org, clock: FixedClock
) -> None:
    """CUS-7: the lock and the unique key on a file's lent loan let one approval win."""
    c = register(app, org.sales.id, "Dalian Motors", "13800000001")
    f = app.services.customers.open_file(org.sales.id, c.id, "new_sale", date(2026, 9, 14))
    loans = app.services.file_loans
    a = loans.request(org.sales.id, f.id, RequestLoan(purpose="a"))
    b = loans.request(org.supervisor.id, f.id, RequestLoan(purpose="b"))

    def approve(loan_id: str) -> str:
        try:
            loans.decide(org.manager.id, loan_id, approve=True)
            return "lent"
        except (Conflict, ConcurrencyConflict):
            return "refused"

    with ThreadPoolExecutor(2) as pool:
        results = sorted(pool.map(approve, [a.id, b.id]))
    assert results == ["lent", "refused"]
    lent = [x for x in loans.loans(org.manager.id) if x.state == LoanState.LENT]
    assert len(lent) == 1


# ------------------------------------------------------------------ CUS-5 key accounts
@attrs.define
class Company:
    big: Customer
    mid: Customer
    small: Customer


@pytest.fixture
def company(app: App, org: Org, clock: FixedClock) -> Company:
    """Three customers graded in March 2026 (A, A, B), with sales in 2025 and 2026."""
    big = register(app, org.sales.id, "Big Co", "13800000001")
    mid = register(app, org.sales.id, "Mid Co", "13800000002")
    small = register(app, org.sales2.id, "Small Co", "13800000003")
    clock.set(at("2026-03-26 10:00"))
    for c, grade in ((big, "A"), (mid, "A"), (small, "B")):
        app.services.customers.change_grade(
            org.manager.id, c.id, grade, "annual review", org.supervisor.id, c.version
        )
    ks = app.services.key_accounts
    for c, month, sales, cost in (
        (big, "2025-09", "1000.00", "800.00"),
        (big, "2026-09", "1200.00", "900.00"),
        (mid, "2025-09", "100.00", "50.00"),
        (mid, "2026-09", "600.00", "200.00"),
        (small, "2026-09", "300.00", "310.00"),
    ):
        ks.record_sales(
            org.supervisor.id,
            c.id,
            RecordSales(month=month, sales=Money.of(sales), cost=Money.of(cost)),
        )
    return Company(big, mid, small)


def test_cus5_top_lists_by_sales_growth_and_margin(app: App, org: Org, company: Company) -> None:
    """CUS-5 (002 3-9, 7-7): the period's top customers by sales, by growth over the previous
    period, and by gross margin (a loss ranks last)."""
    ks = app.services.key_accounts
    by_sales = ks.top(org.manager.id, "2026", by="sales")
    assert [r.name for r in by_sales] == ["Big Co", "Mid Co", "Small Co"]
    by_growth = ks.top(org.manager.id, "2026", by="growth")
    assert [(r.name, r.growth) for r in by_growth] == [
        ("Mid Co", Money.of("500.00")),
        ("Small Co", Money.of("300.00")),
        ("Big Co", Money.of("200.00")),
    ]
    assert by_growth[0].growth_percent == Decimal("500.0")
    assert by_growth[1].growth_percent is None  # no sales the year before
    by_margin = ks.top(org.manager.id, "2026-09", by="margin")
    assert [(r.name, r.margin) for r in by_margin] == [
        ("Mid Co", Money.of("400.00")),
        ("Big Co", Money.of("300.00")),
        ("Small Co", Money.of("-10.00")),
    ]
    with pytest.raises(ValidationError) as info:
        ks.top(org.manager.id, "2026", by="profit")
    assert info.value.field == "by"
    with pytest.raises(PermissionDenied):  # the company's lists: manager and above
        ks.top(org.supervisor.id, "2026")


def test_cus5_the_top_list_is_as_long_as_the_policy_says(
    app: App, org: Org, company: Company
) -> None:
    short = attrs.evolve(
        app.policy,
        customers=attrs.evolve(
            app.policy.customers,
            key_accounts=attrs.evolve(app.policy.customers.key_accounts, top_n=2),
        ),
    )
    app.services.ctx.history = PolicyHistory.single(short)
    assert len(app.services.key_accounts.top(org.manager.id, "2026")) == 2


def test_cus5_sales_are_recorded_once_per_month_and_corrected_with_a_reason(
    app: App, org: Org, company: Company
) -> None:
    ks = app.services.key_accounts
    again = RecordSales(month="2026-09", sales=Money.of("1.00"), cost=Money.of("0.00"))
    with pytest.raises(ConcurrencyConflict):
        ks.record_sales(org.supervisor.id, company.big.id, again)
    with pytest.raises(ValidationError) as info:
        ks.record_sales(org.supervisor.id, company.big.id, attrs.evolve(again, expected_version=1))
    assert info.value.field == "reason"
    fixed = ks.record_sales(
        org.supervisor.id,
        company.big.id,
        attrs.evolve(again, expected_version=1, reason="invoice cancelled"),
    )
    assert fixed.sales == Money.of("1.00") and fixed.version == 2


def test_cus5_key_accounts_are_graded_at_or_above_the_policys_grade(
    app: App, org: Org, company: Company
) -> None:
    """CUS-5: "AA and above" — here the default policy's A of three grades."""
    rows = app.services.key_accounts.key_accounts(org.manager.id, "2026-09")
    assert [r.name for r in rows] == ["Big Co", "Mid Co"]


def test_cus5_key_account_churn_counts_downgraded_deregistered_and_orderless(
    app: App, org: Org, company: Company, clock: FixedClock
) -> None:
    """CUS-5 (002 4-10): key accounts at the end of the previous period lost in this one —
    downgraded, deregistered, or with no orders — over the key accounts before."""
    ks = app.services.key_accounts
    clock.set(at("2026-10-12 10:00"))
    big = app.services.customers.get(org.manager.id, company.big.id)
    app.services.customers.change_grade(
        org.manager.id, big.id, "B", "payment trouble", org.supervisor.id, big.version
    )
    churn = ks.churn(org.manager.id, "2026-10")
    assert churn.previous_period == "2026-09" and churn.key_accounts_before == 2
    reasons = {x.name: x.reason for x in churn.lost}
    assert reasons == {"Big Co": "downgraded", "Mid Co": "no_orders"}  # no October sales
    assert churn.churn_percent == Decimal("100.0") and churn.key_accounts_now == 1
    ks.record_sales(
        org.supervisor.id,
        company.mid.id,
        RecordSales(month="2026-10", sales=Money.of("10.00"), cost=Money.of("5.00")),
    )
    assert [x.name for x in ks.churn(org.manager.id, "2026-10").lost] == ["Big Co"]
    september = ks.churn(org.manager.id, "2026-09")
    assert september.lost == [] and september.churn_percent == Decimal("0.0")
    assert ks.churn(org.manager.id, "2025").key_accounts_before == 0  # nobody graded yet


def test_cus5_a_deregistered_key_account_is_lost(
    app: App, org: Org, company: Company, clock: FixedClock
) -> None:
    """CUS-5: a key account closed (CUS-6) during the period counts as lost, deregistered."""
    svc = app.services.customers
    clock.set(at("2026-10-12 10:00"))
    dereg = svc.apply_deregistration(org.sales.id, company.mid.id, "moved abroad")
    for who in (org.supervisor, org.manager, org.gm):
        dereg = svc.advance_deregistration(who.id, dereg.id, approve=True)
    dereg = svc.advance_deregistration(
        org.service.id, dereg.id, approve=True, refund=Money.of("0.00")
    )
    svc.advance_deregistration(org.sales.id, dereg.id, approve=True, reason="signed")
    churn = app.services.key_accounts.churn(org.manager.id, "2026-10")
    assert {x.name: x.reason for x in churn.lost}["Mid Co"] == "deregistered"
    keys = app.services.key_accounts.key_accounts(org.manager.id, "2026-10")
    assert "Mid Co" not in [k.name for k in keys]
