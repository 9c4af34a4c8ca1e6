"""SAT-2 through the CLI: the year check."""

from __future__ import annotations

from cli_support import Cli, CliOrg


def test_sat2_survey_year_through_the_cli(run: Cli, org: CliOrg) -> None:
    out = run.json("surveys", "year", "2026", actor=org.manager)
    assert out["status"] == "open" and out["held"] == 0
    run.fails(2, "surveys", "year", "1999", actor=org.manager)  # Click range check
