"""Click base classes shared by every command module: ``--json`` on each leaf command, and
the same input bounds as the HTTP API (issue 8) on every option and argument."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import click

from adapters.cli.state import CliState, set_json
from csdomain.kernel.bounds import MAX_INT, MAX_TEXT, RULE, check_text, month, text
from csdomain.kernel.errors import ValidationError


def check_params(ctx: click.Context) -> None:
    """Refuse what no backend can store or the policy does not cover, before the command
    runs (exit 3 naming the option, like a 422 over HTTP): text with NUL or lone surrogates
    (e.g. undecodable bytes in argv) or beyond ``MAX_TEXT``, whole numbers beyond
    ``MAX_INT``, dates outside the policy's ``[bounds]``."""
    problems: list[tuple[str, str]] = []
    dated: list[tuple[str, date]] = []
    months: list[tuple[str, str]] = []
    for name, value in ctx.params.items():
        for item in value if isinstance(value, tuple | list) else (value,):
            if isinstance(item, str) and name == "month":
                check_text(item, name, month(), problems)
                months.append((name, item))
            elif isinstance(item, str):
                check_text(item, name, text(max_length=MAX_TEXT), problems)
            elif isinstance(item, int) and not isinstance(item, bool):
                if abs(item) > MAX_INT:
                    problems.append((name, f"must be between -{MAX_INT} and {MAX_INT}"))
            elif isinstance(item, date):
                dated.append((name, item.date() if isinstance(item, datetime) else item))
    state = ctx.find_object(CliState)
    if (dated or months) and not problems and state is not None:
        earliest, latest = state.policy().bounds.date_range
        for name, day in dated:
            if not earliest <= day <= latest:
                problems.append((name, f"must be between {earliest} and {latest}"))
        for name, text_month in months:
            if not f"{earliest:%Y-%m}" <= text_month <= f"{latest:%Y-%m}":
                problems.append((name, f"must be between {earliest:%Y-%m} and {latest:%Y-%m}"))
    if problems:
        err = ValidationError(
            "; ".join(f"{f}: {w}" for f, w in problems), field=problems[0][0], rule=RULE
        )
        err.errors = problems  # type: ignore[attr-defined]
        raise err


class Command(click.Command):
    """Every leaf command also takes ``--json``, so it can go at the end of a command line."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.append(
            click.Option(
                ["--json", "json_output"],
                is_flag=True,
                expose_value=False,
                callback=set_json,
                help="Machine-readable JSON on stdout (errors: a JSON problem object on stderr).",
            )
        )

    def invoke(self, ctx: click.Context) -> Any:
        check_params(ctx)
        return super().invoke(ctx)


class Group(click.Group):
    """Sub-groups (``customers``, ``files``…): their commands get ``--json`` too."""

    command_class = Command
