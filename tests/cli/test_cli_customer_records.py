"""Customer records through the CLI (issue 12), on memory and SQLite: daily registers, the
overdue report and appraisal points (CUS-1, CUS-7), the never-handed-over sweep and the
hand-over rates (CUS-3, RPT), file loans (CUS-7), sales figures and key accounts (CUS-5);
bad input exits 3 naming the field."""

from __future__ import annotations

from cli_support import Cli, CliOrg, problem_of

from csd_support import at
from csdomain.kernel.clock import FixedClock


def test_cus1_cus7_registers_through_the_cli(
    timed: Cli, timed_org: CliOrg, clock: FixedClock
) -> None:
    run, org = timed, timed_org
    clock.set(at("2026-09-17 17:00"))
    r = run.json("registers", "submit", "2026-09-17", actor=org.sales)
    assert r["status"] == "on_time"
    again = run.fails(5, "--json", "registers", "submit", "2026-09-17", actor=org.sales)
    assert problem_of(again)["rule"] == "CUS-1"
    bad = run.fails(3, "--json", "registers", "submit", "2026-09-19", actor=org.sales)
    assert problem_of(bad)["field"] == "day"
    clock.set(at("2026-09-18 11:00"))
    swept = run.json("registers", "sweep")
    assert {x["staff_id"] for x in swept} == {org.sales, org.sales2}
    assert run.json("registers", "sweep") == []
    rows = run.json(
        "registers", "overdue", "--start", "2026-09-17", "--end", "2026-09-18", actor=org.manager
    )
    assert [(x["staff_id"], x["status"]) for x in rows] == [(org.sales2, "missing")]
    human = run.ok("registers", "appraisal", "2026-09", actor=org.manager).stdout
    assert "Han Meimei" in human
    listed = run.json(
        "registers", "list", "--start", "2026-09-17", "--end", "2026-09-17", actor=org.sales
    )
    assert [x["status"] for x in listed] == ["on_time"]


def test_cus3_cus7_rpt_files_through_the_cli(
    timed: Cli, timed_org: CliOrg, clock: FixedClock
) -> None:
    run, org = timed, timed_org
    cid = run.json(
        "customers", "register", "--name", "王小明", "--phone", "13800138000", actor=org.sales
    )["id"]
    fid = run.json("files", "open", cid, "service", "--event-date", "2026-09-14", actor=org.sales)[
        "id"
    ]
    assert [s["file_id"] for s in run.json("files", "sweep")] == [fid]
    assert run.json("files", "sweep") == []
    [rate] = run.json("files", "handover-rates", "2026-09", actor=org.manager)
    assert (rate["files"], rate["on_time"]) == (1, 0)
    assert "Sales" in run.ok("files", "handover-rates", "2026-09", actor=org.manager).stdout
    loan = run.json("loans", "request", fid, "--purpose", "renewal offer", actor=org.sales)
    denied = run.fails(7, "--json", "loans", "approve", loan["id"], actor=org.sales2)
    assert problem_of(denied)["rule"] == "CUS-7"
    lent = run.json("loans", "approve", loan["id"], actor=org.supervisor)
    assert lent["state"] == "lent"
    other = run.json("loans", "request", fid, "--purpose", "audit", actor=org.supervisor)
    taken = run.fails(5, "--json", "loans", "approve", other["id"], actor=org.manager)
    assert problem_of(taken)["rule"] == "CUS-7"
    assert run.json("loans", "return", loan["id"], actor=org.manager)["state"] == "returned"
    assert "renewal offer" in run.ok("loans", "list", actor=org.manager).stdout


def test_cus5_key_accounts_through_the_cli(
    timed: Cli, timed_org: CliOrg, clock: FixedClock
) -> None:
    run, org = timed, timed_org
    cid = run.json(
        "customers", "register", "--name", "大连汽贸", "--phone", "13800138001", actor=org.sales
    )["id"]
    fig = run.json(
        "key-accounts",
        "sales",
        cid,
        "2026-09",
        "--sales",
        "500.00",
        "--cost",
        "300",
        actor=org.supervisor,
    )
    assert fig["margin"] == "200.00"
    bad = run.fails(
        3,
        "--json",
        "key-accounts",
        "sales",
        cid,
        "2026-13",
        "--sales",
        "1",
        "--cost",
        "1",
        actor=org.supervisor,
    )
    assert problem_of(bad)["field"] == "month"
    [top] = run.json("key-accounts", "top", "2026", "--by", "margin", actor=org.manager)
    assert top["name"] == "大连汽贸"
    assert run.json("key-accounts", "list", "2026-09", actor=org.manager) == []  # not graded
    churn = run.json("key-accounts", "churn", "2026-10", actor=org.manager)
    assert churn["key_accounts_before"] == 0 and churn["churn_percent"] is None
    assert "churn %" in run.ok("key-accounts", "churn", "2026-10", actor=org.manager).stdout
