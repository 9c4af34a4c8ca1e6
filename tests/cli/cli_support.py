"""Helpers for the CLI tests: a CliRunner wrapper that knows the backend's base arguments."""

from __future__ import annotations

import json
from typing import Any

import attrs
from click.testing import CliRunner, Result

from adapters.bootstrap import App
from adapters.cli.main import cli


@attrs.define
class Cli:
    runner: CliRunner
    base: list[str]
    obj: App | None

    def __call__(self, *args: str, actor: str | None = None) -> Result:
        argv = [*self.base, *(["--as", actor] if actor else []), *args]
        return self.runner.invoke(cli, argv, obj=self.obj)

    def ok(self, *args: str, actor: str | None = None) -> Result:
        result = self(*args, actor=actor)
        assert result.exit_code == 0, (
            f"exit {result.exit_code}\nstdout: {result.stdout}\nstderr: {result.stderr}\n"
            f"exception: {result.exception!r}"
        )
        return result

    def json(self, *args: str, actor: str | None = None) -> Any:
        return json.loads(self.ok(*args, "--json", actor=actor).stdout)

    def fails(self, code: int, *args: str, actor: str | None = None) -> Result:
        result = self(*args, actor=actor)
        assert result.exit_code == code, (
            f"expected exit {code}, got {result.exit_code}\nstdout: {result.stdout}\n"
            f"stderr: {result.stderr}\nexception: {result.exception!r}"
        )
        assert "Traceback" not in result.stderr
        return result


def problem_of(result: Result) -> Any:
    """The JSON problem object on stderr: with ``--json`` stderr is nothing else."""
    return json.loads(result.stderr)


@attrs.define
class CliOrg:
    admin: str
    token: str
    gm: str
    manager: str
    supervisor: str
    sales: str
    sales2: str
    dept: str
