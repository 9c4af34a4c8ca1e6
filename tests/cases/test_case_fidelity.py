"""Issue 12, rule fidelity of cases: CUS-4 priority by grade, CASE-6 escalation along
positions, CASE-7 clocks by category and market and the complaint form's hand-offs, CASE-8
approval level by remedy kind, CASE-9 return visit, CASE-13 over-quantity ratio, CASE-15
follow-up cases, RPT complaint statistics. On memory, SQLite and PostgreSQL (conftest)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from adapters.bootstrap import App
from csd_support import Org, at
from csdomain.cases.commands import CloseCase, ProposeSolution, ReceiveCase
from csdomain.cases.model import Case, CaseState
from csdomain.cases.services import LogNotifier
from csdomain.customers.commands import RegisterCustomer
from csdomain.kernel.clock import FixedClock
from csdomain.kernel.errors import Conflict, InvalidTransition, PermissionDenied, ValidationError
from csdomain.kernel.ids import CustomerId
from csdomain.kernel.money import Money
from csdomain.org.model import Department, Staff

CaseFactory = Callable[..., Case]


@pytest.fixture
def dept(app: App, org: Org) -> Department:
    return app.services.org.list_departments(org.admin.id)[0]


@pytest.fixture
def new_case(app: App, org: Org) -> CaseFactory:
    def make(**overrides: Any) -> Case:
        fields: dict[str, Any] = {
            "type": "complaint",
            "category": "product_quality",
            "channel": "walk_in",
            "content": "The door seal leaks",
            "customer_name": "Zhang San",
        }
        fields.update(overrides)
        return app.services.cases.receive(org.sales.id, ReceiveCase(**fields))

    return make


def _graded_customer(app: App, org: Org, name: str, phone: str, score: int) -> CustomerId:
    """A customer of Li Lei graded by the manager from ``score`` on every criterion."""
    customer = app.services.customers.register(
        org.sales.id, RegisterCustomer(name=name, phone=phone)
    )
    criteria = ["annual_sales", "price", "payment_collection", "cooperation", "trend"]
    app.services.customers.evaluate_grade(
        org.manager.id, customer.id, dict.fromkeys(criteria, score), "annual grading"
    )
    return customer.id


def _clock(app: App, actor: str, case_id: str, name: str) -> Any:
    return next(s for s in app.services.cases.clocks(actor, case_id) if s.name == name)


def _names(app: App, actor: str, case_id: str) -> set[str]:
    return {s.name for s in app.services.cases.clocks(actor, case_id)}


def _to_replied(app: App, org: Org, dept: Department, case_id: str) -> None:
    cs = app.services.cases
    cs.accept(org.supervisor.id, case_id)
    cs.assign(org.supervisor.id, case_id, dept.id, org.service.id)
    cs.propose_solution(
        org.service.id,
        case_id,
        ProposeSolution(remedy="written_explanation", solution="explain the seal"),
    )
    cs.approve(org.supervisor.id, case_id)
    cs.reply(org.service.id, case_id, "phone", "we explained")


def _to_closed(app: App, org: Org, dept: Department, case_id: str) -> Case:
    _to_replied(app, org, dept, case_id)
    cs = app.services.cases
    cs.follow_up(org.service.id, case_id, accepted=True, satisfaction=4)
    return cs.close(org.supervisor.id, case_id, CloseCase(cause="incidental"))


def _staff(app: App, org: Org, dept: Department, name: str, role: str, position: str) -> Staff:
    return app.services.org.add_staff(
        org.admin.id, name=name, role=role, department_id=dept.id, position=position
    )


# ------------------------------------------------------------ CUS-4 priority by grade
def test_cus4_grade_a_complaints_come_first_in_the_work_list(
    app: App, org: Org, clock: FixedClock, new_case: CaseFactory
) -> None:
    """CUS-4 (000 篇九 6.2.1): the customer's grade sets the complaint priority, A first."""
    grade_c = _graded_customer(app, org, "丙公司", "13800000003", 10)
    grade_a = _graded_customer(app, org, "甲公司", "13800000001", 95)
    unnamed = new_case()
    clock.advance(timedelta(minutes=1))
    c_case = new_case(customer_id=grade_c, customer_name="")
    clock.advance(timedelta(minutes=1))
    a_case = new_case(customer_id=grade_a, customer_name="")
    priorities = app.policy.cases.priority_by_grade
    assert (a_case.priority, c_case.priority) == (priorities["A"], priorities["C"])
    assert unnamed.priority == app.policy.cases.default_priority
    work = app.services.cases.work_list(org.manager.id)
    assert [c.id for c in work] == [a_case.id, c_case.id, unnamed.id]
    # the plain list stays in reception order
    assert [c.id for c in app.services.cases.list(org.manager.id)] == [
        unnamed.id,
        c_case.id,
        a_case.id,
    ]


def test_cus4_grade_a_cases_are_escalated_first(
    app: App, org: Org, clock: FixedClock, new_case: CaseFactory
) -> None:
    """CUS-4: when a sweep batch cannot take every due case, grade A's go first."""
    grade_c = _graded_customer(app, org, "丙公司", "13800000003", 10)
    grade_a = _graded_customer(app, org, "甲公司", "13800000001", 95)
    c_case = new_case(customer_id=grade_c, customer_name="")
    clock.advance(timedelta(minutes=5))
    a_case = new_case(customer_id=grade_a, customer_name="")
    clock.set(at("2026-09-20 12:00"))
    system = app.services.org.system_account().id
    first = app.services.cases.sweep(system, batch=1)
    assert first.checked == 1 and {b.case_id for b in first.breaches} == {a_case.id}
    second = app.services.cases.sweep(system, batch=1)
    assert {b.case_id for b in second.breaches} == {c_case.id}


# ------------------------------------------------------------- CASE-6 escalation chain
def test_case6_escalation_notifies_and_reassigns_along_the_positions(
    app: App, org: Org, clock: FixedClock, dept: Department, new_case: CaseFactory
) -> None:
    """CASE-6 (003 D7): team lead → CS manager (takes the case over) → regional → operations
    manager; each step's holder is notified."""
    lead = _staff(app, org, dept, "Team Lead", "supervisor", "team_lead")
    cs_manager = _staff(app, org, dept, "CS Manager", "manager", "cs_manager")
    notifier = LogNotifier()
    app.services.cases.notifier = notifier
    case = new_case()
    app.services.cases.accept(org.supervisor.id, case.id)
    app.services.cases.assign(org.supervisor.id, case.id, dept.id, org.service.id)
    clock.set(at("2026-09-19 10:30"))  # only the 24-hour acknowledgement has breached
    system = app.services.org.system_account().id
    first = app.services.cases.sweep(system)
    assert [b.escalated_to for b in first.breaches] == ["team_lead"]
    assert notifier.sent[0][0] == [lead.id]
    assert app.services.cases.get(org.gm.id, case.id).handler_id == org.service.id
    clock.set(at("2026-09-24 10:00"))  # the solution / reply clocks breach too
    second = app.services.cases.sweep(system)
    assert [b.escalated_to for b in second.breaches] == ["cs_manager", "regional_manager"]
    # nobody holds regional_manager: its stand-in role (deputy GM) is told
    assert [n[0] for n in notifier.sent] == [[lead.id], [cs_manager.id], [org.deputy.id]]
    # the CS manager step reassigns: the manager handles the case from now on
    after = app.services.cases.get(org.gm.id, case.id)
    assert after.handler_id == cs_manager.id
    kinds = [e.kind for e in app.services.cases.timeline(org.gm.id, case.id)]
    assert "reassigned_on_escalation" in kinds


def test_case6_a_role_stands_in_when_nobody_holds_the_position(
    app: App, org: Org, clock: FixedClock, dept: Department, new_case: CaseFactory
) -> None:
    """CASE-6: no team lead in the company: the step's stand-in role (a supervisor of the
    case's department) is told."""
    notifier = LogNotifier()
    app.services.cases.notifier = notifier
    case = new_case()
    app.services.cases.accept(org.supervisor.id, case.id)
    app.services.cases.assign(org.supervisor.id, case.id, dept.id, org.service.id)
    clock.set(at("2026-09-19 10:30"))
    app.services.cases.sweep(app.services.org.system_account().id)
    assert notifier.sent[0][0] == [org.supervisor.id]
    breached = [
        e for e in app.services.cases.timeline(org.gm.id, case.id) if e.kind == "clock_breached"
    ]
    assert breached[0].data["escalated_to_staff"] == org.supervisor.id


# ---------------------------------------------------- CASE-7 clocks by category, market
def test_case7_objection_clocks_by_category_quality_7_days_quantity_24_hours(
    app: App, org: Org, new_case: CaseFactory
) -> None:
    """CASE-7: a quality objection is answered within 7 days, a quantity one within 24 h."""
    quality = new_case(type="objection", category="product_quality")
    quantity = new_case(type="objection", category="delivery_quantity")
    assert "objection_quality" in _names(app, org.sales.id, quality.id)
    assert "objection_quantity" not in _names(app, org.sales.id, quality.id)
    assert "objection_quality" not in _names(app, org.sales.id, quantity.id)
    due = _clock(app, org.sales.id, quantity.id, "objection_quantity").due_at
    assert due == quantity.received_at + timedelta(hours=24)
    week = _clock(app, org.sales.id, quality.id, "objection_quality").due_at
    assert week.date() == date(2026, 9, 28)  # 25th: Mid-Autumn Festival, moved to Monday


def test_case7_market_is_a_policy_catalogue(new_case: CaseFactory) -> None:
    """CASE-7: the market is domestic by default; an unknown one names the field."""
    assert new_case().market == "domestic"
    assert new_case(market="foreign").market == "foreign"
    with pytest.raises(ValidationError) as err:
        new_case(market="mars")
    assert err.value.field == "market" and err.value.rule == "CASE-7"


def test_case7_form_closes_in_13_days_domestic_17_foreign(
    app: App, org: Org, new_case: CaseFactory
) -> None:
    """CASE-7 (001 2-B(十)): from the GM office's acceptance, domestic 13 / foreign 17 days;
    the business step takes 5 days domestic, 12 foreign."""
    domestic, foreign = new_case(), new_case(market="foreign")
    for case in (domestic, foreign):
        app.services.cases.hand_off(org.sales.id, case.id, "gm_office")
    assert "form_close_foreign" not in _names(app, org.sales.id, domestic.id)
    assert "form_close_domestic" not in _names(app, org.sales.id, foreign.id)
    d = _clock(app, org.sales.id, domestic.id, "form_close_domestic").due_at
    f = _clock(app, org.sales.id, foreign.id, "form_close_foreign").due_at
    assert (d.date(), f.date()) == (date(2026, 10, 8), date(2026, 10, 8))  # holiday moves both
    hours = app.policy.calendar.business_hours
    assert d == datetime.combine(date(2026, 10, 8), hours.end, tzinfo=d.tzinfo)
    cf = app.policy.cases.complaint_form.step("business")
    assert cf is not None and (cf.duration_for("domestic"), cf.duration_for("foreign")) == (5, 12)


def test_case7_form_hand_offs_carry_their_own_deadlines_in_order(
    app: App, org: Org, clock: FixedClock, new_case: CaseFactory
) -> None:
    """CASE-7 (001 2-B): GM office ½ day → QC 1 day → …; each step's clock runs from its
    hand-off to the next; steps go in order, once each."""
    case = new_case()  # Friday 2026-09-18 10:00
    cs = app.services.cases
    assert _clock(app, org.sales.id, case.id, "form.gm_office").status == "not_started"
    cs.hand_off(org.sales.id, case.id, "gm_office")
    gm = _clock(app, org.sales.id, case.id, "form.gm_office")
    assert gm.due_at == at("2026-09-18 14:00")  # ½ day = 4 business hours
    with pytest.raises(InvalidTransition) as err:
        cs.hand_off(org.sales.id, case.id, "manufacturing")  # QC comes first
    assert err.value.rule == "CASE-7"
    with pytest.raises(InvalidTransition):
        cs.hand_off(org.sales.id, case.id, "gm_office")  # once
    with pytest.raises(ValidationError) as bad:
        cs.hand_off(org.sales.id, case.id, "canteen")
    assert bad.value.field == "step" and bad.value.rule == "CASE-7"
    clock.set(at("2026-09-18 15:00"))  # an hour late
    cs.hand_off(org.sales.id, case.id, "quality_control")
    assert _clock(app, org.sales.id, case.id, "form.gm_office").status == "missed"
    qc = _clock(app, org.sales.id, case.id, "form.quality_control")
    assert qc.status == "on_time" and qc.due_at.date() == date(2026, 9, 20)  # make-up Sunday
    # a step's breach is tracked but not charged to the case owner (unit, not person)
    assert "form.quality_control" in app.policy.cases.unpenalised_clocks()


# ----------------------------------------------------- CASE-8 approval by remedy kind
def test_case8_a_replacement_needs_its_level_even_with_no_amount(
    app: App, org: Org, dept: Department, new_case: CaseFactory
) -> None:
    """CASE-8: remedy_approval_roles: a replacement needs a manager, with no amount."""
    cs = app.services.cases
    case = new_case()
    cs.accept(org.supervisor.id, case.id)
    cs.assign(org.supervisor.id, case.id, dept.id, org.service.id)
    cs.propose_solution(
        org.service.id, case.id, ProposeSolution(remedy="replace", solution="a new seal")
    )
    with pytest.raises(PermissionDenied) as err:
        cs.approve(org.supervisor.id, case.id)
    assert "manager" in str(err.value)
    assert cs.approve(org.manager.id, case.id).state == CaseState.APPROVED


def test_case8_a_written_explanation_keeps_the_amount_level(
    app: App, org: Org, dept: Department, new_case: CaseFactory
) -> None:
    """CASE-8: a kind without its own level needs only what its amount needs."""
    case = new_case()
    _to_replied(app, org, dept, case.id)  # approved by the supervisor
    assert app.services.cases.get(org.gm.id, case.id).approved_by == org.supervisor.id


# ------------------------------------------------------------- CASE-9 return visit
def test_case9_return_visit_due_after_handling_and_overdue_reported(
    app: App, org: Org, clock: FixedClock, dept: Department, new_case: CaseFactory
) -> None:
    """CASE-9 (000 篇四 2.4): closing schedules the return visit (2 working days by default);
    an overdue one is reported until it is made, with the customer's satisfaction."""
    cs = app.services.cases
    case = new_case()
    closed = _to_closed(app, org, dept, case.id)  # Friday 2026-09-18
    assert closed.return_visit_due_at is not None
    assert closed.return_visit_due_at.date() == date(2026, 9, 21)  # Sunday 20th works
    assert cs.overdue_return_visits(org.manager.id) == []
    clock.set(at("2026-09-22 09:00"))
    assert [c.id for c in cs.overdue_return_visits(org.manager.id)] == [case.id]
    with pytest.raises(ValidationError) as err:
        cs.record_return_visit(org.sales.id, case.id, satisfaction=9)
    assert err.value.field == "satisfaction" and err.value.rule == "CASE-9"
    visited = cs.record_return_visit(org.sales.id, case.id, satisfaction=4, comment="fine")
    assert visited.return_visit_satisfaction == 4 and visited.return_visited_at is not None
    assert cs.overdue_return_visits(org.manager.id) == []
    with pytest.raises(Conflict):
        cs.record_return_visit(org.sales.id, case.id, satisfaction=5)
    last = cs.timeline(org.gm.id, case.id)[-1]
    assert (last.kind, last.data["on_time"], last.data["satisfaction"]) == (
        "return_visited",
        "false",
        "4",
    )


def test_case9_no_return_visit_before_handling_or_for_other_types(
    app: App, org: Org, dept: Department, new_case: CaseFactory
) -> None:
    """CASE-9: only a closed case of the policy's types gets a return visit."""
    cs = app.services.cases
    case = new_case()
    with pytest.raises(InvalidTransition):
        cs.record_return_visit(org.sales.id, case.id, satisfaction=4)
    inquiry = new_case(type="inquiry", category="other")
    closed = _to_closed(app, org, dept, inquiry.id)
    assert closed.return_visit_due_at is None
    with pytest.raises(InvalidTransition) as err:
        cs.record_return_visit(org.sales.id, inquiry.id, satisfaction=4)
    assert err.value.rule == "CASE-9"


# ------------------------------------------------------------ CASE-15 follow-up case
def test_case15_follow_up_call_with_a_new_need_opens_a_linked_case(
    app: App, org: Org, new_case: CaseFactory
) -> None:
    """CASE-15 (004 第11篇): the follow-up case links the original and keeps its customer;
    the original's timeline records it."""
    original = new_case(channel="hotline", type="inquiry", category="other")
    follow = app.services.cases.open_follow_up(
        org.sales.id,
        original.id,
        ReceiveCase(
            type="service_request",
            category="repair_quality",
            channel="hotline",
            content="now the window rattles too",
        ),
    )
    assert follow.related_case_id == original.id and follow.id != original.id
    assert follow.customer_name == original.customer_name
    opened = app.services.cases.timeline(org.gm.id, original.id)[-1]
    assert (opened.kind, opened.data["case_id"], opened.data["number"]) == (
        "follow_up_case_opened",
        follow.id,
        follow.number,
    )


def test_case15_follow_up_needs_the_original_in_reach(
    app: App, org: Org, new_case: CaseFactory
) -> None:
    """CASE-15/X-5: nobody opens a follow-up of a case they cannot read."""
    original = new_case()
    with pytest.raises(PermissionDenied):
        app.services.cases.open_follow_up(
            org.sales2.id,
            original.id,
            ReceiveCase(type="inquiry", category="other", channel="phone", content="again"),
        )


# --------------------------------------------------------- CASE-13 over-quantity ratio
def test_case13_returned_quantity_may_exceed_the_claim_only_up_to_the_ratio(
    app: App, org: Org, dept: Department, new_case: CaseFactory
) -> None:
    """CASE-13 (001 2-B(十三)): 5 % over-quantity acceptance by default; beyond → 422."""
    cs = app.services.cases
    case = new_case()
    cs.accept(org.supervisor.id, case.id)
    cs.assign(org.supervisor.id, case.id, dept.id, org.service.id)
    cs.propose_solution(org.service.id, case.id, ProposeSolution(remedy="return", solution="r"))
    cs.approve(org.manager.id, case.id)
    settle = app.services.settlement
    ok = settle.record_settlement(
        org.manager.id,
        case.id,
        kind="return",
        amount=Money.zero(),
        quantity_claimed=100,
        quantity_returned=105,
    )
    assert ok.quantity_returned == 105
    with pytest.raises(ValidationError) as err:
        settle.record_settlement(
            org.manager.id,
            case.id,
            kind="return",
            amount=Money.zero(),
            quantity_claimed=100,
            quantity_returned=106,
        )
    assert err.value.field == "quantity_returned" and err.value.rule == "CASE-13"


# ----------------------------------------------------------- RPT complaint statistics
def test_rpt_statistics_count_complaints_by_default_types_filter(
    app: App, org: Org, new_case: CaseFactory
) -> None:
    """RPT: complaint statistics count complaints; other types only when asked."""
    new_case()
    new_case(type="inquiry", category="other")
    cs = app.services.cases
    assert cs.monthly_statistics(org.manager.id, "2026-09").received == 1
    assert cs.monthly_statistics(org.manager.id, "2026-09", ["inquiry"]).received == 1
    both = cs.monthly_statistics(org.manager.id, "2026-09", ["complaint", "inquiry"])
    assert both.received == 2 and both.types == ["complaint", "inquiry"]
    with pytest.raises(ValidationError) as err:
        cs.monthly_statistics(org.manager.id, "2026-09", ["gossip"])
    assert err.value.field == "types" and err.value.rule == "RPT"


def test_rpt_weekly_complaint_report(
    app: App, org: Org, clock: FixedClock, new_case: CaseFactory
) -> None:
    """RPT (000 篇四 2.8): the weekly report covers one ISO week, Monday to Sunday."""
    new_case()  # Friday 2026-09-18, ISO week 38
    new_case(major_reasons=["product_safety"], category="product_safety")
    clock.set(at("2026-09-21 09:00"))  # Monday of week 39
    new_case()
    cs = app.services.cases
    week = cs.weekly_statistics(org.manager.id, "2026-W38")
    assert (week.start, week.end) == (date(2026, 9, 14), date(2026, 9, 20))
    assert (week.received, week.major) == (2, 1)
    assert week.by_category == {"product_quality": 1, "product_safety": 1}
    assert cs.weekly_statistics(org.manager.id, "2026-W39").received == 1
    with pytest.raises(ValidationError) as err:
        cs.weekly_statistics(org.manager.id, "2026-38")
    assert err.value.field == "week" and err.value.rule == "RPT"
    with pytest.raises(PermissionDenied):
        cs.weekly_statistics(org.sales.id, "2026-W38")
