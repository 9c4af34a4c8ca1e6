"""Click base classes shared by every command module: ``--json`` on each leaf command."""

from __future__ import annotations

from typing import Any

import click

from adapters.cli.state import set_json


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


class Group(click.Group):
    """Sub-groups (``customers``, ``files``…): their commands get ``--json`` too."""

    command_class = Command
