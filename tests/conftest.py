"""Shared fixtures. Every test builds its application through the composition root.

PostgreSQL: tests marked ``postgres`` read ``CSDOMAIN_TEST_POSTGRES_URL`` and skip with a
reason when it is unset. With ``CSDOMAIN_REQUIRE_POSTGRES=1`` (set by .ci/run) a session in
which any PostgreSQL test was skipped, or none ran, fails.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from adapters.bootstrap import App, bootstrap
from adapters.policy_file import default_policy
from adapters.settings import Settings
from backend_fixtures import (  # noqa: F401  (fixtures shared by the backend suites)
    backend,
    pg_schema_url,
    sql_storage_factory,
    sqlite_template,
    storage,
)
from csd_support import Org, at, make_org
from csdomain.kernel.clock import FixedClock

POSTGRES_URL = os.environ.get("CSDOMAIN_TEST_POSTGRES_URL", "").strip()
REQUIRE_POSTGRES = os.environ.get("CSDOMAIN_REQUIRE_POSTGRES", "") == "1"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(at("2026-09-18 10:00"))


@pytest.fixture
def app(clock: FixedClock) -> App:
    """An application on the memory adapter with a fixed clock and the default policy."""
    return bootstrap(Settings(storage="memory"), clock=clock, policy=default_policy())


@pytest.fixture
def org(app: App) -> Org:
    return make_org(app)


# ---------------------------------------------------------------- PostgreSQL gate
_pg = {"passed": 0, "skipped": 0, "failed": 0}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "postgres" not in report.keywords:
        return
    if report.when == "call" and report.passed:
        _pg["passed"] += 1
    elif report.skipped:
        _pg["skipped"] += 1
    elif report.failed:
        _pg["failed"] += 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not REQUIRE_POSTGRES or exitstatus != 0:
        return
    if _pg["skipped"] or not _pg["passed"]:
        session.config.pluginmanager.get_plugin("terminalreporter").write_line(  # type: ignore[union-attr]
            f"CSDOMAIN_REQUIRE_POSTGRES=1 but PostgreSQL tests passed={_pg['passed']} "
            f"skipped={_pg['skipped']}: the PostgreSQL leg did not run",
            red=True,
        )
        session.exitstatus = 1


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    if not POSTGRES_URL:
        pytest.skip(
            "PostgreSQL tests need CSDOMAIN_TEST_POSTGRES_URL (e.g. "
            "postgresql+psycopg://postgres@127.0.0.1:5432/test)"
        )
    yield POSTGRES_URL


__all__ = ["Org", "at", "make_org"]
