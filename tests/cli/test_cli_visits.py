"""Visits through the CLI (VIS-1…VIS-6), on memory and SQLite: a plan from start to approval,
a report with a follow-up item, a late report flagged by the scheduler, coverage, the care
calendar; bad input exits 3 naming the field."""

from __future__ import annotations

from cli_support import Cli, CliOrg, problem_of

from csd_support import at
from csdomain.kernel.clock import FixedClock


def test_visits_through_the_cli(timed: Cli, timed_org: CliOrg, clock: FixedClock) -> None:
    run, org = timed, timed_org
    cus = run.json(
        "customers", "register", "--name", "大连汽贸", "--phone", "13800000072", actor=org.sales
    )["id"]
    plan = run.json("visits", "plan", "2026-09", actor=org.sales)
    assert plan["due_on"] == "2026-08-31"
    added = run.ok(
        "visits",
        "add",
        plan["id"],
        cus,
        "--on",
        "2026-09-25",
        "--purpose",
        "first_visit",
        "--expense",
        "200.00",
        actor=org.sales,
    ).stdout
    assert "2026-09-28" in added and "rest day" in added  # VIS-1: Mid-Autumn moves
    submitted = run.json("visits", "submit", plan["id"], actor=org.sales)
    assert submitted["plan"]["late"] is True
    denied = run.fails(7, "--json", "visits", "approve", plan["id"], actor=org.sales)
    assert problem_of(denied)["rule"] == "VIS-1"
    run.ok("visits", "approve", plan["id"], actor=org.supervisor)
    [planned] = run.json("visits", "check", plan["id"], actor=org.sales)["visits"]
    # VIS-2: not reported two working days after the visit → flagged by the scheduler once
    clock.set(at("2026-10-09 18:45"))
    assert len(run.json("visits", "late-reports")) == 1
    assert run.json("visits", "late-reports") == []
    visit = run.json(
        "visits",
        "report",
        cus,
        "--on",
        "2026-09-28",
        "--purpose",
        "first_visit",
        "--met",
        "张经理",
        "--summary",
        "介绍新车型",
        "--outcome",
        "promising",
        "--expenses",
        "180.00",
        "--planned",
        planned["id"],
        "--follow-up",
        "寄送报价单",
        actor=org.sales,
    )
    assert visit["late"] is True and visit["expenses_approved"] is True
    [item] = run.json("visits", "follow-ups", actor=org.sales)
    run.ok("visits", "done", item["id"], "--note", "已寄", actor=org.sales)
    history = run.ok("visits", "history", cus, actor=org.sales).stdout
    assert visit["id"] in history
    coverage = run.json(
        "visits",
        "coverage",
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
        "--by",
        "company",
        actor=org.manager,
    )
    assert [(r["customers"], r["visited"]) for r in coverage] == [(1, 1)]
    assert (
        "nothing to remember"
        in run.ok(
            "visits", "care", "--from", "2026-10-01", "--to", "2026-10-31", actor=org.sales
        ).stdout
    )
    bad = run.fails(
        3,
        "--json",
        "visits",
        "report",
        cus,
        "--on",
        "2026-09-28",
        "--purpose",
        "lunch",
        "--met",
        "x",
        "--summary",
        "x",
        "--outcome",
        "promising",
        actor=org.sales,
    )
    assert problem_of(bad)["field"] == "purpose"
    assert len(run.json("visits", "history", cus, actor=org.sales)) == 1
