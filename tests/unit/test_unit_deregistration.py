"""CUS-6 deregistration: apply → supervisor → CS manager → GM → finance settles and refunds →
customer signs → account closed; each step by a role with enough authority (X-3)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from unit_support import audit_events, register, snapshot

from csdomain.customers.commands import UpdateCustomer
from csdomain.customers.model import CustomerStatus, DeregistrationState
from csdomain.kernel.clock import FixedClock
from csdomain.kernel.errors import InvalidTransition, PermissionDenied, ValidationError
from csdomain.kernel.money import Money

STEPS = ["supervisor_review", "cs_manager_review", "gm_approval", "finance_settlement",
         "customer_signature"]


@pytest.fixture
def customer(app: Any, org: Any) -> Any:
    c = register(app, org.sales.id)
    return app.services.customers.update(
        org.sales.id, c.id, UpdateCustomer(expected_version=c.version, status="closed_deal")
    )


def status_of(app: Any, org: Any, customer: Any) -> CustomerStatus:
    return app.services.customers.get(org.manager.id, customer.id).status  # type: ignore[no-any-return]


def test_cus6_the_full_chain_in_policy_order_closes_the_account(
    app: Any, org: Any, customer: Any
) -> None:
    svc = app.services.customers
    dr = svc.apply_deregistration(org.sales.id, customer.id, "moving abroad")
    assert dr.state == DeregistrationState.OPEN
    assert dr.status_before == CustomerStatus.CLOSED_DEAL
    assert status_of(app, org, customer) == CustomerStatus.DEREGISTERING
    actors = [org.supervisor, org.manager, org.gm, org.service, org.sales]
    for i, actor in enumerate(actors):
        refund = Money("1234.50") if STEPS[i] == "finance_settlement" else None
        dr = svc.advance_deregistration(actor.id, dr.id, approve=True, reason=f"step {i}",
                                        refund=refund)
        assert dr.completed_steps == STEPS[: i + 1]
        if i < len(actors) - 1:
            assert dr.state == DeregistrationState.OPEN
            assert status_of(app, org, customer) == CustomerStatus.DEREGISTERING
    assert dr.state == DeregistrationState.COMPLETED
    assert dr.refund == Money("1234.50")
    assert status_of(app, org, customer) == CustomerStatus.DEREGISTERED
    steps = audit_events(app, dr.id, "deregistration.step")
    assert [e.data["step"] for e in steps] == STEPS
    assert [e.actor_id for e in steps] == [a.id for a in actors]
    assert steps[3].data["refund"] == "1234.50"
    (closed,) = audit_events(app, customer.id, "customer.deregistered")
    assert closed.actor_id == org.sales.id
    assert [x.id for x in svc.deregistrations(org.sales.id, customer.id)] == [dr.id]


def test_cus6_application_needs_a_reason_and_a_live_customer(
    app: Any, org: Any, customer: Any
) -> None:
    svc = app.services.customers
    with pytest.raises(ValidationError):
        svc.apply_deregistration(org.sales.id, customer.id, " ")
    svc.apply_deregistration(org.sales.id, customer.id, "closing")
    before = snapshot(app)
    with pytest.raises(InvalidTransition):  # already deregistering
        svc.apply_deregistration(org.sales.id, customer.id, "again")
    assert snapshot(app) == before


def test_cus6_only_someone_who_sees_the_customer_applies(app: Any, org: Any,
                                                        customer: Any) -> None:
    with pytest.raises(PermissionDenied):
        app.services.customers.apply_deregistration(org.sales2.id, customer.id, "closing")


@pytest.mark.parametrize(
    ("done", "too_low"),
    [
        (0, ["sales", "service", "admin"]),  # supervisor_review
        (1, ["sales", "supervisor", "admin"]),  # cs_manager_review
        (2, ["sales", "supervisor", "manager", "deputy", "admin"]),  # gm_approval
    ],
)
def test_cus6_each_step_needs_its_role(
    app: Any, org: Any, customer: Any, done: int, too_low: list[str]
) -> None:
    svc = app.services.customers
    dr = svc.apply_deregistration(org.sales.id, customer.id, "closing")
    for actor in [org.supervisor, org.manager, org.gm][:done]:
        svc.advance_deregistration(actor.id, dr.id, approve=True)
    for who in too_low:
        before = snapshot(app)
        with pytest.raises(PermissionDenied) as info:
            svc.advance_deregistration(getattr(org, who).id, dr.id, approve=True)
        assert STEPS[done] in info.value.message
        assert snapshot(app) == before
        # nor may they reject at a step above them
        with pytest.raises(PermissionDenied):
            svc.advance_deregistration(getattr(org, who).id, dr.id, approve=False, reason="no")


def test_cus6_steps_cannot_be_skipped_the_gm_first_does_the_first_step(
    app: Any, org: Any, customer: Any
) -> None:
    """A higher role acting first completes the *next* step in order, never a later one."""
    svc = app.services.customers
    dr = svc.apply_deregistration(org.sales.id, customer.id, "closing")
    dr = svc.advance_deregistration(org.gm.id, dr.id, approve=True)
    assert dr.completed_steps == ["supervisor_review"]


def test_cus6_finance_step_needs_a_non_negative_refund(app: Any, org: Any,
                                                       customer: Any) -> None:
    svc = app.services.customers
    dr = svc.apply_deregistration(org.sales.id, customer.id, "closing")
    with pytest.raises(ValidationError) as info:  # money on a step that settles nothing
        svc.advance_deregistration(org.supervisor.id, dr.id, approve=True, refund=Money("1.00"))
    assert info.value.field == "refund"
    for actor in (org.supervisor, org.manager, org.gm):
        svc.advance_deregistration(actor.id, dr.id, approve=True)
    before = snapshot(app)
    with pytest.raises(ValidationError) as info:
        svc.advance_deregistration(org.service.id, dr.id, approve=True)
    assert info.value.field == "refund"
    with pytest.raises(ValidationError):
        svc.advance_deregistration(org.service.id, dr.id, approve=True, refund=Money("-5.00"))
    assert snapshot(app) == before
    dr = svc.advance_deregistration(org.service.id, dr.id, approve=True, refund=Money("0.00"))
    assert dr.refund == Money("0.00")
    assert dr.completed_steps[-1] == "finance_settlement"


@pytest.mark.parametrize("at_step", [0, 1, 2])
def test_cus6_rejection_restores_the_previous_status(
    app: Any, org: Any, customer: Any, at_step: int
) -> None:
    svc = app.services.customers
    dr = svc.apply_deregistration(org.sales.id, customer.id, "closing")
    approvers = [org.supervisor, org.manager, org.gm]
    for actor in approvers[:at_step]:
        svc.advance_deregistration(actor.id, dr.id, approve=True)
    with pytest.raises(ValidationError):  # a rejection needs a reason
        svc.advance_deregistration(approvers[at_step].id, dr.id, approve=False, reason="")
    dr = svc.advance_deregistration(approvers[at_step].id, dr.id, approve=False,
                                    reason="balance disputed")
    assert dr.state == DeregistrationState.REJECTED
    assert status_of(app, org, customer) == CustomerStatus.CLOSED_DEAL
    (event,) = audit_events(app, dr.id, "deregistration.rejected")
    assert event.reason == "balance disputed"
    assert event.actor_id == approvers[at_step].id
    assert event.data["step"] == STEPS[at_step]
    with pytest.raises(InvalidTransition):  # a closed application takes no more steps
        svc.advance_deregistration(org.gm.id, dr.id, approve=True)


def test_cus6_rejection_of_a_prospect_restores_prospect(app: Any, org: Any) -> None:
    c = register(app, org.sales.id, phone="13900139000")
    svc = app.services.customers
    dr = svc.apply_deregistration(org.sales.id, c.id, "closing")
    svc.advance_deregistration(org.supervisor.id, dr.id, approve=False, reason="no")
    assert svc.get(org.sales.id, c.id).status == CustomerStatus.PROSPECT


def test_cus6_after_a_rejection_a_new_application_is_possible(
    app: Any, org: Any, customer: Any, clock: FixedClock
) -> None:
    svc = app.services.customers
    first = svc.apply_deregistration(org.sales.id, customer.id, "closing")
    svc.advance_deregistration(org.supervisor.id, first.id, approve=False, reason="no")
    clock.advance(timedelta(days=2))
    second = svc.apply_deregistration(org.sales.id, customer.id, "closing, balance agreed")
    assert second.id != first.id
    assert [d.id for d in svc.deregistrations(org.sales.id, customer.id)] == [first.id, second.id]


def test_cus6_completed_deregistration_takes_no_more_steps(
    app: Any, org: Any, customer: Any
) -> None:
    svc = app.services.customers
    dr = svc.apply_deregistration(org.sales.id, customer.id, "closing")
    for actor in (org.supervisor, org.manager, org.gm):
        svc.advance_deregistration(actor.id, dr.id, approve=True)
    svc.advance_deregistration(org.service.id, dr.id, approve=True, refund=Money("10.00"))
    svc.advance_deregistration(org.sales.id, dr.id, approve=True)
    with pytest.raises(InvalidTransition):
        svc.advance_deregistration(org.gm.id, dr.id, approve=True)
    with pytest.raises(InvalidTransition):
        svc.apply_deregistration(org.sales.id, customer.id, "again")
