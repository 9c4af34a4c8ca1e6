"""The worker's run ledger on SQL: one row per (job, tick), the primary key is the lease."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from adapters.sql.schema import metadata

scheduler_runs = sa.Table(
    "scheduler_runs",
    metadata,
    sa.Column("job", sa.String(64), primary_key=True),
    sa.Column("tick", sa.String(32), primary_key=True),
    sa.Column("holder", sa.String(200), nullable=False),
    sa.Column("started_at", sa.String(40), nullable=False),
    sa.Column("finished_at", sa.String(40), nullable=True),
    sa.Column("outcome", sa.String(500), nullable=True),
)


class SqlRunLedger:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def claim(self, job: str, tick: str, holder: str, now: datetime, stale: timedelta) -> bool:
        """Insert the (job, tick) row; the primary key lets exactly one worker win. A row left
        unfinished for longer than ``stale`` is taken over by one worker (a conditional
        UPDATE matches for one only)."""
        row = {"job": job, "tick": tick, "holder": holder, "started_at": now.isoformat()}
        try:
            with self.engine.begin() as conn:
                conn.execute(scheduler_runs.insert().values(**row))
            return True
        except sa.exc.IntegrityError:
            pass
        cutoff = (now - stale).isoformat()
        with self.engine.begin() as conn:
            taken = conn.execute(
                scheduler_runs.update()
                .where(
                    scheduler_runs.c.job == job,
                    scheduler_runs.c.tick == tick,
                    scheduler_runs.c.finished_at.is_(None),
                    scheduler_runs.c.started_at < cutoff,
                )
                .values(holder=holder, started_at=now.isoformat())
            )
            return taken.rowcount == 1

    def finish(self, job: str, tick: str, holder: str, now: datetime, outcome: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                scheduler_runs.update()
                .where(
                    scheduler_runs.c.job == job,
                    scheduler_runs.c.tick == tick,
                    scheduler_runs.c.holder == holder,
                )
                .values(finished_at=now.isoformat(), outcome=outcome[:500])
            )

    def runs(self, job: str | None = None) -> list[dict[str, str | None]]:
        query = sa.select(scheduler_runs).order_by(scheduler_runs.c.tick, scheduler_runs.c.job)
        if job is not None:
            query = query.where(scheduler_runs.c.job == job)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]
