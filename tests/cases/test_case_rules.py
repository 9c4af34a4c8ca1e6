"""Rules of the cases capability on the memory adapter (CASE-1…CASE-11, X-1, X-3, X-4)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import attrs
import pytest

from adapters.bootstrap import App, bootstrap
from adapters.settings import Settings
from csd_support import Org, at, make_org
from csdomain.cases.clocks import ClockStatus
from csdomain.cases.commands import CloseCase, ProposeSolution, ReceiveCase, ResponsibilityShare
from csdomain.cases.model import Case, CaseState, Severity
from csdomain.kernel.clock import FixedClock
from csdomain.kernel.errors import (
    Conflict,
    InvalidTransition,
    PermissionDenied,
    ValidationError,
)
from csdomain.kernel.money import Money
from csdomain.org.model import Department

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


def _clock(app: App, actor: str, case_id: str, name: str):  # type: ignore[no-untyped-def]
    return next(s for s in app.services.cases.clocks(actor, case_id) if s.name == name)


def _to_proposed(
    app: App, org: Org, dept: Department, case_id: str, amount: str = "500.00"
) -> None:
    cs = app.services.cases
    cs.accept(org.supervisor.id, case_id)
    cs.assign(org.supervisor.id, case_id, dept.id, org.service.id)
    cs.propose_solution(
        org.service.id,
        case_id,
        ProposeSolution(remedy="compensation", solution="pay", amount=Money.of(amount)),
    )


# ---------------------------------------------------------------- CASE-1 intake
def test_case1_number_is_yyyymm_nnnn_restarting_each_month(
    app: App, org: Org, clock: FixedClock, new_case: CaseFactory
) -> None:
    first, second = new_case(), new_case()
    assert (first.number, second.number) == ("202609-0001", "202609-0002")
    clock.set(at("2026-10-01 09:00"))
    assert new_case().number == "202610-0001"


def test_case1_numbers_unique_under_concurrency(app: App, org: Org) -> None:
    numbers: list[str] = []
    lock = threading.Lock()

    def receive() -> None:
        for _ in range(10):
            case = app.services.cases.receive(
                org.sales.id,
                ReceiveCase(
                    type="inquiry",
                    category="other",
                    channel="email",
                    content="q",
                    customer_name="X",
                ),
            )
            with lock:
                numbers.append(case.number)

    threads = [threading.Thread(target=receive) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(numbers) == 40 and len(set(numbers)) == 40


def test_case1_unknown_channel_names_field_and_rule(new_case: CaseFactory) -> None:
    with pytest.raises(ValidationError) as err:
        new_case(channel="pigeon")
    assert err.value.field == "channel" and err.value.rule == "CASE-1"


# ---------------------------------------------------------------- CASE-7 clocks
def test_case7_solution_within_1_working_day_over_national_day(
    app: App, org: Org, clock: FixedClock, new_case: CaseFactory
) -> None:
    clock.set(at("2026-09-30 10:00"))  # Wednesday before the National Day holiday
    case = new_case()
    assert _clock(app, org.sales.id, case.id, "solution").due_at.date() == date(2026, 10, 8)


def test_case7_reply_within_3_working_days_counts_makeup_sunday(
    app: App, org: Org, clock: FixedClock, new_case: CaseFactory
) -> None:
    clock.set(at("2026-09-18 10:00"))  # Friday; Sunday 2026-09-20 is a make-up working day
    case = new_case()
    due = _clock(app, org.sales.id, case.id, "reply_complaint").due_at
    assert due.date() == date(2026, 9, 22)


def test_case7_paused_time_does_not_count(
    app: App, org: Org, clock: FixedClock, dept: Department, new_case: CaseFactory
) -> None:
    cs = app.services.cases
    case = new_case()  # Friday 2026-09-18 10:00
    before = _clock(app, org.sales.id, case.id, "reply_complaint").due_at
    cs.accept(org.supervisor.id, case.id)
    cs.assign(org.supervisor.id, case.id, dept.id, org.service.id)
    clock.set(at("2026-09-21 09:00"))  # Monday
    cs.wait_for_customer(org.service.id, case.id, "waiting for photos")
    clock.set(at("2026-09-21 13:00"))  # 4 business hours later
    paused = _clock(app, org.sales.id, case.id, "reply_complaint")
    assert paused.status == ClockStatus.PAUSED
    cs.resume(org.service.id, case.id)
    after = _clock(app, org.sales.id, case.id, "reply_complaint").due_at
    assert before == at("2026-09-22 17:30")
    # 4 business hours paused push the due time 4 business hours later: Wed 12:30
    assert after == at("2026-09-23 12:30")


def test_case7_gm_extends_once_second_refused(app: App, org: Org, new_case: CaseFactory) -> None:
    cs = app.services.cases
    case = new_case()
    before = _clock(app, org.sales.id, case.id, "reply_complaint").due_at
    with pytest.raises(PermissionDenied):
        cs.extend_clock(org.manager.id, case.id, "reply_complaint", 2, "needs lab test")
    cs.extend_clock(org.gm.id, case.id, "reply_complaint", 2, "needs lab test")
    after = _clock(app, org.sales.id, case.id, "reply_complaint").due_at
    assert after.date() == date(2026, 9, 24) and after > before
    with pytest.raises(Conflict) as err:
        cs.extend_clock(org.gm.id, case.id, "reply_complaint", 1, "again")
    assert err.value.rule == "CASE-7"
    assert _clock(app, org.sales.id, case.id, "reply_complaint").due_at == after


def test_case7_breach_records_owner_at_breach_time_not_after_reassignment(
    app: App, org: Org, clock: FixedClock, dept: Department, new_case: CaseFactory
) -> None:
    cs = app.services.cases
    case = new_case()
    cs.accept(org.supervisor.id, case.id)
    cs.assign(org.supervisor.id, case.id, dept.id, org.service.id)  # S = service adviser
    clock.set(at("2026-09-19 11:00"))  # the 24-hour acknowledgement clock breached at 10:00
    cs.assign(org.supervisor.id, case.id, dept.id, org.sales2.id, "reassigned after breach")
    result = cs.sweep(app.services.org.system_account().id)
    ack = next(b for b in result.breaches if b.clock == "acknowledge")
    assert ack.owner_id == org.service.id
    assert ack.due_at == at("2026-09-19 10:00")
    cs.assign(org.supervisor.id, case.id, dept.id, org.sales.id)
    assert next(
        b for b in cs.breaches(org.gm.id, case.id) if b.clock == "acknowledge"
    ).owner_id == (org.service.id)


def test_case7_sweep_twice_records_once_and_escalates(
    app: App, org: Org, clock: FixedClock, new_case: CaseFactory
) -> None:
    cs = app.services.cases
    case = new_case()
    clock.set(at("2026-09-20 10:00"))
    first = cs.sweep(app.services.org.system_account().id)
    second = cs.sweep(app.services.org.system_account().id)
    assert [b.clock for b in first.breaches] == ["acknowledge"]
    assert first.breaches[0].escalated_to == "team_lead"  # CASE-6: the first position
    assert second.breaches == []
    assert len(cs.breaches(org.gm.id, case.id)) == 1
    assert cs.get(org.gm.id, case.id).escalation_level == 1


def test_case7_sweep_selects_only_due_cases(
    app: App, org: Org, clock: FixedClock, new_case: CaseFactory
) -> None:
    cs = app.services.cases
    new_case()
    clock.set(at("2026-09-18 11:00"))
    assert cs.sweep(app.services.org.system_account().id).checked == 0


def test_case7_open_cases_grouped_by_clock_status(
    app: App, org: Org, clock: FixedClock, new_case: CaseFactory
) -> None:
    cs = app.services.cases
    late = new_case()
    clock.set(at("2026-09-19 09:00"))
    soon = new_case()
    clock.set(at("2026-09-19 11:00"))
    groups = cs.open_by_clock_status(org.manager.id)
    assert late.number in groups["breached"]
    assert soon.number in groups["on_time"] or soon.number in groups["due_soon"]


# ------------------------------------------------------- X-4 recusal, X-3 authority
def test_x4_subject_of_complaint_cannot_handle_or_approve(
    app: App, org: Org, dept: Department, new_case: CaseFactory
) -> None:
    cs = app.services.cases
    case = new_case(subject_staff_ids=[org.service.id, org.gm.id])
    cs.accept(org.supervisor.id, case.id)
    with pytest.raises(PermissionDenied) as err:
        cs.assign(org.supervisor.id, case.id, dept.id, org.service.id)
    assert err.value.rule == "X-4"
    cs.assign(org.supervisor.id, case.id, dept.id, org.sales2.id)
    cs.propose_solution(
        org.sales2.id,
        case.id,
        ProposeSolution(remedy="compensation", solution="pay", amount=Money.of("100.00")),
    )
    with pytest.raises(PermissionDenied) as err:
        cs.approve(org.gm.id, case.id)
    assert err.value.rule == "X-4"
    assert cs.get(org.manager.id, case.id).state == CaseState.PROPOSED


def test_case8_approval_below_required_level_refused(
    app: App, org: Org, dept: Department, new_case: CaseFactory
) -> None:
    cs = app.services.cases
    case = new_case()
    _to_proposed(app, org, dept, case.id, "5000.00")
    for actor in (org.supervisor, org.manager, org.deputy):
        with pytest.raises(PermissionDenied) as err:
            cs.approve(actor.id, case.id)
        assert err.value.rule == "CASE-8"
    approved = cs.approve(org.gm.id, case.id)
    assert approved.state == CaseState.APPROVED and approved.approved_by == org.gm.id


def test_case8_no_reply_before_approval(
    app: App, org: Org, dept: Department, new_case: CaseFactory
) -> None:
    case = new_case()
    _to_proposed(app, org, dept, case.id)
    with pytest.raises(InvalidTransition):
        app.services.cases.reply(org.service.id, case.id, "phone", "we will pay")


# --------------------------------------------------------------- CASE-9 rejections
def test_case9_two_rejections_make_case_major_and_start_warning_clock(
    app: App, org: Org, dept: Department, new_case: CaseFactory
) -> None:
    cs = app.services.cases
    case = new_case()
    _to_proposed(app, org, dept, case.id)
    for round_ in (1, 2):
        cs.approve(org.gm.id, case.id)
        cs.reply(org.service.id, case.id, "phone", "offer")
        case = cs.follow_up(org.service.id, case.id, accepted=False, satisfaction=2)
        assert case.rejections == round_ and case.state == CaseState.PROPOSE_AGAIN
        if round_ == 1:
            assert case.severity == Severity.GENERAL
            cs.propose_solution(
                org.service.id,
                case.id,
                ProposeSolution(remedy="compensation", solution="more", amount=Money.of("800.00")),
            )
    assert case.severity == Severity.MAJOR
    warning = _clock(app, org.sales.id, case.id, "major_warning")
    assert warning.status == ClockStatus.ON_TIME
    assert warning.due_at == warning.started_at + timedelta(hours=24)  # type: ignore[operator]
    notified = cs.notifier.sent[-1]  # type: ignore[attr-defined]
    assert org.gm.id in notified[0] and org.manager.id in notified[0]


# ------------------------------------------------------------------- CASE-11 CAPA
def test_case11_open_corrective_actions_block_closing(
    app: App, org: Org, dept: Department, new_case: CaseFactory, clock: FixedClock
) -> None:
    cs = app.services.cases
    case = new_case()
    _to_proposed(app, org, dept, case.id)
    cs.approve(org.gm.id, case.id)
    cs.reply(org.service.id, case.id, "phone", "offer")
    cs.follow_up(org.service.id, case.id, accepted=True, satisfaction=4)
    item = cs.add_capa(org.supervisor.id, case.id, "retrain installers", org.service.id)
    close = CloseCase(
        cause="carelessness",
        responsibilities=[ResponsibilityShare(department_id=dept.id, percent=100)],
        responsible_staff_ids=[org.service.id],
        loss=Money.of("500.00"),
    )
    with pytest.raises(InvalidTransition) as err:
        cs.close(org.supervisor.id, case.id, close)
    assert err.value.rule == "CASE-11"
    cs.complete_capa(org.service.id, item.id, "done")
    with pytest.raises(PermissionDenied):  # same department may not verify
        cs.verify_capa(org.supervisor.id, item.id, effective=True, note="ok")
    cs.verify_capa(org.gm.id, item.id, effective=True, note="checked")
    closed = cs.close(org.supervisor.id, case.id, close)
    assert closed.state == CaseState.CLOSED and closed.loss == Money.of("500.00")


def test_case11_major_case_needs_corrective_actions(
    app: App, org: Org, dept: Department, new_case: CaseFactory
) -> None:
    cs = app.services.cases
    case = new_case(major_reasons=["product_safety"])
    assert case.severity == Severity.MAJOR
    _to_proposed(app, org, dept, case.id)
    cs.approve(org.gm.id, case.id)
    cs.reply(org.service.id, case.id, "phone", "offer")
    cs.follow_up(org.service.id, case.id, accepted=True, satisfaction=4)
    with pytest.raises(InvalidTransition):
        cs.close(org.supervisor.id, case.id, CloseCase(cause="serious"))


def test_case10_responsibility_shares_must_sum_to_100(
    app: App, org: Org, dept: Department, new_case: CaseFactory
) -> None:
    """CASE-10: the departments' responsibility percentages add up to 100."""
    case = new_case()
    with pytest.raises(ValidationError) as err:
        app.services.cases.close(
            org.supervisor.id,
            case.id,
            CloseCase(
                cause="serious",
                responsibilities=[ResponsibilityShare(department_id=dept.id, percent=60)],
            ),
        )
    assert err.value.field == "responsibilities"


def test_case3_not_accepted_needs_ground_and_closes(
    app: App, org: Org, new_case: CaseFactory
) -> None:
    cs = app.services.cases
    case = new_case()
    with pytest.raises(ValidationError):
        cs.not_accept(org.supervisor.id, case.id, "because", "no")
    with pytest.raises(PermissionDenied):
        cs.not_accept(org.sales.id, case.id, "past_contractual_time_limit", "warranty ended")
    done = cs.not_accept(org.supervisor.id, case.id, "past_contractual_time_limit", "ended 2025")
    assert done.state == CaseState.NOT_ACCEPTED and done.next_due_at is None


def test_case_timeline_lists_every_event_with_actor(
    app: App, org: Org, dept: Department, new_case: CaseFactory
) -> None:
    case = new_case()
    _to_proposed(app, org, dept, case.id)
    kinds = [(e.kind, e.actor_id) for e in app.services.cases.timeline(org.gm.id, case.id)]
    assert kinds == [
        ("received", org.sales.id),
        ("accepted", org.supervisor.id),
        ("assigned", org.supervisor.id),
        ("solution_proposed", org.service.id),
    ]


def test_rpt_monthly_statistics(app: App, org: Org, new_case: CaseFactory) -> None:
    new_case()
    new_case(category="price")
    stats = app.services.cases.monthly_statistics(org.manager.id, "2026-09")
    assert stats.received == 2 and stats.by_category == {"product_quality": 1, "price": 1}
    assert stats.resolved == 0


def test_policy_change_changes_clock(org: Org) -> None:
    """A different policy (close within 13 days, 001 2-B(十)) changes the deadline."""
    from adapters.policy_file import default_policy

    policy = default_policy()
    clocks = [attrs.evolve(c, duration=13) if c.name == "close" else c for c in policy.cases.clocks]
    custom = attrs.evolve(policy, cases=attrs.evolve(policy.cases, clocks=clocks))
    clock = FixedClock(at("2026-09-18 10:00"))
    app = bootstrap(Settings(storage="memory"), clock=clock, policy=custom)
    org2 = make_org(app)
    case = app.services.cases.receive(
        org2.sales.id,
        ReceiveCase(
            type="complaint", category="other", channel="email", content="x", customer_name="Y"
        ),
    )
    due = next(s for s in app.services.cases.clocks(org2.sales.id, case.id) if s.name == "close")
    assert due.due_at is not None and due.due_at.date() == date(2026, 10, 8)  # 10-01 is a holiday


def test_case4_remedy_above_policy_loss_makes_case_major(
    app: App, org: Org, dept: Department, new_case: CaseFactory
) -> None:
    case = new_case()
    _to_proposed(app, org, dept, case.id, "10000.01")
    updated = app.services.cases.get(org.gm.id, case.id)
    assert updated.severity == Severity.MAJOR and "loss_above_limit" in updated.major_reasons


def test_case4_remedy_at_policy_loss_stays_general(
    app: App, org: Org, dept: Department, new_case: CaseFactory
) -> None:
    case = new_case()
    _to_proposed(app, org, dept, case.id, "10000.00")
    assert app.services.cases.get(org.gm.id, case.id).severity == Severity.GENERAL
