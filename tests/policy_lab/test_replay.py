"""Issue 15 acceptance: a recorded October replayed under "doubling from the 2nd violation"
for service advisers reports exactly the affected people and each one's difference, and the
store is byte-for-byte unchanged afterwards — on memory, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from replay_support import (
    doubling_from_second,
    fingerprint,
    record_october,
    sqlite_bytes,
)

from adapters.bootstrap import App, MemoryStorage, Storage
from backend_fixtures import backend_app
from csd_support import Org, at, make_org
from csdomain.kernel.clock import FixedClock
from csdomain.kernel.errors import PermissionDenied, ValidationError
from csdomain.policy_lab.replay import ReplayReport, windows
from csdomain.policy_lab.replayers import REPLAYERS, register

OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))


@pytest.fixture
def replay_app(storage: Storage, clock: FixedClock) -> App:
    """The application over the parametrized backend (memory, SQLite, PostgreSQL)."""
    return backend_app(storage, clock)


def _fines(report: ReplayReport) -> dict[tuple[str, str], tuple[str, str, str]]:
    section = next(s for s in report.sections if s.capability == "penalties")
    return {
        (i.subject_id, i.period): (
            f"{i.old_value:.2f}",
            f"{i.new_value:.2f}",
            f"{i.difference:+.2f}",
        )
        for i in section.items
    }


def test_pen2_october_replayed_doubling_from_the_2nd_reports_exactly_the_affected_people(
    replay_app: App, clock: FixedClock
) -> None:
    """PEN-2 replay (issue 15 acceptance): only the service advisers with a 2nd violation
    in October differ, each with old, new and the difference; the store is unchanged."""
    app = replay_app
    clock.set(at("2026-10-01 09:00"))
    org = make_org(app)
    people = record_october(app, org)
    clock.set(at("2026-11-03 10:00"))
    before = fingerprint(app)

    report = app.services.replay.replay(org.manager.id, doubling_from_second(), *OCTOBER)

    assert _fines(report) == {
        (people["zhou"].id, "2026-10"): ("250.00", "350.00", "+100.00"),
        (people["gao"].id, "2026-10"): ("100.00", "150.00", "+50.00"),
    }
    section = next(s for s in report.sections if s.capability == "penalties")
    assert section.compared == 9  # October's violations; September's are outside the period
    total = next(t for t in section.totals if t.measure.startswith("fines"))
    # Zhou 250, Gao 100, Ma 50, Li 50 + 100 + 100 under the policy in force
    assert (total.old, total.new, total.difference) == (
        Decimal("650.00"),
        Decimal("800.00"),
        Decimal("150.00"),
    )
    zhou = next(i for i in section.items if i.subject_id == people["zhou"].id)
    assert zhou.rule == "PEN-2" and zhou.subject == "Zhou Service (service_adviser)"
    assert "file_late on 2026-10-12: 100.00 → 200.00" in zhou.detail
    assert "2026-10-05" not in zhou.detail  # the 1st is the same under both policies

    def now_held() -> bytes:
        return sqlite_bytes(app) if _is_sqlite(app.storage) else fingerprint(app)

    assert now_held() == before, "the replay wrote to the store"
    # and the recorded fines are still the policy in force's
    entries = app.services.penalties.entries(org.manager.id, staff_id=people["zhou"].id)
    assert sorted(f"{e.amount.amount:.2f}" for e in entries) == ["100.00", "100.00", "50.00"]
    # the instrument sees a write (so the equality above can fail)
    app.services.org.add_department(org.admin.id, "Probe")
    assert now_held() != before


def _is_sqlite(storage: Storage) -> bool:
    return not isinstance(storage, MemoryStorage) and storage.engine.dialect.name == "sqlite"  # type: ignore[attr-defined]


def test_pen2_replay_under_the_policy_in_force_differs_nowhere(
    replay_app: App, clock: FixedClock
) -> None:
    """PEN-2/CASE-7: the same policy replayed gives no difference (the replay and the use
    cases share one computation)."""
    app = replay_app
    clock.set(at("2026-10-01 09:00"))
    org = make_org(app)
    record_october(app, org)
    clock.set(at("2026-11-03 10:00"))
    report = app.services.replay.replay(org.manager.id, app.policy, *OCTOBER)
    assert report.differing == 0
    assert [s.capability for s in report.sections] == list(REPLAYERS)


def test_replay_refuses_staff_and_bad_periods(app: App, org: Org) -> None:
    """X-3: replaying is the policy's ``policy.replay`` action (managers); X-8 bounds the
    period."""
    with pytest.raises(PermissionDenied):
        app.services.replay.replay(org.sales.id, app.policy, *OCTOBER)
    with pytest.raises(ValidationError) as bad:
        app.services.replay.replay(org.manager.id, app.policy, date(2026, 10, 2), date(2026, 10, 1))
    assert bad.value.field == "end"
    with pytest.raises(ValidationError):
        app.services.replay.replay(org.manager.id, app.policy, date(2024, 1, 1), date(2026, 10, 1))
    with pytest.raises(ValidationError) as unknown:
        app.services.replay.replay(
            org.manager.id, app.policy, *OCTOBER, capabilities=["penalties", "weather"]
        )
    assert unknown.value.field == "capabilities"


def test_windows_are_calendar_months_cut_to_the_period() -> None:
    """PEN-2 counts per calendar month, so the replay's batches are months."""
    parts = windows(date(2026, 9, 20), date(2026, 11, 2))
    assert [(w.month, w.start.isoformat(), w.end.isoformat()) for w in parts] == [
        ("2026-09", "2026-09-20", "2026-10-01"),
        ("2026-10", "2026-10-01", "2026-11-01"),
        ("2026-11", "2026-11-01", "2026-11-03"),
    ]


def test_a_capability_registers_once() -> None:
    """The registry is the one place a replayer plugs in; a name is taken once."""
    with pytest.raises(ValueError):
        register(REPLAYERS["penalties"])


def test_progress_is_reported_per_month_and_capability(app: App, org: Org) -> None:
    seen: list[tuple[int, int, str]] = []
    app.services.replay.replay(
        org.manager.id,
        app.policy,
        date(2026, 9, 1),
        date(2026, 10, 31),
        progress=lambda done, total, label: seen.append((done, total, label)),
    )
    total = 2 * len(REPLAYERS)
    assert [s[0] for s in seen] == list(range(1, total + 1))
    assert {s[1] for s in seen} == {total}
    assert seen[-1][2].endswith("2026-10")


def test_pen1_each_violation_is_replayed_against_the_version_in_force_on_its_day(
    app: App, org: Org, clock: FixedClock
) -> None:
    """Issue 15: with 80 元 in force from 1 November (version 2), replaying October and
    November under an 80 元 candidate differs only in October: November was already judged
    by 80 (the replay compares with what the version of each violation's day decided)."""
    import tomllib

    from replay_support import policy_text

    from adapters.policy_file import parse_policy
    from csdomain.policy_lab.commands import UploadPolicy

    file_late = 'code = "file_late"\ndescription = "Customer file handed over late"\n'
    raised = policy_text((file_late + 'amount = "50.00"', file_late + 'amount = "80.00"'))
    lab = app.services.policy_lab
    number = lab.upload(
        org.manager.id, UploadPolicy(document=raised, effective_from=date(2026, 11, 1))
    ).number
    lab.activate(org.gm.id, number)
    ps = app.services.penalties
    for day in ("2026-10-12", "2026-11-02"):
        ps.record_violation(
            org.manager.id, org.sales2.id, "file_late", date.fromisoformat(day), evidence="reg"
        )
    clock.set(at("2026-12-02 10:00"))
    candidate = parse_policy(tomllib.loads(raised), "candidate")

    report = app.services.replay.replay(
        org.manager.id, candidate, date(2026, 10, 1), date(2026, 11, 30)
    )

    assert _fines(report) == {(org.sales2.id, "2026-10"): ("50.00", "80.00", "+30.00")}
    assert "2026.1-default" in report.in_force and "2026.2-candidate" in report.in_force
