"""Issue 15 deliverable 1: versioned policies with effective dates, on the memory adapter.

Acceptance: raising the late hand-over fine (PEN-1 ``file_late``) from 50 to 80 元 on
2026-11-01 leaves October's statements unchanged and November's use 80; each entry records
the version that decided it; activation never rewrites a past decision (X-7).
"""

from __future__ import annotations

from datetime import date

import pytest
from lab_support import DEFAULT_TEXT, with_file_late

from adapters.bootstrap import App, MemoryStorage, bootstrap
from adapters.policy_file import default_policy
from adapters.settings import Settings
from csd_support import Org, at
from csdomain.kernel.clock import FixedClock
from csdomain.kernel.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from csdomain.kernel.money import Money
from csdomain.policy_lab.commands import UploadPolicy
from csdomain.policy_lab.model import VersionState

NOV_1 = date(2026, 11, 1)


def _upload(app: App, org: Org, text: str, day: date = NOV_1, note: str = "") -> int:
    cmd = UploadPolicy(document=text, effective_from=day, note=note)
    return app.services.policy_lab.upload(org.manager.id, cmd).number


def _late(app: App, org: Org, day: date) -> Money:
    entry = app.services.penalties.record_violation(
        org.manager.id, org.service.id, "file_late", day, evidence="hand-over register"
    )[0]
    return entry.amount


def test_without_history_the_started_policy_is_version_1(app: App, org: Org) -> None:
    lab = app.services.policy_lab
    versions = lab.list(org.manager.id)
    assert [(v.number, v.state) for v in versions] == [(1, VersionState.ACTIVE)]
    assert versions[0].effective_from == default_policy().bounds.earliest_date
    assert app.services.ctx.in_force(date(2026, 10, 1)).number == 1
    entry = app.services.penalties.record_violation(
        org.manager.id, org.sales.id, "file_late", date(2026, 9, 1), evidence="register"
    )[0]
    assert entry.policy_version == 1


def test_pen1_late_handover_fine_raised_on_nov_1_october_unchanged(
    app: App, org: Org, clock: FixedClock
) -> None:
    """Acceptance (issue 15): 50 → 80 元 from 2026-11-01; October stays 50, November is 80."""
    ps = app.services.penalties
    october = _late(app, org, date(2026, 10, 12))
    before = ps.statement(org.manager.id, org.service.id, "2026-10").statement
    number = _upload(app, org, with_file_late("80.00"), note="PEN-1: late hand-over 80 元")
    changes = app.services.policy_lab.diff(org.manager.id, 1, number)
    assert [(c.path, c.old, c.new, c.rules) for c in changes] == [
        ("penalties.catalogue[file_late].amount", "50.00", "80.00", ("PEN-1",))
    ]
    # a draft changes nothing
    assert _late(app, org, date(2026, 11, 3)) == Money.of("50.00")
    activated = app.services.policy_lab.activate(org.gm.id, number)
    assert activated.state == VersionState.ACTIVE and activated.approved_by == org.gm.id
    # still September by the clock: today's policy is version 1, November's is the new one
    assert app.services.ctx.policy.penalties.violation("file_late").amount == "50.00"  # type: ignore[union-attr]
    assert app.services.ctx.in_force(NOV_1).number == number
    # a late October hand-over recorded afterwards is judged by October's policy
    assert _late(app, org, date(2026, 10, 20)) == Money.of("50.00")
    november = ps.record_violation(
        org.manager.id, org.sales.id, "file_late", date(2026, 11, 2), evidence="register"
    )[0]
    assert november.amount == Money.of("80.00")
    assert november.policy_version == number
    assert "80.00" in november.explanation
    # the October statement holds the same entries and amounts as before the activation
    after = ps.statement(org.manager.id, org.service.id, "2026-10").statement
    assert october == Money.of("50.00")
    assert before.lines == after.lines[: len(before.lines)]
    assert all(line in after.lines for line in before.lines)
    oct_entries = ps.entries(org.manager.id, staff_id=org.service.id, month="2026-10")
    assert {e.policy_version for e in oct_entries} == {1}
    # once the clock reaches November, "today's" policy is the new one everywhere
    clock.set(at("2026-11-05 09:00"))
    assert app.services.ctx.policy.penalties.violation("file_late").amount == "80.00"  # type: ignore[union-attr]


def test_pen2_repeat_rules_come_from_the_violations_day(app: App, org: Org) -> None:
    """PEN-2: the doubling threshold in force on the violation's day decides (issue 15)."""
    text = DEFAULT_TEXT.replace(
        "from_nth = { sales_adviser = 2, service_adviser = 3 }",
        "from_nth = { sales_adviser = 2, service_adviser = 2 }",
    )
    number = _upload(app, org, text)
    app.services.policy_lab.activate(org.gm.id, number)
    october = [_late(app, org, date(2026, 10, d)) for d in (5, 6)]
    november = [_late(app, org, date(2026, 11, d)) for d in (5, 6)]
    assert october == [Money.of("50.00"), Money.of("50.00")]
    assert november == [Money.of("50.00"), Money.of("100.00")]


def test_x4_the_uploader_does_not_activate_their_own_draft(app: App, org: Org) -> None:
    lab = app.services.policy_lab
    number = lab.upload(
        org.gm.id, UploadPolicy(document=with_file_late("80.00"), effective_from=NOV_1)
    ).number
    with pytest.raises(PermissionDenied):
        lab.activate(org.gm.id, number)
    assert lab.get(org.manager.id, number).state == VersionState.DRAFT


def test_x3_only_the_gm_activates_and_staff_do_not_upload(app: App, org: Org) -> None:
    lab = app.services.policy_lab
    number = _upload(app, org, with_file_late("80.00"))
    for who in (org.manager, org.deputy, org.admin):
        with pytest.raises(PermissionDenied):
            lab.activate(who.id, number)
    with pytest.raises(PermissionDenied):
        lab.upload(org.sales.id, UploadPolicy(document=DEFAULT_TEXT, effective_from=NOV_1))
    with pytest.raises(PermissionDenied):
        lab.list(org.sales.id)


def test_an_invalid_draft_names_every_bad_key_and_is_not_stored(app: App, org: Org) -> None:
    lab = app.services.policy_lab
    bad = with_file_late("-5").replace("complaint_cap_percent = 50", "complaint_cap_percnt = 50")
    problems = lab.validate(org.manager.id, bad)
    assert problems == [
        ("$.penalties.catalogue[0].amount", "amount must be >= 0"),
        ("$.penalties.complaint_cap_percent", "required key is missing"),
        ("$.penalties", "unknown key(s): complaint_cap_percnt"),
    ]
    with pytest.raises(ValidationError) as info:
        lab.upload(org.manager.id, UploadPolicy(document=bad, effective_from=NOV_1))
    assert info.value.errors == problems  # type: ignore[attr-defined]
    assert [v.number for v in lab.list(org.manager.id)] == [1]
    assert lab.validate(org.manager.id, "not = [toml") != []
    assert lab.validate(org.manager.id, DEFAULT_TEXT) == []


def test_x7_activation_is_forward_only_and_once(app: App, org: Org, clock: FixedClock) -> None:
    lab = app.services.policy_lab
    past = _upload(app, org, with_file_late("80.00"), day=date(2026, 9, 1))
    with pytest.raises(ValidationError) as info:
        lab.activate(org.gm.id, past)
    assert info.value.field == "effective_from" and info.value.rule == "X-7"
    number = _upload(app, org, with_file_late("80.00"))
    lab.activate(org.gm.id, number)
    with pytest.raises(InvalidTransition):
        lab.activate(org.gm.id, number)
    with pytest.raises(NotFound):
        lab.activate(org.gm.id, 99)


def test_a_second_version_for_the_same_day_supersedes_the_first(app: App, org: Org) -> None:
    lab = app.services.policy_lab
    first = _upload(app, org, with_file_late("80.00"))
    lab.activate(org.gm.id, first)
    second = _upload(app, org, with_file_late("70.00"))
    lab.activate(org.gm.id, second)
    states = {v.number: v.state for v in lab.list(org.manager.id)}
    assert states == {1: "active", first: "superseded", second: "active"}
    assert _late(app, org, date(2026, 11, 9)) == Money.of("70.00")
    assert [c.new for c in lab.diff(org.manager.id, first, second)] == ["70.00"]


def test_one_active_version_per_day_is_a_unique_key(app: App, org: Org) -> None:
    """The invariant is the store's, not only the service's check."""
    first = _upload(app, org, with_file_late("80.00"))
    second = _upload(app, org, with_file_late("70.00"))
    with app.storage.unit_of_work() as uow:
        for n in (first, second):
            v = uow.policy_versions.get(n)
            v.state = VersionState.ACTIVE
        with pytest.raises(Conflict):
            uow.commit()


def test_the_history_survives_a_restart(clock: FixedClock) -> None:
    storage = MemoryStorage()
    app = bootstrap(Settings(storage="memory"), storage=storage, clock=clock)
    from csd_support import make_org

    org = make_org(app)
    number = _upload(app, org, with_file_late("80.00"))
    app.services.policy_lab.activate(org.gm.id, number)
    again = bootstrap(Settings(storage="memory"), storage=storage, clock=clock)
    assert again.services.ctx.in_force(date(2026, 11, 2)).number == number
    assert again.services.ctx.in_force(date(2026, 10, 31)).number == 1


def test_another_process_picks_up_an_activation(clock: FixedClock) -> None:
    """Two processes on one database (gunicorn workers, the worker): the one that did not
    activate reads the new version on its next refresh (HTTP: within 30 s; worker: each job)."""
    storage = MemoryStorage()
    one = bootstrap(Settings(storage="memory"), storage=storage, clock=clock)
    other = bootstrap(Settings(storage="memory"), storage=storage, clock=clock)
    from csd_support import make_org

    org = make_org(one)
    number = _upload(one, org, with_file_late("80.00"))
    one.services.policy_lab.activate(org.gm.id, number)
    assert other.services.ctx.in_force(NOV_1).number == 1
    assert other.refresh_policy(every=3600) is False  # not yet due
    assert other.refresh_policy() is True
    assert other.services.ctx.in_force(NOV_1).number == number
    assert other.refresh_policy() is False  # nothing new: no parsing


def test_pen1_a_late_october_handover_recorded_in_november_keeps_octobers_fine(
    app: App, org: Org, clock: FixedClock
) -> None:
    """The scheduler turns the ``file.handover_late`` event of 30 October into a violation on
    3 November, after the 80 元 version took effect: the event's day decides, so it is 50."""
    from csdomain.customers.commands import RegisterCustomer
    from csdomain.penalties.model import EntryKind

    cus = app.services.customers
    customer = cus.register(org.sales.id, RegisterCustomer(name="Z", phone="13800000001"))
    clock.set(at("2026-10-20 10:00"))
    number = _upload(app, org, with_file_late("80.00"))
    app.services.policy_lab.activate(org.gm.id, number)
    f = cus.open_file(org.sales.id, customer.id, "new_sale", date(2026, 10, 20))
    clock.set(at("2026-10-30 10:00"))
    cus.hand_over_file(org.sales.id, f.id, org.supervisor.id)
    g = cus.open_file(org.sales.id, customer.id, "new_sale", date(2026, 10, 28))
    clock.set(at("2026-11-03 10:00"))
    cus.hand_over_file(org.sales.id, g.id, org.supervisor.id)
    created = app.services.penalties.record_from_events(app.services.org.system_account().id)
    late = [
        (e.occurred_on, f"{e.amount.amount:.2f}", e.policy_version)
        for e in created
        if e.kind == EntryKind.VIOLATION and e.explanation.startswith("Customer file handed")
    ]
    assert sorted(late) == [(date(2026, 10, 30), "50.00", 1), (date(2026, 11, 3), "80.00", number)]


def test_a_stored_version_survives_an_upgrade_that_adds_a_use_case(clock: FixedClock) -> None:
    """A version written before a use case existed lacks that action's permission row: read
    back, the row comes from the started-with policy (version 1), every other key as stored;
    an upload is still checked strictly."""
    from csdomain.policy_lab.model import PolicyVersion, sha256_of

    row = '"policy.activate" = { rule = "X-4", min_role = "gm", separation = ["not_subject"] }\n'
    older = with_file_late("80.00").replace(row, "")
    assert older != with_file_late("80.00")
    storage = MemoryStorage()
    with storage.unit_of_work() as uow:
        uow.policy_versions.add(
            PolicyVersion(
                number=2,
                effective_from=NOV_1,
                document=older,
                sha256=sha256_of(older),
                uploaded_by="stf_old",
                uploaded_at=at("2026-09-01 09:00"),
                state=VersionState.ACTIVE,
            )
        )
        uow.commit()
    app = bootstrap(Settings(storage="memory"), storage=storage, clock=clock)
    november = app.services.ctx.policy_at(date(2026, 11, 2))
    assert november.penalties.violation("file_late").amount == "80.00"  # type: ignore[union-attr]
    assert november.permissions.actions["policy.activate"].min_role == "gm"
    from csd_support import make_org

    org = make_org(app)
    assert [c.path for c in app.services.policy_lab.diff(org.manager.id, 1, 2)] == [
        "penalties.catalogue[file_late].amount"
    ]
    with pytest.raises(ValidationError):
        _upload(app, org, older)


def test_pen1_a_code_new_in_a_later_version_is_recorded_for_its_days(app: App, org: Org) -> None:
    """A catalogue entry that exists only from 1 November is known for November's days and
    unknown for October's, whatever today is."""
    new_code = (
        '\n[[penalties.catalogue]]\ncode = "uniform_missing"\n'
        'description = "Not in uniform"\namount = "30.00"\nunit = "occurrence"\n'
    )
    anchor = "# ------------------------------------------------------------------------- scheduler"
    assert DEFAULT_TEXT.count(anchor) == 1
    number = _upload(app, org, DEFAULT_TEXT.replace(anchor, new_code + "\n" + anchor))
    app.services.policy_lab.activate(org.gm.id, number)
    ps = app.services.penalties
    fine = ps.record_violation(
        org.manager.id, org.sales.id, "uniform_missing", date(2026, 11, 2), evidence="seen"
    )[0]
    assert (fine.amount, fine.policy_version) == (Money.of("30.00"), number)
    with pytest.raises(ValidationError) as info:
        ps.record_violation(
            org.manager.id, org.sales.id, "uniform_missing", date(2026, 10, 2), evidence="seen"
        )
    assert info.value.field == "code"
