"""Storage backends for suites that run on memory, SQLite and PostgreSQL.

SQLite gets a fresh database file per test (a copy of one migrated with the packaged
migrations). PostgreSQL gets one private schema per test session (so parallel sessions and
other suites sharing the database never collide), migrated once and emptied before each test.
A folder opts in by overriding ``app`` with ``backend_app`` (see tests/cases/conftest.py).
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from adapters.bootstrap import App, MemoryStorage, Storage, bootstrap
from adapters.policy_file import default_policy
from adapters.settings import Settings
from adapters.sql import SqlStorage
from adapters.sql.tables import metadata
from csdomain.kernel.clock import FixedClock

TIMEZONE = "Asia/Shanghai"
BACKENDS = [
    "memory",
    "sqlite",
    pytest.param("postgres", marks=pytest.mark.postgres),
]
SQL_BACKENDS = [
    "sqlite",
    pytest.param("postgres", marks=pytest.mark.postgres),
]


def with_search_path(url: str, schema: str) -> str:
    """``url`` with every connection's search_path set to ``schema``."""
    return (
        make_url(url)
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )


@pytest.fixture(scope="session")
def pg_schema_url(postgres_url: str) -> Iterator[str]:
    """A private, migrated schema for this test session."""
    schema = f"csd_contract_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = with_search_path(postgres_url, schema)
    storage = SqlStorage(url, TIMEZONE)
    try:
        storage.upgrade()
    finally:
        storage.close()
    yield url
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database, copied for each test (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    storage = SqlStorage(f"sqlite:///{path}", TIMEZONE)
    try:
        storage.upgrade()
    finally:
        storage.close()  # the last connection closing checkpoints the WAL into the file
    return path


def _empty_all_tables(storage: SqlStorage) -> None:
    # DELETE beats TRUNCATE on tiny tables; insertion-order columns only need to grow
    with storage.engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def sql_storage_factory(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[..., SqlStorage]]:
    """Builds (upgraded, empty) SQL storages for the backend named by the test's parameter;
    more than one per test share the same database (e.g. two time zones)."""
    made: list[SqlStorage] = []
    state: dict[str, str] = {}

    def make(backend: str, timezone: str = TIMEZONE) -> SqlStorage:
        if backend == "sqlite":
            if "sqlite" not in state:
                path = tmp_path / "contract.db"
                shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
                state["sqlite"] = f"sqlite:///{path}"
            storage = SqlStorage(state["sqlite"], timezone)
        elif backend == "postgres":
            url = request.getfixturevalue("pg_schema_url")
            storage = SqlStorage(url, timezone)
            if "postgres" not in state:
                _empty_all_tables(storage)
                state["postgres"] = url
        else:
            raise ValueError(backend)
        made.append(storage)
        return storage

    yield make
    for storage in made:
        storage.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def storage(backend: str, sql_storage_factory: Callable[..., SqlStorage]) -> Storage:
    """An empty storage of the parametrized backend."""
    if backend == "memory":
        return MemoryStorage()
    return sql_storage_factory(backend)


def backend_app(storage: Storage, clock: FixedClock) -> App:
    """The application over the parametrized backend, built through the composition root."""
    settings = Settings(storage="memory" if isinstance(storage, MemoryStorage) else "sql")
    return bootstrap(settings, storage=storage, clock=clock, policy=default_policy())
