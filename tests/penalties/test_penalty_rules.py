"""Penalty rules on the memory adapter (PEN-1…PEN-11)."""

from __future__ import annotations

from datetime import date

import pytest

from adapters.bootstrap import App
from csd_support import Org, at
from csdomain.cases.commands import CloseCase, ProposeSolution, ReceiveCase
from csdomain.customers.commands import RegisterCustomer
from csdomain.kernel.clock import FixedClock
from csdomain.kernel.errors import PermissionDenied, ValidationError
from csdomain.kernel.money import Money
from csdomain.penalties.model import AppealState, EntryKind


def _amounts(entries: list) -> list[str]:  # type: ignore[type-arg]
    return [f"{e.amount.amount:.2f}" for e in entries]


def test_pen2_sales_adviser_doubles_from_second_file_violation(app: App, org: Org) -> None:
    ps = app.services.penalties
    fines = [
        ps.record_violation(
            org.manager.id,
            org.sales.id,
            "file_late",
            date(2026, 10, d),
            evidence=f"register line {d}",
        )[0]
        for d in (5, 12, 19)
    ]
    assert _amounts(fines) == ["50.00", "100.00", "100.00"]
    assert "2nd violation in 2026-10" in fines[1].explanation
    assert fines[2].caused_by == [fines[0].violation_id, fines[1].violation_id]
    november = ps.record_violation(
        org.manager.id, org.sales.id, "file_late", date(2026, 11, 2), evidence="x"
    )[0]
    assert november.amount == Money.of("50.00")


def test_pen2_service_adviser_doubles_from_third(app: App, org: Org) -> None:
    ps = app.services.penalties
    fines = [
        ps.record_violation(
            org.manager.id, org.service.id, "file_late", date(2026, 10, d), evidence="register"
        )[0]
        for d in (5, 6, 7)
    ]
    assert _amounts(fines) == ["50.00", "50.00", "100.00"]


def test_pen1_amount_by_position_and_units(app: App, org: Org) -> None:
    ps = app.services.penalties
    sales = ps.record_violation(
        org.manager.id,
        org.sales.id,
        "missing_customer_signature",
        date(2026, 10, 5),
        units=2,
        evidence="2 items",
    )[0]
    service = ps.record_violation(
        org.manager.id,
        org.service.id,
        "missing_customer_signature",
        date(2026, 10, 5),
        units=1,
        evidence="1 item",
    )[0]
    assert (sales.amount, service.amount) == (Money.of("40.00"), Money.of("50.00"))


def test_pen1_hand_recording_needs_evidence_and_known_code(app: App, org: Org) -> None:
    ps = app.services.penalties
    with pytest.raises(ValidationError) as err:
        ps.record_violation(org.manager.id, org.sales.id, "file_late", date(2026, 10, 5))
    assert err.value.field == "evidence"
    with pytest.raises(ValidationError) as err:
        ps.record_violation(org.manager.id, org.sales.id, "nap", date(2026, 10, 5), evidence="x")
    assert err.value.field == "code"


def test_pen3_uncorrected_signature_recurs_each_working_day_until_corrected(
    app: App, org: Org, clock: FixedClock
) -> None:
    """Missing on Thu 2026-09-17; 1 working day to correct → Fri 09-18. It then counts again
    on Sun 09-20 (a make-up working day) and Mon 09-21, … skips the Mid-Autumn holiday
    Fri 09-25 and the weekend, and stops on Tue 09-29, the day it is corrected."""
    ps = app.services.penalties
    fine = ps.record_violation(
        org.manager.id,
        org.service.id,
        "missing_customer_signature",
        date(2026, 9, 17),
        evidence="handover register",
    )[0]
    clock.set(at("2026-10-20 18:00"))
    system = app.services.org.system_account().id
    created = ps.accrue_recurrences(system, date(2026, 9, 21))
    assert [e.occurred_on for e in created] == [date(2026, 9, 20), date(2026, 9, 21)]
    assert all(e.amount == fine.amount and e.kind == EntryKind.RECURRENCE for e in created)
    assert ps.accrue_recurrences(system, date(2026, 9, 21)) == []  # idempotent
    assert fine.violation_id is not None
    ps.correct_violation(org.manager.id, fine.violation_id, date(2026, 9, 29))
    more = ps.accrue_recurrences(system)
    assert [e.occurred_on for e in more] == [
        date(2026, 9, 22),
        date(2026, 9, 23),
        date(2026, 9, 24),
        date(2026, 9, 28),
    ]


def test_pen8_supervisor_charged_double_the_subordinates_fine(app: App, org: Org) -> None:
    entries = app.services.penalties.record_violation(
        org.manager.id, org.sales2.id, "cs_service_rules", date(2026, 10, 5), evidence="call log"
    )
    fine, joint = entries
    assert fine.amount == Money.of("100.00")
    assert joint.staff_id == org.supervisor.id and joint.amount == Money.of("200.00")
    assert joint.kind == EntryKind.JOINT_LIABILITY and "PEN-8" in joint.explanation


def test_pen2_cs_same_rule_doubles_on_second(app: App, org: Org) -> None:
    ps = app.services.penalties
    a = ps.record_violation(
        org.manager.id, org.sales2.id, "cs_service_rules", date(2026, 10, 5), evidence="x"
    )[0]
    b = ps.record_violation(
        org.manager.id, org.sales2.id, "cs_beyond_authority", date(2026, 10, 6), evidence="x"
    )[0]
    c = ps.record_violation(
        org.manager.id, org.sales2.id, "cs_service_rules", date(2026, 10, 7), evidence="x"
    )[0]
    assert _amounts([a, b, c]) == ["100.00", "200.00", "200.00"]


def _closed_case_with_loss(app: App, org: Org, clock: FixedClock, loss: str) -> str:
    cs = app.services.cases
    dept = app.services.org.list_departments(org.admin.id)[0]
    case = cs.receive(
        org.sales.id,
        ReceiveCase(
            type="complaint", category="price", channel="email", content="x", customer_name="Y"
        ),
    )
    cs.accept(org.supervisor.id, case.id)
    cs.assign(org.supervisor.id, case.id, dept.id, org.service.id)
    cs.propose_solution(
        org.service.id, case.id, ProposeSolution(remedy="written_explanation", solution="explain")
    )
    cs.approve(org.supervisor.id, case.id)
    cs.reply(org.service.id, case.id, "written", "letter")
    cs.follow_up(org.service.id, case.id, accepted=True, satisfaction=4)
    cs.close(org.supervisor.id, case.id, CloseCase(cause="carelessness", loss=Money.of(loss)))
    return case.id


def test_pen5_loss_split_by_base_points_sums_exactly(app: App, org: Org, clock: FixedClock) -> None:
    case_id = _closed_case_with_loss(app, org, clock, "1000.00")
    entries = app.services.penalties.charge_case_loss(
        org.manager.id, case_id, [(org.sales.id, 3), (org.sales2.id, 3), (org.service.id, 1)]
    )
    assert _amounts(entries) == ["428.57", "428.57", "142.86"]
    assert sum(e.amount.amount for e in entries) == Money.of("1000.00").amount


def test_pen6_cap_half_the_bonus_and_carry_to_next_month(
    app: App, org: Org, clock: FixedClock
) -> None:
    clock.set(at("2026-10-20 10:00"))
    ps = app.services.penalties
    case_id = _closed_case_with_loss(app, org, clock, "2000.00")
    ps.charge_case_loss(org.manager.id, case_id, [(org.sales.id, 1)])
    ps.set_bonus(org.manager.id, org.sales.id, "2026-10", Money.of("3000.00"))
    ps.set_bonus(org.manager.id, org.sales.id, "2026-11", Money.of("3000.00"))
    october = ps.statement(org.manager.id, org.sales.id, "2026-10").statement
    assert october.complaint_deducted == Money.of("1500.00")
    assert october.carried_over == Money.of("500.00")
    november = ps.statement(org.manager.id, org.sales.id, "2026-11").statement
    assert november.complaint_deducted == Money.of("500.00")
    assert november.carried_over == Money.zero()


def test_pen10_settlement_is_repeatable_and_later_corrections_are_adjustments(
    app: App, org: Org, clock: FixedClock
) -> None:
    ps = app.services.penalties
    ps.record_violation(org.manager.id, org.sales.id, "file_late", date(2026, 10, 5), evidence="x")
    clock.set(at("2026-11-05 10:00"))
    first = ps.settle_month(org.manager.id, "2026-10")
    again = ps.settle_month(org.manager.id, "2026-10")
    assert [(s.staff_id, s.total) for s in first] == [(s.staff_id, s.total) for s in again]
    assert first[0].total == Money.of("50.00")
    late = ps.record_violation(
        org.manager.id, org.sales.id, "file_late", date(2026, 10, 30), evidence="found later"
    )[0]
    assert late.month == "2026-11" and late.adjusts_month == "2026-10"
    october = ps.statement(org.manager.id, org.sales.id, "2026-10")
    assert october.settled and october.statement.total == Money.of("50.00")
    november = ps.statement(org.manager.id, org.sales.id, "2026-11").statement
    assert any(line["entry_id"] == late.id for line in november.lines)


def test_pen10_month_not_ended_cannot_be_settled(app: App, org: Org, clock: FixedClock) -> None:
    clock.set(at("2026-10-20 10:00"))
    with pytest.raises(Exception) as err:
        app.services.penalties.settle_month(org.manager.id, "2026-10")
    assert "not ended" in str(err.value)


def test_appeal_waived_is_a_reversing_entry(app: App, org: Org) -> None:
    ps = app.services.penalties
    fine = ps.record_violation(
        org.manager.id, org.sales.id, "file_late", date(2026, 10, 5), evidence="x"
    )[0]
    with pytest.raises(PermissionDenied):
        ps.appeal(org.sales2.id, fine.id, "not mine")
    appeal = ps.appeal(org.sales.id, fine.id, "the customer was late")
    with pytest.raises(PermissionDenied):
        ps.decide_appeal(org.supervisor.id, appeal.id, AppealState.WAIVED, "ok")
    ps.decide_appeal(org.manager.id, appeal.id, AppealState.WAIVED, "customer's fault")
    entries = ps.entries(org.manager.id, org.sales.id, "2026-10")
    assert [e.kind for e in entries] == [EntryKind.VIOLATION, EntryKind.REVERSAL]
    assert sum(e.amount.amount for e in entries) == 0


def test_appeal_reduced_reverses_and_rebooks(app: App, org: Org) -> None:
    ps = app.services.penalties
    fine = ps.record_violation(
        org.manager.id, org.sales.id, "file_late", date(2026, 10, 5), evidence="x"
    )[0]
    appeal = ps.appeal(org.sales.id, fine.id, "too harsh")
    ps.decide_appeal(
        org.manager.id, appeal.id, AppealState.REDUCED, "partly", new_amount=Money.of("20.00")
    )
    total = sum(e.amount.amount for e in ps.entries(org.manager.id, org.sales.id, "2026-10"))
    assert total == Money.of("20.00").amount


def test_pen11_rewards_have_opposite_sign(app: App, org: Org, clock: FixedClock) -> None:
    ps = app.services.penalties
    with pytest.raises(PermissionDenied):
        ps.grant_reward(
            org.manager.id, org.sales.id, org.supervisor.id, Money.of("100.00"), "great feedback"
        )
    reward = ps.grant_reward(
        org.deputy.id, org.sales.id, org.supervisor.id, Money.of("100.00"), "great feedback"
    )
    assert reward.amount == Money.of("-100.00")


def test_pen4_performance_cut_within_band(app: App, org: Org) -> None:
    ps = app.services.penalties
    with pytest.raises(ValidationError):
        ps.performance_cut(org.manager.id, org.sales.id, "2026-10", 40, Money.of("2000.00"), "x")
    entry = ps.performance_cut(
        org.manager.id, org.sales.id, "2026-10", 20, Money.of("2000.00"), "third late file"
    )
    assert entry.amount == Money.of("400.00")


def test_staff_sees_only_own_statement(app: App, org: Org) -> None:
    ps = app.services.penalties
    with pytest.raises(PermissionDenied):
        ps.statement(org.sales.id, org.sales2.id, "2026-10")
    assert ps.statement(org.sales.id, org.sales.id, "2026-10").settled is False


def test_pen1_violations_from_events_once(app: App, org: Org, clock: FixedClock) -> None:
    """A late, incomplete file hand-over (CUS-3) and a case clock breach (CASE-7) become
    violations automatically, and running it again creates nothing new."""
    cus = app.services.customers
    customer = cus.register(org.sales.id, RegisterCustomer(name="Z", phone="13800000001"))
    f = cus.open_file(org.sales.id, customer.id, "new_sale", date(2026, 9, 18))
    clock.set(at("2026-09-24 10:00"))
    cus.hand_over_file(org.sales.id, f.id, org.supervisor.id)
    app.services.cases.receive(
        org.service.id,
        ReceiveCase(
            type="inquiry", category="other", channel="email", content="?", customer_name="Q"
        ),
    )
    clock.set(at("2026-09-26 10:00"))
    app.services.cases.sweep(app.services.org.system_account().id)  # scheduler.sweep
    ps = app.services.penalties
    system = app.services.org.system_account().id
    created = ps.record_from_events(system)
    codes = sorted(
        (e.staff_id == org.sales.id, e.explanation.split(":")[0])
        for e in created
        if e.kind == EntryKind.VIOLATION
    )
    assert (True, "Customer file handed over late") in codes
    assert (True, "Customer file incomplete") in codes
    assert any("Case deadline missed" in e.explanation for e in created)
    assert ps.record_from_events(system) == []


def test_pen1_recording_by_hand_needs_the_policy_role(app: App, org: Org) -> None:
    with pytest.raises(PermissionDenied) as err:
        app.services.penalties.record_violation(
            org.sales2.id, org.sales.id, "file_late", date(2026, 10, 5), evidence="x"
        )
    assert err.value.rule == "PEN-1"
    assert app.services.penalties.entries(org.manager.id, org.sales.id) == []
