"""CUS-1 registration and ownership (客户冲撞), visibility, updates with optimistic
concurrency, transfers (X-3, X-7)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from unit_support import audit_events, deregister, register, snapshot

from csdomain.customers.commands import RegisterCustomer, UpdateCustomer, normalize_phone
from csdomain.customers.model import CustomerStatus, Source
from csdomain.kernel.clock import FixedClock
from csdomain.kernel.errors import (
    ConcurrencyConflict,
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationError,
)


# ------------------------------------------------------------------ registration
def test_cus1_registration_records_owner_registrar_and_time(app: Any, org: Any) -> None:
    c = register(app, org.sales.id, name="  Zhang San ", phone="13800138000")
    assert c.name == "Zhang San"
    assert c.owner_id == org.sales.id
    assert c.registered_by == org.sales.id
    assert c.registered_at == app.services.ctx.now()
    assert c.status == CustomerStatus.PROSPECT
    assert c.version == 1
    stored = app.services.customers.get(org.sales.id, c.id)
    assert stored == c
    (event,) = audit_events(app, c.id, "customer.registered")
    assert event.actor_id == org.sales.id
    assert event.data["owner_id"] == org.sales.id


def test_cus1_conflict_with_another_owner_names_the_owner_and_time_and_changes_nothing(
    app: Any, org: Any, clock: FixedClock
) -> None:
    first = register(app, org.sales.id, phone="13800138000")
    clock.advance(timedelta(hours=3))
    before = snapshot(app)
    with pytest.raises(Conflict) as info:
        register(app, org.sales2.id, name="Zhang S.", phone="13800138000")
    err = info.value
    assert err.rule == "CUS-1"
    assert err.field == "phone"
    assert "Li Lei" in err.message  # the owner
    assert org.sales.id in err.message
    assert "2026-09-18T10:00" in err.message  # the earliest registration time
    assert first.id in err.message
    after = snapshot(app)
    assert after == before
    assert len(after.customers) == 1
    assert len(after.audit) == len(before.audit)


def test_cus1_same_owner_duplicate_is_refused(app: Any, org: Any) -> None:
    register(app, org.sales.id, phone="13800138000")
    before = snapshot(app)
    with pytest.raises(Conflict) as info:
        register(app, org.sales.id, name="Again", phone="13800138000")
    assert "you" in info.value.message
    assert snapshot(app) == before


def test_cus1_earliest_registration_owns_even_when_the_claimant_is_senior(
    app: Any, org: Any
) -> None:
    register(app, org.sales.id, phone="13800138000")
    with pytest.raises(Conflict):
        register(app, org.manager.id, phone="13800138000")


@pytest.mark.parametrize(
    "variant", ["138-0013-8000", "138 0013 8000", "(138) 0013-8000", " 13800138000 "]
)
def test_cus1_phone_normalisation_detects_the_same_phone(
    app: Any, org: Any, variant: str
) -> None:
    c = register(app, org.sales.id, phone="13800138000")
    assert c.phone == "13800138000"
    with pytest.raises(Conflict):
        register(app, org.sales2.id, phone=variant)


def test_cus1_phone_is_stored_normalised() -> None:
    assert normalize_phone("(010) 6512-3456") == "01065123456"
    assert RegisterCustomer(name="x", phone="+86 138 0013 8000").phone == "+8613800138000"


@pytest.mark.parametrize("phone", ["", "123", "phone", "138.0013.8000", "1" * 21])
def test_cus1_bad_phones_are_refused(phone: str) -> None:
    with pytest.raises(ValidationError) as info:
        RegisterCustomer(name="x", phone=phone)
    assert info.value.field == "phone"


def test_cus1_blank_name_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        RegisterCustomer(name="   ", phone="13800138000")
    assert info.value.field == "name"


def test_cus1_id_number_match_is_a_conflict_even_with_another_phone(
    app: Any, org: Any
) -> None:
    register(app, org.sales.id, phone="13800138000", id_number="11010519491231002x")
    before = snapshot(app)
    with pytest.raises(Conflict) as info:
        register(app, org.sales2.id, phone="13900139000", id_number=" 11010519491231002X ")
    assert info.value.field == "id_number"
    assert snapshot(app) == before


def test_cus1_different_phone_and_id_number_is_a_different_customer(app: Any, org: Any) -> None:
    register(app, org.sales.id, phone="13800138000", id_number="A1")
    other = register(app, org.sales2.id, phone="13900139000", id_number="B2")
    assert other.owner_id == org.sales2.id


def test_cus1_walk_in_goes_to_the_registering_staff(app: Any, org: Any) -> None:
    c = register(app, org.sales2.id, source=Source.WALK_IN)
    assert c.owner_id == org.sales2.id
    assert c.source == Source.WALK_IN


def test_cus1_walk_in_registered_for_the_on_duty_staff(app: Any, org: Any) -> None:
    c = register(app, org.supervisor.id, source="walk_in", owner_id=org.sales2.id)
    assert c.owner_id == org.sales2.id
    assert c.registered_by == org.supervisor.id


def test_cus1_registering_for_an_unknown_staff_member_is_refused(app: Any, org: Any) -> None:
    before = snapshot(app)
    with pytest.raises(NotFound):
        register(app, org.sales.id, owner_id="stf_nobody")
    assert snapshot(app) == before


def test_cus1_referral_goes_to_the_referrers_owner_only_when_asked(app: Any, org: Any) -> None:
    referrer = register(app, org.sales.id, name="Old Customer", phone="13800000001")
    not_asked = register(
        app, org.sales2.id, phone="13800000002", source=Source.REFERRAL,
        referrer_customer_id=referrer.id,
    )
    assert not_asked.owner_id == org.sales2.id
    assert not_asked.referrer_customer_id == referrer.id
    asked = register(
        app, org.sales2.id, phone="13800000003", source=Source.REFERRAL,
        referrer_customer_id=referrer.id, wants_referrer_owner=True,
    )
    assert asked.owner_id == org.sales.id
    assert asked.registered_by == org.sales2.id


def test_cus1_referral_must_name_an_existing_referrer(app: Any, org: Any) -> None:
    with pytest.raises(ValidationError) as info:
        register(app, org.sales.id, source=Source.REFERRAL)
    assert info.value.field == "referrer_customer_id"
    with pytest.raises(NotFound):
        register(app, org.sales.id, source=Source.REFERRAL, referrer_customer_id="cus_missing")


def test_cus1_only_a_referral_names_a_referrer(app: Any, org: Any) -> None:
    referrer = register(app, org.sales.id, phone="13800000001")
    with pytest.raises(ValidationError):
        register(app, org.sales.id, phone="13800000002", source=Source.PHONE,
                 referrer_customer_id=referrer.id)
    with pytest.raises(ValidationError):
        register(app, org.sales.id, phone="13800000002", wants_referrer_owner=True)


def test_cus1_intermediary_is_recorded(app: Any, org: Any) -> None:
    c = register(app, org.sales.id, intermediary=True, intermediary_name="Good Homes Agency")
    stored = app.services.customers.get(org.sales.id, c.id)
    assert stored.intermediary is True
    assert stored.intermediary_name == "Good Homes Agency"
    plain = register(app, org.sales.id, phone="13900139000")
    assert plain.intermediary is False


def test_cus1_intermediary_name_without_intermediary_is_refused(app: Any, org: Any) -> None:
    with pytest.raises(ValidationError) as info:
        register(app, org.sales.id, intermediary_name="Agency")
    assert info.value.field == "intermediary"


def test_cus1_deregistered_customer_does_not_block_re_registration(
    app: Any, org: Any, clock: FixedClock
) -> None:
    old = register(app, org.sales.id, phone="13800138000", id_number="X1")
    deregister(app, org, old.id)
    clock.advance(timedelta(days=30))
    new = register(app, org.sales2.id, phone="13800138000", id_number="X1")
    assert new.owner_id == org.sales2.id
    assert new.id != old.id


def test_cus1_deregistering_customer_still_blocks_registration(app: Any, org: Any) -> None:
    c = register(app, org.sales.id, phone="13800138000")
    app.services.customers.apply_deregistration(org.sales.id, c.id, "closing")
    with pytest.raises(Conflict):
        register(app, org.sales2.id, phone="13800138000")


def test_cus1_inactive_staff_cannot_register(app: Any, org: Any) -> None:
    with app.storage.unit_of_work() as uow:
        s = uow.staff.get(org.sales2.id)
        s.active = False
        uow.commit()
    with pytest.raises(PermissionDenied):
        register(app, org.sales2.id)


# ------------------------------------------------------------------ visibility
def test_cus1_staff_see_only_their_own_customers(app: Any, org: Any) -> None:
    mine = register(app, org.sales.id, phone="13800000001")
    theirs = register(app, org.sales2.id, phone="13800000002")
    svc = app.services.customers
    assert [c.id for c in svc.list(org.sales.id)] == [mine.id]
    assert [c.id for c in svc.list(org.sales2.id)] == [theirs.id]
    with pytest.raises(PermissionDenied):
        svc.get(org.sales.id, theirs.id)
    with pytest.raises(PermissionDenied):
        svc.list(org.sales.id, owner_id=org.sales2.id)
    assert svc.list(org.sales.id, owner_id=org.sales.id)[0].id == mine.id


@pytest.mark.parametrize("who", ["supervisor", "manager", "deputy", "gm"])
def test_cus1_supervisors_and_above_see_all_customers(app: Any, org: Any, who: str) -> None:
    a = register(app, org.sales.id, phone="13800000001")
    b = register(app, org.sales2.id, phone="13800000002")
    actor = getattr(org, who)
    svc = app.services.customers
    assert {c.id for c in svc.list(actor.id)} == {a.id, b.id}
    assert svc.get(actor.id, a.id).id == a.id
    assert [c.id for c in svc.list(actor.id, owner_id=org.sales2.id)] == [b.id]


def test_cus1_list_filters_and_pages(app: Any, org: Any, clock: FixedClock) -> None:
    ids = []
    for i in range(5):
        clock.advance(timedelta(minutes=1))
        ids.append(register(app, org.sales.id, phone=f"1380000000{i}").id)
    svc = app.services.customers
    assert [c.id for c in svc.list(org.manager.id, limit=2)] == ids[:2]
    assert [c.id for c in svc.list(org.manager.id, limit=2, offset=2)] == ids[2:4]
    assert svc.list(org.manager.id, status=CustomerStatus.CLOSED_DEAL) == []
    with pytest.raises(ValidationError):
        svc.list(org.manager.id, limit=0)
    with pytest.raises(ValidationError):
        svc.list(org.manager.id, offset=-1)


# ------------------------------------------------------------------ updates
def test_cus1_update_changes_details_and_bumps_the_version(app: Any, org: Any) -> None:
    c = register(app, org.sales.id)
    updated = app.services.customers.update(
        org.sales.id, c.id, UpdateCustomer(expected_version=c.version, address="1 Main St")
    )
    assert updated.address == "1 Main St"
    assert updated.version == c.version + 1
    (event,) = audit_events(app, c.id, "customer.updated")
    assert event.data["fields"] == "address"


def test_cus1_update_with_a_stale_version_is_a_concurrency_conflict(app: Any, org: Any) -> None:
    c = register(app, org.sales.id)
    svc = app.services.customers
    svc.update(org.sales.id, c.id, UpdateCustomer(expected_version=c.version, notes="first"))
    before = snapshot(app)
    with pytest.raises(ConcurrencyConflict) as info:
        svc.update(org.sales.id, c.id, UpdateCustomer(expected_version=c.version, notes="second"))
    assert info.value.field == "expected_version"
    assert snapshot(app) == before
    assert svc.get(org.sales.id, c.id).notes == "first"


def test_cus2_prospect_becomes_closed_deal_and_cooperation_starts(app: Any, org: Any) -> None:
    c = register(app, org.sales.id)
    assert c.cooperation_since is None
    closed = app.services.customers.update(
        org.sales.id, c.id, UpdateCustomer(expected_version=c.version, status="closed_deal")
    )
    assert closed.status == CustomerStatus.CLOSED_DEAL
    assert closed.cooperation_since == app.services.ctx.today()


@pytest.mark.parametrize(
    ("start", "target"),
    [
        ("prospect", "deregistered"),
        ("prospect", "deregistering"),
        ("closed_deal", "prospect"),
        ("closed_deal", "deregistered"),
    ],
)
def test_cus2_illegal_status_transitions_are_refused(
    app: Any, org: Any, start: str, target: str
) -> None:
    svc = app.services.customers
    c = register(app, org.sales.id)
    if start == "closed_deal":
        c = svc.update(org.sales.id, c.id, UpdateCustomer(expected_version=c.version,
                                                          status="closed_deal"))
    before = snapshot(app)
    with pytest.raises(InvalidTransition):
        svc.update(org.sales.id, c.id, UpdateCustomer(expected_version=c.version, status=target))
    assert snapshot(app) == before


def test_cus6_a_deregistered_customer_cannot_be_updated(app: Any, org: Any) -> None:
    c = register(app, org.sales.id)
    deregister(app, org, c.id)
    current = app.services.customers.get(org.sales.id, c.id)
    with pytest.raises(InvalidTransition):
        app.services.customers.update(
            org.sales.id, c.id, UpdateCustomer(expected_version=current.version, notes="x")
        )


def test_cus1_phone_change_to_another_customers_phone_is_a_conflict(app: Any, org: Any) -> None:
    register(app, org.sales.id, phone="13800000001")
    c = register(app, org.sales2.id, phone="13800000002")
    before = snapshot(app)
    with pytest.raises(Conflict) as info:
        app.services.customers.update(
            org.sales2.id, c.id, UpdateCustomer(expected_version=c.version, phone="138-0000-0001")
        )
    assert info.value.rule == "CUS-1"
    assert "Li Lei" in info.value.message
    assert snapshot(app) == before


def test_cus1_phone_change_to_its_own_phone_or_a_free_one_is_fine(app: Any, org: Any) -> None:
    c = register(app, org.sales.id, phone="13800000001", id_number="ID1")
    svc = app.services.customers
    c = svc.update(org.sales.id, c.id, UpdateCustomer(expected_version=c.version,
                                                      phone="13800000001"))
    c = svc.update(org.sales.id, c.id, UpdateCustomer(expected_version=c.version,
                                                      phone="13800000009"))
    assert c.phone == "13800000009"


def test_cus1_id_number_change_to_another_customers_id_number_is_a_conflict(
    app: Any, org: Any
) -> None:
    register(app, org.sales.id, phone="13800000001", id_number="ID1")
    c = register(app, org.sales2.id, phone="13800000002")
    with pytest.raises(Conflict) as info:
        app.services.customers.update(
            org.sales2.id, c.id, UpdateCustomer(expected_version=c.version, id_number="id1")
        )
    assert info.value.field == "id_number"


def test_cus1_staff_cannot_update_someone_elses_customer(app: Any, org: Any) -> None:
    c = register(app, org.sales.id)
    with pytest.raises(PermissionDenied):
        app.services.customers.update(
            org.sales2.id, c.id, UpdateCustomer(expected_version=c.version, notes="mine now")
        )


def test_cus1_update_refuses_a_blank_name_and_unknown_status() -> None:
    with pytest.raises(ValidationError):
        UpdateCustomer(expected_version=1, name=" ")
    with pytest.raises(ValidationError) as info:
        UpdateCustomer(expected_version=1, status="vip")
    assert info.value.field == "status"


# ------------------------------------------------------------------ transfer
def test_cus1_transfer_needs_the_policy_authority(app: Any, org: Any) -> None:
    c = register(app, org.sales.id)
    svc = app.services.customers
    for actor in (org.sales, org.supervisor, org.admin):
        before = snapshot(app)
        with pytest.raises(PermissionDenied):
            svc.transfer(actor.id, c.id, org.sales2.id, "rebalancing", c.version)
        assert snapshot(app) == before
    moved = svc.transfer(org.manager.id, c.id, org.sales2.id, "rebalancing", c.version)
    assert moved.owner_id == org.sales2.id
    assert moved.version == c.version + 1


def test_cus1_transfer_needs_a_reason_and_records_it(app: Any, org: Any) -> None:
    c = register(app, org.sales.id)
    svc = app.services.customers
    with pytest.raises(ValidationError) as info:
        svc.transfer(org.manager.id, c.id, org.sales2.id, "  ", c.version)
    assert info.value.field == "reason"
    svc.transfer(org.manager.id, c.id, org.sales2.id, "earlier registration by Han", c.version)
    (event,) = audit_events(app, c.id, "customer.transferred")
    assert event.actor_id == org.manager.id
    assert event.reason == "earlier registration by Han"
    assert event.data == {"from_owner": org.sales.id, "to_owner": org.sales2.id}
    assert event.at == app.services.ctx.now()


def test_cus1_transfer_with_a_stale_version_is_refused(app: Any, org: Any) -> None:
    c = register(app, org.sales.id)
    svc = app.services.customers
    svc.update(org.sales.id, c.id, UpdateCustomer(expected_version=c.version, notes="x"))
    with pytest.raises(ConcurrencyConflict):
        svc.transfer(org.manager.id, c.id, org.sales2.id, "reason", c.version)


def test_cus1_transfer_to_an_unknown_staff_member_is_refused(app: Any, org: Any) -> None:
    c = register(app, org.sales.id)
    with pytest.raises(NotFound):
        app.services.customers.transfer(org.manager.id, c.id, "stf_nobody", "reason", c.version)


def test_cus1_after_transfer_the_new_owner_sees_it_and_the_old_does_not(
    app: Any, org: Any
) -> None:
    c = register(app, org.sales.id)
    svc = app.services.customers
    svc.transfer(org.manager.id, c.id, org.sales2.id, "reason", c.version)
    assert svc.get(org.sales2.id, c.id).owner_id == org.sales2.id
    with pytest.raises(PermissionDenied):
        svc.get(org.sales.id, c.id)
