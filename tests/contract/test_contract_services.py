"""Use-case scenarios through the composition root, on memory, SQLite and PostgreSQL.

``app`` (tests/contract/conftest.py) is bootstrapped over the parametrized storage with a
FixedClock at 2026-09-18 10:00 (a Friday) in Asia/Shanghai; ``org`` is the root ``make_org``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from contract_support import at, d

from adapters.bootstrap import App
from csdomain.customers.commands import RegisterCustomer, UpdateCustomer
from csdomain.customers.model import CustomerStatus, DeregistrationState
from csdomain.kernel.clock import FixedClock
from csdomain.kernel.errors import ConcurrencyConflict, Conflict
from csdomain.kernel.money import Money
from csdomain.kernel.roles import Permission


def committed(app: App) -> tuple[Any, ...]:
    """Everything stored, read straight from storage."""
    with app.storage.unit_of_work() as uow:
        customers = tuple(uow.customers.list(limit=1000))
        return (
            customers,
            tuple(f for c in customers for f in uow.files.list_for_customer(c.id)),
            tuple(uow.audit.list()),
            tuple(uow.access_log.list()),
            tuple(uow.staff.list()),
        )


def test_registering_a_customer_someone_else_owns_is_refused_naming_owner_and_time(
    app: App, org: Any, clock: FixedClock
) -> None:
    """CUS-1: the earliest registration owns the customer; the refusal changes nothing."""
    svc = app.services.customers
    first = svc.register(org.sales.id, RegisterCustomer(name="Zhang San", phone="13800138000"))
    clock.advance(timedelta(hours=2))
    before = committed(app)
    with pytest.raises(Conflict) as info:
        svc.register(org.sales2.id, RegisterCustomer(name="Zhang S.", phone="138-0013-8000"))
    message = str(info.value)
    assert "Li Lei" in message and org.sales.id in message and first.id in message
    assert "2026-09-18T10:00+08:00" in message
    assert info.value.rule == "CUS-1"
    assert committed(app) == before


def test_two_updates_from_the_same_version_give_one_concurrency_conflict(
    app: App, org: Any
) -> None:
    svc = app.services.customers
    c = svc.register(org.sales.id, RegisterCustomer(name="Zhang San", phone="13800138000"))
    assert c.version == 1
    updated = svc.update(org.sales.id, c.id, UpdateCustomer(expected_version=1, address="A"))
    assert updated.version == 2
    with pytest.raises(ConcurrencyConflict):
        svc.update(org.supervisor.id, c.id, UpdateCustomer(expected_version=1, address="B"))
    stored = svc.get(org.sales.id, c.id)
    assert (stored.address, stored.version) == ("A", 2)
    assert [e.kind for e in svc.history(org.supervisor.id, c.id)] == [
        "customer.registered",
        "customer.updated",
    ]


def test_a_file_incomplete_three_working_days_after_a_friday_sale_is_overdue(
    app: App, org: Any, clock: FixedClock
) -> None:
    """CUS-3: sale on Friday 2026-09-18; Sunday the 20th is a make-up working day, so the
    file is due on the 22nd and overdue on the 23rd, listing what is missing."""
    svc = app.services.customers
    c = svc.register(org.sales.id, RegisterCustomer(name="Zhang San", phone="13800138000"))
    f = svc.open_file(org.sales.id, c.id, "new_sale", d("2026-09-18"))
    assert f.due_on == d("2026-09-22")
    svc.add_documents(org.sales.id, f.id, {"contract": "box 1", "invoice_copy": "box 1"})
    # X-5: the hand-over register of others' customers is secret; the GM grants the supervisor
    app.services.org.grant_permission(
        org.gm.id, org.supervisor.id, Permission.READ_SECRET.value, "hand-over follow-up"
    )
    assert svc.overdue_files(org.supervisor.id, as_of=d("2026-09-22")) == []
    clock.set(at("2026-09-23 09:00"))
    [status] = svc.overdue_files(org.supervisor.id)
    assert status.file_id == f.id and status.overdue and not status.complete
    checklist = app.policy.customers.files["new_sale"].item_codes()
    assert status.missing_items == [i for i in checklist if i not in ("contract", "invoice_copy")]
    assert "contract" not in status.missing_items


def test_a_confidential_read_is_logged(app: App, org: Any, clock: FixedClock) -> None:
    """X-5: reading a customer file needs the GM's grant, and every read is logged."""
    svc = app.services.customers
    c = svc.register(org.sales.id, RegisterCustomer(name="Zhang San", phone="13800138000"))
    f = svc.open_file(org.sales.id, c.id, "new_sale", d("2026-09-18"))
    app.services.org.grant_permission(
        org.gm.id, org.manager.id, Permission.READ_TOP_SECRET.value, "file review"
    )
    clock.advance(timedelta(minutes=5))
    svc.read_file(org.manager.id, f.id)
    clock.advance(timedelta(minutes=5))
    svc.read_file(org.manager.id, f.id)
    log = svc.access_log(org.manager.id, record_id=f.id)  # read_top_secret covers secret
    assert [(e.reader_id, e.level, e.at) for e in log] == [
        (org.manager.id, "top_secret", at("2026-09-18 10:05")),
        (org.manager.id, "top_secret", at("2026-09-18 10:10")),
    ]


def test_a_deregistration_runs_through_every_policy_step(app: App, org: Any) -> None:
    """CUS-6: apply → supervisor → manager → GM → finance (refund) → customer signature."""
    svc = app.services.customers
    c = svc.register(org.sales.id, RegisterCustomer(name="Zhang San", phone="13800138000"))
    dr = svc.apply_deregistration(org.sales.id, c.id, "closing the account")
    assert svc.get(org.sales.id, c.id).status == CustomerStatus.DEREGISTERING
    steps = app.policy.customers.deregistration.steps
    by_role = {
        "supervisor": org.supervisor,
        "manager": org.manager,
        "gm": org.gm,
        "staff": org.service,  # not the applicant: one step per signer (CUS-6)
    }
    for step in steps:
        refund = Money.of("1234.50") if step.settles_balance else None
        dr = svc.advance_deregistration(
            by_role[step.role].id, dr.id, approve=True, reason=f"{step.name} ok", refund=refund
        )
    assert dr.state == DeregistrationState.COMPLETED
    assert dr.completed_steps == [s.name for s in steps]
    [stored] = svc.deregistrations(org.sales.id, c.id)
    assert stored.state == DeregistrationState.COMPLETED
    assert stored.refund == Money.of("1234.50")
    assert stored.completed_steps == [s.name for s in steps]
    assert stored.version == 1 + len(steps)
    assert svc.get(org.sales.id, c.id).status == CustomerStatus.DEREGISTERED
    kinds = [e.kind for e in svc.history(org.supervisor.id, dr.id)]
    assert kinds == ["deregistration.applied"] + ["deregistration.step"] * len(steps)
