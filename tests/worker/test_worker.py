"""Issue 11: the built-in worker runs the periodic actions as the system account, and when
several run at once (two hosts on one PostgreSQL) each tick runs once and each breach is
recorded once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from click.testing import CliRunner

from adapters.bootstrap import App, bootstrap
from adapters.cli.main import cli
from adapters.policy_file import default_policy
from adapters.settings import Settings
from adapters.sql import SqlStorage
from adapters.worker import JOBS, MemoryRunLedger, Worker, ledger_for, tick_of
from backend_fixtures import MemoryStorage, backend_app
from csdomain.cases.commands import ReceiveCase
from csdomain.kernel.clock import FixedClock
from csdomain.kernel.ids import StaffId


def _breaching_case(app: App, clock: FixedClock) -> StaffId:
    """A complaint received now whose 24-hour acknowledgement clock is breached in 2 days;
    returns a GM's id (who may read every case)."""
    org = app.services.org
    admin, _ = org.bootstrap_admin("Admin")
    desk = org.add_staff(admin.id, name="Desk", role="staff")
    gm = org.add_staff(admin.id, name="GM", role="gm")
    app.services.cases.receive(
        desk.id,
        ReceiveCase(
            type="complaint",
            category="service_quality",
            channel="hotline",
            content="Nobody called back",
            customer_name="张三",
        ),
    )
    clock.advance(timedelta(days=2))
    return gm.id


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_two_workers_at_once_run_each_tick_once(
    backend: str, request: pytest.FixtureRequest, clock: FixedClock
) -> None:
    if backend == "memory":
        storage = MemoryStorage()
        apps = [backend_app(storage, clock)] * 2
        ledger = ledger_for(apps[0])
        workers = [Worker(apps[0], ledger, holder=f"host{i}") for i in range(2)]
    else:
        if backend == "postgres":
            request.applymarker(pytest.mark.postgres)
            request.getfixturevalue("postgres_url")
        factory: Callable[..., SqlStorage] = request.getfixturevalue("sql_storage_factory")
        apps = [backend_app(factory(backend), clock) for _ in range(2)]  # two hosts
        workers = [Worker(a, ledger_for(a), holder=f"host{i}") for i, a in enumerate(apps)]
    gm = _breaching_case(apps[0], clock)
    outcomes: list[str | None] = []
    barrier = threading.Barrier(2)

    def run(w: Worker) -> None:
        barrier.wait()
        outcomes.append(w.run("sweep"))

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    ran = [o for o in outcomes if o is not None]
    assert len(ran) == 1 and ran[0].startswith("ok"), outcomes
    case = apps[0].services.cases.list(gm)
    assert len(case) == 1
    breaches = apps[1].services.cases.breaches(gm, case[0].id)
    assert [b.clock for b in breaches].count("acknowledge") == 1
    runs = workers[1].ledger.runs("sweep")
    assert len(runs) == 1 and runs[0]["tick"] == tick_of(clock.now())
    # the next tick is a new run; the same tick again is not
    assert workers[0].run("sweep") is None
    clock.advance(timedelta(minutes=5))
    assert workers[1].run("sweep") is not None


def test_a_stale_claim_is_taken_over(clock: FixedClock) -> None:
    ledger = MemoryRunLedger()
    stale = timedelta(minutes=10)
    assert ledger.claim("sweep", "t", "a", clock.now(), stale)
    assert not ledger.claim("sweep", "t", "b", clock.now() + timedelta(minutes=5), stale)
    assert ledger.claim("sweep", "t", "b", clock.now() + timedelta(minutes=11), stale)


def test_every_policy_job_is_scheduled_with_apscheduler(clock: FixedClock) -> None:
    app = bootstrap(Settings(storage="memory"), clock=clock, policy=default_policy())
    app.services.org.bootstrap_admin("Admin")
    scheduler = Worker.for_app(app).start(block=False)
    try:
        jobs = {j.id: j for j in scheduler.get_jobs()}
        assert set(jobs) == set(JOBS)
        assert "*/5" in str(jobs["sweep"].trigger)
    finally:
        scheduler.shutdown(wait=False)


def test_cli_worker_once_runs_a_job_as_the_system_account(clock: FixedClock) -> None:
    app = bootstrap(Settings(storage="memory"), clock=clock, policy=default_policy())
    app.services.org.bootstrap_admin("Admin")
    result = CliRunner().invoke(cli, ["--json", "worker", "--once", "sweep"], obj=app)
    assert result.exit_code == 0, result.output
    assert '"sweep": "ok' in result.output
    again = CliRunner().invoke(cli, ["--json", "worker", "--once", "sweep"], obj=app)
    assert '"sweep": null' in again.output
    bad = CliRunner().invoke(cli, ["worker", "--once", "nap"], obj=app)
    assert bad.exit_code == 2 and "unknown job" in bad.output
