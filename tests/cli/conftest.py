"""CLI test harness: run ``csdomain`` in-process with CliRunner against a backend.

Two backends: ``memory`` injects one prebuilt App (``obj=app``) shared by every invocation of
a test; ``sqlite`` passes ``--database-url`` to a temp file, so each invocation builds its own
App exactly as a user's shell would (skipped until the SQL adapter exists). ``timed`` injects
an App on the test's FixedClock on both backends (memory, and SQLite through the SQL adapter), for
tests that move time.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_support import Cli, CliOrg
from click.testing import CliRunner

from adapters.bootstrap import App, bootstrap
from adapters.policy_file import default_policy
from adapters.settings import Settings
from csdomain.kernel.clock import FixedClock


def sql_available() -> bool:
    try:
        return hasattr(importlib.import_module("adapters.sql"), "SqlStorage")
    except ImportError:
        return False


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No CSDOMAIN_* from the developer's shell, and never the default ./csdomain.db."""
    for name in (
        "CSDOMAIN_DATABASE_URL",
        "CSDOMAIN_STORAGE",
        "CSDOMAIN_POLICY_FILE",
        "CSDOMAIN_ACTOR",
        "CSDOMAIN_DEBUG",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(params=["memory", "sqlite"])
def run(request: pytest.FixtureRequest, app: App, tmp_path: Path) -> Iterator[Cli]:
    runner = CliRunner()
    if request.param == "memory":
        yield Cli(runner, [], app)
        return
    if not sql_available():
        pytest.skip("the SQL adapter (adapters.sql.SqlStorage) is not there yet")
    yield Cli(runner, ["--database-url", f"sqlite:///{tmp_path}/t.db"], None)


@pytest.fixture(params=["memory", "sqlite"])
def timed(
    request: pytest.FixtureRequest, app: App, clock: FixedClock, tmp_path: Path
) -> Iterator[Cli]:
    """Like ``run``, but on both backends the CLI gets an injected App on the test's FixedClock,
    so a test can move time (clock sweeps, settling a past month). The ``sqlite`` App uses a
    temp SQLite file through the real SQL adapter."""
    runner = CliRunner()
    if request.param == "memory":
        yield Cli(runner, [], app)
        return
    if not sql_available():
        pytest.skip("the SQL adapter (adapters.sql.SqlStorage) is not there yet")
    sql_app = bootstrap(
        Settings(storage="sql", database_url=f"sqlite:///{tmp_path}/timed.db"),
        clock=clock,
        policy=default_policy(),
        create_schema=True,
    )
    try:
        yield Cli(runner, [], sql_app)
    finally:
        sql_app.close()


@pytest.fixture
def org(run: Cli) -> CliOrg:
    """The conftest organisation, built through the CLI itself."""
    return build_org(run)


@pytest.fixture
def timed_org(timed: Cli) -> CliOrg:
    """The same organisation on the ``timed`` backends."""
    return build_org(timed)


def build_org(run: Cli) -> CliOrg:
    init = run.json("init")
    admin = init["admin"]["id"]

    def add(name: str, role: str, *extra: str) -> str:
        staff_id: str = run.json(
            "staff", "add", "--name", name, "--role", role, *extra, actor=admin
        )["id"]
        return staff_id

    dept = run.json("departments", "add", "Sales", actor=admin)["id"]
    gm = add("Wang GM", "gm")
    manager = add("Qian Manager", "manager", "--department", dept)
    run.ok("departments", "set-head", dept, manager, actor=admin)
    supervisor = add("Sun Supervisor", "supervisor", "--department", dept, "--supervisor", manager)
    sales = add(
        "Li Lei",
        "staff",
        "--department",
        dept,
        "--position",
        "sales_adviser",
        "--supervisor",
        supervisor,
    )
    sales2 = add(
        "Han Meimei",
        "staff",
        "--department",
        dept,
        "--position",
        "sales_adviser",
        "--supervisor",
        supervisor,
    )
    return CliOrg(admin, init["token"], gm, manager, supervisor, sales, sales2, dept)
