"""Who may do what with penalties (issue 7; X-3, X-4, X-5, PEN-1, PEN-3, PEN-10, PEN-11).

Each refusal is a ``PermissionDenied`` naming the action and the rule, and leaves the store as
it was. Runs on memory, SQLite and PostgreSQL (tests/penalties/conftest.py).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

import attrs
import pytest

from adapters.bootstrap import App, Storage, bootstrap
from adapters.policy_file import default_policy
from adapters.settings import Settings
from csd_support import Org, at
from csdomain.customers.commands import RegisterCustomer
from csdomain.kernel.clock import FixedClock
from csdomain.kernel.errors import PermissionDenied, ValidationError
from csdomain.kernel.ids import StaffId
from csdomain.kernel.money import Money
from csdomain.org.model import Staff
from csdomain.penalties.model import AppealState, EntryKind
from csdomain.penalties.services import PenaltyService
from csdomain.policy.model import Policy
from csdomain.policy.permissions import ActionRule


def _snapshot(app: App) -> tuple[Any, ...]:
    """Everything a penalty decision could change, read straight from the store."""
    with app.storage.unit_of_work() as uow:
        return (
            [(e.id, e.amount) for e in uow.penalty_entries.list()],
            [(a.id, a.state) for a in uow.appeals.list()],
            [(s.id, s.total) for s in uow.statements.list()],
            [e.id for e in uow.audit.list()],
        )


def _refused(
    app: App, action: str, rule: str, call: Callable[[], object], field: str | None = None
) -> PermissionDenied:
    before = _snapshot(app)
    with pytest.raises(PermissionDenied) as err:
        call()
    assert err.value.action == action
    assert err.value.rule == rule
    assert action in str(err.value)
    if field is not None:
        assert err.value.field == field
    assert _snapshot(app) == before
    return err.value


def _fine(app: App, org: Org, staff: Staff, code: str = "file_late", day: int = 5) -> Any:
    return app.services.penalties.record_violation(
        org.manager.id, staff.id, code, date(2026, 9, day), evidence="register"
    )[0]


def _with(app: App, policy: Policy, storage: Storage, clock: FixedClock) -> App:
    """The same store under another policy (what a company changes instead of the code)."""
    settings = Settings(storage=app.settings.storage)
    return bootstrap(settings, storage=storage, clock=clock, policy=policy)


# ------------------------------------------------------------------- scheduler actions
@pytest.mark.parametrize("who", ["sales", "supervisor", "manager", "gm", "admin"])
def test_recurrences_run_only_as_the_system_account(
    app: App, org: Org, clock: FixedClock, who: str
) -> None:
    _fine(app, org, org.service, "missing_customer_signature", 17)
    clock.set(at("2026-09-25 10:00"))
    actor = getattr(org, who)
    ps = app.services.penalties
    _refused(app, "scheduler.recurrences", "PEN-3", lambda: ps.accrue_recurrences(actor.id))
    _refused(
        app,
        "scheduler.violations_from_events",
        "PEN-1",
        lambda: ps.record_from_events(actor.id),
    )


def test_recurrences_as_of_later_than_today_is_refused(
    app: App, org: Org, clock: FixedClock
) -> None:
    _fine(app, org, org.service, "missing_customer_signature", 17)
    system = app.services.org.system_account().id
    before = _snapshot(app)
    with pytest.raises(ValidationError) as err:  # today is 2026-09-18
        app.services.penalties.accrue_recurrences(system, date(2026, 12, 31))
    assert (err.value.field, err.value.rule) == ("as_of", "PEN-3")
    assert _snapshot(app) == before


def test_scheduler_runs_are_bounded_and_audited(
    app: App, org: Org, clock: FixedClock, storage: Storage
) -> None:
    policy = default_policy()
    small = attrs.evolve(policy, penalties=attrs.evolve(policy.penalties, scheduler_batch=2))
    bounded = _with(app, small, storage, clock)
    _fine(bounded, org, org.service, "missing_customer_signature", 17)
    clock.set(at("2026-09-24 18:00"))  # recurs 09-20, 21, 22, 23, 24
    system = bounded.services.org.system_account().id
    ps = bounded.services.penalties
    runs = [[e.occurred_on.day for e in ps.accrue_recurrences(system)] for _ in range(4)]
    assert runs == [[20, 21], [22, 23], [24], []]
    with bounded.storage.unit_of_work() as uow:
        audited = [e.data for e in uow.audit.list(kind="scheduler.recurrences_run")]
    assert [(d["created"], d["more"]) for d in audited] == [
        ("2", "true"),
        ("2", "true"),
        ("1", "false"),
        ("0", "false"),
    ]
    assert ps.record_from_events(system) == []
    with bounded.storage.unit_of_work() as uow:
        [run] = uow.audit.list(kind="scheduler.violations_from_events_run")
    assert run.actor_id == system and run.data["created"] == "0"


def test_violations_from_events_are_bounded_per_run(
    app: App, org: Org, clock: FixedClock, storage: Storage
) -> None:
    """A late and incomplete hand-over gives two events (CUS-3 → PEN-1); with a batch of one,
    each run records one violation and the next continues."""
    policy = default_policy()
    one = attrs.evolve(policy, penalties=attrs.evolve(policy.penalties, scheduler_batch=1))
    bounded = _with(app, one, storage, clock)
    cus = bounded.services.customers
    customer = cus.register(org.sales.id, RegisterCustomer(name="Z", phone="13800000001"))
    f = cus.open_file(org.sales.id, customer.id, "new_sale", date(2026, 9, 18))
    clock.set(at("2026-09-24 10:00"))
    cus.hand_over_file(org.sales.id, f.id, org.supervisor.id)
    system = bounded.services.org.system_account().id
    ps = bounded.services.penalties
    runs = [{e.violation_id for e in ps.record_from_events(system)} for _ in range(3)]
    assert [len(r) for r in runs] == [1, 1, 0]
    with bounded.storage.unit_of_work() as uow:
        audited = [e.data for e in uow.audit.list(kind="scheduler.violations_from_events_run")]
    assert [(d["created"], d["more"]) for d in audited] == [
        ("1", "true"),
        ("1", "false"),
        ("0", "false"),
    ]


# ------------------------------------------------------------ separation of duties
def test_the_penalised_person_cannot_mark_their_own_violation_corrected(
    app: App, org: Org, clock: FixedClock
) -> None:
    fine = _fine(app, org, org.supervisor, "missing_customer_signature", 17)
    ps = app.services.penalties
    _refused(
        app,
        "penalties.correct",
        "X-4",
        lambda: ps.correct_violation(org.supervisor.id, fine.violation_id, date(2026, 9, 18)),
    )
    # so the violation still counts again (PEN-3) until someone else records the correction
    clock.set(at("2026-09-21 18:00"))
    system = app.services.org.system_account().id
    assert [e.staff_id for e in ps.accrue_recurrences(system)] == [org.supervisor.id] * 2
    assert ps.correct_violation(org.manager.id, fine.violation_id, date(2026, 9, 22))


def test_a_manager_cannot_decide_his_own_appeal(app: App, org: Org) -> None:
    ps = app.services.penalties
    fine = ps.record_violation(
        org.gm.id, org.manager.id, "late_arrival_personal", date(2026, 9, 7), evidence="log"
    )[0]
    appeal = ps.appeal(org.manager.id, fine.id, "the car broke down")
    _refused(
        app,
        "penalties.decide_appeal",
        "X-4",
        lambda: ps.decide_appeal(org.manager.id, appeal.id, AppealState.WAIVED, "mine"),
    )
    decided = ps.decide_appeal(org.gm.id, appeal.id, AppealState.WAIVED, "excused")
    assert decided.decided_by == org.gm.id


def test_nobody_records_their_own_violation(app: App, org: Org) -> None:
    ps = app.services.penalties
    _refused(
        app,
        "penalties.record",
        "X-4",
        lambda: ps.record_violation(
            org.supervisor.id, org.supervisor.id, "phone_off", date(2026, 9, 7), evidence="x"
        ),
        field="staff_id",
    )


def test_nobody_sets_their_own_bonus_or_cuts_their_own_performance_pay(app: App, org: Org) -> None:
    ps = app.services.penalties
    _refused(
        app,
        "penalties.set_bonus",
        "X-4",
        lambda: ps.set_bonus(org.manager.id, org.manager.id, "2026-09", Money.of("9000.00")),
        field="staff_id",
    )
    _refused(
        app,
        "penalties.performance_cut",
        "X-4",
        lambda: ps.performance_cut(
            org.manager.id, org.manager.id, "2026-09", 10, Money.of("2000.00"), "x"
        ),
        field="staff_id",
    )
    assert ps.set_bonus(org.manager.id, org.sales.id, "2026-09", Money.of("3000.00"))


def test_rewards_are_not_approved_or_proposed_for_oneself(app: App, org: Org) -> None:
    ps = app.services.penalties
    reward = Money.of("300.00")
    _refused(
        app,
        "penalties.reward",
        "X-4",
        lambda: ps.grant_reward(org.deputy.id, org.deputy.id, org.supervisor.id, reward, "me"),
        field="staff_id",
    )
    _refused(
        app,
        "penalties.reward",
        "X-4",
        lambda: ps.grant_reward(org.deputy.id, org.supervisor.id, org.supervisor.id, reward, "me"),
        field="proposed_by",
    )
    # PEN-11: the proposer is a group leader (the policy's reward_proposer_role) or above
    _refused(
        app,
        "penalties.reward",
        "PEN-11",
        lambda: ps.grant_reward(org.deputy.id, org.sales.id, org.sales2.id, reward, "peer"),
        field="proposed_by",
    )
    granted = ps.grant_reward(org.deputy.id, org.sales.id, org.supervisor.id, reward, "praise")
    assert granted.kind == EntryKind.REWARD


# ------------------------------------------------------------------------ visibility
def _second_department(app: App, org: Org) -> tuple[Staff, Staff]:
    """A Service department with its own supervisor and adviser."""
    o = app.services.org
    dept = o.add_department(org.admin.id, "Service")
    lead = o.add_staff(org.admin.id, name="Wu Lead", role="supervisor", department_id=dept.id)
    adviser = o.add_staff(
        org.admin.id,
        name="Zheng Adviser",
        role="staff",
        department_id=dept.id,
        position="service_adviser",
        supervisor_id=lead.id,
    )
    return lead, adviser


def test_entries_and_statements_are_filtered_by_scope(app: App, org: Org) -> None:
    lead, adviser = _second_department(app, org)
    ps = app.services.penalties
    mine = _fine(app, org, org.sales)
    colleague = _fine(app, org, org.sales2)
    elsewhere = _fine(app, org, adviser)

    def ids(actor: Staff, staff: Staff | None = None) -> set[str]:
        return {e.id for e in ps.entries(actor.id, staff.id if staff else None)}

    assert ids(org.sales) == {mine.id}  # own
    assert ids(org.supervisor) == {mine.id, colleague.id}  # the Sales department
    assert ids(lead) == {elsewhere.id}  # the Service department
    assert ids(org.manager) == {mine.id, colleague.id, elsewhere.id}  # all
    assert ids(org.supervisor, org.sales2) == {colleague.id}
    assert {e.id for e in ps.entries(org.supervisor.id, month="2026-09")} == {
        mine.id,
        colleague.id,
    }

    for actor, staff in ((org.sales, org.sales2), (org.supervisor, adviser), (lead, org.sales)):
        _refused(app, "penalties.read", "PEN-10", partial(ps.entries, actor.id, staff.id))
        _refused(
            app,
            "penalties.read",
            "PEN-10",
            partial(ps.statement, actor.id, staff.id, "2026-09"),
            field="staff_id",
        )
    assert ps.statement(org.supervisor.id, org.sales2.id, "2026-09").statement.total == Money.of(
        "50.00"
    )
    assert ps.statement(org.manager.id, adviser.id, "2026-09").statement.total == Money.of("50.00")


def test_settled_statements_for_payroll_need_the_export_role(
    app: App, org: Org, clock: FixedClock
) -> None:
    _, adviser = _second_department(app, org)
    _fine(app, org, org.sales)
    _fine(app, org, adviser)
    clock.set(at("2026-10-03 09:00"))
    ps = app.services.penalties
    settled = ps.settle_month(org.manager.id, "2026-09")
    _refused(
        app,
        "penalties.export",
        "PEN-10",
        lambda: ps.settled_statements(org.supervisor.id, "2026-09"),
    )
    exported = ps.settled_statements(org.manager.id, "2026-09")
    assert sorted(s.id for s in exported) == sorted(s.id for s in settled)
    assert {s.staff_id for s in exported} == {org.sales.id, adviser.id}


# ----------------------------------------------------------- roles are policy data
def test_changing_the_table_changes_who_may_act_without_code(
    app: App, org: Org, clock: FixedClock, storage: Storage
) -> None:
    policy = default_policy()
    actions = dict(policy.permissions.actions)
    actions["penalties.set_bonus"] = attrs.evolve(
        actions["penalties.set_bonus"], min_role="supervisor"
    )
    actions["penalties.read"] = ActionRule(rule="PEN-10", min_role="staff")  # everyone sees all
    relaxed = attrs.evolve(
        policy,
        permissions=attrs.evolve(policy.permissions, actions=actions),
        penalties=attrs.evolve(policy.penalties, reward_proposer_role="manager"),
    )
    ps = app.services.penalties
    with pytest.raises(PermissionDenied):
        ps.set_bonus(org.supervisor.id, org.sales.id, "2026-09", Money.of("1000.00"))
    other = _with(app, relaxed, storage, clock).services.penalties
    assert other.set_bonus(org.supervisor.id, org.sales.id, "2026-09", Money.of("1000.00"))
    fine = _fine(app, org, org.sales2)
    assert [e.id for e in other.entries(org.sales.id, StaffId(org.sales2.id))] == [fine.id]
    with pytest.raises(PermissionDenied) as err:
        other.grant_reward(org.deputy.id, org.sales.id, org.supervisor.id, Money.of("1.00"), "x")
    assert err.value.field == "proposed_by"


def test_every_public_penalty_method_declares_an_action(app: App) -> None:
    table = app.policy.permissions.actions
    for name, fn in inspect.getmembers(PenaltyService, inspect.isfunction):
        if name.startswith("_"):
            continue
        action = getattr(fn, "__csd_action__", None)
        assert action in table, f"PenaltyService.{name} declares {action!r}"
