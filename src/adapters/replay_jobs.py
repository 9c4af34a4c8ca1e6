"""Where the HTTP replay's jobs live (issue 15): the row, the store port, the memory store and
the liveness rule, shared by the HTTP adapter (which runs jobs) and the SQL adapter (which
stores them in ``replay_jobs``). No Flask here, like ``adapters.web_sessions``.

Jobs are adapter state, not core records: the replay itself writes nothing (its unit of work
is rolled back), and a job's progress is written by the runner in its own short
transactions. Every gunicorn worker reads the same store, so a job started on one worker is
polled on any other and survives a restart of the one that ran it (as ``lost`` if it was
still running then: see ``is_lost``).
"""

from __future__ import annotations

import os
import socket
import threading
from datetime import date, datetime, timedelta
from typing import Protocol

import attrs

from csdomain.kernel.ids import StaffId

ACTIVE = ("queued", "running")  # a job that still holds a place in the queue bound
FINAL = ("done", "failed", "lost")


@attrs.define
class ReplayJobRow:
    """A stored job. ``runner`` names the process (and the pool in it) that queued the job
    and will run it; ``heartbeat_at`` is when that runner last said it is alive. ``error``
    and ``report`` are JSON text."""

    id: str
    status: str
    started_by: StaffId
    submitted_at: datetime
    period_start: date
    period_end: date
    runner: str
    heartbeat_at: datetime
    done: int = 0
    total: int = 0
    step: str = ""
    finished_at: datetime | None = None
    error: str | None = None
    report: str | None = None


class ReplayJobStore(Protocol):
    """The jobs every worker reads (memory: this process; SQL: the ``replay_jobs`` table)."""

    def add(self, row: ReplayJobRow) -> None: ...
    def get(self, job_id: str) -> ReplayJobRow | None: ...
    def active(self) -> list[ReplayJobRow]:
        """The queued and running jobs of every runner."""
        ...

    def remove(self, job_id: str) -> None:
        """Forget a job that was refused right after it was added (over the queue bound)."""
        ...

    def progress(
        self,
        job_id: str,
        runner: str,
        now: datetime,
        *,
        status: str,
        done: int,
        total: int,
        step: str,
    ) -> None:
        """Record the runner's progress (and heartbeat), unless the job is no longer its own
        active job (e.g. another worker marked it lost)."""
        ...

    def heartbeat(self, runner: str, now: datetime) -> None:
        """Say ``runner`` is alive for each of its active jobs."""
        ...

    def finish(
        self,
        job_id: str,
        now: datetime,
        *,
        status: str,
        error: str | None = None,
        report: str | None = None,
        runner: str | None = None,
    ) -> bool:
        """End an active job (``runner`` given: only if it is still that runner's); True when
        this call ended it."""
        ...

    def prune(self, keep: int) -> int:
        """Delete finished jobs beyond the newest ``keep``; how many were deleted."""
        ...


# --------------------------------------------------------------------------- liveness


def _host() -> str:
    """This host and pid namespace: containers sharing a host name (host networking) have
    pids of their own, so a pid is only checked inside the namespace that issued it."""
    try:
        space = os.readlink("/proc/self/ns/pid").removeprefix("pid:").strip("[]")
    except OSError:
        space = ""
    name = socket.gethostname().replace(":", "_")
    return f"{name}/{space}" if space else name


HOST = _host()
_LIVE: set[str] = set()  # the runners alive in this process
_LIVE_LOCK = threading.Lock()


def new_runner(token: str) -> str:
    """A runner name for a pool of this process: ``host:pid:token``."""
    runner = f"{HOST}:{os.getpid()}:{token}"
    with _LIVE_LOCK:
        _LIVE.add(runner)
    return runner


def retire_runner(runner: str) -> None:
    """The pool is shut down: its jobs that are still active will be lost."""
    with _LIVE_LOCK:
        _LIVE.discard(runner)


def runner_alive(runner: str) -> bool:
    """False when ``runner`` is known to be gone: a retired pool of this process, or a process
    of this host that no longer exists. A runner on another host is presumed alive (its
    heartbeat decides)."""
    host, _, rest = runner.partition(":")
    pid_text, _, _ = rest.partition(":")
    if host != HOST or not pid_text.isdigit():
        return True
    pid = int(pid_text)
    if pid == os.getpid():
        with _LIVE_LOCK:
            return runner in _LIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a process of another user has the pid: ours is gone
        return False
    return True


def is_lost(row: ReplayJobRow, now: datetime, lost_after: timedelta) -> bool:
    """A queued or running job whose runner died: it was silent for longer than
    ``lost_after`` (runners beat every few seconds), or its process is gone. Such a job would
    otherwise show ``running`` forever."""
    if row.status not in ACTIVE:
        return False
    return now - row.heartbeat_at > lost_after or not runner_alive(row.runner)


# ------------------------------------------------------------------------- memory store


class MemoryReplayJobs:
    """The store for memory storage: a dict under a lock (memory servers run one worker)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: dict[str, ReplayJobRow] = {}

    def add(self, row: ReplayJobRow) -> None:
        with self._lock:
            if row.id in self._rows:
                raise ValueError("replay job id collision")
            self._rows[row.id] = attrs.evolve(row)

    def get(self, job_id: str) -> ReplayJobRow | None:
        with self._lock:
            row = self._rows.get(job_id)
            return None if row is None else attrs.evolve(row)

    def active(self) -> list[ReplayJobRow]:
        with self._lock:
            return [attrs.evolve(r) for r in self._rows.values() if r.status in ACTIVE]

    def remove(self, job_id: str) -> None:
        with self._lock:
            self._rows.pop(job_id, None)

    def progress(
        self,
        job_id: str,
        runner: str,
        now: datetime,
        *,
        status: str,
        done: int,
        total: int,
        step: str,
    ) -> None:
        with self._lock:
            row = self._rows.get(job_id)
            if row is not None and row.runner == runner and row.status in ACTIVE:
                row.status, row.done, row.total, row.step = status, done, total, step
                row.heartbeat_at = now

    def heartbeat(self, runner: str, now: datetime) -> None:
        with self._lock:
            for row in self._rows.values():
                if row.runner == runner and row.status in ACTIVE:
                    row.heartbeat_at = now

    def finish(
        self,
        job_id: str,
        now: datetime,
        *,
        status: str,
        error: str | None = None,
        report: str | None = None,
        runner: str | None = None,
    ) -> bool:
        with self._lock:
            row = self._rows.get(job_id)
            if row is None or row.status not in ACTIVE:
                return False
            if runner is not None and row.runner != runner:
                return False
            row.status, row.error, row.report, row.finished_at = status, error, report, now
            return True

    def prune(self, keep: int) -> int:
        with self._lock:
            finished = sorted(
                (r for r in self._rows.values() if r.finished_at is not None),
                key=lambda r: (r.finished_at, r.submitted_at, r.id),
                reverse=True,
            )
            for row in finished[keep:]:
                del self._rows[row.id]
            return len(finished[keep:])


__all__ = [
    "ACTIVE",
    "FINAL",
    "MemoryReplayJobs",
    "ReplayJobRow",
    "ReplayJobStore",
    "is_lost",
    "new_runner",
    "retire_runner",
    "runner_alive",
]
