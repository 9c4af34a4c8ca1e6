"""Issue 15: policy versions in storage, identical on memory, SQLite and PostgreSQL — the
repository contract, the unique keys (numbers; one active version per effective date), and
the acceptance (50 → 80 元 from 2026-11-01) with each entry's ``policy_version`` stored."""

from __future__ import annotations

from datetime import date

import pytest
from lab_support import with_file_late

from adapters.bootstrap import App, Storage
from backend_fixtures import backend_app
from csd_support import at, make_org
from csdomain.kernel.clock import FixedClock
from csdomain.kernel.errors import Conflict, NotFound
from csdomain.kernel.money import Money
from csdomain.policy_lab.commands import UploadPolicy
from csdomain.policy_lab.model import PolicyVersion, VersionState, sha256_of


def _version(number: int, day: date, state: VersionState = VersionState.DRAFT) -> PolicyVersion:
    text = f"# version {number}\n"
    return PolicyVersion(
        number=number,
        effective_from=day,
        document=text,
        sha256=sha256_of(text),
        uploaded_by="stf_a",
        uploaded_at=at("2026-09-18 10:00"),
        state=state,
    )


def test_repository_contract(storage: Storage) -> None:
    with storage.unit_of_work() as uow:
        assert uow.policy_versions.last_number() == 0
        assert list(uow.policy_versions.list()) == []
        uow.policy_versions.add(_version(3, date(2026, 12, 1)))
        uow.policy_versions.add(_version(2, date(2026, 11, 1), VersionState.ACTIVE))
        uow.commit()
    with storage.unit_of_work() as uow:
        assert uow.policy_versions.last_number() == 3
        assert [v.number for v in uow.policy_versions.list()] == [2, 3]
        active = uow.policy_versions.list(state=VersionState.ACTIVE)
        assert [(v.number, v.effective_from) for v in active] == [(2, date(2026, 11, 1))]
        got = uow.policy_versions.get(3)
        assert (got.document, got.sha256, got.state) == (
            "# version 3\n",
            sha256_of(got.document),
            "draft",
        )
        with pytest.raises(NotFound) as info:
            uow.policy_versions.get(9)
        assert info.value.field == "number"


def test_version_numbers_are_unique(storage: Storage) -> None:
    with storage.unit_of_work() as uow:
        uow.policy_versions.add(_version(2, date(2026, 11, 1)))
        uow.commit()
    with pytest.raises(Conflict), storage.unit_of_work() as uow:
        uow.policy_versions.add(_version(2, date(2026, 12, 1)))
        uow.commit()


def test_one_active_version_per_effective_date(storage: Storage) -> None:
    with storage.unit_of_work() as uow:
        uow.policy_versions.add(_version(2, date(2026, 11, 1), VersionState.ACTIVE))
        uow.policy_versions.add(_version(3, date(2026, 11, 1), VersionState.SUPERSEDED))
        uow.policy_versions.add(_version(4, date(2026, 11, 1)))
        uow.commit()
    with pytest.raises(Conflict), storage.unit_of_work() as uow:
        uow.policy_versions.get(4).state = VersionState.ACTIVE
        uow.commit()
    # superseding first (flushed), then activating, in one transaction is fine
    with storage.unit_of_work() as uow:
        uow.policy_versions.get(2).state = VersionState.SUPERSEDED
        uow.policy_versions.flush()
        uow.policy_versions.get(4).state = VersionState.ACTIVE
        uow.commit()
    with storage.unit_of_work() as uow:
        states = {v.number: v.state for v in uow.policy_versions.list()}
    assert states == {2: "superseded", 3: "superseded", 4: "active"}


def test_pen1_raised_fine_on_every_backend_and_after_a_restart(
    storage: Storage, clock: FixedClock
) -> None:
    """Acceptance (issue 15) on memory, SQLite and PostgreSQL: October 50, November 80, each
    entry storing the version that decided it; a restarted application reads the history."""
    app: App = backend_app(storage, clock)
    org = make_org(app)
    lab, ps = app.services.policy_lab, app.services.penalties
    october = ps.record_violation(
        org.manager.id, org.service.id, "file_late", date(2026, 10, 12), evidence="register"
    )
    number = lab.upload(
        org.manager.id,
        UploadPolicy(document=with_file_late("80.00"), effective_from=date(2026, 11, 1)),
    ).number
    lab.activate(org.gm.id, number)
    again = backend_app(storage, clock)
    assert again.services.ctx.in_force(date(2026, 11, 1)).number == number
    late = again.services.penalties.record_violation(
        org.manager.id, org.service.id, "file_late", date(2026, 10, 20), evidence="register"
    )
    november = again.services.penalties.record_violation(
        org.manager.id, org.sales.id, "file_late", date(2026, 11, 2), evidence="register"
    )
    entries = {
        e.id: (e.amount, e.policy_version) for e in again.services.penalties.entries(org.manager.id)
    }
    assert entries[october[0].id] == (Money.of("50.00"), 1)
    assert entries[late[0].id] == (Money.of("50.00"), 1)
    assert entries[november[0].id] == (Money.of("80.00"), number)
    with storage.unit_of_work() as uow:
        events = uow.audit.list(kind="policy.activated")
        violations = uow.audit.list(kind="penalty.violation")
    assert [e.data["number"] for e in events] == [str(number)]
    assert [e.data["policy_version"] for e in violations] == ["1", "1", str(number)]


def test_parallel_uploads_draw_distinct_numbers(storage: Storage, clock: FixedClock) -> None:
    """Numbers are drawn under the ``policy-versions`` lock (the unique key is the backstop):
    four managers uploading at once get four numbers, none lost."""
    import threading

    app: App = backend_app(storage, clock)
    org = make_org(app)
    cmd = UploadPolicy(document=with_file_late("80.00"), effective_from=date(2026, 11, 1))
    numbers: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def upload() -> None:
        start.wait()
        try:
            numbers.append(app.services.policy_lab.upload(org.manager.id, cmd).number)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=upload) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(numbers) == [2, 3, 4, 5]
