"""Issue 10: ``csdomain --help`` loads only what it runs (start-up time is measured in
``benchmarks/``, not here); the lazily loaded command groups stay complete and their listed
help is their own."""

from __future__ import annotations

import importlib
import inspect
import json
import subprocess
import sys

from click.testing import CliRunner

from adapters.cli.main import LAZY_COMMANDS, cli

HEAVY = ("holidays", "adapters.bootstrap", "adapters.memory", "csdomain.policy", "sqlalchemy")
PROBE = """
import json, sys
from adapters.cli.main import cli
try:
    cli(["--help"], prog_name="csdomain", terminal_width=80)
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def _fresh_help() -> tuple[str, list[str]]:
    """``csdomain --help`` in a fresh interpreter: its output and the modules it loaded."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout, json.loads(done.stderr.strip().splitlines()[-1])


def test_help_imports_neither_policy_calendar_nor_storage() -> None:
    output, loaded = _fresh_help()
    assert [m for m in loaded if m.startswith(HEAVY)] == []
    assert "Commands:" in output and "penalties" in output


def test_lazy_commands_are_every_module_command_with_its_own_help() -> None:
    modules = {module for module, _ in LAZY_COMMANDS.values()}
    listed = {}
    for module in modules:
        for command in importlib.import_module(module).COMMANDS:
            assert command.help is not None and command.short_help is None
            listed[command.name] = (module, inspect.cleandoc(command.help).split("\n\n")[0])
    assert listed == LAZY_COMMANDS


def test_help_lists_lazy_commands_as_click_would() -> None:
    unloaded, _ = _fresh_help()
    for name in LAZY_COMMANDS:  # load them all: the listing must not change
        assert cli.get_command(None, name) is not None  # type: ignore[arg-type]
    assert CliRunner().invoke(cli, ["--help"], terminal_width=80).output == unloaded


def test_a_lazy_group_runs() -> None:
    result = CliRunner().invoke(cli, ["penalties", "--help"])
    assert result.exit_code == 0 and "statements" in result.output
