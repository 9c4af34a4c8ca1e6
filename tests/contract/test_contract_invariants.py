"""Invariants on every backend (issue 8): the unit-of-work lock, the unique constraints that
back it, and each "once" / "at most" / "unique" rule under 8 simultaneous attempts.

See docs/architecture.md, "Invariants". Rules: CUS-1, PEN-2, PEN-10, CASE-7, X-7.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import pytest
from contract_support import at, customer

from adapters.bootstrap import App, MemoryStorage, Storage
from csd_support import Org
from csdomain.cases.commands import ReceiveCase
from csdomain.customers.commands import RegisterCustomer, UpdateCustomer
from csdomain.customers.model import CustomerStatus
from csdomain.kernel.errors import Conflict, DomainError, InvalidTransition
from csdomain.kernel.ids import StaffId
from csdomain.kernel.money import Money
from csdomain.kernel.roles import Permission, Role
from csdomain.org.model import Staff
from csdomain.penalties.model import Appeal, AppealState, EntryKind, PenaltyEntry
from csdomain.service_jobs.commands import OpenExchange

N = 8
# one phone, written the eight ways people type it (CUS-1)
PHONES = [
    "+86 139-0013-9000",
    "13900139000",
    "１３９００１３９０００",  # full-width digits from a Chinese input method
    "+8613900139000",
    "139 0013 9000",
    "(139) 0013-9000",
    "0086 139 0013 9000",
    "+86 (139) 0013 9000",
]


# ------------------------------------------------------------------ helpers
def race(jobs: Sequence[Callable[[], Any]]) -> list[tuple[str, Any]]:
    """Start the jobs together on threads; each outcome is ("ok", value), ("domain", error)
    or ("error", error) for anything that is not a domain error."""
    start = threading.Barrier(len(jobs), timeout=30)
    outcomes: list[tuple[str, Any]] = []
    guard = threading.Lock()

    def run(job: Callable[[], Any]) -> None:
        start.wait()
        try:
            outcome: tuple[str, Any] = ("ok", job())
        except DomainError as exc:
            outcome = ("domain", exc)
        except Exception as exc:  # reported by the assertions, never swallowed
            outcome = ("error", exc)
        with guard:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a job hung"
    return outcomes


def one_wins(outcomes: list[tuple[str, Any]], *refusals: type[DomainError]) -> Any:
    """Exactly one job succeeded; every other one was refused with one of ``refusals``."""
    errors = [v for kind, v in outcomes if kind == "error"]
    assert errors == [], errors
    wins = [v for kind, v in outcomes if kind == "ok"]
    assert len(wins) == 1, outcomes
    refused = [v for kind, v in outcomes if kind == "domain"]
    assert len(refused) == len(outcomes) - 1
    assert all(isinstance(e, refusals) for e in refused), refused
    return wins[0]


def more_staff(app: App, org: Org, n: int) -> list[Staff]:
    return [
        app.services.org.add_staff(
            org.admin.id, name=f"Adviser {i}", role="staff", position="sales_adviser"
        )
        for i in range(n)
    ]


# ---------------------------------------------------------- UnitOfWork.lock
def _holder(
    storage: Storage, key: str, holding: threading.Event, release: threading.Event, commit: bool
) -> threading.Thread:
    def run() -> None:
        with storage.unit_of_work() as uow:
            uow.lock(key)
            holding.set()
            release.wait(timeout=30)
            if commit:
                uow.commit()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.parametrize("commit", [True, False], ids=["commit", "rollback"])
def test_lock_waits_for_the_holder_until_it_commits_or_rolls_back(
    storage: Storage, commit: bool
) -> None:
    holding, release, acquired = threading.Event(), threading.Event(), threading.Event()
    holder = _holder(storage, "test:key", holding, release, commit)
    assert holding.wait(timeout=30)

    def contender() -> None:
        with storage.unit_of_work() as uow:
            uow.lock("test:key")
            acquired.set()

    waiter = threading.Thread(target=contender)
    waiter.start()
    assert not acquired.wait(timeout=0.5), "the key was taken while another held it"
    release.set()
    holder.join(timeout=30)
    assert acquired.wait(timeout=30), "the key was never released"
    waiter.join(timeout=30)


@pytest.mark.parametrize(
    "backend", ["memory", pytest.param("postgres", marks=pytest.mark.postgres)]
)  # SQLite has one write lock per database, which every key shares by design
def test_lock_on_other_keys_does_not_wait(storage: Storage) -> None:
    holding, release, acquired = threading.Event(), threading.Event(), threading.Event()
    holder = _holder(storage, "test:a", holding, release, True)
    assert holding.wait(timeout=30)
    try:
        with storage.unit_of_work() as uow:
            uow.lock("test:b")
            acquired.set()
        assert acquired.is_set()
    finally:
        release.set()
        holder.join(timeout=30)


def test_lock_is_reentrant_within_a_unit_of_work_and_usable_after_commit(
    storage: Storage,
) -> None:
    with storage.unit_of_work() as uow:
        uow.lock("test:k", "test:k")
        uow.lock("test:k")
        uow.customers.add(customer())
        uow.commit()
        uow.lock("test:k")  # a new transaction takes it again
        uow.commit()
    with storage.unit_of_work() as uow:
        uow.lock("test:k")  # nothing left held
        assert len(uow.customers.list()) == 1


def test_memory_lock_is_released_when_the_block_is_left_by_an_exception() -> None:
    storage = MemoryStorage()
    with pytest.raises(RuntimeError), storage.unit_of_work() as uow:
        uow.lock("test:k")
        raise RuntimeError
    with storage.unit_of_work() as uow:
        uow.lock("test:k")


# ------------------------------------------------------ unique constraints
def test_constraint_one_live_customer_per_phone_and_id_number(storage: Storage) -> None:
    """CUS-1 backstop: without the use case's lock, the storage still refuses a second live
    customer with the same normalized phone or ID number."""
    with storage.unit_of_work() as uow:
        uow.customers.add(customer("A", phone="+8613900139000", id_number="11010519491231002X"))
        uow.commit()
    for clash in (
        customer("B", phone="+8613900139000"),
        customer("C", phone="+8613900139001", id_number="11010519491231002X"),
    ):
        with pytest.raises(Conflict), storage.unit_of_work() as uow:
            uow.customers.add(clash)
            uow.commit()
    with storage.unit_of_work() as uow:
        assert [c.name for c in uow.customers.list()] == ["A"]


def test_constraint_ignores_customers_no_longer_live_and_flagged_duplicates(
    storage: Storage,
) -> None:
    with storage.unit_of_work() as uow:
        gone = customer("Gone", phone="+8613900139000", status=CustomerStatus.DEREGISTERED)
        uow.customers.add(gone)
        uow.customers.add(customer("Live", phone="+8613900139000"))
        uow.customers.add(customer("Flagged", phone="+8613900139000", duplicate_of=gone.id))
        uow.commit()
    with storage.unit_of_work() as uow:
        assert len(uow.customers.list()) == 3


def _entry(**kw: Any) -> PenaltyEntry:
    return PenaltyEntry(
        staff_id=StaffId("stf_x"),
        month="2026-10",
        kind=kw.pop("kind", EntryKind.VIOLATION),
        amount=kw.pop("amount", Money.of("50.00")),
        explanation="x",
        recorded_at=at("2026-10-05 10:00"),
        recorded_by="stf_m",
        occurred_on=date(2026, 10, 5),
        **kw,
    )


def test_constraint_one_open_appeal_per_entry(storage: Storage) -> None:
    def appeal(state: AppealState = AppealState.OPEN) -> Appeal:
        return Appeal(
            entry_id="pen_1",
            staff_id=StaffId("stf_x"),
            reason="r",
            filed_at=at("2026-10-06 10:00"),
            state=state,
        )

    with storage.unit_of_work() as uow:
        uow.appeals.add(appeal(AppealState.UPHELD))
        uow.appeals.add(appeal())
        uow.commit()
    with pytest.raises(Conflict), storage.unit_of_work() as uow:
        uow.appeals.add(appeal())
        uow.commit()


def test_constraint_one_reversal_per_entry(storage: Storage) -> None:
    fine = _entry()
    with storage.unit_of_work() as uow:
        uow.penalty_entries.add(fine)
        uow.penalty_entries.add(
            _entry(kind=EntryKind.REVERSAL, amount=-fine.amount, reverses_id=fine.id)
        )
        uow.commit()
    with pytest.raises(Conflict), storage.unit_of_work() as uow:
        uow.penalty_entries.add(
            _entry(kind=EntryKind.REVERSAL, amount=-fine.amount, reverses_id=fine.id)
        )
        uow.commit()
    with storage.unit_of_work() as uow:
        assert sum(e.amount.amount for e in uow.penalty_entries.list()) == 0


# ---------------------------------------------- the rules, 8 at the same time
def test_cus1_eight_simultaneous_registrations_of_one_phone_make_one_owner(
    app: App, org: Org
) -> None:
    advisers = more_staff(app, org, N)
    outcomes = race(
        [
            lambda s=s, p=p, i=i: app.services.customers.register(
                s.id, RegisterCustomer(name=f"Wang {i}", phone=p)
            )
            for i, (s, p) in enumerate(zip(advisers, PHONES, strict=True))
        ]
    )
    owner = one_wins(outcomes, Conflict)
    assert owner.phone == "+8613900139000"
    winner = next(s for s in advisers if s.id == owner.owner_id)
    for _, error in (o for o in outcomes if o[0] == "domain"):
        assert error.rule == "CUS-1" and error.field == "phone"
        assert owner.id in error.message and winner.name in error.message
    stored = app.services.customers.list(org.gm.id)
    assert [c.id for c in stored] == [owner.id]


def test_cus1_eight_simultaneous_changes_to_one_phone_leave_one_holder(app: App, org: Org) -> None:
    advisers = more_staff(app, org, N)
    mine = [
        app.services.customers.register(
            s.id, RegisterCustomer(name=f"C{i}", phone=f"1380000000{i}")
        )
        for i, s in enumerate(advisers)
    ]
    outcomes = race(
        [
            lambda s=s, c=c, p=p: app.services.customers.update(
                s.id, c.id, UpdateCustomer(expected_version=c.version, phone=p)
            )
            for s, c, p in zip(advisers, mine, PHONES, strict=True)
        ]
    )
    one_wins(outcomes, Conflict)
    # phones are master data, left out for readers without read_top_secret; read them
    # as a manager (scope "all") the GM granted it to
    app.services.org.grant_permission(
        org.gm.id, org.manager.id, Permission.READ_TOP_SECRET, "CUS-1 duplicate audit"
    )
    phones = [c.phone for c in app.services.customers.list(org.manager.id)]
    assert len(phones) == N and "" not in phones
    assert phones.count("+8613900139000") == 1


def _fine(app: App, org: Org) -> PenaltyEntry:
    return app.services.penalties.record_violation(
        org.manager.id, org.sales.id, "file_late", date(2026, 9, 15), evidence="late"
    )[0]


def test_pen10_eight_simultaneous_appeals_of_one_entry_open_one(app: App, org: Org) -> None:
    ps = app.services.penalties
    fine = _fine(app, org)
    outcomes = race([lambda i=i: ps.appeal(org.sales.id, fine.id, f"try {i}") for i in range(N)])
    one_wins(outcomes, Conflict)
    open_ = [
        a
        for a in app.storage.unit_of_work().appeals.list(staff_id=org.sales.id)
        if a.state == AppealState.OPEN
    ]
    assert len(open_) == 1


def test_pen10_an_entry_is_reversed_at_most_once(app: App, org: Org) -> None:
    """Eight simultaneous waivers of one appeal reverse the entry once; a waived entry cannot
    be appealed (and so reversed) again; the statement total is never negative."""
    ps = app.services.penalties
    fine = _fine(app, org)
    appeal = ps.appeal(org.sales.id, fine.id, "not my fault")
    outcomes = race(
        [
            lambda: ps.decide_appeal(org.manager.id, appeal.id, AppealState.WAIVED, "ok")
            for _ in range(N)
        ]
    )
    one_wins(outcomes, Conflict, InvalidTransition)
    with pytest.raises(InvalidTransition) as err:
        ps.appeal(org.sales.id, fine.id, "again")
    assert err.value.rule == "PEN-10"
    entries = ps.entries(org.manager.id, org.sales.id, "2026-09")
    assert [e.kind for e in entries] == [EntryKind.VIOLATION, EntryKind.REVERSAL]
    statement = ps.statement(org.manager.id, org.sales.id, "2026-09").statement
    assert statement.total == Money.zero()


def test_pen2_simultaneous_violations_are_counted_in_order(app: App, org: Org) -> None:
    """PEN-2 counts the month's earlier violations: recorded at the same moment, they are
    still the 1st, 2nd, … (never all the 1st)."""
    ps = app.services.penalties
    outcomes = race(
        [
            lambda: ps.record_violation(
                org.manager.id, org.sales.id, "file_late", date(2026, 9, 15), evidence="x"
            )
            for _ in range(N)
        ]
    )
    assert [kind for kind, _ in outcomes] == ["ok"] * N, outcomes
    fines = [e for e in ps.entries(org.manager.id, org.sales.id) if e.kind == EntryKind.VIOLATION]
    ordinals = sorted(
        int(e.explanation.split(" violation in")[0].split("(")[-1][:-2]) for e in fines
    )
    assert ordinals == list(range(1, N + 1))


def test_pen10_eight_simultaneous_settlements_settle_once(app: App, org: Org, clock: Any) -> None:
    ps = app.services.penalties
    _fine(app, org)
    clock.set(at("2026-10-10 10:00"))
    outcomes = race([lambda: ps.settle_month(org.manager.id, "2026-09") for _ in range(N)])
    assert [kind for kind, _ in outcomes] == ["ok"] * N, outcomes
    ids = {tuple(s.id for s in value) for _, value in outcomes}
    assert len(ids) == 1  # every caller got the one set of statements


def _case(app: App, org: Org) -> str:
    case = app.services.cases.receive(
        org.sales.id,
        ReceiveCase(
            type="complaint",
            category="other",
            channel="email",
            content="the car rattles",
            customer_name="Zhang San",
        ),
    )
    return case.id


def test_case7_eight_simultaneous_acknowledgements_record_one(app: App, org: Org) -> None:
    cs = app.services.cases
    case_id = _case(app, org)
    # the receiver (org.sales) is in the acknowledgement's "own" scope (issue 7)
    outcomes = race([lambda: cs.acknowledge(org.sales.id, case_id, "received") for _ in range(N)])
    one_wins(outcomes, InvalidTransition, Conflict)
    kinds = [e.kind for e in cs.timeline(org.gm.id, case_id)]
    assert kinds.count("acknowledged") == 1


def test_case7_eight_simultaneous_extensions_respect_the_policy(app: App, org: Org) -> None:
    cs = app.services.cases
    case_id = _case(app, org)
    allowed = app.policy.cases.clock("reply_complaint")
    assert allowed is not None and allowed.max_extensions == 1  # the default policy
    outcomes = race(
        [
            lambda: cs.extend_clock(org.gm.id, case_id, "reply_complaint", 1, "lab test")
            for _ in range(N)
        ]
    )
    one_wins(outcomes, Conflict)
    kinds = [e.kind for e in cs.timeline(org.gm.id, case_id)]
    assert kinds.count("clock_extended") == allowed.max_extensions


def test_case14_forms_entered_together_get_distinct_ledger_numbers(app: App, org: Org) -> None:
    st = app.services.settlement
    forms = []
    for i in range(N):
        form = st.open_exchange(
            org.sales.id,
            OpenExchange(customer_name=f"Shop {i}", goods="Model X", quantity=1, reason="colour"),
        )
        for actor in (org.manager, org.supervisor, org.gm, org.service):
            form = st.sign_exchange(actor.id, form.id, approve=True, opinion="ok")
        forms.append(form)
    outcomes = race([lambda f=f: st.enter_in_ledger(org.service.id, f.id) for f in forms])
    assert [kind for kind, _ in outcomes] == ["ok"] * N, outcomes
    assert sorted(form.ledger_no for _, form in outcomes) == list(range(1, N + 1))


def test_org_simultaneous_first_runs_make_one_admin(app: App, storage: Storage) -> None:
    outcomes = race([lambda i=i: app.services.org.bootstrap_admin(f"Admin {i}") for i in range(N)])
    one_wins(outcomes, Conflict)
    with storage.unit_of_work() as uow:
        # one admin, and the scheduler's system account created beside it (issue 7)
        assert uow.staff.count() == 2
        roles = sorted(s.role for s in uow.staff.list())
    assert roles == sorted([Role.ADMIN.value, Role.SYSTEM.value])
