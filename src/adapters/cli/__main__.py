"""``python -m adapters.cli``: the same command where the console script is not on PATH."""

from adapters.cli.main import cli

cli(prog_name="csdomain")
