"""Developer sessions: `nox -s tests`, `nox -s tests_pg`, `nox -s typing`, `nox -s lint`,
`nox -s bench` (the benchmark harness: `nox -s bench -- --full`)."""

from __future__ import annotations

import os

import nox

nox.options.default_venv_backend = "venv"
PG_URL = os.environ.get(
    "CSDOMAIN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _install(session: nox.Session, group: str) -> None:
    session.install("--upgrade", "pip")
    session.install("-e", ".", "--group", group)


@nox.session
def tests(session: nox.Session) -> None:
    """The whole suite; PostgreSQL tests skip unless CSDOMAIN_TEST_POSTGRES_URL is set."""
    _install(session, "test")
    session.run("pytest", *session.posargs)


@nox.session
def tests_pg(session: nox.Session) -> None:
    """The suite with the PostgreSQL leg required (what CI runs)."""
    _install(session, "test")
    session.run(
        "pytest",
        *session.posargs,
        env={"CSDOMAIN_TEST_POSTGRES_URL": PG_URL, "CSDOMAIN_REQUIRE_POSTGRES": "1"},
    )


@nox.session
def typing(session: nox.Session) -> None:
    _install(session, "typing")
    session.run("mypy", "src")


@nox.session
def lint(session: nox.Session) -> None:
    _install(session, "lint")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("lint-imports")


@nox.session
def bench(session: nox.Session) -> None:
    """Every workload beside its raw baseline on SQLite and PostgreSQL; writes
    docs/performance.md (issue 10). Pass `-- --full` for the issue's sizes."""
    _install(session, "bench")
    session.run(
        "python",
        "-m",
        "benchmarks",
        *session.posargs,
        env={"CSDOMAIN_BENCH_POSTGRES_URL": os.environ.get("CSDOMAIN_BENCH_POSTGRES_URL", PG_URL)},
    )
