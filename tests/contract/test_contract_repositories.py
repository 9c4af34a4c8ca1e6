"""The storage contract (csdomain.ports), identical for memory, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from contract_support import (
    at,
    customer,
    customer_file,
    d,
    deregistration,
    event,
    read,
    staff,
)

from adapters.bootstrap import Storage
from csdomain.customers.model import (
    CustomerKind,
    CustomerStatus,
    DeregistrationState,
    DestructionRecord,
    GradeChange,
    LegalForm,
    Source,
)
from csdomain.kernel.errors import ConcurrencyConflict, Conflict, NotFound
from csdomain.kernel.ids import CustomerId, DeregistrationId, FileId, StaffId
from csdomain.kernel.money import Money
from csdomain.org.model import ApiToken, Department

# --------------------------------------------------------------------- add / get


def test_add_then_get_in_a_later_unit_of_work(storage: Storage) -> None:
    c = customer()
    with storage.unit_of_work() as uow:
        uow.customers.add(c)
        uow.commit()
    with storage.unit_of_work() as uow:
        loaded = uow.customers.get(c.id)
    assert loaded == c
    assert loaded is not c


def test_get_of_a_missing_id_raises_not_found_naming_it(storage: Storage) -> None:
    with storage.unit_of_work() as uow, pytest.raises(NotFound) as info:
        uow.customers.get(CustomerId("cus_missing"))
    assert info.value.message == "customer cus_missing not found"
    assert info.value.field == "customer_id"
    with storage.unit_of_work() as uow, pytest.raises(NotFound) as info2:
        uow.deregistrations.get(DeregistrationId("drg_missing"))
    assert info2.value.message == "deregistration drg_missing not found"


def test_get_within_one_unit_of_work_returns_the_same_object(storage: Storage) -> None:
    c = customer()
    with storage.unit_of_work() as uow:
        uow.customers.add(c)
        uow.commit()
    with storage.unit_of_work() as uow:
        first = uow.customers.get(c.id)
        first.notes = "changed, not committed"
        assert uow.customers.get(c.id) is first


def test_objects_stay_usable_after_the_unit_of_work_closes(storage: Storage) -> None:
    c = customer(notes="keep me")
    with storage.unit_of_work() as uow:
        uow.customers.add(c)
        uow.commit()
    with storage.unit_of_work() as uow:  # read-only: no commit
        loaded = uow.customers.get(c.id)
        listed = uow.customers.list()
    assert loaded.notes == "keep me"
    assert loaded.registered_at == c.registered_at
    assert [x.id for x in listed] == [c.id]
    assert listed[0].version == 1


# ------------------------------------------------------------- commit / rollback


def test_nothing_is_stored_without_commit(storage: Storage) -> None:
    c = customer()
    with storage.unit_of_work() as uow:
        uow.customers.add(c)
        uow.audit.add(event(c.id))
    with storage.unit_of_work() as uow:
        assert uow.customers.list() == []
        assert uow.audit.list() == []


def test_changes_without_commit_are_rolled_back(storage: Storage) -> None:
    c = customer(name="Before")
    with storage.unit_of_work() as uow:
        uow.customers.add(c)
        uow.commit()
    with storage.unit_of_work() as uow:
        uow.customers.get(c.id).name = "After"
        uow.customers.list()  # SQL: autoflushes the change inside the transaction
    with storage.unit_of_work() as uow:
        loaded = uow.customers.get(c.id)
        assert (loaded.name, loaded.version) == ("Before", 1)


def test_explicit_rollback_discards_the_work_so_far(storage: Storage) -> None:
    with storage.unit_of_work() as uow:
        uow.customers.add(customer())
        uow.rollback()
        uow.customers.add(kept := customer(phone="13800000002"))
        uow.commit()
    with storage.unit_of_work() as uow:
        assert [c.id for c in uow.customers.list()] == [kept.id]


def test_objects_read_before_a_rollback_stay_readable(storage: Storage) -> None:
    c = customer(name="Kept")
    with storage.unit_of_work() as uow:
        uow.customers.add(c)
        uow.commit()
    with storage.unit_of_work() as uow:
        loaded = uow.customers.get(c.id)
        uow.rollback()
        assert uow.customers.get(c.id).name == "Kept"  # still usable after rollback
    assert (loaded.name, loaded.version) == ("Kept", 1)


def test_an_exception_inside_the_block_stores_nothing(storage: Storage) -> None:
    with pytest.raises(RuntimeError), storage.unit_of_work() as uow:
        uow.customers.add(customer())
        raise RuntimeError("boom")
    with storage.unit_of_work() as uow:
        assert uow.customers.list() == []


# --------------------------------------------------------------------- versions


def test_versions_are_1_after_add_and_grow_by_one_per_committed_change(storage: Storage) -> None:
    c = customer()
    with storage.unit_of_work() as uow:
        uow.customers.add(c)
        uow.commit()
    assert c.version == 1
    for expected, notes in ((2, "a"), (3, "b"), (4, "c")):
        with storage.unit_of_work() as uow:
            loaded = uow.customers.get(c.id)
            loaded.notes = notes
            uow.commit()
        assert loaded.version == expected
    with storage.unit_of_work() as uow:
        assert uow.customers.get(c.id).version == 4


def test_one_transaction_bumps_the_version_once_however_often_it_flushes(storage: Storage) -> None:
    c = customer()
    with storage.unit_of_work() as uow:
        uow.customers.add(c)
        uow.customers.list()  # SQL: flushes the insert
        c.notes = "changed after the flush"
        uow.customers.list()
        uow.commit()
    assert c.version == 1
    with storage.unit_of_work() as uow:
        loaded = uow.customers.get(c.id)
        loaded.name = "One"
        uow.customers.list()
        loaded.name = "Two"
        uow.customers.find_by_identity(loaded.phone, None)
        loaded.notes = "three"
        uow.commit()
    with storage.unit_of_work() as uow:
        again = uow.customers.get(c.id)
        assert (again.version, again.name, again.notes) == (2, "Two", "three")


def test_a_commit_without_changes_keeps_the_version(storage: Storage) -> None:
    c = customer()
    with storage.unit_of_work() as uow:
        uow.customers.add(c)
        uow.commit()
    with storage.unit_of_work() as uow:
        loaded = uow.customers.get(c.id)
        loaded.name = loaded.name  # same value: no change
        uow.commit()
    with storage.unit_of_work() as uow:
        assert uow.customers.get(c.id).version == 1


def test_a_change_inside_a_json_list_is_stored_and_versioned(storage: Storage) -> None:
    s = staff(permissions=["read_secret"])
    with storage.unit_of_work() as uow:
        uow.staff.add(s)
        uow.commit()
    with storage.unit_of_work() as uow:
        uow.staff.get(s.id).permissions.append("read_top_secret")  # in place
        uow.commit()
    with storage.unit_of_work() as uow:
        loaded = uow.staff.get(s.id)
        assert (loaded.permissions, loaded.version) == (["read_secret", "read_top_secret"], 2)


def test_a_stale_write_is_a_concurrency_conflict_and_stores_nothing(storage: Storage) -> None:
    c = customer(name="Original")
    other = customer(name="Other", phone="13800000002")
    with storage.unit_of_work() as uow:
        uow.customers.add(c)
        uow.customers.add(other)
        uow.commit()
    first = storage.unit_of_work()
    second = storage.unit_of_work()
    with first, second:
        mine = first.customers.get(c.id)
        theirs = second.customers.get(c.id)
        loser_other = second.customers.get(other.id)
        mine.name = "First"
        first.commit()
        theirs.name = "Second"
        # the loser's other work in the same unit of work
        loser_other.notes = "loser's note"
        second.audit.add(event(c.id, "customer.updated"))
        second.customers.add(customer(name="Loser's new", phone="13800000003"))
        with pytest.raises(ConcurrencyConflict):
            second.commit()
    with storage.unit_of_work() as uow:
        stored = uow.customers.get(c.id)
        assert (stored.name, stored.version) == ("First", 2)
        assert uow.customers.get(other.id).notes == ""
        assert uow.customers.get(other.id).version == 1
        assert uow.audit.list() == []
        assert len(uow.customers.list()) == 2


def test_reading_the_same_row_in_two_units_of_work_without_changes_is_no_conflict(
    storage: Storage,
) -> None:
    c = customer()
    with storage.unit_of_work() as uow:
        uow.customers.add(c)
        uow.commit()
    with storage.unit_of_work() as a, storage.unit_of_work() as b:
        a.customers.get(c.id).notes = "a"
        b.customers.get(c.id)
        b.audit.add(event(c.id))
        a.commit()
        b.commit()
    with storage.unit_of_work() as uow:
        assert uow.customers.get(c.id).version == 2
        assert len(uow.audit.list()) == 1


# ------------------------------------------------------------------- duplicates


def test_adding_an_existing_id_is_a_conflict(storage: Storage) -> None:
    """Refused by the primary key: at ``add`` or at the latest at ``commit`` (the SQL adapter
    sends no existence query before an insert, issue 10); the stored row is unchanged."""
    c = customer()
    with storage.unit_of_work() as uow:
        uow.customers.add(c)
        uow.commit()
    with storage.unit_of_work() as uow, pytest.raises(Conflict) as info:
        uow.customers.add(customer(id=c.id, phone="13800000009"))
        uow.commit()
    assert not isinstance(info.value, ConcurrencyConflict)
    assert "customer" in info.value.message and "already exists" in info.value.message
    with storage.unit_of_work() as uow:
        assert uow.customers.get(c.id).phone == c.phone


def test_adding_an_id_loaded_in_the_same_unit_of_work_is_a_conflict_at_once(
    storage: Storage,
) -> None:
    c = customer()
    with storage.unit_of_work() as uow:
        uow.customers.add(c)
        uow.commit()
    with storage.unit_of_work() as uow:
        uow.customers.get(c.id)
        with pytest.raises(Conflict, match=c.id):
            uow.customers.add(customer(id=c.id, phone="13800000009"))


def test_adding_the_same_id_twice_in_one_unit_of_work_is_a_conflict(storage: Storage) -> None:
    e = event("cus_1")
    with storage.unit_of_work() as uow:
        uow.audit.add(e)
        twin = event("cus_1")
        twin.id = e.id
        with pytest.raises(Conflict):
            uow.audit.add(twin)


def test_two_units_of_work_adding_the_same_id_conflict_at_the_second_commit(
    storage: Storage,
) -> None:
    first, second = customer(), customer(phone="13800000002")
    second.id = first.id
    with storage.unit_of_work() as a, storage.unit_of_work() as b:
        a.customers.add(first)
        b.customers.add(second)
        a.commit()
        with pytest.raises(Conflict):
            b.commit()
    with storage.unit_of_work() as uow:
        assert uow.customers.get(first.id).phone == first.phone


# --------------------------------------------------------------------- listings


def test_customer_list_filters_orders_and_pages(storage: Storage) -> None:
    a = customer("A", phone="1", owner="stf_a", registered_at="2026-09-18 09:00")
    b = customer(
        "B",
        phone="2",
        owner="stf_b",
        registered_at="2026-09-18 08:00",
        status=CustomerStatus.CLOSED_DEAL,
        grade="A",
    )
    c = customer("C", phone="3", owner="stf_a", registered_at="2026-09-18 10:00", grade="B")
    same_time = [
        customer(f"S{i}", phone=f"4{i}", owner="stf_a", registered_at="2026-09-19 10:00")
        for i in range(3)
    ]
    with storage.unit_of_work() as uow:
        for x in (a, b, c, *same_time):
            uow.customers.add(x)
        uow.commit()
    ties = [x.id for x in sorted(same_time, key=lambda x: x.id)]
    with storage.unit_of_work() as uow:
        assert [x.id for x in uow.customers.list()] == [b.id, a.id, c.id, *ties]
        assert [x.id for x in uow.customers.list(owner_id=StaffId("stf_a"))] == [a.id, c.id, *ties]
        assert [x.id for x in uow.customers.list(status=CustomerStatus.CLOSED_DEAL)] == [b.id]
        assert [x.id for x in uow.customers.list(grade="B")] == [c.id]
        assert [x.id for x in uow.customers.list(owner_id=StaffId("stf_a"), grade="A")] == []
        assert [x.id for x in uow.customers.list(limit=2)] == [b.id, a.id]
        assert [x.id for x in uow.customers.list(limit=2, offset=2)] == [c.id, ties[0]]
        assert [x.id for x in uow.customers.list(offset=10)] == []


def test_lists_include_what_this_unit_of_work_added(storage: Storage) -> None:
    with storage.unit_of_work() as uow:
        uow.staff.add(staff())
        uow.customers.add(c := customer())
        assert uow.staff.count() == 1
        assert [x.id for x in uow.customers.list()] == [c.id]


def test_find_by_identity_matches_phone_or_id_number(storage: Storage) -> None:
    by_phone = customer("P", phone="111", registered_at="2026-09-18 09:00")
    by_id = customer(
        "I", phone="222", id_number="110101199001011234", registered_at="2026-09-18 08:00"
    )
    unrelated = customer("U", phone="333", id_number="999")
    deregistered = customer(
        "D", phone="111", status=CustomerStatus.DEREGISTERED, registered_at="2026-09-18 10:00"
    )
    with storage.unit_of_work() as uow:
        for x in (by_phone, by_id, unrelated, deregistered):
            uow.customers.add(x)
        uow.commit()
    with storage.unit_of_work() as uow:
        found = uow.customers.find_by_identity("111", "110101199001011234")
        assert {x.id for x in found} == {by_phone.id, by_id.id, deregistered.id}
        assert {x.id for x in uow.customers.find_by_identity("111", None)} == {
            by_phone.id,
            deregistered.id,
        }
        assert uow.customers.find_by_identity("000", None) == []
        assert [x.id for x in uow.customers.find_by_identity("000", "999")] == [unrelated.id]


def test_files_due_before_a_day_skip_destroyed_files_and_come_by_deadline(
    storage: Storage,
) -> None:
    late = customer_file(due_on="2026-09-21")
    later = customer_file(due_on="2026-09-22")
    on_the_day = customer_file(due_on="2026-09-23")
    destroyed = customer_file(due_on="2026-09-01", destroyed_at=at("2026-09-02 10:00"))
    with storage.unit_of_work() as uow:
        for f in (on_the_day, later, destroyed, late):
            uow.files.add(f)
        uow.commit()
    with storage.unit_of_work() as uow:
        assert [f.id for f in uow.files.list_due_before(d("2026-09-23"))] == [late.id, later.id]
        assert uow.files.list_due_before(d("2026-09-21")) == []
        assert [f.id for f in uow.files.list_for_customer(CustomerId("cus_1"))] == sorted(
            f.id for f in (late, later, on_the_day, destroyed)
        )


def test_files_of_a_customer_come_in_opening_order(storage: Storage) -> None:
    first = customer_file(opened_at="2026-09-18 09:00")
    second = customer_file(opened_at="2026-09-18 11:00")
    elsewhere = customer_file("cus_2")
    with storage.unit_of_work() as uow:
        for f in (second, elsewhere, first):
            uow.files.add(f)
        uow.commit()
    with storage.unit_of_work() as uow:
        assert [f.id for f in uow.files.list_for_customer(CustomerId("cus_1"))] == [
            first.id,
            second.id,
        ]


def test_audit_events_come_back_in_the_order_they_happened(storage: Storage) -> None:
    """X-7: same-instant events keep the order they were recorded in, across commits."""
    events = [event("cus_1", f"k{i}") for i in range(5)]
    earlier = event("cus_1", "earlier", when="2026-09-18 09:00")
    other = event("cus_2", "other")
    with storage.unit_of_work() as uow:
        for e in events[:3]:
            uow.audit.add(e)
        uow.commit()
    with storage.unit_of_work() as uow:
        uow.audit.add(events[3])
        uow.audit.add(other)
        uow.audit.add(earlier)
        uow.audit.add(events[4])
        uow.commit()
    with storage.unit_of_work() as uow:
        kinds = [e.kind for e in uow.audit.list(subject_id="cus_1")]
        assert kinds == ["earlier", "k0", "k1", "k2", "k3", "k4"]
        assert [e.kind for e in uow.audit.list()] == [
            "earlier",
            "k0",
            "k1",
            "k2",
            "k3",
            "other",
            "k4",
        ]
        assert uow.audit.list(subject_id="nobody") == []


def test_access_log_comes_back_in_order_and_filters_by_record(storage: Storage) -> None:
    """X-5: every read is listed, in the order it happened."""
    entries = [read("fil_1", reader=f"stf_{i}") for i in range(4)]
    entries.insert(2, read("fil_2"))
    with storage.unit_of_work() as uow:
        for e in entries:
            uow.access_log.add(e)
        uow.commit()
    with storage.unit_of_work() as uow:
        assert [e.id for e in uow.access_log.list()] == [e.id for e in entries]
        assert [e.reader_id for e in uow.access_log.list(record_id="fil_1")] == [
            "stf_0",
            "stf_1",
            "stf_2",
            "stf_3",
        ]


def test_staff_departments_and_tokens(storage: Storage) -> None:
    people = [staff("b"), staff("A"), staff("Zhou"), staff("李雷")]
    depts = [Department(name="Service"), Department(name="After-sales"), Department(name="sales")]
    with storage.unit_of_work() as uow:
        for p in people:
            uow.staff.add(p)
        for dept in depts:
            uow.departments.add(dept)
        t1 = ApiToken(
            token_hash="h" * 64,
            staff_id=people[0].id,
            label="laptop",
            created_at=at("2026-09-18 10:00"),
        )
        t2 = ApiToken(
            token_hash="a" * 64,
            staff_id=people[0].id,
            label="phone",
            created_at=at("2026-09-18 10:00"),
        )
        uow.tokens.add(t1)
        uow.tokens.add(t2)
        uow.commit()
    with storage.unit_of_work() as uow:
        # code-point order, like Python's sort, on every backend
        assert [p.name for p in uow.staff.list()] == ["A", "Zhou", "b", "李雷"]
        assert uow.staff.count() == 4
        assert [x.name for x in uow.departments.list()] == ["After-sales", "Service", "sales"]
        assert uow.tokens.find("h" * 64) == t1
        assert uow.tokens.find("x" * 64) is None
        owner = uow.tokens.owner("h" * 64)
        assert owner is not None and owner.id == people[0].id
        assert uow.tokens.owner("x" * 64) is None
        assert [t.label for t in uow.tokens.list_for(people[0].id)] == ["laptop", "phone"]
        assert uow.tokens.list_for(people[1].id) == []
        token = uow.tokens.find("a" * 64)
        assert token is not None
        token.revoked = True
        uow.commit()
    with storage.unit_of_work() as uow:
        token = uow.tokens.find("a" * 64)
        assert token is not None and token.revoked and token.version == 2
        assert uow.tokens.owner("a" * 64) is None  # a revoked token has no owner
        assert uow.tokens.owner("h" * 64) is not None


def test_grade_changes_destructions_and_deregistrations(storage: Storage) -> None:
    g1 = GradeChange(
        customer_id=CustomerId("cus_1"),
        from_grade=None,
        to_grade="B",
        score=70,
        provisional=True,
        reason="first",
        proposed_by=StaffId("stf_a"),
        approved_by=StaffId("stf_b"),
        at=at("2026-09-18 10:00"),
        next_evaluation_on=d("2027-03-18"),
    )
    g2 = GradeChange(
        customer_id=CustomerId("cus_1"),
        from_grade="B",
        to_grade="A",
        score=None,
        provisional=False,
        reason="second",
        proposed_by=StaffId("stf_a"),
        approved_by=StaffId("stf_b"),
        at=at("2026-09-19 10:00"),
    )
    rec = DestructionRecord(
        file_id=FileId("fil_1"),
        customer_id=CustomerId("cus_1"),
        reviewed_by=StaffId("stf_m"),
        approved_by=StaffId("stf_gm"),
        reason="retention over",
        retention_until=d("2036-09-18"),
        at=at("2036-09-19 10:00"),
    )
    dr = deregistration()
    with storage.unit_of_work() as uow:
        uow.grade_changes.add(g2)
        uow.grade_changes.add(g1)
        uow.destructions.add(rec)
        uow.deregistrations.add(dr)
        uow.commit()
    with storage.unit_of_work() as uow:
        assert uow.grade_changes.list_for_customer(CustomerId("cus_1")) == [g1, g2]
        assert uow.grade_changes.list_for_customer(CustomerId("cus_2")) == []
        assert uow.destructions.list() == [rec]
        assert uow.deregistrations.list_for_customer(CustomerId("cus_1")) == [dr]
        assert uow.deregistrations.get(dr.id) == dr


# -------------------------------------------------------------------- round-trips


def test_values_round_trip_exactly(storage: Storage) -> None:
    """Enums, dates, JSON (with non-ASCII text), booleans, None and tz-aware datetimes."""
    c = customer(
        "张三 & Co.",
        kind=CustomerKind.FRANCHISEE,
        legal_form=LegalForm.CORPORATE,
        source=Source.REFERRAL,
        status=CustomerStatus.CLOSED_DEAL,
        id_number="91110000X",
        referrer_customer_id=CustomerId("cus_ref"),
        intermediary=True,
        intermediary_name="中介",
        grade="AA",
        grade_score=88,
        grade_provisional=True,
        next_evaluation_on=d("2027-03-25"),
        cooperation_since=d("2024-02-29"),
        notes="line1\nline2 — “quoted”",
    )
    f = customer_file(
        documents={"contract": "box 7 / 第3格", "invoice": "scan:ab12"},
        missing_at_handover=["photos", "pdi"],
        handed_over_at=at("2026-09-21 17:59"),
        handed_over_by=StaffId("stf_a"),
        received_by=StaffId("stf_b"),
    )
    e = event("cus_1", reason="why", field="电话", empty="")
    with storage.unit_of_work() as uow:
        uow.customers.add(c)
        uow.files.add(f)
        uow.audit.add(e)
        uow.commit()
    with storage.unit_of_work() as uow:
        c2, f2 = uow.customers.get(c.id), uow.files.get(f.id)
        [e2] = uow.audit.list()
    assert c2 == c
    assert isinstance(c2.kind, CustomerKind) and c2.kind is CustomerKind.FRANCHISEE
    assert c2.status is CustomerStatus.CLOSED_DEAL and c2.source is Source.REFERRAL
    assert c2.cooperation_since == d("2024-02-29")
    assert f2 == f
    assert f2.documents == {"contract": "box 7 / 第3格", "invoice": "scan:ab12"}
    assert f2.missing_at_handover == ["photos", "pdi"]
    assert e2 == e


@pytest.mark.parametrize("amount", ["0.00", "0.10", "12.30", "999999999999.99", "-5.01"])
def test_money_round_trips_exactly(storage: Storage, amount: str) -> None:
    """X-2: exact 2-place decimals, never floats."""
    dr = deregistration(
        refund=Money.of(amount), completed_steps=["a", "b"], state=DeregistrationState.COMPLETED
    )
    with storage.unit_of_work() as uow:
        uow.deregistrations.add(dr)
        uow.commit()
    with storage.unit_of_work() as uow:
        loaded = uow.deregistrations.get(dr.id)
    assert loaded.refund == Money.of(amount)
    assert loaded.refund is not None and isinstance(loaded.refund.amount, Decimal)
    assert str(loaded.refund.amount) == amount
    assert loaded.state is DeregistrationState.COMPLETED
    assert loaded.completed_steps == ["a", "b"]


def test_a_missing_money_amount_stays_none(storage: Storage) -> None:
    dr = deregistration()
    with storage.unit_of_work() as uow:
        uow.deregistrations.add(dr)
        uow.commit()
    with storage.unit_of_work() as uow:
        assert uow.deregistrations.get(dr.id).refund is None


def test_a_datetime_in_plus_eight_comes_back_equal_with_the_same_local_date(
    storage: Storage,
) -> None:
    """The core calls .date() on stored datetimes: 00:30 in Shanghai is still that day."""
    just_after_midnight = at("2026-09-18 00:30:00.123456")
    c = customer(registered_at="2026-09-18 00:30:00.123456")
    with storage.unit_of_work() as uow:
        uow.customers.add(c)
        uow.commit()
    with storage.unit_of_work() as uow:
        loaded = uow.customers.get(c.id).registered_at
    assert loaded == just_after_midnight
    assert loaded.utcoffset() == timedelta(hours=8)
    assert loaded.date() == d("2026-09-18")
    assert loaded.isoformat() == "2026-09-18T00:30:00.123456+08:00"


def test_datetimes_order_by_instant_whatever_zone_they_were_given_in(storage: Storage) -> None:
    utc_early = customer("utc", phone="1")
    utc_early.registered_at = datetime(2026, 9, 17, 23, 0, tzinfo=UTC)  # 07:00 in Shanghai
    local_late = customer("local", phone="2", registered_at="2026-09-18 08:00")
    with storage.unit_of_work() as uow:
        uow.customers.add(local_late)
        uow.customers.add(utc_early)
        uow.commit()
    with storage.unit_of_work() as uow:
        listed = uow.customers.list()
    assert [c.name for c in listed] == ["utc", "local"]
    assert listed[0].registered_at == datetime(2026, 9, 17, 23, 0, tzinfo=UTC)
