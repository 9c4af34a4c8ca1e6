"""Issue 7 for customers: every refusal is PermissionDenied naming the action and the rule,
and leaves the store unchanged — on every backend (X-3 authority, X-4 recusal, X-5
confidentiality and scope, X-6 destruction as a flow, CUS-4 grades, CUS-6 one step per signer).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from adapters.bootstrap import App
from adapters.serialization import to_json
from csd_support import Org, at
from csdomain.authz import hidden_fields
from csdomain.customers.commands import RegisterCustomer, UpdateCustomer
from csdomain.customers.model import Customer
from csdomain.kernel.clock import FixedClock
from csdomain.kernel.errors import ConcurrencyConflict, Conflict, PermissionDenied
from csdomain.kernel.ids import StaffId
from csdomain.kernel.roles import Permission

# a valid PRC resident ID (issue 8): 18 characters, a real birth date (1990-03-07) and the
# ISO 7064 MOD 11-2 check character ("3")
ID_NUMBER = "110101199003071233"


def state(app: App) -> tuple[Any, ...]:
    """Everything a refusal must leave as it was, read straight from storage."""
    with app.storage.unit_of_work() as uow:
        customers = tuple(uow.customers.list(limit=10_000))
        return (
            customers,
            tuple(f for c in customers for f in uow.files.list_for_customer(c.id)),
            tuple(uow.audit.list()),
            tuple(uow.access_log.list()),
            tuple(uow.destructions.list()),
            tuple(uow.destruction_requests.list()),
            tuple(d for c in customers for d in uow.deregistrations.list_for_customer(c.id)),
            tuple(g for c in customers for g in uow.grade_changes.list_for_customer(c.id)),
        )


def refused(app: App, call: Callable[[], object], action: str, rule: str) -> PermissionDenied:
    before = state(app)
    with pytest.raises(PermissionDenied) as info:
        call()
    assert info.value.action == action, info.value
    assert info.value.rule == rule, info.value
    assert action in info.value.message
    assert state(app) == before
    return info.value


def register(
    app: App, owner: StaffId, phone: str = "13800138000", id_number: str | None = None
) -> Customer:
    return app.services.customers.register(
        owner,
        RegisterCustomer(name="Zhang San", phone=phone, id_number=id_number, address="Beijing"),
    )


@pytest.fixture
def customer(app: App, org: Org) -> Customer:
    return register(app, org.sales.id, id_number=ID_NUMBER)


@pytest.fixture
def expired_file(app: App, org: Org, customer: Customer, clock: FixedClock) -> Any:
    f = app.services.customers.open_file(org.sales.id, customer.id, "new_sale", date(2026, 9, 18))
    clock.set(at("2037-01-04 10:00"))
    return f


# ---------------------------------------------------------------- X-6 destruction flow
def test_x6_one_person_signs_one_step_of_a_destruction(
    app: App, org: Org, expired_file: Any
) -> None:
    svc = app.services.customers
    req = svc.request_destruction(org.manager.id, expired_file.id, "retention over")
    # the department head requested: they may not also review it
    refused(
        app,
        lambda: svc.review_destruction(org.manager.id, req.id, approve=True),
        "customers.destruction.review",
        "X-3",
    )


def test_x6_the_gm_who_reviewed_may_not_also_approve(app: App, org: Org, customer: Any) -> None:
    """A department headed by the GM: the GM reviews, so a second GM must approve."""
    svc, org_svc = app.services.customers, app.services.org
    dept = org_svc.add_department(org.admin.id, "Fleet")
    owner = org_svc.add_staff(org.admin.id, name="Fleet sales", role="staff", department_id=dept.id)
    org_svc.set_department_head(org.admin.id, dept.id, org.gm.id)
    c = register(app, owner.id, phone="13900139000")
    f = svc.open_file(owner.id, c.id, "service", date(2026, 9, 18))
    app.services.ctx.clock.set(at("2037-01-04 10:00"))  # type: ignore[attr-defined]
    req = svc.request_destruction(org.supervisor.id, f.id, "retention over")
    svc.review_destruction(org.gm.id, req.id, approve=True)
    refused(
        app,
        lambda: svc.approve_destruction(org.gm.id, req.id, approve=True),
        "customers.destruction.approve",
        "X-3",
    )
    gm2 = org_svc.add_staff(org.admin.id, name="Second GM", role="gm")
    svc.approve_destruction(gm2.id, req.id, approve=True)
    (record,) = svc.destructions(org.gm.id)
    assert (record.requested_by, record.reviewed_by, record.approved_by) == (
        org.supervisor.id,
        org.gm.id,
        gm2.id,
    )


def test_x6_staff_may_not_request_a_destruction(app: App, org: Org, expired_file: Any) -> None:
    refused(
        app,
        lambda: app.services.customers.request_destruction(org.sales.id, expired_file.id, "x"),
        "customers.destruction.request",
        "X-6",
    )


def test_x6_a_second_open_request_for_the_same_file_is_refused(
    app: App, org: Org, expired_file: Any
) -> None:
    """Held by the file's version, not a check alone: two requests in flight, one wins."""
    svc = app.services.customers
    svc.request_destruction(org.supervisor.id, expired_file.id, "first")
    before = state(app)
    with pytest.raises(Conflict):
        svc.request_destruction(org.manager.id, expired_file.id, "second")
    assert state(app) == before


def test_x6_concurrent_requests_leave_one(app: App, org: Org, expired_file: Any) -> None:
    """The file's version refuses the second of two racing requests (memory and SQL)."""
    from csdomain.customers.model import DestructionRequest

    with app.storage.unit_of_work() as a, app.storage.unit_of_work() as b:
        for uow, who in ((a, org.supervisor.id), (b, org.manager.id)):
            f = uow.files.get(expired_file.id)
            r = DestructionRequest(
                file_id=f.id,
                customer_id=f.customer_id,
                requested_by=who,
                requested_at=at("2037-01-04 10:00"),
                reason="race",
            )
            f.destruction_request_id = r.id
            uow.destruction_requests.add(r)
        a.commit()
        with pytest.raises(ConcurrencyConflict):
            b.commit()
    assert len(app.services.customers.destruction_requests(org.gm.id, expired_file.id)) == 1


# ---------------------------------------------------------------- CUS-6 deregistration
def test_cus6_one_gm_cannot_sign_every_step(app: App, org: Org, customer: Customer) -> None:
    svc = app.services.customers
    dr = svc.apply_deregistration(org.sales.id, customer.id, "moving away")
    svc.advance_deregistration(org.gm.id, dr.id, approve=True)  # supervisor_review
    err = refused(
        app,
        lambda: svc.advance_deregistration(org.gm.id, dr.id, approve=True),
        "customers.deregistration.advance",
        "X-3",
    )
    assert "another person" in err.message
    # nor the applicant a later step
    svc.advance_deregistration(org.manager.id, dr.id, approve=True)
    refused(
        app,
        lambda: svc.advance_deregistration(org.sales.id, dr.id, approve=True),
        "customers.deregistration.advance",
        "X-3",
    )


# ---------------------------------------------------------------- X-5 confidentiality
def test_x5_file_statuses_of_anothers_customer_need_read_secret_and_are_logged(
    app: App, org: Org, customer: Customer
) -> None:
    svc = app.services.customers
    svc.open_file(org.sales.id, customer.id, "new_sale", date(2026, 9, 18))
    # the owner (custodian) reads the register freely, unlogged
    assert len(svc.file_statuses(org.sales.id, customer.id)) == 1
    refused(
        app,
        lambda: svc.file_statuses(org.supervisor.id, customer.id),
        "customers.files.status",
        "X-5",
    )
    refused(app, lambda: svc.overdue_files(org.supervisor.id), "customers.files.overdue", "X-5")
    assert app.services.org.list_staff(org.admin.id)  # (the org is there)
    app.services.org.grant_permission(org.gm.id, org.supervisor.id, Permission.READ_SECRET, "a")
    assert len(svc.file_statuses(org.supervisor.id, customer.id)) == 1
    with app.storage.unit_of_work() as uow:
        (entry,) = uow.access_log.list(record_id=customer.id)
    assert (entry.reader_id, entry.record_kind, entry.level) == (
        org.supervisor.id,
        "handover_record",
        "secret",
    )


def test_x5_customer_master_data_is_left_out_without_the_permission(
    app: App, org: Org, customer: Customer
) -> None:
    svc = app.services.customers
    own = svc.get(org.sales.id, customer.id)
    assert (own.phone, own.id_number, own.address) == (
        "+8613800138000",  # stored E.164 (issue 8)
        ID_NUMBER,
        "Beijing",
    )
    seen = svc.get(org.supervisor.id, customer.id)  # department scope reaches it
    assert hidden_fields(seen) == {"phone", "id_number", "address"}
    data = to_json(seen)
    assert "phone" not in data and "id_number" not in data and "address" not in data
    assert data["name"] == "Zhang San"
    (listed,) = svc.list(org.supervisor.id)
    assert "phone" not in to_json([listed])[0]
    with app.storage.unit_of_work() as uow:
        assert uow.access_log.list() == []  # nothing was read, nothing logged
    app.services.org.grant_permission(
        org.gm.id, org.supervisor.id, Permission.READ_TOP_SECRET, "audit"
    )
    full = svc.get(org.supervisor.id, customer.id)
    assert full.id_number == ID_NUMBER
    assert to_json(full)["phone"] == "+8613800138000"
    with app.storage.unit_of_work() as uow:
        (entry,) = uow.access_log.list(record_id=customer.id)
    assert (entry.record_kind, entry.level) == ("customer_master", "top_secret")


# ---------------------------------------------------------------- scope
def test_scope_staff_reach_only_their_own_customers(app: App, org: Org, customer: Customer) -> None:
    svc = app.services.customers
    refused(app, lambda: svc.get(org.sales2.id, customer.id), "customers.read", "CUS-1")
    refused(
        app,
        lambda: svc.update(org.sales2.id, customer.id, UpdateCustomer(expected_version=1)),
        "customers.update",
        "CUS-1",
    )
    refused(app, lambda: svc.list(org.sales2.id, owner_id=org.sales.id), "customers.read", "CUS-1")
    assert svc.list(org.sales2.id) == []


def test_scope_department_lists_filter_before_paging(
    app: App, org: Org, customer: Customer
) -> None:
    """A supervisor sees their department's customers only; a page of one is still full."""
    org_svc, svc = app.services.org, app.services.customers
    other = org_svc.add_department(org.admin.id, "Service")
    outsider = org_svc.add_staff(org.admin.id, name="Out", role="staff", department_id=other.id)
    theirs = register(app, outsider.id, phone="13900139001")
    mine = register(app, org.sales2.id, phone="13900139002")
    listed = [c.id for c in svc.list(org.supervisor.id)]
    assert sorted(listed) == sorted([customer.id, mine.id])
    # the outsider's customer is filtered out before paging: page 2 of size 1 is not empty
    assert [c.id for c in svc.list(org.supervisor.id, limit=1, offset=1)] == listed[1:]
    refused(app, lambda: svc.get(org.supervisor.id, theirs.id), "customers.read", "CUS-1")
    assert {c.id for c in svc.list(org.manager.id)} == {customer.id, theirs.id, mine.id}


# ---------------------------------------------------------------- CUS-4 grades
def scores() -> dict[str, int]:
    return dict.fromkeys(
        ["annual_sales", "price", "payment_collection", "cooperation", "trend"], 80
    )


def test_cus4_nobody_grades_a_customer_they_own(app: App, org: Org) -> None:
    c = register(app, org.manager.id)
    refused(
        app,
        lambda: app.services.customers.evaluate_grade(org.manager.id, c.id, scores(), "first"),
        "customers.grades.evaluate",
        "X-4",
    )


def test_cus4_nobody_decides_a_grade_change_they_proposed(
    app: App, org: Org, customer: Customer
) -> None:
    svc = app.services.customers
    refused(
        app,
        lambda: svc.change_grade(
            org.manager.id, customer.id, "A", "big orders", org.manager.id, customer.version
        ),
        "customers.grades.change",
        "X-4",
    )
    change = svc.change_grade(
        org.manager.id, customer.id, "A", "big orders", org.sales.id, customer.version
    )
    assert (change.proposed_by, change.approved_by) == (org.sales.id, org.manager.id)
