"""The what-if replay over HTTP (issue 15, deliverable 5): a background job with progress.

``POST /policy/replays`` with the candidate policy's TOML text and the period answers 202
with the job (``Location`` names it) and runs the replay in a bounded thread pool;
``GET /policy/replays/<id>`` shows its progress and, once done, the report (the same shape
as ``csdomain policy replay --json``). A job is seen only by whoever started it.

Jobs live in the serving process: they do not survive a restart, and under several gunicorn
workers a job is known only to the worker that started it (poll through sticky sessions, or
run replays from one worker; the CLI needs no server at all). The pool
holds ``WORKERS`` replays at a time and ``QUEUE`` more; beyond that a start is a 409 until
one finishes. Finished jobs are kept (the latest ``KEEP``) for their reports to be read.
"""

from __future__ import annotations

import secrets
import threading
import tomllib
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import attrs
from flask import Blueprint, Flask, Response, current_app

from adapters.http.openapi import operation
from adapters.http.rest import actor, body, respond, services
from adapters.replay_report import policy_changes, report_dict
from csdomain.kernel.errors import Conflict, DomainError, NotFound, PolicyError, ValidationError
from csdomain.kernel.ids import StaffId
from csdomain.policy.model import Policy
from csdomain.policy_lab.replay import ReplayPolicy, check_period
from csdomain.services import Services

bp = Blueprint("policy_replay", __name__)

WORKERS = 2  # replays running at once per process (2 shared cores: the API stays responsive)
QUEUE = 8  # replays waiting beyond those
KEEP = 50  # finished jobs kept for their reports
_EXTENSION = "csdomain.replay_jobs"


@attrs.define
class ReplayJob:
    """A replay job: its state (``queued`` → ``running`` → ``done`` | ``failed``), progress
    (``done`` of ``total`` steps, one per capability and month, ``step`` the latest), and the
    report or the problem once it ends."""

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


class ReplayJobs:
    """The jobs of one application: a bounded pool and the jobs it ran (thread-safe)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.jobs: OrderedDict[str, ReplayJob] = OrderedDict()
        self.pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="csd-replay")

    def submit(
        self, svc: Services, actor_id: StaffId, candidate: Policy, cmd: ReplayPolicy
    ) -> ReplayJob:
        now = svc.ctx.now()
        with self.lock:
            waiting = sum(1 for j in self.jobs.values() if j.status in ("queued", "running"))
            if waiting >= WORKERS + QUEUE:
                raise Conflict(
                    f"{waiting} replays are queued or running: try again when one is done",
                    field="document",
                )
            job = ReplayJob(
                id=f"rpl_{secrets.token_hex(8)}",
                status="queued",
                started_by=actor_id,
                submitted_at=now,
                start=cmd.start.isoformat(),
                end=cmd.end.isoformat(),
            )
            self.jobs[job.id] = job
            finished = [k for k, j in self.jobs.items() if j.finished_at is not None]
            for key in finished[: max(0, len(finished) - KEEP)]:
                del self.jobs[key]
        self.pool.submit(self._run, svc, job, candidate, cmd)
        return job

    def _run(self, svc: Services, job: ReplayJob, candidate: Policy, cmd: ReplayPolicy) -> None:
        def progress(done: int, total: int, label: str) -> None:
            with self.lock:
                job.done, job.total, job.step = done, total, label

        with self.lock:
            job.status = "running"
        try:
            report = svc.replay.replay(
                job.started_by, candidate, cmd.start, cmd.end, progress=progress
            )
        except DomainError as exc:
            with self.lock:
                job.status = "failed"
                job.error = {
                    "detail": exc.message,
                    "field": exc.field or "",
                    "rule": exc.rule or "",
                }
                job.finished_at = svc.ctx.now()
            return
        except Exception as exc:  # the job records it; the pool thread must survive
            with self.lock:
                job.status = "failed"
                job.error = {"detail": f"unexpected error: {type(exc).__name__}"}
                job.finished_at = svc.ctx.now()
            return
        changes = policy_changes(svc.ctx.policy, candidate)
        with self.lock:
            job.report = report_dict(report, changes)
            job.status = "done"
            job.finished_at = svc.ctx.now()

    def get(self, job_id: str, actor_id: StaffId) -> ReplayJob:
        with self.lock:
            job = self.jobs.get(job_id)
            if job is None or job.started_by != actor_id:  # another's job is not disclosed
                raise NotFound(f"no replay job {job_id}", field="job_id")
            return attrs.evolve(job)

    def shutdown(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


def jobs_of(app: Flask) -> ReplayJobs:
    jobs: ReplayJobs | None = app.extensions.get(_EXTENSION)
    if jobs is None:
        with _CREATE:
            jobs = app.extensions.get(_EXTENSION)
            if jobs is None:
                jobs = app.extensions[_EXTENSION] = ReplayJobs()
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
