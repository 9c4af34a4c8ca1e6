"""Service jobs (CASE-12), surveys (SAT-1), contracts, settlements (CASE-13) and exchange
forms (CASE-14) on the memory adapter."""

from __future__ import annotations

from datetime import date

import pytest

from adapters.bootstrap import App
from csd_support import Org, at
from csdomain.cases.commands import ProposeSolution, ReceiveCase
from csdomain.customers.commands import RegisterCustomer
from csdomain.kernel.clock import FixedClock
from csdomain.kernel.errors import InvalidTransition, PermissionDenied, ValidationError
from csdomain.kernel.money import Money
from csdomain.service_jobs.commands import OpenExchange, RegisterJob
from csdomain.service_jobs.model import ExchangeState, JobState, ServiceJob

GOOD = {
    "attitude": "very_satisfied",
    "skill": "satisfied",
    "arrival_time": "fair",
    "follow_through": "satisfied",
}


def _job(app: App, org: Org, zone: str = "city", work_type: str = "A") -> ServiceJob:
    return app.services.service_jobs.register(
        org.sales.id,
        RegisterJob(
            customer_name="Zhang",
            address="Nanjing Rd 1",
            zone=zone,
            work_type=work_type,
            description="AC not cooling",
        ),
    )


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("city", "2026-09-20 12:00"),  # 6 business hours; Sunday 09-20 is a make-up working day
        ("suburbs", "2026-09-20 13:00"),
        ("dense", "2026-09-19 03:00"),  # 12 h round the clock
        ("general", "2026-09-19 15:00"),
    ],
)
def test_case12_arrival_deadline_by_zone(
    app: App, org: Org, clock: FixedClock, zone: str, expected: str
) -> None:
    clock.set(at("2026-09-18 15:00"))
    assert _job(app, org, zone).arrive_by == at(expected)


def test_case12_unknown_zone_names_field(app: App, org: Org) -> None:
    with pytest.raises(ValidationError) as err:
        _job(app, org, zone="moon")
    assert err.value.field == "zone" and err.value.rule == "CASE-12"


def test_case12_on_site_job_lifecycle_with_survey_and_invoice(app: App, org: Org) -> None:
    js = app.services.service_jobs
    job = _job(app, org)
    js.dispatch(org.supervisor.id, job.id, org.service.id)
    with pytest.raises(PermissionDenied):
        js.arrive(org.sales2.id, job.id)
    js.arrive(org.service.id, job.id)
    with pytest.raises(ValidationError):
        js.fix_on_site(org.service.id, job.id, customer_signed=False)
    js.fix_on_site(org.service.id, job.id, customer_signed=True)
    js.record_survey(org.sales.id, job.id, GOOD)
    with pytest.raises(InvalidTransition):  # paid work is invoiced before closing
        js.close(org.sales.id, job.id)
    js.invoice(org.sales.id, job.id, "INV-1", Money.of("300.00"))
    assert js.close(org.sales.id, job.id).state == JobState.CLOSED


def test_sat1_every_job_surveyed_before_closing_and_all_items_rated(app: App, org: Org) -> None:
    js = app.services.service_jobs
    job = _job(app, org, work_type="C")
    js.dispatch(org.supervisor.id, job.id, org.service.id)
    js.arrive(org.service.id, job.id)
    js.fix_on_site(org.service.id, job.id, customer_signed=True)
    with pytest.raises(InvalidTransition) as err:
        js.close(org.sales.id, job.id)
    assert err.value.rule == "SAT-1"
    with pytest.raises(ValidationError):
        js.record_survey(org.sales.id, job.id, {"attitude": "satisfied"})
    with pytest.raises(ValidationError):
        js.record_survey(org.sales.id, job.id, {**GOOD, "skill": "great"})
    js.record_survey(org.sales.id, job.id, GOOD)
    assert js.close(org.sales.id, job.id).state == JobState.CLOSED
    summary = js.survey_summary(
        org.manager.id, org.service.id, at("2026-09-01 00:00"), at("2026-10-01 00:00")
    )
    assert summary.jobs == 1 and summary.surveyed == 1
    assert summary.ratings["arrival_time"]["fair"] == 1


def test_case12_taken_in_repair_needs_supervisor_inspection(app: App, org: Org) -> None:
    js = app.services.service_jobs
    job = _job(app, org, work_type="B")
    js.dispatch(org.supervisor.id, job.id, org.service.id)
    js.arrive(org.service.id, job.id)
    js.take_in(org.service.id, job.id, receipt_no="R-1", repair_card_no="RC-1")
    with pytest.raises(InvalidTransition):
        js.return_to_customer(org.service.id, job.id)
    with pytest.raises(PermissionDenied):
        js.inspect(org.service.id, job.id)
    js.inspect(org.supervisor.id, job.id)
    assert js.return_to_customer(org.service.id, job.id).state == JobState.RETURNED
    with pytest.raises(InvalidTransition):  # contract work is not invoiced
        js.invoice(org.sales.id, job.id, "INV-2", Money.of("10.00"))


def test_case12_undispatched_jobs_get_priority_next_day(
    app: App, org: Org, clock: FixedClock
) -> None:
    js = app.services.service_jobs
    old = _job(app, org, zone="general")
    clock.set(at("2026-09-20 08:00"))
    new = _job(app, org, zone="dense")
    assert [j.id for j in js.prioritize_undispatched(app.services.org.system_account().id)] == [
        old.id
    ]
    assert [j.id for j in js.dispatch_queue(org.supervisor.id)] == [old.id, new.id]
    assert js.prioritize_undispatched(app.services.org.system_account().id) == []


def test_case12_overdue_repair_reported_to_supervisor_once(
    app: App, org: Org, clock: FixedClock
) -> None:
    js = app.services.service_jobs
    job = _job(app, org, zone="dense")
    clock.set(at("2026-09-19 04:00"))
    assert [j.id for j in js.report_late(app.services.org.system_account().id)] == [job.id]
    assert js.report_late(app.services.org.system_account().id) == []
    recipients, subject, _ = app.services.cases.notifier.sent[-1]  # type: ignore[attr-defined]
    assert org.supervisor.id in recipients and "overdue" in subject


def test_case12_contract_renewal_notice_one_month_ahead_once(
    app: App, org: Org, clock: FixedClock
) -> None:
    js = app.services.service_jobs
    customer = app.services.customers.register(
        org.sales.id, RegisterCustomer(name="Plant Co", phone="02112345678")
    )
    soon = js.add_contract(
        org.sales.id, customer.id, "MC-1", date(2025, 10, 16), date(2026, 10, 15)
    )
    js.add_contract(org.sales.id, customer.id, "MC-2", date(2025, 12, 1), date(2026, 11, 30))
    assert [c.id for c in js.send_renewal_notices(app.services.org.system_account().id)] == [
        soon.id
    ]
    assert js.send_renewal_notices(app.services.org.system_account().id) == []


def test_case13_settlement_books_actually_returned_quantity(app: App, org: Org) -> None:
    cs = app.services.cases
    case = cs.receive(
        org.sales.id,
        ReceiveCase(
            type="complaint",
            category="delivery_quantity",
            channel="phone",
            content="short delivery",
            customer_name="Shop",
        ),
    )
    dept = app.services.org.list_departments(org.admin.id)[0]
    cs.accept(org.supervisor.id, case.id)
    cs.assign(org.supervisor.id, case.id, dept.id, org.service.id)
    cs.propose_solution(
        org.service.id,
        case.id,
        ProposeSolution(remedy="return", solution="take back 8", amount=Money.of("120.00")),
    )
    cs.approve(org.gm.id, case.id)
    st = app.services.settlement
    with pytest.raises(ValidationError):
        st.record_settlement(
            org.gm.id,
            case.id,
            kind="return",
            amount=Money.of("10.00"),
            quantity_claimed=5,
            quantity_returned=6,
        )
    s = st.record_settlement(  # 120 元 needs the GM's approval level
        org.gm.id,
        case.id,
        kind="return",
        amount=Money.of("120.00"),
        quantity_claimed=10,
        quantity_returned=8,
    )
    assert s.quantity_returned == 8
    assert st.settlements(org.manager.id, case.id) == [s]


def test_case14_exchange_form_sign_off_chain_and_ledger(app: App, org: Org) -> None:
    st = app.services.settlement
    form = st.open_exchange(
        org.sales.id,
        OpenExchange(customer_name="Shop", goods="Model X", quantity=2, reason="wrong colour"),
    )
    with pytest.raises(PermissionDenied):  # regional market head (manager level) signs first
        st.sign_exchange(org.supervisor.id, form.id, approve=True)
    for actor in (org.manager, org.supervisor, org.gm, org.service):
        form = st.sign_exchange(actor.id, form.id, approve=True, opinion="ok")
    assert form.state == ExchangeState.COMPLETED
    assert [s["step"] for s in form.sign_offs] == [
        "regional_market_head",
        "office_verification",
        "gm_instruction",
        "warehouse",
    ]
    form = st.enter_in_ledger(org.service.id, form.id)
    assert form.ledger_no == 1 and form.ledger_signed_by == org.service.id
    with pytest.raises(InvalidTransition):
        st.enter_in_ledger(org.service.id, form.id)
