"""Periodic satisfaction surveys through the CLI (SAT-2, SAT-3, SAT-1 report), on memory and
SQLite: create, answer (once), close with the 60 % return rate below the 75 % rule, raise the
corrective action once, and a bad level exits 3 naming the field."""

from __future__ import annotations

from cli_support import Cli, CliOrg, problem_of

from csd_support import at
from csdomain.kernel.clock import FixedClock


def _active(run: Cli, org: CliOrg, i: int) -> str:
    cus: str = run.json(
        "customers", "register", "--name", f"客户{i}", "--phone", f"1380015{i:04d}", actor=org.sales
    )["id"]
    run.ok(
        "customers",
        "update",
        cus,
        "--expected-version",
        "1",
        "--status",
        "closed_deal",
        actor=org.sales,
    )
    return cus


def test_surveys_through_the_cli(timed: Cli, timed_org: CliOrg, clock: FixedClock) -> None:
    run, org = timed, timed_org
    customers = [_active(run, org, i) for i in range(5)]
    asked = [arg for c in customers for arg in ("--customer", c)]
    s = run.json(
        "surveys",
        "create",
        "--title",
        "2026 satisfaction",
        "--period-start",
        "2026-01-01",
        "--period-end",
        "2026-12-31",
        *asked,
        actor=org.manager,
    )
    for c, level in zip(customers[:3], ["satisfied", "dissatisfied", "neutral"], strict=True):
        run.ok("surveys", "answer", s["id"], "--customer", c, "--level", level, actor=org.sales)
    twice = run.fails(
        5,
        "--json",
        "surveys",
        "answer",
        s["id"],
        "--customer",
        customers[0],
        "--level",
        "satisfied",
        actor=org.sales,
    )
    assert problem_of(twice)["rule"] == "SAT-2"
    bad = run.fails(
        3,
        "--json",
        "surveys",
        "answer",
        s["id"],
        "--customer",
        customers[3],
        "--level",
        "great",
        actor=org.sales,
    )
    assert problem_of(bad)["field"] == "level"
    clock.set(at("2026-10-20 10:00"))
    text = run.ok("surveys", "close", s["id"], actor=org.manager).stdout
    assert "60.0 %" in text and "below the 75 % rule" in text
    first = run.json(
        "surveys",
        "corrective-action",
        s["id"],
        "--owner",
        org.supervisor,
        "--description",
        "Retrain the desk",
        actor=org.manager,
    )
    again = run.json(
        "surveys",
        "corrective-action",
        s["id"],
        "--owner",
        org.supervisor,
        "--description",
        "Retrain the desk",
        actor=org.manager,
    )
    assert first["created"] and not again["created"] and first["case_id"] == again["case_id"]
    results = run.json("surveys", "results", s["id"], actor=org.supervisor)
    assert results["return_rate_below_minimum"] and results["below_target"]
    assert [x["id"] for x in run.json("surveys", "list", actor=org.sales)] == [s["id"]]
    report = run.json(
        "surveys", "job-report", "--start", "2026-09-01", "--end", "2026-09-30", actor=org.manager
    )
    assert report == []
