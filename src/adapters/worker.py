"""The built-in scheduler: ``csdomain worker`` runs the periodic actions on the policy's times.

Why built in: a small team running ``csdomain serve`` has no cron, and its clocks would never
breach. The times are the policy's ``[scheduler.jobs]`` crontab lines, scheduled by
APScheduler (a maintained library, not a hand-written timer loop). Every job is a scheduler
action of the permission table, run as the system account ``csdomain init`` created.

Several workers may run (on several hosts against one PostgreSQL): each (job, tick) is
*claimed* by inserting one row into ``scheduler_runs`` whose primary key is (job, tick), so
the database lets exactly one worker act on a tick; the others see the row and skip. A claim
whose worker died (no finish after ``scheduler.stale_run_seconds``) is taken over.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

import attrs

from adapters.bootstrap import App
from csdomain.kernel.ids import StaffId
from csdomain.policy.scheduler import JOB_ACTIONS
from csdomain.services import Services

log = logging.getLogger("adapters.worker")

# job name -> how to run it as ``actor`` (each is a guarded, audited, bounded use case)
JOBS: dict[str, Callable[[Services, StaffId], Any]] = {
    "sweep": lambda s, a: s.cases.sweep(a),
    "violations_from_events": lambda s, a: s.penalties.record_from_events(a),
    "recurrences": lambda s, a: s.penalties.accrue_recurrences(a),
    "prioritize_jobs": lambda s, a: s.service_jobs.prioritize_undispatched(a),
    "late_jobs": lambda s, a: s.service_jobs.report_late(a),
    "renewal_notices": lambda s, a: s.service_jobs.send_renewal_notices(a),
    "credit_month_end": lambda s, a: s.credit.scheduled_month_end(a),
    "visit_reports_late": lambda s, a: s.visits.sweep_late_reports(a),
    "files_overdue": lambda s, a: s.customers.sweep_unhanded_files(a),
    "registers_overdue": lambda s, a: s.registers.sweep(a),
}
assert set(JOBS) == set(JOB_ACTIONS)


def tick_of(moment: datetime) -> str:
    """The tick a run belongs to: its minute (crontab's resolution), so every worker firing
    for the same crontab line names the same tick."""
    return moment.replace(second=0, microsecond=0).isoformat(timespec="minutes")


class RunLedger(Protocol):
    """Claims of (job, tick): at most one claim succeeds (a database key or a lock)."""

    def claim(self, job: str, tick: str, holder: str, now: datetime, stale: timedelta) -> bool: ...
    def finish(self, job: str, tick: str, holder: str, now: datetime, outcome: str) -> None: ...
    def runs(self, job: str | None = None) -> list[dict[str, str | None]]: ...


@attrs.define
class MemoryRunLedger:
    _rows: dict[tuple[str, str], dict[str, str | None]] = attrs.field(factory=dict)
    _lock: threading.Lock = attrs.field(factory=threading.Lock)

    def claim(self, job: str, tick: str, holder: str, now: datetime, stale: timedelta) -> bool:
        with self._lock:
            row = self._rows.get((job, tick))
            if row is not None:
                started = datetime.fromisoformat(str(row["started_at"]))
                if row["finished_at"] is not None or now - started < stale:
                    return False
            self._rows[(job, tick)] = {
                "job": job,
                "tick": tick,
                "holder": holder,
                "started_at": now.isoformat(),
                "finished_at": None,
                "outcome": None,
            }
            return True

    def finish(self, job: str, tick: str, holder: str, now: datetime, outcome: str) -> None:
        with self._lock:
            row = self._rows[(job, tick)]
            if row["holder"] == holder:
                row["finished_at"] = now.isoformat()
                row["outcome"] = outcome

    def runs(self, job: str | None = None) -> list[dict[str, str | None]]:
        with self._lock:
            return [dict(r) for r in self._rows.values() if job is None or r["job"] == job]


def ledger_for(app: App) -> RunLedger:
    """The run ledger of the app's storage (SQL table, or in memory)."""
    engine = getattr(app.storage, "engine", None)
    if engine is None:
        shared: RunLedger | None = getattr(app.storage, "_run_ledger", None)
        if shared is None:
            shared = MemoryRunLedger()
            app.storage._run_ledger = shared  # type: ignore[attr-defined]
        return shared
    from adapters.sql.scheduler import SqlRunLedger

    return SqlRunLedger(engine)


@attrs.define
class Worker:
    """Runs due jobs once per tick across every worker sharing the database."""

    app: App
    ledger: RunLedger
    holder: str = attrs.field(factory=lambda: f"{socket.gethostname()}:{os.getpid()}")

    @classmethod
    def for_app(cls, app: App) -> Worker:
        return cls(app, ledger_for(app))

    def run(self, job: str, moment: datetime | None = None) -> str | None:
        """Run ``job`` for the tick of ``moment`` (default now) unless another worker has
        claimed that tick; returns the outcome, or None when skipped."""
        self.app.refresh_policy()  # issue 15: versions activated by another process
        services = self.app.services
        now = services.ctx.now()
        tick = tick_of(moment or now)
        stale = timedelta(seconds=self.app.policy.scheduler.stale_run_seconds)
        if not self.ledger.claim(job, tick, self.holder, now, stale):
            log.info("job %s at %s: claimed by another worker, skipped", job, tick)
            return None
        outcome = "ok"
        try:
            actor = services.org.system_account().id
            result = JOBS[job](services, actor)
            outcome = f"ok: {_summary(result)}"
        except Exception as exc:  # a failed run is recorded, and the next tick tries again
            outcome = f"failed: {type(exc).__name__}: {exc}"[:500]
            log.exception("job %s at %s failed", job, tick)
        self.ledger.finish(job, tick, self.holder, services.ctx.now(), outcome)
        log.info("job %s at %s: %s", job, tick, outcome)
        return outcome

    def scheduled(self) -> dict[str, str]:
        return {job: line for job, line in self.app.policy.scheduler.jobs.items() if line}

    def start(self, *, block: bool = True) -> Any:
        """Schedule every job of the policy with APScheduler and run (``block``) or return
        the started background scheduler (for ``serve --with-worker`` and tests)."""
        from apscheduler.schedulers.background import BackgroundScheduler
        from apscheduler.schedulers.blocking import BlockingScheduler
        from apscheduler.triggers.cron import CronTrigger

        tz = self.app.policy.calendar.timezone
        scheduler = (BlockingScheduler if block else BackgroundScheduler)(timezone=tz)
        for job, line in self.scheduled().items():
            scheduler.add_job(
                self.run,
                CronTrigger.from_crontab(line, timezone=tz),
                args=[job],
                id=job,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=60,
            )
        log.info("worker %s scheduling %s", self.holder, self.scheduled())
        scheduler.start()
        return scheduler


def _summary(result: Any) -> str:
    if isinstance(result, list):
        return f"{len(result)} item(s)"
    for name in ("breaches", "recorded", "items"):
        value = getattr(result, name, None)
        if isinstance(value, list):
            return f"{len(value)} {name}"
    return type(result).__name__
