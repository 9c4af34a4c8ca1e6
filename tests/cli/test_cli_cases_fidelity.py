"""Issue 12 case rules through the CLI: the weekly complaint report (RPT), the work list
(CUS-4), complaint-form hand-offs (CASE-7), return visits (CASE-9) and follow-up cases
(CASE-15), with their exit codes."""

from __future__ import annotations

from typing import Any

from cli_support import Cli, CliOrg, problem_of


def _receive(run: Cli, actor: str, *extra: str) -> dict[str, Any]:
    data: dict[str, Any] = run.json(
        "cases",
        "receive",
        "--type",
        "complaint",
        "--category",
        "product_quality",
        "--channel",
        "phone",
        "--content",
        "The door seal leaks",
        "--customer-name",
        "Zhang San",
        *extra,
        actor=actor,
    )
    return data


def test_rpt_weekly_report_and_type_filter_on_the_cli(timed: Cli, timed_org: CliOrg) -> None:
    """RPT: ``cases weekly`` counts complaints of one ISO week (the test clock: Friday
    2026-09-18, week 38); ``--type`` filters."""
    run, org = timed, timed_org
    _receive(run, org.sales)
    weekly = run.json("cases", "weekly", "--week", "2026-W38", actor=org.supervisor)
    assert (weekly["received"], weekly["types"]) == (1, ["complaint"])
    none = run.json(
        "cases", "stats", "--month", "2026-09", "--type", "inquiry", actor=org.supervisor
    )
    assert none["received"] == 0
    bad = run.fails(3, "cases", "weekly", "--week", "W38", "--json", actor=org.supervisor)
    assert problem_of(bad)["field"] == "week"
    run.fails(7, "cases", "weekly", "--week", "2026-W38", actor=org.sales)
    human = run.ok("cases", "weekly", "--week", "2026-W38", actor=org.supervisor).stdout
    assert "2026-09-14" in human and "received" in human


def test_case7_case9_case15_on_the_cli(run: Cli, org: CliOrg) -> None:
    """CASE-7 hand-offs in order (exit 8 out of order); CASE-15 follow-up case; CASE-9 return
    visit refused before closing (exit 8); CUS-4 work list."""
    case = _receive(run, org.sales, "--market", "foreign")
    assert case["market"] == "foreign"
    handed = run.json("cases", "hand-off", case["number"], "gm_office", actor=org.sales)
    assert handed["id"] == case["id"]
    run.fails(8, "cases", "hand-off", case["id"], "business", actor=org.sales)
    follow = run.json(
        "cases",
        "follow-up-case",
        case["id"],
        "--type",
        "inquiry",
        "--category",
        "other",
        "--channel",
        "phone",
        "--content",
        "the window rattles too",
        actor=org.sales,
    )
    assert follow["related_case_id"] == case["id"] and follow["customer_name"] == "Zhang San"
    run.fails(8, "cases", "return-visit", case["id"], "--satisfaction", "4", actor=org.sales)
    listed = run.json("cases", "work-list", actor=org.manager)
    assert {c["id"] for c in listed} == {case["id"], follow["id"]}
    assert run.json("cases", "return-visits-overdue", actor=org.manager) == []
