"""Bounds at the edge over the CLI (issue 8, X-8): the inputs the HTTP API refuses with a 422
exit 3 here, naming the option, and store nothing (memory and SQLite)."""

from __future__ import annotations

import pytest
from cli_support import Cli, CliOrg, problem_of

from csdomain.kernel.bounds import MAX_INT


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("customers", "register", "--name", "名" * 20_000, "--phone", "13800138000"), "name"),
        (("customers", "register", "--name", "a\udcff", "--phone", "13800138000"), "name"),
        (("customers", "list", "--offset", str(2**63)), "offset"),
        (("files", "overdue", "--as-of", "20261201"), "as_of"),
        (("files", "overdue", "--as-of", "2026-W49-3"), "as_of"),
        (("files", "overdue", "--as-of", "2026-1-1"), "as_of"),
        (("files", "overdue", "--as-of", "9999-12-31"), "as_of"),
        (("penalties", "entries", "--month", "1-01"), "month"),
        (("penalties", "entries", "--month", "2100-01"), "month"),
        (
            (
                "exchanges",
                "open",
                "--customer-name",
                "店",
                "--goods",
                "X",
                "--quantity",
                str(MAX_INT + 1),
                "--reason",
                "colour",
            ),
            "quantity",
        ),
    ],
)
def test_boundary_inputs_exit_3_naming_the_option(
    run: Cli, org: CliOrg, args: tuple[str, ...], field: str
) -> None:
    before = run.json("customers", "list", actor=org.gm)
    # --json first: an option that fails to parse stops Click before later options
    problem = problem_of(run.fails(3, *args[:2], "--json", *args[2:], actor=org.gm))
    assert problem["exit_code"] == 3 and problem["field"] == field
    assert run.json("customers", "list", actor=org.gm) == before
