"""Issue 7 for cases, service jobs, settlements and exchanges, on every backend: each refusal
is a PermissionDenied naming the action and the rule, and the store is unchanged after it
(X-3 authority, X-4 recusal, X-5 scope, CASE-7/12 scheduler identity, CASE-8, CASE-13,
CASE-14)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import attrs
import pytest

from adapters.bootstrap import App, bootstrap
from adapters.settings import Settings
from csd_support import Org, at, make_org
from csdomain.cases.commands import ProposeSolution, ReceiveCase
from csdomain.cases.model import Case
from csdomain.customers.commands import RegisterCustomer
from csdomain.kernel.clock import FixedClock
from csdomain.kernel.errors import PermissionDenied, ValidationError
from csdomain.kernel.ids import StaffId
from csdomain.kernel.money import Money
from csdomain.org.model import Department
from csdomain.policy.permissions import ActionRule
from csdomain.service_jobs.commands import OpenExchange, RegisterJob


def snapshot(app: App) -> tuple[Any, ...]:
    """Everything the refused actions could have written, read past the guard."""
    with app.services.ctx.uow() as uow:
        cases = sorted((c.id, c.state.value, c.version) for c in uow.cases.list(limit=1000))
        events = sum(len(uow.case_events.list_for_case(c[0])) for c in cases)
        settlements = sum(len(uow.settlements.list_for_case(c[0])) for c in cases)
        forms = sorted((f.id, len(f.sign_offs), f.ledger_no) for f in uow.exchanges.list())
        jobs = sorted(
            (j.id, j.priority, j.overdue_reported_at) for j in uow.service_jobs.list_open()
        )
        return (cases, events, settlements, forms, jobs, len(uow.audit.list()))


def refused(
    app: App, call: Callable[[], object], action: str, rule: str | None = None
) -> PermissionDenied:
    """``call`` is refused naming ``action`` (and ``rule``) and leaves the store as it was."""
    before = snapshot(app)
    with pytest.raises(PermissionDenied) as err:
        call()
    assert err.value.action == action
    assert action in str(err.value)
    if rule is not None:
        assert err.value.rule == rule
    assert snapshot(app) == before
    return err.value


@pytest.fixture
def dept(app: App, org: Org) -> Department:
    return app.services.org.list_departments(org.admin.id)[0]


def receive(app: App, org: Org, by: StaffId | None = None, **overrides: Any) -> Case:
    fields: dict[str, Any] = {
        "type": "complaint",
        "category": "product_quality",
        "channel": "phone",
        "content": "The door seal leaks",
        "customer_name": "Zhang San",
    }
    fields.update(overrides)
    return app.services.cases.receive(by or org.sales.id, ReceiveCase(**fields))


def approved(
    app: App,
    org: Org,
    dept: Department,
    *,
    handler: StaffId | None = None,
    amount: str | None = "500.00",
    **overrides: Any,
) -> Case:
    """A case whose proposal the GM approved (the level 500 元 needs by default)."""
    cs = app.services.cases
    case = receive(app, org, **overrides)
    cs.accept(org.gm.id, case.id)
    cs.assign(org.gm.id, case.id, dept.id, handler or org.service.id)
    cs.propose_solution(
        handler or org.service.id,
        case.id,
        ProposeSolution(
            remedy="compensation",
            solution="pay",
            amount=Money.of(amount) if amount is not None else None,
        ),
    )
    return cs.approve(org.gm.id, case.id)


# ------------------------------------------------------------ scheduler identity
def test_scheduler_actions_only_as_the_system_account(app: App, org: Org) -> None:
    """Issue 7 Why 1: no staff member (not even the GM or the admin) triggers the sweep,
    job prioritisation, late-job reports or renewal notices; the system account does."""
    cs, js = app.services.cases, app.services.service_jobs
    for who in (org.sales, org.gm, org.admin):
        refused(app, lambda w=who: cs.sweep(w.id), "scheduler.sweep", "CASE-7")
        refused(app, lambda w=who: js.prioritize_undispatched(w.id), "scheduler.prioritize_jobs")
        refused(app, lambda w=who: js.report_late(w.id), "scheduler.late_jobs", "CASE-12")
        refused(app, lambda w=who: js.send_renewal_notices(w.id), "scheduler.renewal_notices")
    system = app.services.org.system_account().id
    cs.sweep(system)
    js.prioritize_undispatched(system)
    js.report_late(system)
    js.send_renewal_notices(system)
    with app.services.ctx.uow() as uow:
        kinds = [e.kind for e in uow.audit.list() if e.actor_id == system]
    # every run is audited, even one that found nothing to do
    for kind in (
        "scheduler.sweep",
        "scheduler.prioritize_jobs",
        "scheduler.late_jobs",
        "scheduler.renewal_notices",
    ):
        assert kind in kinds


def test_scheduler_runs_are_bounded(app: App, org: Org) -> None:
    """A run handles at most ``batch`` records, and an unbounded batch is a 422."""
    system = app.services.org.system_account().id
    cs, js = app.services.cases, app.services.service_jobs
    for call in (
        lambda: cs.sweep(system, batch=0),
        lambda: cs.sweep(system, batch=10**6),
        lambda: js.report_late(system, batch=10**6),
        lambda: js.prioritize_undispatched(system, batch=0),
        lambda: js.send_renewal_notices(system, batch=-1),
    ):
        with pytest.raises(ValidationError) as err:
            call()
        assert err.value.field == "batch"


def test_scheduler_prioritizes_at_most_batch_jobs(app: App, org: Org, clock: FixedClock) -> None:
    js = app.services.service_jobs
    for _ in range(3):
        js.register(
            org.sales.id,
            RegisterJob(
                customer_name="Zhang", address="Rd 1", zone="city", work_type="A", description="x"
            ),
        )
    clock.set(at("2026-09-30 09:00"))
    system = app.services.org.system_account().id
    assert len(js.prioritize_undispatched(system, batch=2)) == 2
    assert len(js.prioritize_undispatched(system, batch=2)) == 1  # the rest next run


def test_scheduler_roles_come_from_the_policy(org: Org) -> None:
    """A company may let a supervisor run the sweep: a policy change, no code change."""
    base = bootstrap(Settings(storage="memory"), clock=FixedClock(at("2026-09-15 09:00")))
    table = dict(base.policy.permissions.actions)
    table["scheduler.sweep"] = ActionRule(rule="CASE-7", min_role="supervisor", roles=["system"])
    policy = attrs.evolve(
        base.policy, permissions=attrs.evolve(base.policy.permissions, actions=table)
    )
    app = bootstrap(
        Settings(storage="memory"), clock=FixedClock(at("2026-09-15 09:00")), policy=policy
    )
    local = make_org(app)
    assert app.services.cases.sweep(local.supervisor.id).checked == 0
    refused(app, lambda: app.services.cases.sweep(local.sales.id), "scheduler.sweep")


# --------------------------------------------------------------- settlements (CASE-13)
def test_settlement_needs_the_approval_level_of_its_amount(
    app: App, org: Org, dept: Department
) -> None:
    case = approved(app, org, dept)
    st = app.services.settlement

    def record(actor: StaffId, amount: str = "500.00") -> object:
        return st.record_settlement(
            actor,
            case.id,
            kind="compensation",
            amount=Money.of(amount),
            quantity_claimed=1,
            quantity_returned=1,
        )

    refused(app, lambda: record(org.sales.id), "settlements.record", "CASE-13")
    err = refused(app, lambda: record(org.supervisor.id), "settlements.record", "CASE-13")
    assert "gm" in str(err)  # what would be needed (X-3: 500 元 needs the GM's level)
    refused(app, lambda: record(org.manager.id), "settlements.record", "CASE-13")
    assert record(org.gm.id)


def test_settlement_refused_while_the_proposal_awaits_approval(
    app: App, org: Org, dept: Department
) -> None:
    cs = app.services.cases
    case = receive(app, org)
    cs.accept(org.supervisor.id, case.id)
    cs.assign(org.supervisor.id, case.id, dept.id, org.service.id)
    cs.propose_solution(
        org.service.id,
        case.id,
        ProposeSolution(remedy="compensation", solution="pay", amount=Money.of("500.00")),
    )
    refused(
        app,
        lambda: app.services.settlement.record_settlement(
            org.gm.id,
            case.id,
            kind="compensation",
            amount=Money.of("500.00"),
            quantity_claimed=1,
            quantity_returned=1,
        ),
        "settlements.record",
        "CASE-8",
    )


def test_settlement_never_by_the_cases_subject(app: App, org: Org, dept: Department) -> None:
    # no money: the supervisor's level suffices, but the supervisor is the subject
    case = approved(app, org, dept, subject_staff_ids=[org.supervisor.id], amount=None)
    refused(
        app,
        lambda: app.services.settlement.record_settlement(
            org.supervisor.id,
            case.id,
            kind="return",
            amount=Money.zero(),
            quantity_claimed=1,
            quantity_returned=1,
        ),
        "settlements.record",
        "X-4",
    )


# ----------------------------------------------------------------- exchanges (CASE-14)
def test_one_gm_cannot_sign_every_step_of_an_exchange_form(app: App, org: Org) -> None:
    st = app.services.settlement
    form = st.open_exchange(
        org.sales.id,
        OpenExchange(customer_name="Shop", goods="Model X", quantity=2, reason="wrong colour"),
    )
    st.sign_exchange(org.gm.id, form.id, approve=True, opinion="ok")  # as regional head
    refused(
        app,
        lambda: st.sign_exchange(org.gm.id, form.id, approve=True, opinion="ok"),
        "exchanges.sign",
        "X-3",
    )
    # another person signs the next step; the GM step then still needs another GM
    st.sign_exchange(org.supervisor.id, form.id, approve=True, opinion="verified")
    refused(
        app,
        lambda: st.sign_exchange(org.gm.id, form.id, approve=True, opinion="ok"),
        "exchanges.sign",
        "X-3",
    )


def test_exchange_step_needs_its_role(app: App, org: Org) -> None:
    st = app.services.settlement
    form = st.open_exchange(
        org.sales.id,
        OpenExchange(customer_name="Shop", goods="Model X", quantity=2, reason="wrong colour"),
    )
    refused(
        app,
        lambda: st.sign_exchange(org.supervisor.id, form.id, approve=True),
        "exchanges.sign",
        "CASE-14",
    )


# ---------------------------------------------------------------- recusal
def test_subject_neither_replies_nor_records_satisfaction(
    app: App, org: Org, dept: Department
) -> None:
    cs = app.services.cases
    case = approved(app, org, dept, subject_staff_ids=[org.manager.id])
    refused(
        app,
        lambda: cs.reply(org.manager.id, case.id, "phone", "we pay 500"),
        "cases.reply",
        "X-4",
    )
    cs.reply(org.service.id, case.id, "phone", "we pay 500")
    refused(
        app,
        lambda: cs.follow_up(org.manager.id, case.id, accepted=True, satisfaction=5),
        "cases.follow_up",
        "X-4",
    )


def test_handler_does_not_approve_their_own_proposal(app: App, org: Org, dept: Department) -> None:
    """Decision: the proposer counts as a subject of the approval (not_subject)."""
    cs = app.services.cases
    case = receive(app, org)
    cs.accept(org.manager.id, case.id)
    cs.assign(org.manager.id, case.id, dept.id, org.supervisor.id)
    cs.propose_solution(
        org.supervisor.id, case.id, ProposeSolution(remedy="repair", solution="fix it")
    )
    refused(app, lambda: cs.approve(org.supervisor.id, case.id), "cases.approve", "X-4")
    refused(
        app,
        lambda: cs.reject_proposal(org.supervisor.id, case.id, "mine"),
        "cases.approve",
        "X-4",
    )
    assert cs.approve(org.manager.id, case.id).approved_by == org.manager.id


def test_subject_is_never_assigned_as_handler(app: App, org: Org, dept: Department) -> None:
    cs = app.services.cases
    case = receive(app, org, subject_staff_ids=[org.service.id])
    cs.accept(org.supervisor.id, case.id)
    refused(
        app,
        lambda: cs.assign(org.supervisor.id, case.id, dept.id, org.service.id),
        "cases.assign",
        "X-4",
    )


# ----------------------------------------------------------------- visibility
def test_cases_visible_by_scope_with_pagination(
    app: App, org: Org, dept: Department, clock: FixedClock
) -> None:
    """Own = receiver, handler or owner of the customer; department = the case's, its
    handler's or receiver's department; managers all. Lists filter in the repository, so
    a page holds only what the reader may see."""
    cs = app.services.cases
    other = app.services.org.add_department(org.admin.id, "Service")
    far = app.services.org.add_staff(
        org.admin.id, name="Wu Supervisor", role="supervisor", department_id=other.id
    )
    mine = receive(app, org)  # received by sales
    theirs = []
    for _ in range(3):
        clock.advance(timedelta(minutes=1))
        theirs.append(receive(app, org, by=org.sales2.id))
    clock.advance(timedelta(minutes=1))
    customer = app.services.customers.register(
        org.service.id, RegisterCustomer(name="Plant Co", phone="02112345678")
    )
    owned = receive(app, org, by=org.sales2.id, customer_id=customer.id)

    assert [c.id for c in cs.list(org.sales.id)] == [mine.id]
    assert [c.id for c in cs.list(org.sales.id, limit=1)] == [mine.id]
    assert [c.id for c in cs.list(org.service.id)] == [owned.id]  # the customer's owner
    assert [c.id for c in cs.list(org.sales2.id, limit=2, offset=2)] == [theirs[2].id, owned.id]
    assert len(cs.list(org.supervisor.id)) == 5  # the department's
    assert cs.list(far.id) == []
    assert len(cs.list(org.manager.id)) == 5
    for read in (cs.get, cs.timeline, cs.clocks, cs.breaches, cs.capa_items):
        refused(app, lambda r=read: r(org.sales.id, theirs[0].id), "cases.read", "CASE-1")
        refused(app, lambda r=read: r(far.id, mine.id), "cases.read")
    assert cs.get(org.sales.id, mine.id).id == mine.id
    assert cs.open_by_clock_status(far.id) == {
        "breached": [],
        "due_soon": [],
        "paused": [],
        "on_time": [],
    }
    # once assigned to a handler of the other department, its supervisor reaches it
    cs.accept(org.supervisor.id, mine.id)
    handler = app.services.org.add_staff(
        org.admin.id, name="Ma Tech", role="staff", department_id=other.id
    )
    cs.assign(org.supervisor.id, mine.id, dept.id, handler.id)
    assert [c.id for c in cs.list(far.id)] == [mine.id]
    assert [c.id for c in cs.list(handler.id)] == [mine.id]


def test_intake_never_reveals_a_customer_the_receiver_may_not_see(app: App, org: Org) -> None:
    """Decision: the stored name is copied only for a receiver who may read the customer
    (customers.read scope); anyone else names the customer themselves."""
    customer = app.services.customers.register(
        org.sales.id, RegisterCustomer(name="Plant Co", phone="02112345678")
    )
    before = snapshot(app)
    with pytest.raises(ValidationError) as err:
        receive(app, org, by=org.sales2.id, customer_id=customer.id, customer_name="")
    assert err.value.field == "customer_name"
    assert "Plant Co" not in str(err.value)
    assert snapshot(app) == before
    named = receive(app, org, by=org.sales2.id, customer_id=customer.id, customer_name="Mr Li")
    assert named.customer_name == "Mr Li"
    own = receive(app, org, by=org.sales.id, customer_id=customer.id, customer_name="")
    assert own.customer_name == "Plant Co"


def test_service_jobs_visible_by_scope(app: App, org: Org) -> None:
    js = app.services.service_jobs
    job = js.register(
        org.sales.id,
        RegisterJob(
            customer_name="Zhang", address="Rd 1", zone="city", work_type="A", description="x"
        ),
    )
    js.dispatch(org.supervisor.id, job.id, org.service.id)
    assert js.get(org.service.id, job.id).id == job.id  # technician
    assert js.get(org.sales.id, job.id).id == job.id  # registrar
    assert js.get(org.supervisor.id, job.id).id == job.id  # their department
    refused(app, lambda: js.get(org.sales2.id, job.id), "jobs.read", "CASE-12")
    refused(app, lambda: js.arrive(org.sales.id, job.id), "jobs.work", "CASE-12")
    js.arrive(org.service.id, job.id)
    js.take_in(org.service.id, job.id, receipt_no="R1", repair_card_no="C1")
    refused(app, lambda: js.inspect(org.sales.id, job.id), "jobs.inspect", "CASE-12")


def test_technician_neither_inspects_nor_rates_their_own_job(app: App, org: Org) -> None:
    js = app.services.service_jobs
    job = js.register(
        org.sales.id,
        RegisterJob(
            customer_name="Zhang", address="Rd 1", zone="city", work_type="B", description="x"
        ),
    )
    js.dispatch(org.sales.id, job.id, org.supervisor.id)
    js.arrive(org.supervisor.id, job.id)
    js.take_in(org.supervisor.id, job.id, receipt_no="R1", repair_card_no="C1")
    refused(app, lambda: js.inspect(org.supervisor.id, job.id), "jobs.inspect", "X-4")
    js.inspect(org.manager.id, job.id)
    js.return_to_customer(org.supervisor.id, job.id)
    ratings = {
        "attitude": "satisfied",
        "skill": "satisfied",
        "arrival_time": "satisfied",
        "follow_through": "satisfied",
    }
    refused(app, lambda: js.record_survey(org.supervisor.id, job.id, ratings), "jobs.survey", "X-4")
    assert js.record_survey(org.sales.id, job.id, ratings).survey == ratings


def test_no_role_literals_left_in_the_services() -> None:
    """Minimum roles come from the permission table (issue 7 Deliver 1)."""
    from pathlib import Path

    import csdomain.cases.services as cases
    import csdomain.service_jobs.services as jobs

    for module in (cases, jobs):
        text = Path(str(module.__file__)).read_text(encoding="utf-8")
        assert "Role." not in text and "kernel.roles" not in text


def test_contract_renewal_run_skips_expired_contracts_without_stalling(
    app: App, org: Org, clock: FixedClock
) -> None:
    js = app.services.service_jobs
    customer = app.services.customers.register(
        org.sales.id, RegisterCustomer(name="Plant Co", phone="02112345678")
    )
    js.add_contract(org.sales.id, customer.id, "OLD", date(2025, 1, 1), date(2026, 9, 1))
    soon = js.add_contract(org.sales.id, customer.id, "NEW", date(2025, 10, 1), date(2026, 10, 1))
    system = app.services.org.system_account().id
    assert [c.id for c in js.send_renewal_notices(system, batch=1)] == [soon.id]


def test_job_repository_filters_by_reach_and_priority(app: App, org: Org) -> None:
    """The repository filter behind scoped job lists (memory and SQL alike)."""
    from csdomain.cases.ports import Reach

    js = app.services.service_jobs
    body = RegisterJob(
        customer_name="Zhang", address="Rd 1", zone="city", work_type="A", description="x"
    )
    other = app.services.org.add_department(org.admin.id, "Service")
    far = app.services.org.add_staff(
        org.admin.id, name="Ma Tech", role="staff", department_id=other.id
    )
    mine = js.register(org.sales.id, body)
    theirs = js.register(org.sales2.id, body)
    js.dispatch(org.supervisor.id, theirs.id, far.id)
    with app.services.ctx.uow() as uow:
        jobs = uow.service_jobs

        def ids(reach: Reach | None, **kw: Any) -> set[str]:
            return {j.id for j in jobs.list_open(reach=reach, **kw)}

        assert ids(Reach(org.sales.id)) == {mine.id}
        assert ids(Reach(far.id)) == {theirs.id}  # the technician
        assert ids(Reach(org.sales2.id)) == {theirs.id}  # the registrar
        assert ids(Reach(org.supervisor.id, other.id)) == {theirs.id}  # technician's dept
        assert ids(Reach(org.supervisor.id, org.manager.department_id)) == {mine.id, theirs.id}
        assert ids(None) == {mine.id, theirs.id}
        assert ids(None, priority=True) == set()
        assert ids(None, priority=False) == {mine.id, theirs.id}


def test_scheduler_actions_take_no_caller_time() -> None:
    """A future ``as_of`` cannot be passed: scheduler runs read time from the Clock port."""
    import inspect

    from csdomain.cases.services import CaseService
    from csdomain.service_jobs.services import ServiceJobService

    for method in (
        CaseService.sweep,
        ServiceJobService.prioritize_undispatched,
        ServiceJobService.report_late,
        ServiceJobService.send_renewal_notices,
    ):
        params = inspect.signature(method).parameters
        assert list(params)[:2] == ["self", "actor_id"]
        assert params["actor_id"].default is inspect.Parameter.empty  # required (issue 7)
        assert not {"as_of", "now", "today", "when"} & set(params)


def test_exchange_forms_listed_by_scope(app: App, org: Org) -> None:
    st = app.services.settlement
    form = st.open_exchange(
        org.sales.id,
        OpenExchange(customer_name="Shop", goods="Model X", quantity=2, reason="wrong colour"),
    )
    assert [f.id for f in st.exchanges(org.sales.id)] == [form.id]
    assert st.exchanges(org.sales2.id) == []
    assert [f.id for f in st.exchanges(org.supervisor.id)] == [form.id]  # the department's
    st.sign_exchange(org.gm.id, form.id, approve=True, opinion="ok")
    assert [f.id for f in st.exchanges(org.gm.id)] == [form.id]
