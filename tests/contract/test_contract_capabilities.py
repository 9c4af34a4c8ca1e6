"""The storage contract of the later capabilities (cases, service jobs, penalties), identical
for memory, SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from contract_support import at, d

from adapters.bootstrap import Storage
from csdomain.cases.model import CapaItem, Case, CaseBreach, CaseEvent, CaseState, Severity
from csdomain.kernel.errors import Conflict, NotFound
from csdomain.kernel.ids import CustomerId, StaffId
from csdomain.kernel.money import Money
from csdomain.penalties.model import (
    Appeal,
    BonusRecord,
    EntryKind,
    PenaltyEntry,
    SettledMonth,
    Statement,
    Violation,
)
from csdomain.service_jobs.model import (
    ExchangeForm,
    JobState,
    MaintenanceContract,
    ServiceJob,
    Settlement,
)

STAFF = StaffId("stf_a")


def case(number: str, received: str = "2026-09-18 10:00", **kw: Any) -> Case:
    return Case(
        number=number,
        type=kw.pop("type", "complaint"),
        category="product_quality",
        channel="phone",
        content="noise",
        received_at=at(received),
        received_by=STAFF,
        **kw,
    )


def store(storage: Storage, *objects: Any) -> None:
    repos = {
        Case: "cases",
        CaseEvent: "case_events",
        CaseBreach: "case_breaches",
        CapaItem: "capa",
        ServiceJob: "service_jobs",
        MaintenanceContract: "contracts",
        Settlement: "settlements",
        ExchangeForm: "exchanges",
        Violation: "violations",
        PenaltyEntry: "penalty_entries",
        Appeal: "appeals",
        BonusRecord: "bonuses",
        Statement: "statements",
        SettledMonth: "settled_months",
    }
    with storage.unit_of_work() as uow:
        for obj in objects:
            getattr(uow, repos[type(obj)]).add(obj)
        uow.commit()


# ------------------------------------------------------------------------- cases


def test_cases_by_id_and_number_with_all_fields(storage: Storage) -> None:
    c = case(
        "202609-0001",
        severity=Severity.MAJOR,
        major_reasons=["repeat"],
        subject_staff_ids=[StaffId("stf_x")],
        purchase_date=d("2026-01-02"),
        remedy_amount=Money.of("800.00"),
        loss=Money.of("1200.55"),
        responsibilities=[
            {"department_id": "dep_1", "percent": 60},
            {"department_id": "dep_2", "percent": 40},
        ],
        next_due_at=at("2026-09-19 10:00"),
    )
    store(storage, c)
    with storage.unit_of_work() as uow:
        assert uow.cases.get(c.id) == c
        loaded = uow.cases.get_by_number("202609-0001")
        assert loaded == c and loaded.state is CaseState.RECEIVED
        assert loaded.responsibilities[0] == {"department_id": "dep_1", "percent": 60}
        with pytest.raises(NotFound, match="case 202609-9999 not found"):
            uow.cases.get_by_number("202609-9999")
        with pytest.raises(NotFound, match="case cas_missing not found"):
            uow.cases.get("cas_missing")


def test_case_list_filters_and_pages(storage: Storage) -> None:
    a = case("202609-0001", "2026-09-18 09:00")
    b = case("202609-0002", "2026-09-18 08:00", state=CaseState.CLOSED)
    c = case("202609-0003", "2026-09-19 08:00", state=CaseState.ACCEPTED)
    store(storage, a, b, c)
    with storage.unit_of_work() as uow:
        assert [x.number for x in uow.cases.list()] == ["202609-0002", "202609-0001", "202609-0003"]
        assert [x.id for x in uow.cases.list(open_only=True)] == [a.id, c.id]
        assert [x.id for x in uow.cases.list(state=CaseState.CLOSED)] == [b.id]
        assert [
            x.id
            for x in uow.cases.list(
                received_from=at("2026-09-18 08:30"), received_before=at("2026-09-19 08:00")
            )
        ] == [a.id]
        assert [x.id for x in uow.cases.list(limit=1, offset=1)] == [a.id]


@pytest.mark.parametrize("lock", [False, True])
def test_cases_due_before_come_by_due_time_open_only(storage: Storage, lock: bool) -> None:
    soon = case("202609-0001", next_due_at=at("2026-09-18 12:00"))
    sooner = case("202609-0002", next_due_at=at("2026-09-18 11:00"))
    later = case("202609-0003", next_due_at=at("2026-09-18 15:00"))
    closed = case("202609-0004", next_due_at=at("2026-09-18 09:00"), state=CaseState.CLOSED)
    no_clock = case("202609-0005")
    store(storage, soon, sooner, later, closed, no_clock)
    with storage.unit_of_work() as uow:
        due = uow.cases.list_due_before(at("2026-09-18 12:00"), lock=lock)
        assert [x.id for x in due] == [sooner.id, soon.id]
        assert [
            x.id for x in uow.cases.list_due_before(at("2026-09-18 23:00"), limit=1, lock=lock)
        ] == [sooner.id]


def test_case_numbers_count_per_month_and_a_rollback_gives_them_back(
    storage: Storage,
) -> None:
    """CASE-1: numbers are drawn in the unit of work's transaction (issue 10), so a
    rolled-back intake leaves no gap."""
    with storage.unit_of_work() as uow:
        assert [uow.case_numbers.next("202609") for _ in range(3)] == [1, 2, 3]
        assert uow.case_numbers.next("202610") == 1
        uow.commit()
    with storage.unit_of_work() as uow:
        assert uow.case_numbers.next("202609") == 4  # then rolled back
    with storage.unit_of_work() as uow:
        assert uow.case_numbers.next("202609") == 4
        uow.commit()
    with storage.unit_of_work() as uow:
        assert uow.case_numbers.next("202609") == 5


def test_case_numbers_are_unique_under_concurrency(storage: Storage) -> None:
    drawn: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(4, timeout=30)

    def draw() -> None:
        start.wait()
        for _ in range(5):
            with storage.unit_of_work() as uow:
                n = uow.case_numbers.next("202609")
                uow.commit()
            with lock:
                drawn.append(n)

    threads = [threading.Thread(target=draw) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(drawn) == list(range(1, 21))


def test_case_events_breaches_and_capa(storage: Storage) -> None:
    c = case("202609-0001")
    events = [
        CaseEvent(
            case_id=c.id,
            kind=f"k{i}",
            at=at("2026-09-18 10:00"),
            actor_id=STAFF,
            state_after=CaseState.RECEIVED,
            owner_id=STAFF,
            data={"i": str(i)},
        )
        for i in range(3)
    ]
    early = CaseEvent(
        case_id=c.id,
        kind="early",
        at=at("2026-09-18 09:00"),
        actor_id=STAFF,
        state_after=CaseState.ACCEPTED,
        owner_id=STAFF,
    )
    b1 = CaseBreach(
        case_id=c.id,
        clock="acknowledge",
        due_at=at("2026-09-19 10:00"),
        owner_id=STAFF,
        recorded_at=at("2026-09-19 11:00"),
    )
    b2 = CaseBreach(
        case_id=c.id,
        clock="close",
        due_at=at("2026-09-25 10:00"),
        owner_id=STAFF,
        recorded_at=at("2026-09-25 11:00"),
        escalated_to="manager",
    )
    capa = [
        CapaItem(
            case_id=c.id,
            description=f"fix {i}",
            owner_id=STAFF,
            due_on=d("2026-10-01"),
            created_at=at("2026-09-20 10:00"),
        )
        for i in range(2)
    ]
    store(storage, c, *events, early, b1, b2, *capa)
    with storage.unit_of_work() as uow:
        assert [e.kind for e in uow.case_events.list_for_case(c.id)] == ["early", "k0", "k1", "k2"]
        assert uow.case_events.list_for_case(c.id)[1].data == {"i": "0"}
        assert uow.case_breaches.list_for_case(c.id) == [b1, b2]
        assert uow.case_breaches.list(since=at("2026-09-20 00:00")) == [b2]
        with pytest.raises(Conflict, match=r"clock acknowledge of case \S+ already has a breach"):
            uow.case_breaches.add(
                CaseBreach(
                    case_id=c.id,
                    clock="acknowledge",
                    due_at=at("2026-09-19 10:00"),
                    owner_id=STAFF,
                    recorded_at=at("2026-09-19 12:00"),
                )
            )
        items = uow.capa.list_for_case(c.id)
        assert [i.description for i in items] == ["fix 0", "fix 1"]
        items[0].effective = True
        uow.commit()
    with storage.unit_of_work() as uow:
        item = uow.capa.get(capa[0].id)
        assert (item.effective, item.version) == (True, 2)


# ------------------------------------------------------------------ service jobs


def job(name: str, arrive_by: str, **kw: Any) -> ServiceJob:
    return ServiceJob(
        customer_name=name,
        address="x",
        zone="city",
        work_type="A",
        description="broken",
        registered_at=at("2026-09-18 08:00"),
        registered_by=STAFF,
        arrive_by=at(arrive_by),
        **kw,
    )


def test_service_jobs_open_late_and_completed(storage: Storage) -> None:
    normal = job("normal", "2026-09-18 12:00")
    urgent = job("urgent", "2026-09-18 16:00", priority=True)
    arrived = job(
        "arrived", "2026-09-18 09:00", state=JobState.ON_SITE, arrived_at=at("2026-09-18 08:50")
    )
    done = job(
        "done",
        "2026-09-18 09:00",
        state=JobState.CLOSED,
        technician_id=STAFF,
        completed_at=at("2026-09-18 11:00"),
        amount=Money.of("350.00"),
        survey={"attitude": "very_satisfied"},
    )
    store(storage, normal, urgent, arrived, done)
    with storage.unit_of_work() as uow:
        assert [j.customer_name for j in uow.service_jobs.list_open()] == [
            "urgent",
            "arrived",
            "normal",
        ]
        assert [j.customer_name for j in uow.service_jobs.list_late(at("2026-09-18 17:00"))] == [
            "normal",
            "urgent",
        ]
        assert [
            j.customer_name
            for j in uow.service_jobs.list_completed_between(
                at("2026-09-18 00:00"), at("2026-09-19 00:00"), technician_id=STAFF
            )
        ] == ["done"]
        assert (
            uow.service_jobs.list_completed_between(at("2026-09-18 00:00"), at("2026-09-18 11:00"))
            == []
        )
        loaded = uow.service_jobs.get(done.id)
        assert (loaded.amount, loaded.survey) == (
            Money.of("350.00"),
            {"attitude": "very_satisfied"},
        )
        loaded.survey["skill"] = "satisfied"  # in place
        uow.commit()
    with storage.unit_of_work() as uow:
        assert uow.service_jobs.get(done.id).survey == {
            "attitude": "very_satisfied",
            "skill": "satisfied",
        }


def test_contracts_settlements_and_exchange_forms(storage: Storage) -> None:
    ending = MaintenanceContract(
        customer_id=CustomerId("cus_1"),
        number="M-1",
        starts_on=d("2025-10-01"),
        ends_on=d("2026-09-30"),
    )
    notified = MaintenanceContract(
        customer_id=CustomerId("cus_1"),
        number="M-2",
        starts_on=d("2025-10-01"),
        ends_on=d("2026-09-01"),
        renewal_notified_at=at("2026-08-01 10:00"),
    )
    s1 = Settlement(
        case_id="cas_1",
        kind="allowance",
        amount=Money.of("99.99"),
        quantity_claimed=3,
        quantity_returned=2,
        created_by=STAFF,
        created_at=at("2026-09-18 10:00"),
    )
    s2 = Settlement(
        case_id="cas_1",
        kind="rework",
        amount=Money.of("0.01"),
        quantity_claimed=1,
        quantity_returned=1,
        created_by=STAFF,
        created_at=at("2026-09-18 10:00"),
    )
    f1 = ExchangeForm(
        salesperson_id=STAFF,
        customer_name="A",
        goods="tyres",
        quantity=4,
        reason="wrong size",
        created_at=at("2026-09-18 10:00"),
        ledger_no=7,
        sign_offs=[{"step": "regional_market_head", "by": "stf_m"}],
    )
    f2 = ExchangeForm(
        salesperson_id=STAFF,
        customer_name="B",
        goods="mats",
        quantity=1,
        reason="colour",
        created_at=at("2026-09-17 10:00"),
    )
    with storage.unit_of_work() as uow:
        assert uow.exchanges.max_ledger_no() == 0
    store(storage, ending, notified, s1, s2, f1, f2)
    with storage.unit_of_work() as uow:
        assert [c.number for c in uow.contracts.list_ending_by(d("2026-10-31"))] == ["M-1"]
        assert uow.contracts.list_ending_by(d("2026-09-29")) == []
        assert uow.settlements.list_for_case("cas_1") == [s1, s2]
        assert [f.customer_name for f in uow.exchanges.list()] == ["B", "A"]
        assert uow.exchanges.max_ledger_no() == 7
        assert uow.exchanges.get(f1.id).sign_offs == [
            {"step": "regional_market_head", "by": "stf_m"}
        ]


# --------------------------------------------------------------------- penalties


def violation(staff: str, occurred: str, source: str | None = None, **kw: Any) -> Violation:
    return Violation(
        staff_id=StaffId(staff),
        code="late_handover",
        occurred_on=d(occurred),
        units=1,
        evidence="register",
        recorded_by="system",
        recorded_at=kw.pop("recorded_at", at("2026-09-18 10:00")),
        source_key=source,
        **kw,
    )


def entry(
    staff: str, month: str, amount: str, source: str | None = None, when: str = "2026-09-18 10:00"
) -> PenaltyEntry:
    return PenaltyEntry(
        staff_id=StaffId(staff),
        month=month,
        kind=EntryKind.VIOLATION,
        amount=Money.of(amount),
        explanation="50 元 × 1",
        recorded_at=at(when),
        recorded_by="system",
        occurred_on=d("2026-09-18"),
        source_key=source,
        caused_by=["vio_1"],
    )


def test_violations_by_source_and_by_person_and_month(storage: Storage) -> None:
    v1 = violation("stf_a", "2026-09-01", "event:1")
    v2 = violation("stf_a", "2026-09-30", recorded_at=at("2026-09-30 10:00"))
    v0 = violation("stf_a", "2026-09-30", recorded_at=at("2026-09-30 09:00"))
    other_month = violation("stf_a", "2026-10-01")
    other_person = violation("stf_b", "2026-09-15")
    december = violation("stf_a", "2026-12-31")
    store(storage, v1, v2, v0, other_month, other_person, december)
    with storage.unit_of_work() as uow:
        assert uow.violations.find_by_source("event:1") == v1
        assert uow.violations.find_by_source("event:2") is None
        assert [v.id for v in uow.violations.list_for_staff_month("stf_a", "2026-09")] == [
            v1.id,
            v0.id,
            v2.id,
        ]
        assert [v.id for v in uow.violations.list_for_staff_month("stf_a", "2026-12")] == [
            december.id
        ]
        assert len(uow.violations.list_recurring_open()) == 6


def test_penalty_entries_are_idempotent_by_source_and_listed_in_recording_order(
    storage: Storage,
) -> None:
    first = entry("stf_a", "2026-09", "50.00", "violation:1", when="2026-09-18 10:00")
    reward = entry("stf_a", "2026-09", "-20.00", when="2026-09-18 09:00")
    other = entry("stf_b", "2026-10", "100.00")
    store(storage, first, reward, other)
    with storage.unit_of_work() as uow:
        with pytest.raises(Conflict, match="penalty entry for violation:1 already exists"):
            uow.penalty_entries.add(entry("stf_a", "2026-09", "50.00", "violation:1"))
        assert uow.penalty_entries.find_by_source("violation:1") == first
        assert [e.id for e in uow.penalty_entries.list(staff_id="stf_a")] == [reward.id, first.id]
        assert [e.id for e in uow.penalty_entries.list(month="2026-10")] == [other.id]
        assert uow.penalty_entries.get(reward.id).amount == Money.of("-20.00")
        assert uow.penalty_entries.get(first.id).caused_by == ["vio_1"]


def test_append_only_records_are_read_back_within_their_unit_of_work(storage: Storage) -> None:
    """X-7 records (the SQL adapter stages them and inserts them before the commit, issue 10):
    a unit of work reads its own, a record completed after ``add`` is stored as completed,
    and nothing is stored without a commit."""
    kept, dropped = entry("stf_a", "2026-09", "50.00"), entry("stf_a", "2026-09", "70.00")
    with storage.unit_of_work() as uow:
        uow.penalty_entries.add(dropped)
        assert [e.id for e in uow.penalty_entries.list(staff_id="stf_a")] == [dropped.id]
        assert uow.penalty_entries.months(staff_id="stf_a") == ["2026-09"]
    # left without commit: gone
    with storage.unit_of_work() as uow:
        assert uow.penalty_entries.list(staff_id="stf_a") == []
        uow.penalty_entries.add(kept)
        kept.explanation += " (completed after add)"
        uow.commit()
    with storage.unit_of_work() as uow:
        [stored] = uow.penalty_entries.list(staff_id="stf_a")
        assert stored.id == kept.id and stored.explanation.endswith("(completed after add)")


def test_appeals_bonuses_statements_and_settled_months(storage: Storage) -> None:
    ap1 = Appeal(
        entry_id="pen_1",
        staff_id=StaffId("stf_a"),
        reason="unfair",
        filed_at=at("2026-09-20 10:00"),
    )
    ap2 = Appeal(
        entry_id="pen_2",
        staff_id=StaffId("stf_b"),
        reason="wrong person",
        filed_at=at("2026-09-19 10:00"),
    )
    bonus = BonusRecord(staff_id=StaffId("stf_a"), month="2026-09", bonus=Money.of("3000.00"))
    lines = [{"kind": "violation", "amount": "50.00"}]
    zero = Money.zero()
    st_b = Statement(
        staff_id=StaffId("stf_b"),
        month="2026-09",
        lines=[],
        fines=zero,
        complaint_due=zero,
        complaint_deducted=zero,
        carried_over=zero,
        rewards=zero,
        total=zero,
        sanction="",
    )
    st_a = Statement(
        staff_id=StaffId("stf_a"),
        month="2026-09",
        lines=lines,
        fines=Money.of("50.00"),
        complaint_due=Money.of("1600.00"),
        complaint_deducted=Money.of("1500.00"),
        carried_over=Money.of("100.00"),
        rewards=Money.of("-20.00"),
        total=Money.of("1530.00"),
        sanction="warning",
        settled_at=at("2026-10-10 10:00"),
    )
    st_old = Statement(
        staff_id=StaffId("stf_z"),
        month="2026-08",
        lines=[],
        fines=zero,
        complaint_due=zero,
        complaint_deducted=zero,
        carried_over=zero,
        rewards=zero,
        total=zero,
        sanction="",
    )
    settled = SettledMonth(
        month="2026-09", settled_at=at("2026-10-10 10:00"), settled_by=StaffId("stf_gm")
    )
    store(storage, ap1, ap2, bonus, st_b, st_a, st_old, settled)
    with storage.unit_of_work() as uow:
        assert [a.id for a in uow.appeals.list()] == [ap2.id, ap1.id]
        assert [a.id for a in uow.appeals.list(staff_id="stf_a")] == [ap1.id]
        found = uow.bonuses.find("stf_a", "2026-09")
        assert found == bonus and uow.bonuses.find("stf_a", "2026-10") is None
        assert found is not None
        found.bonus = Money.of("3200.00")
        assert [(s.month, s.staff_id) for s in uow.statements.list()] == [
            ("2026-08", "stf_z"),
            ("2026-09", "stf_a"),
            ("2026-09", "stf_b"),
        ]
        assert uow.statements.list(month="2026-09", staff_id="stf_a") == [st_a]
        assert uow.settled_months.find("2026-09") == settled
        assert uow.settled_months.find("2026-10") is None
        with pytest.raises(Conflict, match="month 2026-09 already exists"):
            uow.settled_months.add(
                SettledMonth(
                    month="2026-09", settled_at=at("2026-10-11 10:00"), settled_by=StaffId("stf_gm")
                )
            )
        uow.commit()
    with storage.unit_of_work() as uow:
        again = uow.bonuses.find("stf_a", "2026-09")
        assert again is not None and (again.bonus, again.version) == (Money.of("3200.00"), 2)


def test_settling_a_month_twice_in_parallel_units_of_work_conflicts(storage: Storage) -> None:
    """PEN-10: two settlements never race: the second commit is refused."""

    def settled(when: str) -> SettledMonth:
        return SettledMonth(month="2026-09", settled_at=at(when), settled_by=StaffId("stf_gm"))

    with storage.unit_of_work() as a, storage.unit_of_work() as b:
        a.settled_months.add(settled("2026-10-10 10:00"))
        b.settled_months.add(settled("2026-10-10 10:01"))
        a.commit()
        with pytest.raises(Conflict):
            b.commit()
    with storage.unit_of_work() as uow:
        found = uow.settled_months.find("2026-09")
        assert found is not None and found.settled_at == at("2026-10-10 10:00")


def _statement(staff: str, month: str, carried: str) -> Statement:
    zero = Money.zero()
    return Statement(
        staff_id=StaffId(staff),
        month=month,
        lines=[],
        fines=zero,
        complaint_due=Money.of(carried),
        complaint_deducted=zero,
        carried_over=Money.of(carried),
        rewards=zero,
        total=zero,
        sanction="",
    )


def test_set_based_reads_and_bulk_writes_of_settlement_and_the_sweep(storage: Storage) -> None:
    """Issue 10 ports: a month's carries, bonuses, entry months and the latest settled month
    in one query each; a month's statements and a sweep batch's breaches in bulk; a batch's
    events and breaches by case."""
    store(
        storage,
        entry("stf_a", "2026-07", "50.00"),
        entry("stf_b", "2026-09", "50.00"),
        entry("stf_a", "2026-09", "50.00"),
        entry("stf_a", "2026-11", "50.00"),
        BonusRecord(staff_id=StaffId("stf_b"), month="2026-09", bonus=Money.of("2000.00")),
        BonusRecord(staff_id=StaffId("stf_a"), month="2026-09", bonus=Money.of("3000.00")),
        BonusRecord(staff_id=StaffId("stf_a"), month="2026-10", bonus=Money.of("1.00")),
        SettledMonth(month="2026-07", settled_at=at("2026-08-05 10:00"), settled_by=STAFF),
        SettledMonth(month="2026-08", settled_at=at("2026-09-05 10:00"), settled_by=STAFF),
    )
    with storage.unit_of_work() as uow:
        uow.statements.add_many(
            [_statement("stf_a", "2026-08", "400.00"), _statement("stf_b", "2026-08", "0.00")]
        )
        uow.commit()
    with storage.unit_of_work() as uow:
        assert uow.penalty_entries.months() == ["2026-07", "2026-09", "2026-11"]
        assert uow.penalty_entries.months(staff_id="stf_b") == ["2026-09"]
        assert uow.penalty_entries.months(after="2026-07", before="2026-11") == ["2026-09"]
        assert [(b.staff_id, b.bonus) for b in uow.bonuses.list_for_month("2026-09")] == [
            ("stf_a", Money.of("3000.00")),
            ("stf_b", Money.of("2000.00")),
        ]
        latest = uow.settled_months.latest()
        assert latest is not None and latest.month == "2026-08"
        earlier = uow.settled_months.latest(before="2026-08")
        assert earlier is not None and earlier.month == "2026-07"
        assert uow.settled_months.latest(before="2026-07") is None
        assert dict(uow.statements.carried_over("2026-08")) == {"stf_a": Money.of("400.00")}
        assert [s.staff_id for s in uow.statements.list(month="2026-08")] == ["stf_a", "stf_b"]

    c1, c2 = case("202609-0001"), case("202609-0002")
    ev = CaseEvent(
        case_id=c1.id,
        kind="received",
        at=at("2026-09-18 10:00"),
        actor_id=STAFF,
        state_after=CaseState.RECEIVED,
        owner_id=STAFF,
    )
    store(storage, c1, c2, ev)
    breaches = [
        CaseBreach(
            case_id=c.id,
            clock="acknowledge",
            due_at=at("2026-09-19 10:00"),
            owner_id=STAFF,
            recorded_at=at("2026-09-19 11:00"),
            escalated_to="supervisor",
        )
        for c in (c1, c2)
    ]
    with storage.unit_of_work() as uow:
        uow.case_breaches.add_many(breaches)
        with pytest.raises(Conflict, match="already has a breach"):
            uow.case_breaches.add(breaches[0])
        uow.commit()
    with storage.unit_of_work() as uow:
        assert {
            k: [e.id for e in v] for k, v in uow.case_events.list_for_cases([c1.id, c2.id]).items()
        } == {
            c1.id: [ev.id],
            c2.id: [],
        }
        by_case = uow.case_breaches.list_for_cases([c1.id, c2.id, "cas_none"])
        assert [b.id for b in by_case[c1.id]] == [breaches[0].id]
        assert [b.id for b in by_case[c2.id]] == [breaches[1].id]
        assert by_case["cas_none"] == []
