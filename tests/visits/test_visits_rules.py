"""VIS-1…VIS-6 on memory, SQLite and PostgreSQL: the acceptance of issue 14 for visits —
plan deadlines (VIS-1), report deadlines on the PRC calendar and late reports as violations
(VIS-2), required visits by grade (VIS-3), coverage across an owner change (VIS-4), the
record and its secrecy (VIS-5, X-5), the care calendar (VIS-6)."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import pytest
from visits_support import customer, report

from adapters.bootstrap import App
from csd_support import Org, at, make_org
from csdomain.customers.commands import UpdateCustomer
from csdomain.kernel.clock import FixedClock
from csdomain.kernel.errors import Conflict, InvalidTransition, PermissionDenied, ValidationError
from csdomain.kernel.money import Money
from csdomain.visits.commands import FollowUpItem, PlanVisit
from csdomain.visits.model import PlanStatus


@pytest.fixture
def org(app: App) -> Org:
    return make_org(app)


def _plan(app: App, actor: Any, month: str) -> Any:
    return app.services.visits.create_plan(actor.id, month)


def test_vis1_a_plan_submitted_after_the_month_before_ended_is_late(
    app: App, org: Org, clock: FixedClock
) -> None:
    clock.set(at("2026-10-20 10:00"))
    on_time = _plan(app, org.sales, "2026-11")
    late = _plan(app, org.sales2, "2026-11")
    assert on_time.due_on == date(2026, 10, 31)
    clock.set(at("2026-10-30 17:00"))
    assert app.services.visits.submit_plan(org.sales.id, on_time.id).plan.late is False
    clock.set(at("2026-11-01 09:00"))
    assert app.services.visits.submit_plan(org.sales2.id, late.id).plan.late is True
    with pytest.raises(Conflict):  # one plan per person and month
        _plan(app, org.sales, "2026-11")


def test_vis3_an_a_grade_customer_without_a_planned_visit_is_missing(
    app: App, org: Org, clock: FixedClock
) -> None:
    a = customer(app, org, "Dalian Motors", "13800000001", grade_a=True)
    assert a.grade == "A"
    other = customer(app, org, "Anshan Trading", "13800000002", grade_a=True)
    clock.set(at("2026-10-20 10:00"))
    plan = _plan(app, org.sales, "2026-11")
    app.services.visits.plan_visit(
        org.sales.id,
        plan.id,
        PlanVisit(customer_id=other.id, on=date(2026, 11, 10), purpose="build_relationship"),
    )
    check = app.services.visits.check_plan(org.sales.id, plan.id)
    assert [(m.customer_id, m.required, m.planned, m.last_month) for m in check.missing] == [
        (a.id, 1, 0, True)
    ]
    assert (check.missing[0].period_start, check.missing[0].period_end) == (
        date(2026, 11, 1),
        date(2026, 11, 30),
    )


def test_vis1_a_visit_on_a_holiday_is_proposed_on_the_next_working_day(app: App, org: Org) -> None:
    c = customer(app, org, "Dalian Motors", "13800000001")
    plan = _plan(app, org.sales, "2026-09")
    planned = app.services.visits.plan_visit(
        org.sales.id,
        plan.id,
        PlanVisit(customer_id=c.id, on=date(2026, 9, 25), purpose="first_visit"),
    )
    assert (planned.asked_on, planned.on) == (date(2026, 9, 25), date(2026, 9, 28))  # Mid-Autumn
    check = app.services.visits.check_plan(org.sales.id, plan.id)
    assert [v.id for v in check.moved] == [planned.id]
    with pytest.raises(ValidationError) as err:  # a plan holds its own month only
        app.services.visits.plan_visit(
            org.sales.id,
            plan.id,
            PlanVisit(customer_id=c.id, on=date(2026, 10, 9), purpose="first_visit"),
        )
    assert err.value.field == "on"


def test_vis2_a_report_is_due_two_working_days_after_skipping_national_day(
    app: App, org: Org, clock: FixedClock
) -> None:
    c = customer(app, org, "Dalian Motors", "13800000001")
    clock.set(at("2026-10-09 17:00"))
    on_time = report(app, org.sales, c.id, date(2026, 9, 30))
    assert on_time.report_due_on == date(2026, 10, 9) and on_time.late is False
    clock.set(at("2026-10-12 09:00"))
    late = report(app, org.sales, c.id, date(2026, 9, 30))
    assert late.late is True


def test_vis2_a_late_report_becomes_one_violation_of_the_visitor(
    app: App, org: Org, clock: FixedClock
) -> None:
    c = customer(app, org, "Dalian Motors", "13800000001")
    clock.set(at("2026-09-24 10:00"))
    report(app, org.sales, c.id, date(2026, 9, 18))  # due 09-22
    system = app.services.org.system_account()
    first = app.services.penalties.record_from_events(system.id)
    assert [(e.staff_id, e.amount) for e in first] == [(org.sales.id, Money.of("50.00"))]
    assert app.services.penalties.record_from_events(system.id) == []


def test_vis2_the_sweep_flags_an_unreported_planned_visit_once(
    app: App, org: Org, clock: FixedClock
) -> None:
    c = customer(app, org, "Dalian Motors", "13800000001")
    plan = _plan(app, org.sales, "2026-09")
    planned = app.services.visits.plan_visit(
        org.sales.id,
        plan.id,
        PlanVisit(
            customer_id=c.id,
            on=date(2026, 9, 21),
            purpose="first_visit",
            expense=Money.of("300.00"),
            gift="tea",
        ),
    )
    app.services.visits.submit_plan(org.sales.id, plan.id)
    with pytest.raises(PermissionDenied):  # the author never approves their own plan
        app.services.visits.decide_plan(org.sales.id, plan.id, approve=True)
    approved = app.services.visits.decide_plan(org.supervisor.id, plan.id, approve=True)
    assert approved.status == PlanStatus.APPROVED
    system = app.services.org.system_account()
    clock.set(at("2026-09-23 18:45"))  # due 09-23: not late yet
    assert app.services.visits.sweep_late_reports(system.id) == []
    clock.set(at("2026-09-24 18:45"))
    assert [p.id for p in app.services.visits.sweep_late_reports(system.id)] == [planned.id]
    assert app.services.visits.sweep_late_reports(system.id) == []
    # reported later: late, but no second violation; the approved expense covers it (VIS-1)
    clock.set(at("2026-09-25 09:00"))
    visit = report(
        app,
        org.sales,
        c.id,
        date(2026, 9, 21),
        planned_visit_id=planned.id,
        expenses=Money.of("280.00"),
    )
    assert visit.late is True and visit.expenses_approved is True
    entries = app.services.penalties.record_from_events(system.id)
    assert len(entries) == 1 and entries[0].staff_id == org.sales.id
    with pytest.raises(Conflict):  # a planned visit is reported once
        report(app, org.sales, c.id, date(2026, 9, 21), planned_visit_id=planned.id)


def test_vis1_expenses_not_applied_for_are_flagged(app: App, org: Org) -> None:
    c = customer(app, org, "Dalian Motors", "13800000001")
    visit = report(app, org.sales, c.id, date(2026, 9, 17), expenses=Money.of("120.00"))
    assert visit.expenses_approved is False


def test_vis1_a_returned_plan_needs_a_reason_and_can_be_resubmitted(app: App, org: Org) -> None:
    plan = _plan(app, org.sales, "2026-10")
    app.services.visits.submit_plan(org.sales.id, plan.id)
    with pytest.raises(ValidationError) as err:
        app.services.visits.decide_plan(org.supervisor.id, plan.id, approve=False)
    assert err.value.field == "note"
    returned = app.services.visits.decide_plan(
        org.supervisor.id, plan.id, approve=False, note="add the A customers"
    )
    assert returned.status == PlanStatus.RETURNED
    again = app.services.visits.submit_plan(org.sales.id, plan.id)
    assert again.plan.status == PlanStatus.SUBMITTED
    with pytest.raises(InvalidTransition):
        app.services.visits.submit_plan(org.sales.id, plan.id)


def test_vis4_coverage_counts_a_customer_once_and_visits_before_an_owner_change(
    app: App, org: Org, clock: FixedClock
) -> None:
    c = customer(app, org, "Dalian Motors", "13800000001")
    customer(app, org, "Anshan Trading", "13800000002")
    report(app, org.sales, c.id, date(2026, 9, 10))
    report(app, org.sales, c.id, date(2026, 9, 17))
    moved = app.services.customers.get(org.sales.id, c.id)
    app.services.customers.transfer(org.manager.id, c.id, org.sales2.id, "rebalance", moved.version)
    year = (date(2026, 1, 1), date(2026, 12, 31))
    company = app.services.visits.coverage(org.manager.id, *year, by="company")
    assert [(r.customers, r.visited, r.percent, r.meets_target) for r in company] == [
        (2, 1, 50.0, False)
    ]
    owners = {r.key: r for r in app.services.visits.coverage(org.manager.id, *year)}
    assert (owners[org.sales2.id].customers, owners[org.sales2.id].visited) == (1, 1)
    assert (owners[org.sales.id].customers, owners[org.sales.id].visited) == (1, 0)
    mine = app.services.visits.coverage(org.sales.id, *year, by="company")
    assert [(r.customers, r.visited) for r in mine] == [(1, 0)]  # staff: own customers only
    # the new owner reads the visits made before the change
    assert len(app.services.visits.visits(org.sales2.id, c.id)) == 2


def test_vis3_required_visits_by_grade_in_a_period(app: App, org: Org) -> None:
    a = customer(app, org, "Dalian Motors", "13800000001", grade_a=True)
    report(app, org.sales, a.id, date(2026, 9, 10))
    report(app, org.sales, a.id, date(2026, 9, 11))
    rows = app.services.visits.coverage(
        org.manager.id, date(2026, 7, 1), date(2026, 9, 30), by="company"
    )
    assert [(r.required, r.required_met) for r in rows] == [(3, 1)]  # monthly: Jul, Aug, Sep


def test_vis5_visit_records_are_secret_and_reads_are_logged(app: App, org: Org) -> None:
    c = customer(app, org, "Dalian Motors", "13800000001")
    visit = report(
        app,
        org.sales,
        c.id,
        date(2026, 9, 17),
        follow_ups=[FollowUpItem(text="send the price list")],
    )
    assert app.services.visits.visit(org.sales.id, visit.id).summary  # the visitor: no log
    with pytest.raises(PermissionDenied):  # another salesperson's record: out of scope
        app.services.visits.visit(org.sales2.id, visit.id)
    with pytest.raises(PermissionDenied) as err:  # in scope, but secret
        app.services.visits.visit(org.supervisor.id, visit.id)
    assert "read_secret" in str(err.value)
    app.services.org.grant_permission(org.gm.id, org.supervisor.id, "read_secret", "reviews")
    assert app.services.visits.visit(org.supervisor.id, visit.id).id == visit.id
    app.services.org.grant_permission(org.gm.id, org.manager.id, "read_secret", "audits")
    log = app.services.customers.access_log(org.manager.id, visit.id)
    assert [(e.reader_id, e.record_kind) for e in log] == [(org.supervisor.id, "visit_record")]
    reviewed = app.services.visits.review_visit(org.supervisor.id, visit.id, "good")
    assert reviewed.reviewed_by == org.supervisor.id
    [item] = app.services.visits.follow_ups(org.sales.id)
    assert item.due_on == date(2026, 9, 24)  # 5 working days after 09-18 (09-20 is a make-up day)
    done = app.services.visits.complete_follow_up(org.sales.id, item.id, "sent")
    assert done.done_at is not None and app.services.visits.follow_ups(org.sales.id) == []


def test_vis5_bad_input_names_the_field_and_stores_nothing(app: App, org: Org) -> None:
    c = customer(app, org, "Dalian Motors", "13800000001")
    for kw, field in (
        ({"purpose": "lunch"}, "purpose"),
        ({"outcome": "maybe"}, "outcome"),
        ({"summary": " "}, "summary"),
        ({"people_met": "x" * 201}, "people_met"),
    ):
        with pytest.raises(ValidationError) as err:
            report(app, org.sales, c.id, date(2026, 9, 17), **kw)
        assert err.value.field == field
    with pytest.raises(ValidationError) as err:
        report(app, org.sales, c.id, date(2026, 9, 19))  # tomorrow
    assert err.value.field == "on"
    assert app.services.visits.visits(org.sales.id, c.id) == []


def test_vis2_one_report_per_planned_visit_under_simultaneous_requests(
    app: App, org: Org, clock: FixedClock
) -> None:
    c = customer(app, org, "Dalian Motors", "13800000001")
    plan = _plan(app, org.sales, "2026-09")
    planned = app.services.visits.plan_visit(
        org.sales.id,
        plan.id,
        PlanVisit(customer_id=c.id, on=date(2026, 9, 17), purpose="first_visit"),
    )
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def attempt() -> None:
        barrier.wait()
        try:
            report(app, org.sales, c.id, date(2026, 9, 17), planned_visit_id=planned.id)
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict"] * 7 + ["ok"]
    assert len(app.services.visits.visits(org.sales.id, c.id)) == 1


def test_vis6_care_calendar_holidays_birthdays_and_weather(app: App, org: Org) -> None:
    c = customer(
        app, org, "Zhang San", "13800000001", id_number="110101199003071233", address="北京市朝阳区"
    )
    prospect = customer(app, org, "Li Si", "13800000002", address="上海市浦东新区")
    app.services.customers.update(
        org.sales.id, c.id, UpdateCustomer(expected_version=c.version, status="closed_deal")
    )
    reminders = app.services.visits.care_calendar(org.sales.id, date(2026, 9, 1), date(2026, 9, 30))
    holidays = [(r.on, r.customer_id) for r in reminders if r.kind == "holiday"]
    assert holidays == [(date(2026, 9, 22), c.id), (date(2026, 9, 28), c.id)]  # Mid-Autumn, 10-01
    march = app.services.visits.care_calendar(org.sales.id, date(2027, 3, 1), date(2027, 3, 31))
    assert [(r.on, r.kind) for r in march] == [(date(2027, 3, 7), "birthday")]
    weather = app.services.visits.weather_alert(org.sales.id, "朝阳区", "暴雨红色预警")
    assert [r.customer_id for r in weather] == [c.id]
    assert prospect.id not in [r.customer_id for r in reminders]
