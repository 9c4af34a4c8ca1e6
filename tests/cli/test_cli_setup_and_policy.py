"""``csdomain --help``, ``init``, ``db upgrade``, ``serve`` and ``policy show|validate``."""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Any

import pytest
from cli_support import Cli, problem_of
from click.testing import CliRunner

from adapters.bootstrap import App
from adapters.cli import serve as serving
from adapters.cli.main import cli
from adapters.policy_file import DEFAULT_POLICY_PATH, default_policy


def test_help_needs_no_database(tmp_path: Path) -> None:
    """--help must work before anything exists (the App is built lazily)."""
    runner = CliRunner()
    missing = f"sqlite:///{tmp_path}/nope/never.db"
    result = runner.invoke(cli, ["--database-url", missing, "--help"])
    assert result.exit_code == 0
    assert "Exit codes:" in result.stdout
    assert "6  concurrency conflict" in result.stdout
    sub = runner.invoke(cli, ["--database-url", missing, "customers", "register", "--help"])
    assert sub.exit_code == 0 and "--phone" in sub.stdout
    assert not (tmp_path / "nope").exists()


def test_init_prints_a_token_once_and_is_idempotent(run: Cli) -> None:
    first = run.ok("init", "--admin-name", "Root")
    assert "Created administrator Root" in first.stdout
    token_lines = [line for line in first.stdout.splitlines() if "API token:" in line]
    assert len(token_lines) == 1 and token_lines[0].split()[-1].startswith("csd_")
    staff_id = next(line.split()[-1] for line in first.stdout.splitlines() if "staff id:" in line)

    again = run.ok("init")
    assert "no administrator was created" in again.stdout
    assert "csd_" not in again.stdout
    data = run.json("init")
    assert data["created"] is False and data["staff_count"] == 2  # the admin and `system`

    listed = {s["id"]: s["role"] for s in run.json("staff", "list", actor=staff_id)}
    assert listed.pop(staff_id) == "admin"
    assert list(listed.values()) == ["system"]  # the scheduler's account, created beside it


def test_init_json_gives_id_and_token(run: Cli) -> None:
    data = run.json("init")
    assert data["created"] is True
    assert data["admin"]["role"] == "admin"
    assert data["token"].startswith("csd_")


def test_db_upgrade(run: Cli) -> None:
    result = run.ok("db", "upgrade")
    assert "latest schema" in result.stdout or "nothing to upgrade" in result.stdout


def test_policy_show_prints_the_effective_policy_as_toml(run: Cli) -> None:
    shown = tomllib.loads(run.ok("policy", "show").stdout)
    assert shown["version"] == default_policy().version
    assert shown["customers"]["grading"]["weights"]["annual_sales"] == 30
    as_json = run.json("policy", "show")
    assert as_json["customers"]["files"]["new_sale"]["handover_working_days"] == 3


def test_policy_show_file_and_global_policy_option(tmp_path: Path) -> None:
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8").replace(
        'version = "2026.1-default"', 'version = "acme-7"'
    )
    custom = tmp_path / "acme.toml"
    custom.write_text(text, encoding="utf-8")
    runner = CliRunner()
    by_file = runner.invoke(cli, ["policy", "show", "--file", str(custom)])
    assert by_file.exit_code == 0 and 'version = "acme-7"' in by_file.stdout
    by_option = runner.invoke(cli, ["--policy", str(custom), "policy", "show"])
    assert by_option.exit_code == 0 and 'version = "acme-7"' in by_option.stdout


BROKEN = """
schema = 2
version = "broken-1"
name = "broken"
colour = "red"

[authority.levels]
admin = 0
staff = 1
supervisor = 2
manager = 3
deputy_gm = 4
gm = 5

[calendar]
timezone = "Asia/Shanghai"
business_day_start = "8:30"
business_day_end = "17:30"

[confidentiality]
grant_role = "boss"
[confidentiality.levels]
customer_file = "top_secret"
"""


def _broken_policy(tmp_path: Path) -> Path:
    """The default policy with three separate mistakes plus a grading weight typo."""
    default = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    customers = default[default.index("[customers.registration]") :]
    customers = customers.replace("trend = 10", "trend = 0")  # weights now add up to 90
    path = tmp_path / "broken.toml"
    path.write_text(BROKEN + "\n" + customers, encoding="utf-8")
    return path


def test_policy_validate_lists_every_bad_key_and_exits_9(run: Cli, tmp_path: Path) -> None:
    path = _broken_policy(tmp_path)
    result = run.fails(9, "policy", "validate", str(path))
    assert result.stderr.startswith("Error: ")
    err = result.stderr
    assert "colour" in err  # unknown key at the top level
    assert "business_day_start" in err
    assert "grant_role" in err
    assert "weights" in err and "90" in err
    problem_lines = [line for line in err.splitlines() if line.startswith("  $")]
    assert len(problem_lines) >= 4

    as_json = problem_of(run.fails(9, "policy", "validate", str(path), "--json"))
    assert as_json["type"] == "urn:csdomain:problem:policy" and as_json["exit_code"] == 9
    paths = [p["path"] for p in as_json["problems"]]
    assert any("grading.weights" in p for p in paths), paths
    assert any("confidentiality.grant_role" in p for p in paths), paths


def test_policy_validate_on_the_default_passes(run: Cli) -> None:
    result = run.ok("policy", "validate", str(DEFAULT_POLICY_PATH))
    assert result.stdout.startswith("OK:")
    assert default_policy().version in result.stdout
    assert run.ok("policy", "validate").stdout.startswith("OK:")  # the effective one


def test_policy_validate_unreadable_and_not_toml(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(cli, ["policy", "validate", str(tmp_path / "none.toml")])
    assert missing.exit_code == 9 and "cannot read" in missing.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text("schema = = 1", encoding="utf-8")
    result = runner.invoke(cli, ["policy", "validate", str(bad)])
    assert result.exit_code == 9 and "not valid TOML" in result.stderr


def test_a_broken_policy_option_stops_any_command_with_exit_9(tmp_path: Path) -> None:
    path = _broken_policy(tmp_path)
    result = CliRunner().invoke(
        cli,
        [
            *("--policy", str(path), "--database-url", f"sqlite:///{tmp_path}/x.db"),
            *("--as", "stf_anyone", "staff", "list"),  # past the actor check, to the policy
        ],
    )
    assert result.exit_code == 9, result.output


# ---------------------------------------------------------------------- serve
def test_serve_upgrades_exports_settings_and_runs_gunicorn(
    monkeypatch: pytest.MonkeyPatch, app: App, tmp_path: Path
) -> None:
    calls: list[tuple[str, Any]] = []
    monkeypatch.setattr(serving, "gunicorn_available", lambda: True)
    monkeypatch.setattr(
        serving,
        "run_gunicorn",
        lambda host, port, workers: calls.append(("gunicorn", (host, port, workers))),
    )
    monkeypatch.setattr(
        serving, "run_dev_server", lambda host, port: calls.append(("dev", (host, port)))
    )
    for name in ("CSDOMAIN_DATABASE_URL", "CSDOMAIN_STORAGE", "CSDOMAIN_POLICY_FILE"):
        monkeypatch.setenv(name, "x")  # monkeypatch restores what serve exports
    policy = tmp_path / "p.toml"
    policy.write_text(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["--policy", str(policy), "serve", "--port", "8123", "--workers", "1"], obj=app
    )
    assert result.exit_code == 0, result.output
    assert calls == [("gunicorn", ("127.0.0.1", 8123, 1))]
    assert os.environ["CSDOMAIN_POLICY_FILE"] == str(policy)
    assert os.environ["CSDOMAIN_STORAGE"] == "memory"


def test_serve_falls_back_to_the_dev_server(monkeypatch: pytest.MonkeyPatch, app: App) -> None:
    calls: list[tuple[str, Any]] = []
    monkeypatch.setattr(serving, "gunicorn_available", lambda: False)
    monkeypatch.setattr(
        serving, "run_dev_server", lambda host, port: calls.append(("dev", (host, port)))
    )
    for name in ("CSDOMAIN_DATABASE_URL", "CSDOMAIN_STORAGE"):
        monkeypatch.setenv(name, "x")  # monkeypatch restores what serve exports
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--workers", "1"], obj=app)
    assert result.exit_code == 0, result.output
    assert calls == [("dev", ("0.0.0.0", 8000))]


def test_serve_rejects_a_bad_port() -> None:
    result = CliRunner().invoke(cli, ["serve", "--port", "0"])
    assert result.exit_code == 2


def test_version_and_json_flag_parse() -> None:
    assert CliRunner().invoke(cli, ["--version"]).exit_code == 0
    result = CliRunner().invoke(cli, ["--json", "policy", "show"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["schema"] == default_policy().schema
