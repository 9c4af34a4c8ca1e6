"""Service jobs (CASE-12), their survey (SAT-1) and maintenance contracts through the CLI."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from cli_support import Cli, CliOrg

from csdomain.kernel.clock import FixedClock

RATINGS = (
    "--rating",
    "attitude=very_satisfied",
    "--rating",
    "skill=satisfied",
    "--rating",
    "arrival_time=fair",
    "--rating",
    "follow_through=very_satisfied",
)


def technician(run: Cli, org: CliOrg) -> str:
    staff_id: str = run.json(
        "staff",
        "add",
        "--name",
        "Zhao Tech",
        "--role",
        "staff",
        "--position",
        "technician",
        "--supervisor",
        org.supervisor,
        actor=org.admin,
    )["id"]
    return staff_id


def register(run: Cli, actor: str, work_type: str, zone: str = "city") -> dict[str, Any]:
    job: dict[str, Any] = run.json(
        "jobs",
        "register",
        "--customer-name",
        "Zhang San",
        "--address",
        "1 Nanjing Rd",
        "--zone",
        zone,
        "--work-type",
        work_type,
        "--description",
        "air conditioning broken",
        actor=actor,
    )
    return job


def test_a_paid_job_fixed_on_site_is_invoiced_surveyed_and_closed(run: Cli, org: CliOrg) -> None:
    tech = technician(run, org)
    job = register(run, org.sales, "A")
    jid = job["id"]
    assert job["state"] == "registered" and job["arrive_by"] > job["registered_at"]
    queue = run.json("jobs", "queue", actor=org.supervisor)
    assert [j["id"] for j in queue] == [jid]

    assert (
        run.json("jobs", "dispatch", jid, "--technician", tech, actor=org.supervisor)[
            "technician_id"
        ]
        == tech
    )
    assert run.json("jobs", "queue", actor=org.supervisor) == []
    run.fails(7, "jobs", "arrive", jid, actor=org.sales)  # only the technician (or supervisor)
    arrived = run.ok("jobs", "arrive", jid, actor=tech).stdout
    assert f"Job {jid} arrived" in arrived and "now on_site" in arrived
    run.fails(3, "jobs", "fix", jid, actor=tech)  # the customer signs the report
    assert run.json("jobs", "fix", jid, "--customer-signed", actor=tech)["state"] == (
        "fixed_on_site"
    )
    run.ok("jobs", "survey", jid, *RATINGS, actor=org.sales)
    closing = run.fails(8, "jobs", "close", jid, actor=org.sales)  # paid work: invoice first
    assert "invoiced" in closing.stderr
    run.fails(
        3, "jobs", "invoice", jid, "--invoice-no", "INV-1", "--amount", "abc", actor=org.sales
    )
    invoiced = run.json(
        "jobs", "invoice", jid, "--invoice-no", "INV-1", "--amount", "380.00", actor=org.sales
    )
    assert invoiced["amount"] == "380.00" and invoiced["state"] == "invoiced"
    assert run.json("jobs", "close", jid, actor=org.sales)["state"] == "closed"

    shown = run.ok("jobs", "show", jid, actor=org.sales).stdout
    assert "Zhao Tech" in shown and "INV-1" in shown and "attitude=very_satisfied" in shown
    month = invoiced["registered_at"][:7]
    summary = run.json("jobs", "survey-summary", tech, "--month", month, actor=org.supervisor)
    assert summary["jobs"] == 1 and summary["surveyed"] == 1
    assert summary["ratings"]["arrival_time"]["fair"] == 1
    table = run.ok("jobs", "survey-summary", tech, "--month", month, actor=org.supervisor).stdout
    assert "1 completed job(s), 1 surveyed" in table and "VERY_SATISFIED" in table
    run.fails(2, "jobs", "survey-summary", tech, actor=org.supervisor)  # no period


def test_a_free_job_taken_in_is_inspected_and_returned(run: Cli, org: CliOrg) -> None:
    tech = technician(run, org)
    jid = register(run, org.sales, "C", zone="general")["id"]
    run.fails(7, "jobs", "arrive", jid, actor=org.supervisor)  # no technician: nobody's work yet
    run.ok("jobs", "dispatch", jid, "--technician", tech, actor=org.supervisor)
    run.ok("jobs", "arrive", jid, actor=tech)
    taken = run.json(
        "jobs", "take-in", jid, "--receipt", "R-7", "--repair-card", "RC-7", actor=tech
    )
    assert taken["state"] == "taken_in" and taken["receipt_no"] == "R-7"
    run.fails(7, "jobs", "inspect", jid, actor=tech)  # a supervisor inspects
    run.ok("jobs", "inspect", jid, "--note", "fine", actor=org.supervisor)
    assert run.json("jobs", "return", jid, actor=org.sales)["state"] == "returned"
    run.fails(8, "jobs", "invoice", jid, "--invoice-no", "X", "--amount", "1.00", actor=org.sales)
    run.fails(3, "jobs", "survey", jid, "--rating", "attitude=fair", actor=org.sales)
    run.ok("jobs", "survey", jid, *RATINGS, actor=org.sales)
    run.fails(8, "jobs", "survey", jid, *RATINGS, actor=org.sales)  # once
    assert run.json("jobs", "close", jid, actor=org.sales)["state"] == "closed"
    run.fails(4, "jobs", "show", "job_nope", actor=org.sales)


def test_scheduler_commands_prioritize_and_report_late_once(
    timed: Cli, timed_org: CliOrg, clock: FixedClock
) -> None:
    run, org = timed, timed_org
    jid = register(run, org.sales, "B")["id"]
    assert run.json("jobs", "prioritize") == []
    clock.advance(timedelta(days=3))
    prioritized = run.json("jobs", "prioritize")
    assert [j["id"] for j in prioritized] == [jid] and prioritized[0]["priority"] is True
    assert run.ok("jobs", "prioritize").stdout.strip() == "Prioritized 0 undispatched job(s)."

    late = run.ok("jobs", "report-late").stdout
    assert late.startswith("Reported 1 overdue job(s) to the supervisor.") and jid in late
    assert run.json("jobs", "report-late") == []

    customer = run.json(
        "customers", "register", "--name", "Zhang San", "--phone", "13800138000", actor=org.sales
    )
    contract = run.json(
        "contracts",
        "add",
        "--customer",
        customer["id"],
        "--number",
        "MC-1",
        "--starts",
        "2025-10-01",
        "--ends",
        "2026-10-10",
        actor=org.sales,
    )
    assert contract["ends_on"] == "2026-10-10"
    run.fails(
        3,
        "contracts",
        "add",
        "--customer",
        customer["id"],
        "--number",
        "MC-2",
        "--starts",
        "2026-10-01",
        "--ends",
        "2026-09-01",
        actor=org.sales,
    )
    notices = run.json("contracts", "renewal-notices")
    assert [c["number"] for c in notices] == ["MC-1"] and notices[0]["renewal_notified_at"]
