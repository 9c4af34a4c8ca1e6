"""The exit-code mapping (adapters.cli.errors) and how errors reach stderr."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import problem_of
from click.testing import CliRunner

from adapters.bootstrap import App
from adapters.cli.errors import EXIT_CODES_EPILOG, describe, exit_code_for
from adapters.cli.main import cli
from adapters.cli.render import Formatter, table, width
from csdomain.kernel.errors import (
    ConcurrencyConflict,
    Conflict,
    DomainError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    PolicyError,
    ValidationError,
)


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (ValidationError("x"), 3),
        (NotFound("x"), 4),
        (Conflict("x"), 5),
        (ConcurrencyConflict("x"), 6),
        (PermissionDenied("x"), 7),
        (InvalidTransition("x"), 8),
        (PolicyError("x"), 9),
        (DomainError("x"), 1),
        (RuntimeError("x"), 1),
    ],
)
def test_each_domain_error_has_its_exit_code(error: BaseException, code: int) -> None:
    assert exit_code_for(error) == code
    assert f"{code}  " in EXIT_CODES_EPILOG  # documented in --help


def test_subclasses_inherit_their_parents_code() -> None:
    class OwnedElsewhere(Conflict):
        pass

    assert exit_code_for(OwnedElsewhere("x")) == 5


def test_message_format() -> None:
    assert (
        describe(Conflict("taken", field="phone", rule="CUS-1"))
        == "taken (field: phone, rule: CUS-1)"
    )
    assert describe(NotFound("gone")) == "gone"
    assert describe(PermissionDenied("no", rule="X-5")) == "no (rule: X-5)"


def test_unexpected_errors_exit_1_without_traceback(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*_args: object) -> None:
        raise RuntimeError("disk on fire")

    admin, _ = app.services.org.bootstrap_admin("Admin")  # `staff list` acts as someone
    monkeypatch.setattr(app.services.org, "list_staff", boom)
    runner = CliRunner()
    result = runner.invoke(cli, ["--as", admin.id, "staff", "list"], obj=app)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: unexpected RuntimeError: disk on fire")
    assert "Traceback" not in result.stderr and "--debug" in result.stderr
    as_json = runner.invoke(cli, ["--json", "--as", admin.id, "staff", "list"], obj=app)
    assert problem_of(as_json)["type"] == "urn:csdomain:problem:internal"

    debug = runner.invoke(cli, ["--debug", "--as", admin.id, "staff", "list"], obj=app)
    assert debug.exit_code == 1 and isinstance(debug.exception, RuntimeError)


def test_bad_storage_setting_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CSDOMAIN_STORAGE", "floppy")
    result = CliRunner().invoke(cli, ["staff", "list"])
    assert result.exit_code == 2 and "CSDOMAIN_STORAGE" in result.stderr


def test_table_counts_wide_characters_twice() -> None:
    out = table(["name", "phone"], [("王小明", "1"), ("Bob", "2")], Formatter(), empty="-")
    header, _, first, second = out.splitlines()
    assert width(first[: first.index("1")]) == width(second[: second.index("2")])
    assert width(header[: header.index("PHONE")]) == width(first[: first.index("1")])
    assert table(["a"], [], Formatter(), empty="(nothing)") == "(nothing)"


def test_json_mode_usage_errors_get_a_problem_object_too(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    result = CliRunner().invoke(
        cli, ["--database-url", f"sqlite:///{db}", "--json", "customers", "list"]
    )
    assert result.exit_code == 2
    problem = problem_of(result)
    assert problem["type"] == "urn:csdomain:problem:usage" and "--as STAFF_ID" in problem["detail"]
    assert not db.exists()  # the actor is checked before the database is touched


@pytest.mark.parametrize(
    "argv",
    [
        ["--json", "staff", "list", "--no-such-option"],  # Click parse error in a subcommand
        ["--json", "no-such-command"],  # unknown command, before any callback runs
        ["staff", "show", "--json"],  # missing argument; --json given after the command
        ["--json", "--no-such-global"],  # parse error of the root group itself
    ],
)
def test_json_mode_click_errors_leave_only_a_problem_on_stderr(app: App, argv: list[str]) -> None:
    result = CliRunner().invoke(cli, argv, obj=app)
    assert result.exit_code == 2
    assert result.stdout == ""
    problem = json.loads(result.stderr)  # nothing but the problem object
    assert problem["type"] == "urn:csdomain:problem:usage" and problem["exit_code"] == 2


@pytest.mark.parametrize(
    "error",
    [
        ValidationError("bad", field="phone", rule="CUS-1"),
        NotFound("no such customer", field="customer_id"),
        Conflict("owned", rule="CUS-1"),
        ConcurrencyConflict("changed"),
        PermissionDenied("no", rule="X-3"),
        InvalidTransition("closed"),
        PolicyError("broken", [("cases.x", "bad")]),
    ],
)
def test_cli_problem_types_are_the_http_ones(error: DomainError) -> None:
    """One vocabulary for scripts: the CLI's problem type equals the HTTP adapter's."""
    from adapters.cli.errors import problem
    from adapters.http.problems import problem_for

    assert problem(error)["type"] == problem_for(error).type
    assert problem(error)["type"].startswith("urn:csdomain:problem:")


def test_json_mode_domain_error_stderr_is_one_json_object(app: App) -> None:
    result = CliRunner().invoke(
        cli, ["--json", "--as", "stf_nobody", "staff", "show", "x"], obj=app
    )
    assert result.exit_code == 4 and result.stdout == ""
    problem = json.loads(result.stderr)
    assert problem["type"] == "urn:csdomain:problem:not-found" and problem["exit_code"] == 4
    plain = CliRunner().invoke(cli, ["--as", "stf_nobody", "staff", "show", "x"], obj=app)
    assert plain.stderr.startswith("Error: ") and "{" not in plain.stderr
