"""X-7 audit: every decision is an event with actor, time and reason, nothing is deleted;
and the memory adapter's transaction semantics (no commit → no change; stale write →
ConcurrencyConflict) that every use case relies on."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from unit_support import at, audit_events, register, snapshot

from csdomain.customers.commands import UpdateCustomer
from csdomain.kernel.clock import FixedClock
from csdomain.kernel.errors import (
    ConcurrencyConflict,
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from csdomain.kernel.money import Money
from csdomain.kernel.roles import Permission

SCORES = {"annual_sales": 80, "price": 80, "payment_collection": 80, "cooperation": 80,
          "trend": 80}


# ------------------------------------------------------------------
def test_x7_every_decision_is_an_event_with_actor_time_and_reason(
    app: Any, org: Any, clock: FixedClock
) -> None:
    svc = app.services.customers
    decisions: list[tuple[str, str, str, str]] = []  # (kind, subject, actor, reason)

    def step(minutes: int) -> None:
        clock.advance(timedelta(minutes=minutes))

    c = register(app, org.sales.id)
    step(1)
    svc.transfer(org.manager.id, c.id, org.sales2.id, "owner left", c.version)
    decisions.append(("customer.transferred", c.id, org.manager.id, "owner left"))
    step(1)
    svc.evaluate_grade(org.manager.id, c.id, SCORES, "first grading")
    decisions.append(("customer.graded", c.id, org.manager.id, "first grading"))
    step(1)
    current = svc.get(org.manager.id, c.id)
    svc.change_grade(org.deputy.id, c.id, "C", "unpaid invoices", proposed_by=org.sales2.id,
                     expected_version=current.version)
    decisions.append(("customer.graded", c.id, org.deputy.id, "unpaid invoices"))
    step(1)
    app.services.org.grant_permission(org.gm.id, org.manager.id, Permission.READ_TOP_SECRET,
                                      "file audit")
    decisions.append(("permission.granted", org.manager.id, org.gm.id, "file audit"))
    step(1)
    dr = svc.apply_deregistration(org.sales2.id, c.id, "customer moves away")
    decisions.append(("deregistration.applied", dr.id, org.sales2.id, "customer moves away"))
    step(1)
    svc.advance_deregistration(org.supervisor.id, dr.id, approve=True, reason="checked")
    decisions.append(("deregistration.step", dr.id, org.supervisor.id, "checked"))
    step(1)
    svc.advance_deregistration(org.manager.id, dr.id, approve=False, reason="open balance")
    decisions.append(("deregistration.rejected", dr.id, org.manager.id, "open balance"))

    events = audit_events(app)
    for kind, subject, actor, reason in decisions:
        matching = [e for e in events if (e.kind, e.subject_id, e.actor_id, e.reason)
                    == (kind, subject, actor, reason)]
        assert len(matching) == 1, (kind, subject, actor, reason)
    # every event has an actor and the clock's time, in the order they happened
    assert all(e.actor_id for e in events)
    times = [e.at for e in events]
    assert times == sorted(times)
    assert times[-1] == at("2026-09-18 10:07")
    assert all(e.at.tzinfo is not None for e in events)


def test_x7_grade_evaluation_needs_a_reason(app: Any, org: Any) -> None:
    c = register(app, org.sales.id)
    before = snapshot(app)
    with pytest.raises(ValidationError) as info:
        app.services.customers.evaluate_grade(org.manager.id, c.id, SCORES, "  ")
    assert info.value.field == "reason"
    assert snapshot(app) == before


def test_x7_permission_grants_need_a_reason(app: Any, org: Any) -> None:
    before = snapshot(app)
    with pytest.raises(ValidationError) as info:
        app.services.org.grant_permission(org.gm.id, org.sales.id, Permission.READ_TOP_SECRET, "")
    assert info.value.field == "reason"
    with pytest.raises(ValidationError):
        app.services.org.revoke_permission(org.gm.id, org.sales.id, Permission.READ_TOP_SECRET,
                                           " ")
    assert snapshot(app) == before


def test_x7_the_audit_trail_only_grows(app: Any, org: Any, clock: FixedClock) -> None:
    c = register(app, org.sales.id)
    first = audit_events(app)
    app.services.customers.update(org.sales.id, c.id,
                                  UpdateCustomer(expected_version=c.version, notes="n"))
    second = audit_events(app)
    assert second[: len(first)] == first
    assert len(second) == len(first) + 1


def test_x7_history_of_a_record_is_for_supervisors_and_above(app: Any, org: Any) -> None:
    c = register(app, org.sales.id)
    svc = app.services.customers
    with pytest.raises(PermissionDenied) as info:
        svc.history(org.sales.id, c.id)
    assert info.value.rule == "X-7"
    kinds = [e.kind for e in svc.history(org.supervisor.id, c.id)]
    assert kinds == ["customer.registered"]


def test_x7_refused_decisions_leave_no_event(app: Any, org: Any) -> None:
    c = register(app, org.sales.id)
    before = len(audit_events(app))
    with pytest.raises(PermissionDenied):
        app.services.customers.transfer(org.sales.id, c.id, org.sales2.id, "mine", c.version)
    with pytest.raises(PermissionDenied):
        app.services.customers.change_grade(org.supervisor.id, c.id, "A", "x",
                                            proposed_by=org.sales.id, expected_version=c.version)
    assert len(audit_events(app)) == before


# ------------------------------------------------------------------ memory adapter
def test_memory_mutation_without_commit_changes_nothing(app: Any, org: Any) -> None:
    c = register(app, org.sales.id)
    before = snapshot(app)
    with app.storage.unit_of_work() as uow:
        loaded = uow.customers.get(c.id)
        loaded.name = "Changed"
        loaded.owner_id = org.sales2.id
        uow.customers.add(attrs_copy(loaded, org))
    assert snapshot(app) == before
    with app.storage.unit_of_work() as uow:
        assert uow.customers.get(c.id).name == "Zhang San"


def attrs_copy(customer: Any, org: Any) -> Any:
    import attrs

    from csdomain.kernel.ids import new_customer_id

    return attrs.evolve(customer, id=new_customer_id(), phone="13900000000")


def test_memory_objects_handed_out_are_copies(app: Any, org: Any) -> None:
    c = register(app, org.sales.id)
    c.name = "Mutated outside any transaction"
    assert app.services.customers.get(org.sales.id, c.id).name == "Zhang San"


def test_memory_commit_stores_and_bumps_the_version(app: Any, org: Any) -> None:
    c = register(app, org.sales.id)
    with app.storage.unit_of_work() as uow:
        loaded = uow.customers.get(c.id)
        loaded.notes = "committed"
        uow.commit()
        assert loaded.version == c.version + 1
    with app.storage.unit_of_work() as uow:
        again = uow.customers.get(c.id)
    assert (again.notes, again.version) == ("committed", c.version + 1)


def test_memory_concurrent_stale_write_is_a_concurrency_conflict(app: Any, org: Any) -> None:
    c = register(app, org.sales.id)
    first = app.storage.unit_of_work()
    second = app.storage.unit_of_work()
    with first, second:
        a = first.customers.get(c.id)
        b = second.customers.get(c.id)
        a.notes = "first writer"
        first.commit()
        b.notes = "second writer"
        new_customer = attrs_copy(b, org)
        second.customers.add(new_customer)
        with pytest.raises(ConcurrencyConflict):
            second.commit()
    with app.storage.unit_of_work() as uow:
        assert uow.customers.get(c.id).notes == "first writer"
        # the failed commit wrote nothing at all, not even its new rows
        with pytest.raises(NotFound):
            uow.customers.get(new_customer.id)


def test_memory_concurrent_use_cases_lose_no_update(app: Any, org: Any) -> None:
    """Two users read version N; the second write is refused instead of silently lost."""
    c = register(app, org.sales.id)
    svc = app.services.customers
    svc.update(org.sales.id, c.id, UpdateCustomer(expected_version=c.version, notes="A"))
    with pytest.raises(ConcurrencyConflict):
        svc.update(org.manager.id, c.id, UpdateCustomer(expected_version=c.version, notes="B"))
    assert svc.get(org.sales.id, c.id).notes == "A"


def test_memory_unchanged_reads_do_not_conflict(app: Any, org: Any) -> None:
    c = register(app, org.sales.id)
    with app.storage.unit_of_work() as reader:
        reader.customers.get(c.id)
        app.services.customers.update(org.sales.id, c.id,
                                      UpdateCustomer(expected_version=c.version, notes="x"))
        reader.commit()  # it changed nothing: no conflict


def test_memory_get_unknown_is_not_found_and_duplicate_add_is_a_conflict(
    app: Any, org: Any
) -> None:
    c = register(app, org.sales.id)
    with app.storage.unit_of_work() as uow:
        with pytest.raises(NotFound):
            uow.customers.get("cus_missing")
        with pytest.raises(Conflict):
            uow.customers.add(uow.customers.get(c.id))


def test_memory_a_uow_sees_its_own_uncommitted_rows(app: Any, org: Any) -> None:
    c = register(app, org.sales.id)
    with app.storage.unit_of_work() as uow:
        extra = attrs_copy(uow.customers.get(c.id), org)
        uow.customers.add(extra)
        assert uow.customers.get(extra.id).id == extra.id
        assert {x.id for x in uow.customers.list()} == {c.id, extra.id}
        assert [x.id for x in uow.customers.find_by_identity("13900000000", None)] == [extra.id]
    with app.storage.unit_of_work() as uow:
        assert [x.id for x in uow.customers.list()] == [c.id]


def test_memory_rollback_after_a_refused_use_case_keeps_the_store_intact(
    app: Any, org: Any
) -> None:
    """A use case that fails after mutating its copies (refund missing at the finance step)."""
    c = register(app, org.sales.id)
    svc = app.services.customers
    dr = svc.apply_deregistration(org.sales.id, c.id, "closing")
    for actor in (org.supervisor, org.manager, org.gm):
        svc.advance_deregistration(actor.id, dr.id, approve=True)
    before = snapshot(app)
    with pytest.raises(ValidationError):
        svc.advance_deregistration(org.service.id, dr.id, approve=True)
    assert snapshot(app) == before
    done = svc.advance_deregistration(org.service.id, dr.id, approve=True, refund=Money("1.00"))
    assert done.completed_steps[-1] == "finance_settlement"


def test_x3_a_token_authenticates_its_staff_member_and_nothing_else(app: Any, org: Any) -> None:
    """X-3: every decision is checked against the acting staff member's role, so the token must
    resolve to exactly that person (and to nobody once unknown or the person is inactive)."""
    token = app.services.org.issue_token(org.admin.id, org.manager.id, "laptop")
    assert app.services.org.authenticate(token).id == org.manager.id
    assert app.services.org.authenticate(org.admin_token).id == org.admin.id
    with pytest.raises(NotFound):
        app.services.org.authenticate(token + "x")
    with app.storage.unit_of_work() as uow:
        uow.staff.get(org.manager.id).active = False
        uow.commit()
    with pytest.raises(PermissionDenied):
        app.services.org.authenticate(token)
    with pytest.raises(PermissionDenied):  # staff may not issue tokens for others
        app.services.org.issue_token(org.sales.id, org.sales2.id)
