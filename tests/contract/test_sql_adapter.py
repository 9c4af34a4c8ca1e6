"""What only the SQL adapter has: migrations, indexes, time zones, error translation."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import tomllib
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from contract_support import SQL_BACKENDS, at, customer, customer_file, d, with_search_path

from adapters.bootstrap import make_storage
from adapters.policy_file import default_policy
from adapters.settings import Settings
from adapters.sql import SqlStorage, StorageError
from adapters.sql.mapping import MAPPED, map_core
from adapters.sql.storage import MIGRATIONS
from adapters.sql.tables import metadata
from csdomain.cases.model import CaseBreach, CaseEvent
from csdomain.credit.model import LedgerKind
from csdomain.customers.model import Customer
from csdomain.kernel.errors import ConcurrencyConflict, Conflict, DomainError
from csdomain.kernel.events import AuditEvent
from csdomain.kernel.ids import StaffId
from csdomain.org.model import Staff

ROOT = Path(__file__).resolve().parents[2]
Factory = Callable[..., SqlStorage]


def head_revision() -> str:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


# -------------------------------------------------------------------- migrations


@pytest.mark.parametrize("backend", SQL_BACKENDS)
def test_migrations_build_exactly_the_mapped_schema(
    backend: str, sql_storage_factory: Factory
) -> None:
    storage = sql_storage_factory(backend)
    with storage.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diffs == []
    assert storage.schema_revision() == head_revision()


def test_upgrade_is_idempotent_and_downgrade_removes_everything(tmp_path: Path) -> None:
    storage = SqlStorage(f"sqlite:///{tmp_path / 'db.sqlite'}")
    try:
        assert storage.schema_revision() is None
        storage.upgrade()
        storage.upgrade()
        assert storage.schema_revision() == head_revision()
        storage.downgrade()
        tables = set(sa.inspect(storage.engine).get_table_names()) - {"alembic_version"}
        assert tables == set()
        storage.upgrade()
        assert set(sa.inspect(storage.engine).get_table_names()) >= set(metadata.tables)
    finally:
        storage.close()


@pytest.mark.parametrize("backend", SQL_BACKENDS)
def test_parallel_upgrades_take_turns(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Web workers may all upgrade at start-up: Alembic runs one migration at a time per
    process, and on PostgreSQL an advisory lock serialises processes too."""
    admin: sa.Engine | None = None
    if backend == "postgres":
        postgres_url = request.getfixturevalue("postgres_url")
        schema = f"csd_upgrade_{uuid.uuid4().hex[:12]}"
        admin = sa.create_engine(postgres_url)
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        url = with_search_path(postgres_url, schema)
    else:
        url = f"sqlite:///{tmp_path / 'parallel.db'}"
    storages = [SqlStorage(url) for _ in range(3)]
    errors: list[BaseException] = []

    def upgrade(s: SqlStorage) -> None:
        try:
            s.upgrade()
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    try:
        threads = [threading.Thread(target=upgrade, args=(s,)) for s in storages]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert errors == []
        assert storages[0].schema_revision() == head_revision()
    finally:
        for s in storages:
            s.close()
        if admin is not None:
            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


def test_migrations_ship_inside_the_package() -> None:
    """upgrade() must work from an installed wheel: every migration file lies inside the
    ``adapters`` package and matches its pyproject package-data patterns."""
    package = ROOT / "src" / "adapters"
    assert MIGRATIONS.is_relative_to(package)
    files = [
        p.relative_to(package).as_posix()
        for p in MIGRATIONS.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    ]
    assert {"sql/migrations/env.py", "sql/migrations/script.py.mako"} <= set(files)
    assert any(f.startswith("sql/migrations/versions/0001_") for f in files)
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["adapters"]

    def shipped(file: str) -> bool:  # setuptools globs: "*" never crosses a "/"
        path = PurePosixPath(file)
        return any(
            len(path.parts) == len(PurePosixPath(p).parts) and path.match(p) for p in patterns
        )

    unshipped = [f for f in files if not shipped(f)]
    assert unshipped == []


def test_upgrade_works_from_any_working_directory(tmp_path: Path) -> None:
    db = tmp_path / "elsewhere.db"
    code = (
        "from adapters.sql import SqlStorage\n"
        f"s = SqlStorage('sqlite:///{db}')\n"
        "s.upgrade()\n"
        "print(s.schema_revision())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert out.stdout.strip() == head_revision()


def test_a_database_never_upgraded_names_the_fix(tmp_path: Path) -> None:
    storage = SqlStorage(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        with storage.unit_of_work() as uow, pytest.raises(StorageError) as info:
            uow.customers.list()
        assert "schema" in info.value.message and "upgrade" in info.value.message
    finally:
        storage.close()


# ------------------------------------------------------------------------ indexes


def _statements_of(storage: SqlStorage, action: Callable[[], Any]) -> list[tuple[str, Any]]:
    seen: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        seen.append((statement, parameters))

    sa.event.listen(storage.engine, "before_cursor_execute", capture)
    try:
        action()
    finally:
        sa.event.remove(storage.engine, "before_cursor_execute", capture)
    return seen


@pytest.mark.parametrize(
    ("call", "index"),
    [
        (lambda uow: uow.files.list_due_before(d("2026-09-23")), "ix_customer_files_due_on"),
        # a phone nobody has: the lookup is then the one statement (a match loads by id)
        (lambda uow: uow.customers.find_by_identity("13900000001", None), "ix_customers_phone"),
        (lambda uow: uow.customers.list(owner_id="stf_a"), "ix_customers_owner_id"),
        # CRD-2: the balance and the window's invoices from covering indexes (migration 0015)
        (
            lambda uow: uow.credit_ledger.balance("cus_a", until=d("2026-09-23")),
            "ix_credit_ledger_customer_on",
        ),
        (
            lambda uow: uow.credit_ledger.total(
                "cus_a", [LedgerKind.INVOICE], since=d("2026-08-24"), until=d("2026-09-22")
            ),
            "ix_credit_ledger_customer_kind_on|ix_credit_ledger_customer_on",  # both covering
        ),
        # VIS-4: coverage counts a period's visits per customer from the day index
        (
            lambda uow: uow.visits.counts_by_customer(d("2026-01-01"), d("2026-12-31")),
            "ix_visits_on_customer|ix_visits_customer_on",  # by day, or grouped in order
        ),
    ],
)
@pytest.mark.parametrize("backend", SQL_BACKENDS)
def test_queries_use_their_index(
    backend: str, sql_storage_factory: Factory, call: Callable[[Any], Any], index: str
) -> None:
    storage = sql_storage_factory(backend)
    with storage.unit_of_work() as uow:
        for i in range(30):
            uow.files.add(customer_file(due_on=f"2026-09-{i % 28 + 1:02d}"))
            uow.customers.add(customer(phone=f"1380000{i:04d}", owner=f"stf_{i}"))
        uow.commit()
    with storage.unit_of_work() as uow:
        [(statement, params)] = _statements_of(storage, lambda: call(uow))
    with storage.engine.connect() as conn:
        if backend == "sqlite":
            plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params).all()
        else:
            conn.exec_driver_sql("ANALYZE")
            conn.exec_driver_sql("SET enable_seqscan = off")
            plan = conn.exec_driver_sql(f"EXPLAIN {statement}", params).all()
    text = " ".join(str(row) for row in plan)
    assert any(name in text for name in index.split("|")), text


@pytest.mark.postgres
def test_a_locking_sweep_skips_cases_another_sweep_holds(sql_storage_factory: Factory) -> None:
    """CASE-7 on PostgreSQL: FOR UPDATE SKIP LOCKED, so parallel sweeps share the work."""
    from csdomain.cases.model import Case

    storage = sql_storage_factory("postgres")
    cases = [
        Case(
            number=f"202609-000{i}",
            type="complaint",
            category="other",
            channel="phone",
            content="x",
            received_at=at("2026-09-18 09:00"),
            received_by=StaffId("stf_a"),
            next_due_at=at(f"2026-09-18 1{i}:00"),
        )
        for i in range(3)
    ]
    with storage.unit_of_work() as uow:
        for c in cases:
            uow.cases.add(c)
        uow.commit()
    when = at("2026-09-18 23:00")
    with storage.unit_of_work() as first, storage.unit_of_work() as second:
        mine = first.cases.list_due_before(when, limit=2, lock=True)
        theirs = second.cases.list_due_before(when, lock=True)
        unlocked = second.cases.list_due_before(when)
    assert [c.id for c in mine] == [cases[0].id, cases[1].id]
    assert [c.id for c in theirs] == [cases[2].id]
    assert len(unlocked) == 3


# --------------------------------------------------------------------- time zones


@pytest.mark.parametrize("backend", SQL_BACKENDS)
def test_datetimes_are_read_back_in_the_storage_time_zone(
    backend: str, sql_storage_factory: Factory
) -> None:
    """The same instant, expressed in each storage's zone: .date() is that zone's day."""
    shanghai = sql_storage_factory(backend, "Asia/Shanghai")
    utc = sql_storage_factory(backend, "UTC")
    c = customer(registered_at="2026-09-18 07:30")  # 2026-09-17 23:30 UTC
    with shanghai.unit_of_work() as uow:
        uow.customers.add(c)
        uow.commit()
    with shanghai.unit_of_work() as uow:
        in_shanghai = uow.customers.get(c.id).registered_at
    with utc.unit_of_work() as uow:
        in_utc = uow.customers.get(c.id).registered_at
    assert in_shanghai == in_utc == at("2026-09-18 07:30")
    assert in_shanghai.tzinfo == ZoneInfo("Asia/Shanghai") and in_shanghai.date() == d("2026-09-18")
    assert in_utc.tzinfo == ZoneInfo("UTC") and in_utc.date() == d("2026-09-17")


@pytest.mark.parametrize("backend", SQL_BACKENDS)
def test_a_naive_datetime_is_refused(backend: str, sql_storage_factory: Factory) -> None:
    storage = sql_storage_factory(backend)
    c = customer()
    c.registered_at = datetime(2026, 9, 18, 10, 0)
    with storage.unit_of_work() as uow:
        uow.customers.add(c)
        with pytest.raises(StorageError, match="naive datetime"):
            uow.commit()


def test_make_storage_uses_the_policy_time_zone(tmp_path: Path) -> None:
    policy = default_policy()
    utc_policy = attrs.evolve(policy, calendar=attrs.evolve(policy.calendar, timezone="UTC"))
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'tz.db'}", storage="sql")
    storage = make_storage(settings, create_schema=True, policy=utc_policy)
    try:
        assert isinstance(storage, SqlStorage)
        assert storage.timezone == ZoneInfo("UTC")
        explicit = make_storage(settings, timezone="Europe/Berlin")
        assert isinstance(explicit, SqlStorage) and explicit.timezone == ZoneInfo("Europe/Berlin")
        explicit.close()
        default = make_storage(settings)
        assert isinstance(default, SqlStorage) and default.timezone == ZoneInfo("Asia/Shanghai")
        default.close()
    finally:
        storage.close()


# ------------------------------------------------------------------------ mapping


def test_mapping_is_idempotent(tmp_path: Path) -> None:
    before = {cls: sa.inspect(cls) for cls in MAPPED}
    map_core()
    storages = [SqlStorage(f"sqlite:///{tmp_path / f'{i}.db'}") for i in range(3)]
    for s in storages:
        s.close()
    assert {cls: sa.inspect(cls) for cls in MAPPED} == before
    mapper = sa.inspect(Customer)
    assert mapper.version_id_col is not None and mapper.version_id_col.name == "version"
    assert "seq" not in sa.inspect(CaseBreach).attrs  # hidden insertion-order column
    # append-only records are written and read through Core, not mapped (issue 10)
    assert sa.inspect(AuditEvent, raiseerr=False) is None
    assert sa.inspect(CaseEvent, raiseerr=False) is None


def test_an_object_built_before_the_mapping_was_loaded_can_be_stored(tmp_path: Path) -> None:
    """E.g. built while only the memory adapter was imported: it is adopted when added."""
    template = Staff(name="early", role="staff", permissions=["a"])
    early = Staff.__new__(Staff)  # no SQLAlchemy state, as if built before the mapping
    early.__dict__.update({f.name: getattr(template, f.name) for f in attrs.fields(Staff)})
    early.__dict__["permissions"] = ["a"]  # a plain list, as built before the mapping
    assert sa.inspect(early, raiseerr=False) is None
    storage = SqlStorage(f"sqlite:///{tmp_path / 'early.db'}")
    try:
        storage.upgrade()
        with storage.unit_of_work() as uow:
            uow.staff.add(early)
            uow.commit()
            early.permissions.append("b")  # tracked like any other object's
            uow.commit()
        with storage.unit_of_work() as uow:
            stored = uow.staff.get(early.id)
            assert (stored.permissions, stored.version) == (["a", "b"], 2)
    finally:
        storage.close()


# ------------------------------------------------------------------------- errors


def test_errors_become_domain_errors() -> None:
    from sqlalchemy import exc as sa_exc
    from sqlalchemy.orm import exc as orm_exc

    from adapters.sql.errors import translate

    stale = translate(
        orm_exc.StaleDataError(
            "UPDATE statement on table 'customers' expected to update 1 row(s); 0 were matched."
        )
    )
    assert isinstance(stale, ConcurrencyConflict) and "customers" in stale.message
    dup = translate(
        sa_exc.IntegrityError(
            "INSERT INTO customers (id) VALUES (?)",
            {},
            Exception("UNIQUE constraint failed: customers.id"),
        )
    )
    assert type(dup) is Conflict and "customers" in dup.message
    down = translate(sa_exc.OperationalError("SELECT 1", {}, Exception("connection refused")))
    assert isinstance(down, StorageError) and isinstance(down, DomainError)
    assert "unavailable" in down.message and "connection refused" in down.message


def test_an_unreachable_database_is_a_storage_error() -> None:
    storage = SqlStorage("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    try:
        with storage.unit_of_work() as uow, pytest.raises(StorageError, match="unavailable"):
            uow.staff.count()
    finally:
        storage.close()


def test_sqlite_writers_wait_for_the_lock_then_give_a_storage_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'locked.db'}"
    setup = SqlStorage(url)
    setup.upgrade()
    setup.close()
    storage = SqlStorage(url, busy_timeout=0.3)
    holder = sqlite3.connect(tmp_path / "locked.db", isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        with storage.unit_of_work() as uow:
            uow.customers.add(customer())
            with pytest.raises(StorageError, match="locked"):
                uow.commit()
        holder.execute("ROLLBACK")
        with storage.unit_of_work() as uow:  # usable again once the lock is gone
            uow.customers.add(customer())
            uow.commit()
            assert len(uow.customers.list()) == 1
    finally:
        holder.close()
        storage.close()
