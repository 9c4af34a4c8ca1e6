"""CRD-1…CRD-6 on memory, SQLite and PostgreSQL: the acceptance of issue 13 — eligibility
(CRD-1), the rolling line (CRD-2), shipment decisions (CRD-3), month-end collection (CRD-4),
bad-debt liability (CRD-5) and credit grades (CRD-6)."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import pytest
from credit_support import credit_customer, invoice, pay

from adapters.bootstrap import App
from csd_support import Org, at, make_org
from csdomain.credit.commands import AuthorizeShipment, SetCreditGrade, WriteOff
from csdomain.credit.model import Decision
from csdomain.kernel.clock import FixedClock
from csdomain.kernel.errors import NotFound, PermissionDenied, ValidationError
from csdomain.kernel.money import Money
from csdomain.penalties.model import EntryKind


@pytest.fixture
def org(app: App) -> Org:
    return make_org(app)


def _three_invoices(app: App, org: Org) -> Any:
    customer = credit_customer(app, org)
    for day in (date(2026, 9, 1), date(2026, 9, 15), date(2026, 9, 30)):
        invoice(app, org, customer, "30000.00", day)
    return customer


def ship(app: App, actor: Any, customer: Any, amount: str, **kw: Any) -> Any:
    return app.services.credit.authorize_shipment(
        actor.id,
        AuthorizeShipment(customer_id=customer.id, amount=Money.of(amount), reference="SH-1", **kw),
    )


def test_crd2_the_line_is_what_was_invoiced_in_the_30_days_before(
    app: App, org: Org, clock: FixedClock
) -> None:
    customer = _three_invoices(app, org)
    clock.set(at("2026-10-05 09:00"))
    on_1st = app.services.credit.position(org.sales.id, customer.id, date(2026, 10, 1))
    assert on_1st.line == Money.of("90000.00")
    assert (on_1st.window_from, on_1st.window_to) == (date(2026, 9, 1), date(2026, 9, 30))
    on_5th = app.services.credit.position(org.sales.id, customer.id, date(2026, 10, 5))
    assert on_5th.line == Money.of("60000.00")  # 09-01 fell out of the window
    assert on_5th.balance == Money.of("90000.00")
    assert on_5th.available == Money.zero()


def test_crd3_first_over_limit_below_a_third_of_the_line_needs_a_regional_manager(
    app: App, org: Org, clock: FixedClock
) -> None:
    customer = _three_invoices(app, org)
    clock.set(at("2026-10-01 10:00"))  # line 90 000, fully used by the balance
    at_bound = ship(app, org.manager, customer, "30000.00", over_limit="first", reason="peak")
    assert not at_bound.allowed
    assert at_bound.shipment.decision == Decision.REFUSED
    assert "1/3" in at_bound.shipment.why and at_bound.shipment.bound == Money.of("30000.00")
    with pytest.raises(PermissionDenied) as denied:
        ship(app, org.sales, customer, "29999.99", over_limit="first", reason="peak")
    assert denied.value.rule == "CRD-3" and "manager" in str(denied.value)
    first = ship(app, org.manager, customer, "29999.99", over_limit="first", reason="peak")
    assert first.allowed and first.shipment.decision == Decision.FIRST_OVER_LIMIT
    s = first.shipment
    assert (s.signed_by, s.authority, s.reason) == (org.manager.id, "manager", "peak")
    assert (s.line, s.balance, s.available) == (
        Money.of("90000.00"),
        Money.of("90000.00"),
        Money.zero(),
    )
    # the allowed shipment is invoiced: the balance now includes it
    pos = app.services.credit.position(org.sales.id, customer.id)
    assert pos.balance == Money.of("119999.99")
    # a second first over-limit shipment while the first is unpaid is refused
    again = ship(app, org.manager, customer, "100.00", over_limit="first", reason="more")
    assert again.shipment.decision == Decision.REFUSED
    # without asking for an over-limit shipment: refused, naming the options
    plain = ship(app, org.sales, customer, "100.00")
    assert plain.shipment.decision == Decision.REFUSED and "over-limit" in plain.shipment.why


def test_crd3_within_the_line_and_against_prepayment(app: App, org: Org, clock: FixedClock) -> None:
    customer = _three_invoices(app, org)
    pay(app, org, customer, "50000.00", date(2026, 9, 30))
    clock.set(at("2026-10-01 10:00"))
    within = ship(app, org.sales, customer, "50000.00")  # 40 000 + 50 000 ≤ 90 000
    assert within.shipment.decision == Decision.WITHIN_LINE
    pay(app, org, customer, "150000.00", date(2026, 10, 1))  # 60 000 paid ahead
    prepaid = ship(app, org.sales, customer, "60000.00")
    assert prepaid.shipment.decision == Decision.AGAINST_PREPAYMENT


def test_crd1_a_balance_left_from_last_year_refuses_credit_with_that_reason(
    app: App, org: Org, clock: FixedClock
) -> None:
    customer = credit_customer(app, org)
    invoice(app, org, customer, "1200.00", date(2025, 12, 10))
    clock.set(at("2026-10-01 10:00"))
    found = app.services.credit.eligibility(org.sales.id, customer.id)
    assert not found.eligible
    assert any("last year's balance" in why and "1200.00" in why for why in found.failing)
    decision = ship(app, org.sales, customer, "10.00")
    assert decision.shipment.decision == Decision.CASH_ONLY
    assert "last year's balance" in decision.shipment.why


def test_crd1_open_account_names_each_failing_condition(app: App, org: Org) -> None:
    from csdomain.credit.commands import OpenCreditAccount
    from csdomain.customers.commands import RegisterCustomer

    customer = app.services.customers.register(
        org.sales.id, RegisterCustomer(name="No File Ltd", phone="13800000099")
    )
    with pytest.raises(ValidationError) as refused:
        app.services.credit.open_account(
            org.manager.id,
            OpenCreditAccount(
                customer_id=customer.id,
                contract_type="distribution",
                contract_no="D-9",
                contract_signed_on=date(2026, 9, 1),
                settlement_agreement=False,
            ),
        )
    assert refused.value.rule == "CRD-1"
    assert "ID copy" in str(refused.value) and "settlement agreement" in str(refused.value)
    with pytest.raises(NotFound):  # nothing was stored
        app.services.credit.account(org.manager.id, customer.id)


def test_crd4_an_unpaid_last_over_limit_shipment_charges_its_signer_once(
    app: App, org: Org, clock: FixedClock
) -> None:
    customer = _three_invoices(app, org)
    clock.set(at("2026-10-01 10:00"))
    assert ship(app, org.manager, customer, "20000.00", over_limit="first", reason="a").allowed
    last = ship(app, org.manager, customer, "25000.00", over_limit="last", reason="b")
    assert last.shipment.decision == Decision.LAST_OVER_LIMIT and "liable" in last.shipment.why
    # paid down to the first over-limit shipment, not the last one, by month end
    pay(app, org, customer, "110000.00", date(2026, 10, 20))
    with pytest.raises(ValidationError):  # October is not over yet
        app.services.credit.month_end(org.manager.id, "2026-10")
    clock.set(at("2026-11-01 02:00"))
    first_run = app.services.credit.month_end(org.manager.id, "2026-10")
    assert [(e.staff_id, e.amount, e.kind, e.month) for e in first_run] == [
        (org.manager.id, Money.of("25000.00"), EntryKind.CREDIT_LIABILITY, "2026-10")
    ]
    assert "SH-1" in first_run[0].explanation and "CRD-4" in first_run[0].explanation
    assert app.services.credit.month_end(org.manager.id, "2026-10") == []
    system = app.services.org.system_account()
    assert app.services.credit.scheduled_month_end(system.id) == []
    entries = app.services.penalties.entries(org.gm.id, org.manager.id, "2026-10")
    assert [e.amount for e in entries if e.kind == EntryKind.CREDIT_LIABILITY] == [
        Money.of("25000.00")
    ]
    statement = app.services.penalties.statement(org.gm.id, org.manager.id, "2026-10")
    assert statement.statement.total == Money.of("25000.00")


def test_crd4_a_paid_last_shipment_charges_nobody(app: App, org: Org, clock: FixedClock) -> None:
    customer = _three_invoices(app, org)
    clock.set(at("2026-10-01 10:00"))
    ship(app, org.manager, customer, "20000.00", over_limit="first", reason="a")
    ship(app, org.manager, customer, "25000.00", over_limit="last", reason="b")
    pay(app, org, customer, "135000.00", date(2026, 10, 31))
    clock.set(at("2026-11-01 02:00"))
    assert app.services.credit.month_end(org.manager.id, "2026-10") == []


def test_crd3_a_last_over_limit_shipment_needs_an_unpaid_first_one(
    app: App, org: Org, clock: FixedClock
) -> None:
    customer = _three_invoices(app, org)
    clock.set(at("2026-10-01 10:00"))
    alone = ship(app, org.manager, customer, "100.00", over_limit="last", reason="x")
    assert alone.shipment.decision == Decision.REFUSED and "first" in alone.shipment.why


def test_crd5_write_off_charges_the_named_positions_by_policy_shares(
    app: App, org: Org, clock: FixedClock
) -> None:
    customer = _three_invoices(app, org)
    admin = org.admin
    keeper = app.services.org.add_staff(
        admin.id, name="Wu Keeper", role="staff", position="warehouse keeper"
    )
    logistics = app.services.org.add_staff(
        admin.id, name="Ma Logistics", role="staff", position="logistics specialist"
    )
    head = app.services.org.add_staff(
        admin.id, name="Gao Head", role="manager", position="market department head"
    )
    clock.set(at("2026-10-10 10:00"))
    charged = app.services.credit.write_off(
        org.deputy.id,
        WriteOff(
            customer_id=customer.id,
            amount=Money.of("1000.00"),
            on=date(2026, 10, 10),
            reason="customer insolvent",
            basis="unapproved",
            liable={
                "logistics specialist": logistics.id,
                "warehouse keeper": keeper.id,
                "market department head": head.id,
            },
        ),
    )
    assert sorted(e.amount.amount for e in charged) == sorted(
        Money.of(x).amount for x in ("333.34", "333.33", "333.33")
    )
    assert {e.staff_id for e in charged} == {logistics.id, keeper.id, head.id}
    pos = app.services.credit.position(org.sales.id, customer.id)
    assert pos.balance == Money.of("89000.00")
    with pytest.raises(ValidationError) as wrong:  # the person named must hold the position
        app.services.credit.write_off(
            org.deputy.id,
            WriteOff(
                customer_id=customer.id,
                amount=Money.of("10.00"),
                on=date(2026, 10, 10),
                reason="x",
                basis="unapproved",
                liable={
                    "logistics specialist": keeper.id,
                    "warehouse keeper": keeper.id,
                    "market department head": head.id,
                },
            ),
        )
    assert wrong.value.field == "liable.logistics specialist"


def test_crd6_grade_history_records_reason_and_approver(app: App, org: Org) -> None:
    customer = credit_customer(app, org)
    app.services.credit.set_grade(
        org.manager.id, customer.id, SetCreditGrade(grade="A", score=91, reason="investigation")
    )
    with pytest.raises(PermissionDenied):
        app.services.credit.set_grade(
            org.sales.id, customer.id, SetCreditGrade(grade="D", score=1, reason="x")
        )
    history = app.services.credit.grade_history(org.sales.id, customer.id)
    assert [(h.from_grade, h.to_grade, h.score, h.approved_by) for h in history] == [
        ("C", "A", 91, org.manager.id)
    ]
    assert app.services.credit.account(org.sales.id, customer.id).grade == "A"


def test_crd2_fixed_line_by_grade_is_policy(storage: Any, clock: FixedClock) -> None:
    import attrs

    from adapters.bootstrap import MemoryStorage, bootstrap
    from adapters.policy_file import default_policy
    from adapters.settings import Settings

    policy = default_policy()
    policy = attrs.evolve(policy, credit=attrs.evolve(policy.credit, line_rule="fixed_by_grade"))
    settings = Settings(storage="memory" if isinstance(storage, MemoryStorage) else "sql")
    app = bootstrap(settings, storage=storage, clock=clock, policy=policy)
    org = make_org(app)
    customer = credit_customer(app, org)
    app.services.credit.set_grade(
        org.manager.id, customer.id, SetCreditGrade(grade="B", score=70, reason="review")
    )
    assert app.services.credit.position(org.sales.id, customer.id).line == Money.of("100000.00")


def test_crd3_two_simultaneous_shipments_cannot_both_use_the_same_line(
    app: App, org: Org, clock: FixedClock
) -> None:
    """The customer's lock serializes the decisions: 50 000 + 50 000 > the 90 000 line,
    so exactly one passes, whichever comes first (on PostgreSQL and SQLite for real)."""
    customer = _three_invoices(app, org)
    pay(app, org, customer, "90000.00", date(2026, 9, 30))
    clock.set(at("2026-10-01 10:00"))
    barrier = threading.Barrier(2)
    results: list[Any] = []
    errors: list[BaseException] = []

    def go() -> None:
        try:
            barrier.wait()
            results.append(ship(app, org.sales, customer, "50000.00"))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    assert sorted(r.shipment.decision.value for r in results) == ["refused", "within_line"]
    pos = app.services.credit.position(org.sales.id, customer.id)
    assert pos.balance == Money.of("50000.00")


def test_crd3_staff_reach_only_their_own_customers(app: App, org: Org, clock: FixedClock) -> None:
    customer = _three_invoices(app, org)
    clock.set(at("2026-10-01 10:00"))
    with pytest.raises(PermissionDenied):
        ship(app, org.sales2, customer, "10.00")
    with pytest.raises(PermissionDenied):
        app.services.credit.position(org.sales2.id, customer.id)


def test_crd3_a_shipment_dated_back_counts_every_later_shipment(
    app: App, org: Org, clock: FixedClock
) -> None:
    """The line is the one of the shipment's day, the balance everything invoiced up to
    today: otherwise a shipment dated yesterday would not see today's."""
    customer = _three_invoices(app, org)
    pay(app, org, customer, "90000.00", date(2026, 9, 30))
    clock.set(at("2026-10-02 10:00"))
    today = ship(app, org.sales, customer, "60000.00")  # line on 10-02: 60 000
    assert today.shipment.decision == Decision.WITHIN_LINE
    back = ship(app, org.sales, customer, "40000.00", on=date(2026, 10, 1))  # line 90 000
    assert back.shipment.decision == Decision.REFUSED, back.shipment.why
    assert back.shipment.balance == Money.of("60000.00")


def test_crd2_reports_exposure_ageing_and_over_limit_shipments(
    app: App, org: Org, clock: FixedClock
) -> None:
    """The reports of issue 13 (item 7) on every backend: exposure per customer and per
    owner, a month's over-limit shipments with what is unpaid, ageing buckets."""
    customer = _three_invoices(app, org)
    other = credit_customer(app, org, name="Anshan Trading", phone="13800000002")
    invoice(app, org, other, "1000.00", date(2026, 9, 20))
    pay(app, org, other, "1000.00", date(2026, 9, 25))  # cleared: no exposure row
    clock.set(at("2026-10-01 10:00"))
    ship(app, org.manager, customer, "20000.00", over_limit="first", reason="peak season")
    pay(app, org, customer, "30000.00", date(2026, 10, 1))
    credit = app.services.credit
    rows = credit.exposure(org.manager.id, date(2026, 10, 1))
    assert [(r.key, r.line, r.balance, r.over_limit) for r in rows] == [
        (customer.id, Money.of("90000.00"), Money.of("80000.00"), Money.zero())
    ]
    owners = credit.exposure(org.manager.id, date(2026, 10, 1), by="owner")
    assert [(o.key, o.balance, o.customers) for o in owners] == [
        (org.sales.id, Money.of("80000.00"), 1)
    ]
    over = credit.over_limit_shipments(org.manager.id, "2026-10")
    assert [(o.shipment.decision, o.unpaid) for o in over] == [
        (Decision.FIRST_OVER_LIMIT, Money.of("20000.00"))
    ]
    ageing = credit.ageing(org.manager.id, date(2026, 10, 15))
    assert len(ageing) == 1
    buckets = {k: v.amount for k, v in ageing[0].buckets.items()}
    # the newest 80 000 are unpaid: 10-01 (20 000) and 09-30 and 09-15 (30 000 each)
    assert sum(buckets.values()) == Money.of("80000.00").amount
    assert buckets["0-30"] == Money.of("80000.00").amount
