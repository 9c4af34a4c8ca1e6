"""CUS-3 / CUS-1 / CUS-7 replay (issue 15): a service adviser hands over three files late in
October; under a candidate giving three working days instead of one they are on time, and
the report lists exactly those files. A register handed in at 09:30 the next day with a
reason is an exception now and late with the exception window ending at 09:00; a file
returned a day after its due-back day is on time with seven working days. On every backend;
nothing is written."""

from __future__ import annotations

import tomllib
from datetime import date
from decimal import Decimal

import pytest
from replay_support import fingerprint, policy_text

from adapters.bootstrap import App, Storage
from adapters.policy_file import parse_policy
from backend_fixtures import backend_app
from csd_support import Org, at, make_org
from csdomain.customers.commands import RegisterCustomer, RequestLoan, SubmitRegister
from csdomain.customers.model import CustomerFile
from csdomain.kernel.clock import FixedClock
from csdomain.policy.model import Policy
from csdomain.policy_lab.replay import ReplayReport, ReplaySection
from csdomain.policy_lab.replayers import REPLAYERS

OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))
SERVICE_FILE_DAYS = "handover_working_days = 1"  # the service file kind (CUS-3)
EXCEPTION_UNTIL = 'daily_register_exception_until = "10:00"'  # CUS-1
RETURN_DAYS = "return_working_days = 5"  # CUS-7


@pytest.fixture
def replay_app(storage: Storage, clock: FixedClock) -> App:
    return backend_app(storage, clock)


def _candidate() -> Policy:
    text = policy_text(
        (SERVICE_FILE_DAYS, "handover_working_days = 3"),
        (EXCEPTION_UNTIL, 'daily_register_exception_until = "09:00"'),
        (RETURN_DAYS, "return_working_days = 7"),
    )
    return parse_policy(tomllib.loads(text), "candidate")


def _record_october(app: App, org: Org, clock: FixedClock) -> dict[str, list[CustomerFile]]:
    """Service files of events on Tue 2026-10-13 (due Wed 10-14 under one working day, Fri
    10-16 under three): three handed over Thu 10-15, one on 10-14, one on 10-20, one never;
    Li Lei's new-sale file (never handed over) is lent 10-13 and returned 10-21; Li Lei's
    register of 10-13 comes 10-14 09:30 with a reason, Han Meimei's on time."""
    s = app.services
    clock.set(at("2026-10-13 09:00"))
    files: dict[str, list[CustomerFile]] = {"late_now": [], "other": []}
    for n in range(6):
        customer = s.customers.register(
            org.service.id, RegisterCustomer(name=f"Owner {n}", phone=f"1390000000{n}")
        )
        f = s.customers.open_file(org.service.id, customer.id, "service", date(2026, 10, 13))
        files["late_now" if n < 3 else "other"].append(f)
    mine = s.customers.register(org.sales.id, RegisterCustomer(name="Dalian", phone="13800000001"))
    sale = s.customers.open_file(org.sales.id, mine.id, "new_sale", date(2026, 10, 13))
    loan = s.file_loans.request(org.sales.id, sale.id, RequestLoan(purpose="renewal offer"))
    clock.set(at("2026-10-13 10:00"))
    lent = s.file_loans.decide(org.supervisor.id, loan.id, approve=True)
    assert lent.due_back_on == date(2026, 10, 20)
    clock.set(at("2026-10-13 17:00"))
    s.registers.submit(org.sales2.id, SubmitRegister(day=date(2026, 10, 13)))
    clock.set(at("2026-10-14 09:30"))
    s.registers.submit(
        org.sales.id, SubmitRegister(day=date(2026, 10, 13), exception_reason="customer event")
    )
    clock.set(at("2026-10-14 16:00"))
    s.customers.hand_over_file(org.service.id, files["other"][0].id, org.supervisor.id)
    clock.set(at("2026-10-15 11:00"))
    for f in files["late_now"]:
        s.customers.hand_over_file(org.service.id, f.id, org.supervisor.id)
    clock.set(at("2026-10-20 11:00"))
    s.customers.hand_over_file(org.service.id, files["other"][1].id, org.supervisor.id)
    clock.set(at("2026-10-21 11:00"))
    s.file_loans.give_back(org.supervisor.id, loan.id)
    clock.set(at("2026-11-03 10:00"))
    return files


def _section(report: ReplayReport) -> ReplaySection:
    return next(s for s in report.sections if s.capability == "customers")


def _totals(section: ReplaySection) -> dict[str, tuple[Decimal, Decimal]]:
    return {t.measure: (t.old, t.new) for t in section.totals}


def test_customers_replayer_is_registered_first() -> None:
    """Issue 15: the report starts with the customers section."""
    assert next(iter(REPLAYERS)) == "customers"


def test_cus3_cus1_cus7_a_candidate_changes_exactly_the_affected_records(
    replay_app: App, clock: FixedClock
) -> None:
    app = replay_app
    clock.set(at("2026-10-12 09:00"))
    org = make_org(app)
    files = _record_october(app, org, clock)
    before = fingerprint(app)

    report = app.services.replay.replay(
        org.manager.id, _candidate(), *OCTOBER, capabilities=["customers"]
    )

    [section] = report.sections
    assert section.compared == 7 + 2 + 1  # files due in October, registers, loans
    handovers = [i for i in section.items if i.kind == "handover"]
    # CUS-3: exactly the three files handed over on 10-15 become on time
    assert sorted(i.subject_id for i in handovers) == sorted(f.id for f in files["late_now"])
    for item in handovers:
        assert (item.old_value, item.new_value, item.rule) == (1, 0, "CUS-3")
        assert item.old == "late (due 2026-10-14), charged file_late (PEN-1)"
        assert item.new == "on time (due 2026-10-16)"
        assert item.subject.startswith("Zhou Service: service file of Owner ")
        assert item.detail == "event 2026-10-13, handed over 2026-10-15"
    # CUS-1: Li Lei's 09:30 register is an exception now, late with the window ending 09:00
    [reg] = [i for i in section.items if i.kind == "register"]
    assert (reg.subject_id, reg.subject, reg.period) == (org.sales.id, "Li Lei", "2026-10-13")
    assert (reg.old, reg.new, reg.rule) == ("exception", "late", "CUS-1")
    assert "handed in 2026-10-14 09:30" in reg.detail
    # CUS-7: returned 10-21, a day after 10-20; on time when due back on 10-22
    [loan] = [i for i in section.items if i.kind == "loan"]
    assert (loan.old, loan.new, loan.rule) == (
        "late (due back 2026-10-20)",
        "on time (due back 2026-10-22)",
        "CUS-7",
    )
    assert loan.subject.startswith("Li Lei: file ") and loan.subject.endswith(" of Dalian")
    assert loan.detail == "lent 2026-10-13, returned 2026-10-21"
    assert len(section.items) == 3 + 1 + 1
    # totals over every record: late hand-overs 3 + the 10-20 one + 2 never handed over
    points = Decimal(app.policy.customers.registers.late_appraisal_points)
    assert _totals(section) == {
        "late hand-overs (CUS-3)": (Decimal(6), Decimal(3)),
        "late registers (CUS-1)": (Decimal(0), Decimal(1)),
        "appraisal points (CUS-7)": (Decimal(0), points),
        "overdue loans (CUS-7)": (Decimal(1), Decimal(0)),
    }
    assert fingerprint(app) == before, "the replay wrote to the store"


def test_cus3_replayed_under_the_policy_in_force_differs_nowhere(
    replay_app: App, clock: FixedClock
) -> None:
    """One implementation: the use cases' own deadlines, replayed, give no difference."""
    app = replay_app
    clock.set(at("2026-10-12 09:00"))
    org = make_org(app)
    _record_october(app, org, clock)

    report = app.services.replay.replay(
        org.manager.id, app.policy, *OCTOBER, capabilities=["customers"]
    )

    section = _section(report)
    assert section.compared == 10 and section.items == []
    assert all(t.old == t.new for t in section.totals)


def test_cus3_a_file_never_handed_over_is_late_once_its_deadline_has_passed_by_now(
    replay_app: App, clock: FixedClock
) -> None:
    """CUS-3: a file never handed over is late from its deadline on, as the sweep charges
    it, up to the replay's "now" (the clock's, when the period reaches today): due 10-14,
    not late on the 14th; late on the 15th, and on time under three working days."""
    app = replay_app
    clock.set(at("2026-10-13 09:00"))
    org = make_org(app)
    s = app.services
    customer = s.customers.register(
        org.service.id, RegisterCustomer(name="Owner", phone="13900000001")
    )
    f = s.customers.open_file(org.service.id, customer.id, "service", date(2026, 10, 13))
    late = "late hand-overs (CUS-3)"

    clock.set(at("2026-10-14 23:59"))
    on_14 = _section(
        s.replay.replay(org.manager.id, _candidate(), *OCTOBER, capabilities=["customers"])
    )
    assert on_14.compared == 1
    assert _totals(on_14)[late] == (Decimal(0), Decimal(0)) and on_14.items == []

    clock.set(at("2026-10-15 00:01"))
    on_15 = _section(
        s.replay.replay(org.manager.id, _candidate(), *OCTOBER, capabilities=["customers"])
    )
    assert _totals(on_15)[late] == (Decimal(1), Decimal(0))
    [item] = on_15.items
    assert (item.subject_id, item.old, item.new) == (
        f.id,
        "late (due 2026-10-14), charged file_late (PEN-1)",
        "on time (due 2026-10-16)",
    )
    assert item.detail == "event 2026-10-13, not handed over"


def test_x1_a_candidate_closure_moves_the_deadline_by_its_own_calendar(
    replay_app: App, clock: FixedClock
) -> None:
    """X-1 in a what-if: a candidate closing Wed 2026-10-14 (a company closure) judges the
    service files by its own working days: due Thu 10-15, so the three handed over on 10-15
    are on time; the calendar in force is untouched (no version was activated)."""
    app = replay_app
    clock.set(at("2026-10-12 09:00"))
    org = make_org(app)
    files = _record_october(app, org, clock)
    text = policy_text(("extra_closed_days = []", "extra_closed_days = [2026-10-14]"))
    candidate = parse_policy(tomllib.loads(text), "candidate")

    section = _section(
        app.services.replay.replay(org.manager.id, candidate, *OCTOBER, capabilities=["customers"])
    )

    handovers = [i for i in section.items if i.kind == "handover"]
    assert sorted(i.subject_id for i in handovers) == sorted(f.id for f in files["late_now"])
    assert {i.new for i in handovers} == {"on time (due 2026-10-15)"}
    assert app.services.ctx.calendar.is_working_day(date(2026, 10, 14))
