"""The what-if replay over HTTP (issue 15, deliverable 5): a background job with progress.

``POST /policy/replays`` with the candidate policy's TOML text and the period answers 202
with the job (``Location`` names it) and runs the replay in a bounded thread pool;
``GET /policy/replays/<id>`` shows its progress and, once done, the report (the same shape
as ``csdomain policy replay --json``). A job is seen only by whoever started it.

Jobs live in a store beside the data (``adapters.replay_jobs``: the ``replay_jobs`` table on
SQL, this process's memory on the memory adapter), so under several gunicorn workers any
worker answers the poll, and a finished job's report survives a restart. The worker that
received the POST runs the job in its pool, writing progress in short transactions of its
own (at most once a second, plus a heartbeat every few seconds); a job whose runner died (no
heartbeat for ``LOST_AFTER``, or its process is gone) is reported ``lost``. At most
``WORKERS + QUEUE`` jobs are queued or running across all workers; beyond that a start is a
409 until one finishes. Finished jobs are kept (the latest ``KEEP``) for their reports.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

import attrs
from flask import Blueprint, Flask, Response, current_app

from adapters.bootstrap import App, replay_job_store
from adapters.http.openapi import operation
from adapters.http.rest import EXTENSION, actor, body, respond, services
from adapters.replay_jobs import (
    ReplayJobRow,
    ReplayJobStore,
    is_lost,
    new_runner,
    retire_runner,
)
from adapters.replay_report import policy_changes, report_dict
from csdomain.kernel.errors import Conflict, DomainError, NotFound, PolicyError, ValidationError
from csdomain.kernel.ids import StaffId
from csdomain.policy.model import Policy
from csdomain.policy_lab.replay import ReplayPolicy, check_period
from csdomain.services import Services

bp = Blueprint("policy_replay", __name__)
log = logging.getLogger(__name__)

WORKERS = 2  # replays running at once per process (2 shared cores: the API stays responsive)
QUEUE = 8  # replays waiting beyond those (the bound counts every worker's jobs)
KEEP = 50  # finished jobs kept for their reports
PROGRESS_EVERY = 1.0  # seconds between progress writes of one job (the last step always)
HEARTBEAT_SECONDS = 5.0  # how often a runner says its queued and running jobs are alive
LOST_AFTER = timedelta(minutes=2)  # silence after which a job's runner is taken for dead
_EXTENSION = "csdomain.replay_jobs"
_LOST = {"detail": "the worker running this replay stopped before it finished: start it again"}


@attrs.define
class ReplayJob:
    """A replay job: its state (``queued`` → ``running`` → ``done`` | ``failed``, or ``lost``
    when its worker died), progress (``done`` of ``total`` steps, one per capability and
    month, ``step`` the latest), and the report or the problem once it ends."""

    id: str
    status: str
    started_by: StaffId
    submitted_at: datetime
    start: str
    end: str
    done: int = 0
    total: int = 0
    step: str = ""
    finished_at: datetime | None = None
    error: dict[str, str] | None = None
    report: dict[str, Any] | None = None


def job_of(row: ReplayJobRow) -> ReplayJob:
    """What the API shows of a stored job (the runner and its heartbeat stay inside)."""
    return ReplayJob(
        id=row.id,
        status=row.status,
        started_by=row.started_by,
        submitted_at=row.submitted_at,
        start=row.period_start.isoformat(),
        end=row.period_end.isoformat(),
        done=row.done,
        total=row.total,
        step=row.step,
        finished_at=row.finished_at,
        error=json.loads(row.error) if row.error else None,
        report=json.loads(row.report) if row.report else None,
    )


@attrs.define
class _Progress:
    """A running job's latest progress, and when (monotonic) it was last written."""

    done: int = 0
    total: int = 0
    step: str = ""
    written: float = 0.0


class ReplayJobs:
    """The runner of one Flask application: a bounded pool running the jobs it queued in the
    shared store, and a heartbeat for them (thread-safe)."""

    def __init__(self, state: App, store: ReplayJobStore | None = None) -> None:
        self.state = state
        self.store = store if store is not None else replay_job_store(state.storage)
        self.runner = new_runner(secrets.token_hex(4))
        self.pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="csd-replay")
        self.lock = threading.Lock()
        self.mine: set[str] = set()  # this runner's queued and running jobs
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None

    def now(self) -> datetime:
        return self.state.services.ctx.now()

    def submit(
        self, svc: Services, actor_id: StaffId, candidate: Policy, cmd: ReplayPolicy
    ) -> ReplayJob:
        now = svc.ctx.now()
        self.reap(now)  # a dead worker's jobs do not hold places in the queue forever
        row = ReplayJobRow(
            id=f"rpl_{secrets.token_hex(8)}",
            status="queued",
            started_by=actor_id,
            submitted_at=now,
            period_start=cmd.start,
            period_end=cmd.end,
            runner=self.runner,
            heartbeat_at=now,
        )
        self.store.add(row)  # added, then counted: racing workers can only under-admit
        waiting = len(self.store.active())
        if waiting > WORKERS + QUEUE:
            self.store.remove(row.id)
            raise Conflict(
                f"{waiting - 1} replays are queued or running: try again when one is done",
                field="document",
            )
        self.store.prune(KEEP)
        with self.lock:
            self.mine.add(row.id)
        self._start_heartbeat()
        self.pool.submit(self._run, svc, row.id, actor_id, candidate, cmd)
        return job_of(row)

    def _run(
        self, svc: Services, job_id: str, actor_id: StaffId, candidate: Policy, cmd: ReplayPolicy
    ) -> None:
        latest = _Progress()

        def write(status: str) -> None:
            try:
                self.store.progress(
                    job_id,
                    self.runner,
                    svc.ctx.now(),
                    status=status,
                    done=latest.done,
                    total=latest.total,
                    step=latest.step,
                )
            except Exception as exc:  # a missed progress write must not fail the replay
                log.warning("replay %s: progress not written", job_id, exc_info=exc)

        def progress(done: int, total: int, label: str) -> None:
            latest.done, latest.total, latest.step = done, total, label
            moment = time.monotonic()
            if done >= total or moment - latest.written >= PROGRESS_EVERY:
                latest.written = moment
                write("running")

        try:
            write("running")
            try:
                report = svc.replay.replay(
                    actor_id,
                    candidate,
                    cmd.start,
                    cmd.end,
                    progress=progress,
                )
            except DomainError as exc:
                error = {"detail": exc.message, "field": exc.field or "", "rule": exc.rule or ""}
                self._finish(svc, job_id, "failed", error=error)
                return
            except Exception as exc:  # the job records it; the pool thread must survive
                log.error("replay %s failed", job_id, exc_info=exc)
                error = {"detail": f"unexpected error: {type(exc).__name__}"}
                self._finish(svc, job_id, "failed", error=error)
                return
            write("running")  # the last step, even if it fell within the throttle
            changes = policy_changes(svc.ctx.policy, candidate)
            self._finish(svc, job_id, "done", report=report_dict(report, changes))
        except Exception as exc:  # the store failed: the job ends lost, the thread lives on
            log.error("replay %s: its job could not be recorded", job_id, exc_info=exc)
        finally:
            with self.lock:
                self.mine.discard(job_id)

    def _finish(
        self,
        svc: Services,
        job_id: str,
        status: str,
        *,
        error: dict[str, str] | None = None,
        report: dict[str, Any] | None = None,
    ) -> None:
        self.store.finish(
            job_id,
            svc.ctx.now(),
            status=status,
            error=None if error is None else json.dumps(error, ensure_ascii=False),
            report=None if report is None else json.dumps(report, ensure_ascii=False),
            runner=self.runner,
        )

    def reap(self, now: datetime) -> None:
        """Mark ``lost`` every queued or running job whose runner died."""
        for row in self.store.active():
            self._lose_if_dead(row, now)

    def _lose_if_dead(self, row: ReplayJobRow, now: datetime) -> bool:
        if not is_lost(row, now, LOST_AFTER):
            return False
        return self.store.finish(
            row.id, now, status="lost", error=json.dumps(_LOST), runner=row.runner
        )

    def get(self, job_id: str, actor_id: StaffId) -> ReplayJob:
        row = self.store.get(job_id)
        if row is None or row.started_by != actor_id:  # another's job is not disclosed
            raise NotFound(f"no replay job {job_id}", field="job_id")
        if self._lose_if_dead(row, self.now()):
            row = self.store.get(job_id) or row
        return job_of(row)

    def _start_heartbeat(self) -> None:
        with self.lock:
            if self._beat is not None:
                return
            self._beat = threading.Thread(
                target=self._heartbeat, name="csd-replay-heartbeat", daemon=True
            )
            self._beat.start()

    def _heartbeat(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
            with self.lock:
                busy = bool(self.mine)
            if not busy:
                continue
            try:
                self.store.heartbeat(self.runner, self.now())
            except Exception as exc:  # try again at the next beat
                log.warning("replay heartbeat not written", exc_info=exc)

    def shutdown(self) -> None:
        """Stop running: jobs still queued or running here will be reported lost."""
        self._stop.set()
        retire_runner(self.runner)
        self.pool.shutdown(wait=False, cancel_futures=True)


def jobs_of(app: Flask) -> ReplayJobs:
    jobs: ReplayJobs | None = app.extensions.get(_EXTENSION)
    if jobs is None:
        with _CREATE:
            jobs = app.extensions.get(_EXTENSION)
            if jobs is None:
                jobs = app.extensions[_EXTENSION] = ReplayJobs(app.extensions[EXTENSION])
    return jobs


_CREATE = threading.Lock()


def parse_candidate(document: str) -> Policy:
    """The candidate document as a policy, or a 422 naming ``document`` and every bad key."""
    from adapters.policy_file import parse_policy

    try:
        return parse_policy(tomllib.loads(document), "document")
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(f"not valid TOML: {exc}", field="document", rule="X-8") from exc
    except PolicyError as exc:
        err = ValidationError(exc.message, field="document", rule="X-8")
        err.errors = [  # type: ignore[attr-defined]
            (f"document{path[1:]}", why) for path, why in (exc.problems or [])
        ]
        raise err from exc


@operation(
    bp,
    "/policy/replays",
    "POST",
    action="policy.replay",
    summary="Start a what-if replay of the period under a candidate policy (issue 15)",
    description="Re-evaluates the recorded history of [start, end] under the candidate "
    "policy (its TOML text) beside the policy in force, in the background, writing nothing. "
    "Answers 202 with the job; poll it for progress and the report.",
    body=ReplayPolicy,
    response=ReplayJob,
    status=202,
    problems=(409,),
)
def start_replay() -> Response:
    cmd = body(ReplayPolicy)
    check_period(cmd.start, cmd.end)  # a bad period is a 422 now, not a failed job
    candidate = parse_candidate(cmd.document)
    svc = services()
    job = jobs_of(current_app).submit(svc, actor().id, candidate, cmd)
    return respond(job, 202, location=f"/api/v1/policy/replays/{job.id}")


@operation(
    bp,
    "/policy/replays/<job_id>",
    "GET",
    action="policy.replay",
    summary="A replay job: its progress and, once done, the report (issue 15)",
    response=ReplayJob,
)
def get_replay(job_id: str) -> Response:
    return respond(jobs_of(current_app).get(job_id, actor().id))
