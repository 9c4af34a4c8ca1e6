"""SQL storage of the HTTP replay's jobs (issue 15): the ``replay_jobs`` table and its store.

Replay jobs are adapter state of the HTTP layer (the core knows the replay, not jobs), so
they are not part of the core's UnitOfWork and never of the replay's rolled-back one:
``adapters.http.api.policy_replay`` talks to this store directly, each call its own short
transaction on the storage's engine. Every worker reads the same rows, so a job is polled on
any worker and outlives a restart. Finished jobs are pruned to the newest few.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from adapters.replay_jobs import ACTIVE, ReplayJobRow
from adapters.sql.errors import translated
from adapters.sql.schema import ID, metadata
from adapters.sql.types import AwareDateTime
from csdomain.kernel.ids import StaffId

replay_jobs = sa.Table(
    "replay_jobs",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("status", sa.String(32), nullable=False, index=True),
    sa.Column("started_by", ID, nullable=False),
    sa.Column("submitted_at", AwareDateTime(), nullable=False),
    sa.Column("period_start", sa.Date(), nullable=False),
    sa.Column("period_end", sa.Date(), nullable=False),
    # host:pid:token of the pool that queued it and runs it; its last sign of life
    sa.Column("runner", sa.String(200), nullable=False),
    sa.Column("heartbeat_at", AwareDateTime(), nullable=False),
    sa.Column("done", sa.Integer(), nullable=False),
    sa.Column("total", sa.Integer(), nullable=False),
    sa.Column("step", sa.String(), nullable=False),
    sa.Column("finished_at", AwareDateTime(), nullable=True),
    sa.Column("error", sa.Text(), nullable=True),  # JSON text
    sa.Column("report", sa.Text(), nullable=True),  # JSON text, the CLI's --json shape
)


def _row(values: Any) -> ReplayJobRow:
    return ReplayJobRow(**{**values, "started_by": StaffId(values["started_by"])})


class SqlReplayJobs:
    """``adapters.replay_jobs.ReplayJobStore`` on the application's SQL database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, row: ReplayJobRow) -> None:
        with translated(), self.engine.begin() as conn:
            conn.execute(replay_jobs.insert().values(**attrs.asdict(row)))

    def get(self, job_id: str) -> ReplayJobRow | None:
        with translated(), self.engine.connect() as conn:
            found = (
                conn.execute(sa.select(replay_jobs).where(replay_jobs.c.id == job_id))
                .mappings()
                .one_or_none()
            )
        return None if found is None else _row(found)

    def active(self) -> list[ReplayJobRow]:
        query = (
            sa.select(replay_jobs)
            .where(replay_jobs.c.status.in_(ACTIVE))
            .order_by(replay_jobs.c.submitted_at, replay_jobs.c.id)
        )
        with translated(), self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(query).mappings()]

    def remove(self, job_id: str) -> None:
        with translated(), self.engine.begin() as conn:
            conn.execute(replay_jobs.delete().where(replay_jobs.c.id == job_id))

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
        c = replay_jobs.c
        with translated(), self.engine.begin() as conn:
            conn.execute(
                replay_jobs.update()
                .where(c.id == job_id, c.runner == runner, c.status.in_(ACTIVE))
                .values(status=status, done=done, total=total, step=step, heartbeat_at=now)
            )

    def heartbeat(self, runner: str, now: datetime) -> None:
        c = replay_jobs.c
        with translated(), self.engine.begin() as conn:
            conn.execute(
                replay_jobs.update()
                .where(c.runner == runner, c.status.in_(ACTIVE))
                .values(heartbeat_at=now)
            )

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
        c = replay_jobs.c
        query = replay_jobs.update().where(c.id == job_id, c.status.in_(ACTIVE))
        if runner is not None:
            query = query.where(c.runner == runner)
        with translated(), self.engine.begin() as conn:
            result = conn.execute(
                query.values(status=status, error=error, report=report, finished_at=now)
            )
        return int(result.rowcount) == 1

    def prune(self, keep: int) -> int:
        c = replay_jobs.c
        beyond = (
            sa.select(c.id)
            .where(c.finished_at.is_not(None))
            .order_by(c.finished_at.desc(), c.submitted_at.desc(), c.id.desc())
            .offset(keep)
        )
        with translated(), self.engine.begin() as conn:
            ids = list(conn.execute(beyond).scalars())
            if ids:
                conn.execute(replay_jobs.delete().where(c.id.in_(ids)))
        return len(ids)


__all__ = ["SqlReplayJobs", "replay_jobs"]
