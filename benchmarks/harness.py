"""Backends, raw connections, statement counting and the result row shared by the workloads.

SQLite: one fresh database file per workload, migrated with the packaged migrations (WAL, as
the product configures it); the raw ``sqlite3`` baseline opens that very file, whose journal
mode is persistent, with the same default ``synchronous``. PostgreSQL: one fresh schema per
workload in the database named by ``CSDOMAIN_BENCH_POSTGRES_URL`` (or
``CSDOMAIN_TEST_POSTGRES_URL``), dropped afterwards.
"""

from __future__ import annotations

import os
import resource
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url

PG_ENV = ("CSDOMAIN_BENCH_POSTGRES_URL", "CSDOMAIN_TEST_POSTGRES_URL")
TIMEZONE = "Asia/Shanghai"


def postgres_url() -> str | None:
    for name in PG_ENV:
        if os.environ.get(name):
            return os.environ[name]
    return None


@dataclass
class Result:
    """One row of the table; times in seconds, memory in MiB (csdomain's high-water mark
    above what the process held before the workload)."""

    workload: str
    backend: str
    size: str
    csdomain: float
    baseline: float
    items: int
    statements: float | None = None
    baseline_statements: float | None = None
    peak_mib: float | None = None
    notes: str = ""
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        return self.csdomain / self.baseline if self.baseline > 0 else float("nan")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Counter:
    """Statements the product sends to the database (an executemany counts once)."""

    def __init__(self) -> None:
        self.n = 0

    def attach(self, engine: sa.Engine) -> None:
        event.listen(engine, "before_cursor_execute", self._count)

    def detach(self, engine: sa.Engine) -> None:
        """Stop counting (a workload measuring twice on one engine)."""
        event.remove(engine, "before_cursor_execute", self._count)

    def _count(self, *_: Any) -> None:
        self.n += 1


def rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def reset_peak() -> None:
    """Start a new RSS high-water mark (Linux: ``5`` into ``/proc/self/clear_refs``), so the
    peak reported is the workload's own and not that of generating its data just before
    (a million generated rows peaked far above what the sweep itself holds)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:  # not Linux, or not permitted: the peak then includes the generation
        pass


def peak_mib() -> float:
    """The RSS high-water mark since ``reset_peak`` (``VmHWM``; ``ru_maxrss`` elsewhere)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


class Backend:
    """Where one workload runs: ``url`` for the product, ``raw()`` for the baseline."""

    def __init__(self, name: str, url: str, path: str = "", schema: str = "") -> None:
        self.name = name
        self.url = url
        self.path = path
        self.schema = schema

    def conninfo(self) -> str:
        u = make_url(self.url)
        info = (
            f"host={u.host or '127.0.0.1'} port={u.port or 5432} dbname={u.database} "
            f"user={u.username or 'postgres'} options=-csearch_path={self.schema}"
        )
        return info + (f" password={u.password}" if u.password else "")

    def raw(self) -> Raw:
        return Raw(self)

    def engine(self) -> sa.Engine:
        from adapters.sql.storage import create_engine

        return create_engine(self.url)

    def insert_rows(
        self, table: sa.Table, rows: Sequence[dict[str, Any]], chunk: int = 5000
    ) -> None:
        """Bulk-load generated rows through SQLAlchemy Core (types applied), in chunks."""
        engine = self.engine()
        try:
            for i in range(0, len(rows), chunk):
                with engine.begin() as conn:
                    conn.execute(table.insert(), list(rows[i : i + chunk]))
            # fresh statistics, as a live database has them (autovacuum on PostgreSQL):
            # without them the planner guesses, on both sides alike; VACUUM also sets the
            # visibility map, without which PostgreSQL's index-only scans visit the heap
            auto = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            with auto as conn:
                verb = "VACUUM ANALYZE" if self.name == "postgres" else "ANALYZE"
                conn.execute(sa.text(f"{verb} {table.name}"))
        finally:
            engine.dispose()

    def bind_row(self, table: sa.Table, values: dict[str, Any]) -> tuple[Any, ...]:
        """``values`` as the driver receives them for ``table`` (what SQLAlchemy would send),
        in column order, so a raw baseline writes exactly the product's representation."""
        dialect = _dialect_engine(self.name).dialect
        out = []
        for col in table.columns:
            if col.name == "seq":
                continue
            value = values.get(col.name)
            proc = col.type._cached_bind_processor(dialect)
            out.append(proc(value) if proc is not None and value is not None else value)
        return tuple(out)


class Raw:
    """A raw DB-API connection (sqlite3 / psycopg) to the workload's database, counting the
    statements it sends. SQL is written with ``?`` and adapted to psycopg's ``%s``."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.n = 0
        self.con: Any
        if backend.name == "sqlite":
            self.con = sqlite3.connect(backend.path, isolation_level=None, timeout=30)
            self.con.execute("PRAGMA busy_timeout = 30000")
        else:
            import psycopg

            self.con = psycopg.connect(backend.conninfo())

    def sql(self, text: str) -> str:
        return text if self.backend.name == "sqlite" else text.replace("?", "%s")

    def execute(self, text: str, params: Sequence[Any] = ()) -> Any:
        self.n += 1
        return self.con.execute(self.sql(text), params)

    def executemany(self, text: str, rows: Sequence[Sequence[Any]]) -> None:
        self.n += 1
        if self.backend.name == "sqlite":
            self.con.executemany(text, rows)
        else:
            with self.con.cursor() as cur:
                cur.executemany(self.sql(text), rows)

    def begin(self, *, write: bool = False) -> None:
        """On SQLite a writer takes the write lock up front (``BEGIN IMMEDIATE``), so
        concurrent writers wait on the busy timeout instead of failing to upgrade a read lock;
        psycopg opens its transaction implicitly."""
        if self.backend.name == "sqlite":
            self.n += write  # counted like the product's own ``BEGIN IMMEDIATE`` (its lock)
            self.con.execute("BEGIN IMMEDIATE" if write else "BEGIN")

    def commit(self) -> None:
        # not counted: the product's count (cursor executions) does not see COMMIT either
        if self.backend.name == "sqlite":
            self.con.execute("COMMIT")
        else:
            self.con.commit()

    def close(self) -> None:
        self.con.close()


_ENGINES: dict[str, sa.Engine] = {}


def _dialect_engine(name: str) -> sa.Engine:
    if name not in _ENGINES:
        url = "sqlite://" if name == "sqlite" else "postgresql+psycopg://u@localhost/x"
        _ENGINES[name] = sa.create_engine(url)
    return _ENGINES[name]


def insert_sql(table: sa.Table) -> str:
    cols = [f'"{c.name}"' for c in table.columns if c.name != "seq"]  # "on" is a keyword
    marks = ", ".join("?" * len(cols))
    return f"INSERT INTO {table.name} ({', '.join(cols)}) VALUES ({marks})"


@contextmanager
def backend(name: str) -> Iterator[Backend]:
    """A fresh, migrated database for one workload."""
    from adapters.sql import SqlStorage

    if name == "sqlite":
        with tempfile.TemporaryDirectory(prefix="csd-bench-") as tmp:
            path = str(Path(tmp) / "bench.db")
            b = Backend("sqlite", f"sqlite:///{path}", path=path)
            storage = SqlStorage(b.url, TIMEZONE)
            storage.upgrade()
            storage.close()
            yield b
        return
    url = postgres_url()
    if url is None:
        raise RuntimeError("set CSDOMAIN_BENCH_POSTGRES_URL for the PostgreSQL leg")
    schema = f"csd_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    scoped = (
        make_url(url)
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )
    b = Backend("postgres", scoped, schema=schema)
    try:
        storage = SqlStorage(scoped, TIMEZONE)
        storage.upgrade()
        storage.close()
        yield b
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
