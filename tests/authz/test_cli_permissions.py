"""Issue 7: a sample of the matrix through the CLI — exit code 7 where HTTP gives 403, the
refusal naming the action — and the scheduler's system account for cron."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from authz_support import RoleWorld, make_world
from click.testing import CliRunner

from adapters.cli.main import cli

SAMPLE = [
    (("staff", "add", "--name", "X", "--role", "staff"), "org.staff.add"),
    (("departments", "add", "Legal"), "org.departments.add"),
    (("cases", "sweep"), "scheduler.sweep"),
    (("penalties", "settle", "--month", "2026-09"), "penalties.settle"),
    (("penalties", "accrue"), "scheduler.recurrences"),
]


@pytest.fixture
def cli_world(tmp_path: Path) -> RoleWorld:
    return make_world(tmp_path)


def _run(world: RoleWorld, role: str, args: tuple[str, ...]) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli, ["--json", "--as", world.ids[role], *args], obj=world.app, catch_exceptions=False
    )
    return result.exit_code, result.output


@pytest.mark.parametrize(("args", "action"), SAMPLE, ids=[a for _, a in SAMPLE])
def test_refused_roles_exit_7_naming_the_action(
    cli_world: RoleWorld, args: tuple[str, ...], action: str
) -> None:
    code, output = _run(cli_world, "staff", args)
    assert code == 7, output
    assert action in output


def test_cron_runs_scheduler_actions_as_the_system_account(cli_world: RoleWorld) -> None:
    """No --as: the periodic actions act as the account `csdomain init` created."""
    result = CliRunner().invoke(cli, ["--json", "cases", "sweep"], obj=cli_world.app)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["checked"] == 0
