"""Replay jobs shared by every worker (issue 15): the job store on memory, SQLite and
PostgreSQL; two Flask apps on the same database (two gunicorn workers) see each other's jobs
and a restarted one still serves a finished job; a job whose runner died is ``lost``; the
queue bound counts every worker's jobs; another person's job is a 404 on any worker."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from replay_support import doubling_from_second_text, record_october

from adapters.bootstrap import App, Storage, bootstrap, replay_job_store
from adapters.http import create_app
from adapters.http.api import policy_replay
from adapters.http.api.policy_replay import LOST_AFTER, QUEUE, WORKERS, jobs_of
from adapters.policy_file import default_policy
from adapters.replay_jobs import (
    HOST,
    ReplayJobRow,
    ReplayJobStore,
    is_lost,
    new_runner,
    retire_runner,
    runner_alive,
)
from adapters.settings import Settings
from adapters.sql import SqlStorage
from adapters.sql.tables import metadata
from csd_support import Org, at, make_org
from csdomain.kernel.clock import FixedClock
from csdomain.kernel.ids import StaffId

URL = "/api/v1/policy/replays"
BODY = {"start": "2026-10-01", "end": "2026-10-31"}
NOW = at("2026-11-03 10:00")
ELSEWHERE = "other-host:4242:cafe"  # a runner on another host: only its heartbeat tells


def _row(
    job_id: str, *, runner: str = ELSEWHERE, status: str = "queued", **kw: Any
) -> ReplayJobRow:
    values: dict[str, Any] = {
        "id": job_id,
        "status": status,
        "started_by": StaffId("stf_someone"),
        "submitted_at": NOW,
        "period_start": date(2026, 10, 1),
        "period_end": date(2026, 10, 31),
        "runner": runner,
        "heartbeat_at": NOW,
    }
    values.update(kw)
    return ReplayJobRow(**values)


def _dead_pid() -> int:
    """The pid of a process of this host that has just ended."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


# --------------------------------------------------------------------- the job store


@pytest.fixture
def store(storage: Storage) -> ReplayJobStore:
    return replay_job_store(storage)


def test_the_store_keeps_a_job_and_its_progress(store: ReplayJobStore) -> None:
    store.add(_row("rpl_1"))
    assert store.get("rpl_2") is None
    store.progress(
        "rpl_1",
        ELSEWHERE,
        NOW + timedelta(seconds=3),
        status="running",
        done=2,
        total=5,
        step="penalties 2026-10",
    )
    got = store.get("rpl_1")
    assert got is not None
    assert (got.status, got.done, got.total, got.step) == ("running", 2, 5, "penalties 2026-10")
    assert got.heartbeat_at == NOW + timedelta(seconds=3)
    assert got.started_by == "stf_someone" and got.period_end == date(2026, 10, 31)
    # another runner cannot write this job's progress, nor end it
    store.progress("rpl_1", "x:1:y", NOW, status="running", done=5, total=5, step="")
    assert not store.finish("rpl_1", NOW, status="done", runner="x:1:y")
    assert store.get("rpl_1").done == 2  # type: ignore[union-attr]
    store.heartbeat(ELSEWHERE, NOW + timedelta(seconds=9))
    assert store.get("rpl_1").heartbeat_at == NOW + timedelta(seconds=9)  # type: ignore[union-attr]
    assert [r.id for r in store.active()] == ["rpl_1"]

    report = '{"sections": [], "name": "张三"}'
    assert store.finish(
        "rpl_1", NOW + timedelta(minutes=1), status="done", report=report, runner=ELSEWHERE
    )
    done = store.get("rpl_1")
    assert done is not None and done.status == "done" and done.report == report
    assert done.finished_at == NOW + timedelta(minutes=1)
    assert store.active() == []
    # a finished job stays finished: a late "lost" does not overwrite it
    assert not store.finish("rpl_1", NOW + timedelta(minutes=2), status="lost")
    assert store.get("rpl_1").status == "done"  # type: ignore[union-attr]
    store.remove("rpl_1")
    assert store.get("rpl_1") is None


def test_the_store_prunes_finished_jobs_to_the_newest(store: ReplayJobStore) -> None:
    for n in range(5):
        store.add(_row(f"rpl_{n}"))
        store.finish(f"rpl_{n}", NOW + timedelta(minutes=n), status="done", report="{}")
    store.add(_row("rpl_running", status="running"))
    assert store.prune(2) == 3
    assert [store.get(f"rpl_{n}") is not None for n in range(5)] == [
        False,
        False,
        False,
        True,
        True,
    ]
    assert store.get("rpl_running") is not None  # an active job is never pruned
    assert store.prune(2) == 0


# --------------------------------------------------------------------- liveness


def test_a_silent_or_dead_runner_loses_its_job() -> None:
    fresh = _row("rpl_a", status="running", heartbeat_at=NOW - LOST_AFTER)
    assert not is_lost(fresh, NOW, LOST_AFTER)
    silent = _row("rpl_b", status="running", heartbeat_at=NOW - LOST_AFTER - timedelta(seconds=1))
    assert is_lost(silent, NOW, LOST_AFTER)
    queued_silent = _row("rpl_c", heartbeat_at=NOW - timedelta(hours=1))
    assert is_lost(queued_silent, NOW, LOST_AFTER)  # its worker's queue died with it
    gone = _row("rpl_d", status="running", runner=f"{HOST}:{_dead_pid()}:beef")
    assert not runner_alive(gone.runner) and is_lost(gone, NOW, LOST_AFTER)
    mine = new_runner("feed")
    assert not is_lost(_row("rpl_e", runner=mine), NOW, LOST_AFTER)
    retire_runner(mine)  # this process shut that pool down
    assert is_lost(_row("rpl_e", runner=mine), NOW, LOST_AFTER)
    ended = _row("rpl_f", status="done", heartbeat_at=NOW - timedelta(days=1))
    assert not is_lost(ended, NOW, LOST_AFTER)


# ------------------------------------------------------- two workers on one database


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[tuple[App, App, Org, FixedClock]]:
    """Two applications on the same SQLite file, as two gunicorn workers are."""
    clock = FixedClock(at("2026-10-01 09:00"))
    settings = Settings(storage="sql", database_url=f"sqlite:///{tmp_path / 'shared.db'}")
    one = bootstrap(settings, clock=clock, policy=default_policy(), create_schema=True)
    two = bootstrap(settings, clock=clock, policy=default_policy())
    org = make_org(one)
    yield one, two, org, clock
    one.close()
    two.close()


def _data(app: App) -> list[tuple[str, list[str]]]:
    """Every row of every table but the jobs' own: what a replay must leave alone."""
    assert isinstance(app.storage, SqlStorage)
    with app.storage.engine.connect() as conn:
        return [
            (t.name, sorted(map(repr, conn.execute(sa.select(t)).all())))
            for t in metadata.sorted_tables
            if t.name != "replay_jobs"
        ]


def _auth(app: App, org: Org, who: str) -> dict[str, str]:
    token = app.services.org.issue_token(org.admin.id, getattr(org, who).id, "test")
    return {"Authorization": f"Bearer {token}"}


def _wait(client: FlaskClient, location: str, headers: dict[str, str]) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        resp = client.get(location, headers=headers)
        assert resp.status_code == 200, resp.get_json()
        job: dict[str, Any] = resp.get_json()
        if job["status"] not in ("queued", "running") or time.monotonic() > deadline:
            return job
        time.sleep(0.05)


def test_a_job_started_on_one_worker_is_polled_to_done_on_another(
    workers: tuple[App, App, Org, FixedClock],
) -> None:
    one, two, org, clock = workers
    people = record_october(one, org)
    clock.set(NOW)
    manager = _auth(one, org, "manager")
    first, second = create_app(one), create_app(two)
    for warm in (first, second):  # a first request stores the cookie key (app_secrets)
        assert warm.test_client().get(f"{URL}/rpl_none", headers=manager).status_code == 404
    before = _data(one)

    resp = first.test_client().post(
        URL, headers=manager, json={"document": doubling_from_second_text(), **BODY}
    )

    assert resp.status_code == 202, resp.get_json()
    location = resp.headers["Location"]
    job = _wait(second.test_client(), location, manager)
    assert job["status"] == "done", job
    assert job["done"] == job["total"] > 0
    fines = next(s for s in job["report"]["sections"] if s["capability"] == "penalties")
    assert {(i["subject_id"], i["difference"]) for i in fines["items"]} == {
        (people["zhou"].id, "+100.00"),
        (people["gao"].id, "+50.00"),
    }
    assert _data(two) == before  # the job's rows are written, the replay writes nothing
    # a job is disclosed only to who started it, whichever worker is asked
    assert second.test_client().get(location, headers=_auth(one, org, "gm")).status_code == 404
    assert first.test_client().get(location, headers=_auth(one, org, "gm")).status_code == 404

    # a restart: a fresh process's app on the same database still serves the report
    jobs_of(first).shutdown()
    jobs_of(second).shutdown()
    settings = Settings(storage="sql", database_url=str(one.settings.database_url))
    restarted = bootstrap(settings, clock=clock, policy=default_policy())
    try:
        again = create_app(restarted).test_client().get(location, headers=manager)
        assert again.status_code == 200
        assert again.get_json()["report"] == job["report"]
    finally:
        restarted.close()


def test_a_job_whose_worker_died_is_reported_lost(
    workers: tuple[App, App, Org, FixedClock],
) -> None:
    one, two, org, clock = workers
    clock.set(NOW)
    store = replay_job_store(one.storage)
    mine = StaffId(org.manager.id)
    store.add(
        _row(
            "rpl_dead",
            status="running",
            runner=f"{HOST}:{_dead_pid()}:beef",
            started_by=mine,
            done=1,
            total=4,
        )
    )
    store.add(_row("rpl_silent", status="running", started_by=mine))
    client = create_app(two).test_client()
    manager = _auth(one, org, "manager")

    dead = client.get(f"{URL}/rpl_dead", headers=manager).get_json()
    assert dead["status"] == "lost" and dead["finished_at"] is not None
    assert "start it again" in dead["error"]["detail"]
    assert (dead["done"], dead["total"]) == (1, 4)  # the progress it had made
    assert client.get(f"{URL}/rpl_silent", headers=manager).get_json()["status"] == "running"
    clock.set(NOW + LOST_AFTER + timedelta(seconds=1))  # no heartbeat for too long
    assert client.get(f"{URL}/rpl_silent", headers=manager).get_json()["status"] == "lost"
    # lost is final: the runner coming back cannot revive it
    store.progress("rpl_silent", ELSEWHERE, NOW, status="running", done=3, total=4, step="x")
    assert store.get("rpl_silent").status == "lost"  # type: ignore[union-attr]


def test_the_queue_bound_counts_every_workers_jobs(
    workers: tuple[App, App, Org, FixedClock],
) -> None:
    one, two, org, clock = workers
    clock.set(NOW)
    store = replay_job_store(one.storage)
    for n in range(WORKERS + QUEUE):  # another worker's, alive: they fill the queue
        store.add(_row(f"rpl_busy{n}", status="running" if n < WORKERS else "queued"))
    client = create_app(two).test_client()
    manager = _auth(one, org, "manager")
    body = {"document": doubling_from_second_text(), **BODY}

    full = client.post(URL, headers=manager, json=body)

    assert full.status_code == 409, full.get_json()
    assert len(store.active()) == WORKERS + QUEUE  # the refused job is not left behind
    clock.set(NOW + LOST_AFTER + timedelta(seconds=1))  # that worker died: its places free up
    started = client.post(URL, headers=manager, json=body)
    assert started.status_code == 202, started.get_json()
    assert store.get("rpl_busy0").status == "lost"  # type: ignore[union-attr]
    assert _wait(client, started.headers["Location"], manager)["status"] == "done"


def test_the_memory_store_is_shared_by_apps_over_the_same_storage(app: App, org: Org) -> None:
    """Memory storage: one store per storage, so two Flask apps over it see the same jobs."""
    manager = _auth(app, org, "manager")
    first, second = create_app(app), create_app(app)
    resp = first.test_client().post(
        URL, headers=manager, json={"document": doubling_from_second_text(), **BODY}
    )
    assert resp.status_code == 202
    job = _wait(second.test_client(), resp.headers["Location"], manager)
    assert job["status"] == "done", job
    assert isinstance(datetime.fromisoformat(job["finished_at"]), datetime)
    assert policy_replay.KEEP > 0
