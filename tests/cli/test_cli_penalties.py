"""Penalties through the CLI: fines with repeat doubling, recurrences, appeals, rewards, cuts,
complaint losses and the monthly settlement with its payroll export (PEN-1…PEN-11)."""

from __future__ import annotations

import csv
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from cli_support import Cli, CliOrg
from openpyxl import load_workbook

from csdomain.kernel.clock import FixedClock


def record(run: Cli, org: CliOrg, staff: str, code: str, on: str, *extra: str) -> list[Any]:
    entries: list[Any] = run.json(
        "penalties",
        "record",
        staff,
        "--code",
        code,
        "--on",
        on,
        "--evidence",
        f"register check {on}",
        *extra,
        actor=org.supervisor,
    )
    return entries


def test_late_files_double_from_the_second_and_settle_once(
    run: Cli, org: CliOrg, tmp_path: Path
) -> None:
    amounts = [
        record(run, org, org.sales, "file_late", on)[0]["amount"]
        for on in ("2024-10-03", "2024-10-10", "2024-10-17")
    ]
    assert amounts == ["50.00", "100.00", "100.00"]  # PEN-2: a sales adviser, from the 2nd
    entries = run.json(
        "penalties", "entries", "--staff", org.sales, "--month", "2024-10", actor=org.supervisor
    )
    assert "2nd violation in 2024-10" in entries[1]["explanation"]
    assert "earlier: file_late on 2024-10-03" in entries[1]["explanation"]
    human = run.ok("penalties", "entries", "--month", "2024-10", actor=org.sales).stdout
    assert "Li Lei" in human and "= 100.00 元" in human

    run.fails(7, "penalties", "settle", "--month", "2024-10", actor=org.sales)
    first_csv, second_csv = tmp_path / "first.csv", tmp_path / "second.csv"
    xlsx = tmp_path / "payroll.xlsx"
    first = run.json(
        "penalties",
        "settle",
        "--month",
        "2024-10",
        "--csv",
        str(first_csv),
        "--xlsx",
        str(xlsx),
        actor=org.manager,
    )
    second = run.json(
        "penalties", "settle", "--month", "2024-10", "--csv", str(second_csv), actor=org.manager
    )
    assert first["statements"] == second["statements"]
    assert first["written"] == [str(first_csv), str(xlsx)]
    [statement] = first["statements"]
    assert statement["staff_id"] == org.sales and statement["total"] == "250.00"
    assert statement["fines"] == "250.00" and statement["settled_at"]
    assert first_csv.read_bytes() == second_csv.read_bytes()

    with first_csv.open(encoding="utf-8", newline="") as f:
        [row] = list(csv.DictReader(f))
    assert row["staff_id"] == org.sales and row["staff_name"] == "Li Lei"
    assert row["total"] == "250.00" and row["month"] == "2024-10"
    sheet = load_workbook(xlsx)["statements"]
    header = [c.value for c in sheet[1]]
    assert Decimal(str(sheet.cell(2, header.index("total") + 1).value)) == Decimal("250.00")

    summary = run.ok("penalties", "settle", "--month", "2024-10", actor=org.manager).stdout
    assert summary.startswith("Settled 2024-10: 1 statement(s).")
    assert "Li Lei" in summary and "250.00" in summary
    shown = run.json("penalties", "statement", org.sales, "--month", "2024-10", actor=org.sales)
    assert shown["settled"] is True and shown["total"] == "250.00" and len(shown["lines"]) == 3


def test_a_month_is_settled_only_after_it_ends_and_later_entries_adjust(
    timed: Cli, timed_org: CliOrg, clock: FixedClock
) -> None:
    run, org = timed, timed_org
    record(run, org, org.sales, "file_late", "2026-09-03")
    not_yet = run.fails(8, "penalties", "settle", "--month", "2026-09", actor=org.manager)
    assert "has not ended" in not_yet.stderr and "rule: PEN-10" in not_yet.stderr
    clock.advance(timedelta(days=15))  # 2026-10-03
    assert (
        len(run.json("penalties", "settle", "--month", "2026-09", actor=org.manager)["statements"])
        == 1
    )
    late = record(run, org, org.sales, "file_late", "2026-09-20")[0]
    assert late["month"] == "2026-10" and late["adjusts_month"] == "2026-09"
    assert "(for 2026-09)" in run.ok("penalties", "entries", actor=org.sales).stdout
    settled = run.json("penalties", "statement", org.sales, "--month", "2026-09", actor=org.sales)
    assert settled["total"] == "50.00" and settled["settled"] is True
    provisional = run.ok(
        "penalties", "statement", org.sales, "--month", "2026-10", actor=org.sales
    ).stdout
    assert "provisional" in provisional and "100.00" in provisional


def test_an_appeal_reduces_with_reversing_entries(run: Cli, org: CliOrg) -> None:
    [fine] = record(run, org, org.sales, "file_late", "2024-11-04")
    run.fails(
        3,
        "penalties",
        "record",
        org.sales,
        "--code",
        "nope",
        "--on",
        "2024-11-04",
        "--evidence",
        "x",
        actor=org.supervisor,
    )
    run.fails(7, "penalties", "appeal", fine["id"], "--reason", "not me", actor=org.sales2)
    appeal = run.json("penalties", "appeal", fine["id"], "--reason", "the courier", actor=org.sales)
    assert appeal["state"] == "open"
    run.fails(5, "penalties", "appeal", fine["id"], "--reason", "again", actor=org.sales)
    run.fails(
        7,
        "penalties",
        "decide",
        appeal["id"],
        "--decision",
        "waived",
        "--reason",
        "x",
        actor=org.supervisor,
    )
    run.fails(
        3,
        "penalties",
        "decide",
        appeal["id"],
        "--decision",
        "reduced",
        "--reason",
        "x",
        actor=org.manager,
    )
    decided = run.ok(
        "penalties",
        "decide",
        appeal["id"],
        "--decision",
        "reduced",
        "--reason",
        "partly late",
        "--new-amount",
        "20.00",
        actor=org.manager,
    ).stdout
    assert decided.strip() == f"Appeal {appeal['id']} of entry {fine['id']}: reduced to 20.00 元."
    entries = run.json("penalties", "entries", "--month", "2024-11", actor=org.sales)
    assert [(e["kind"], e["amount"]) for e in entries] == [
        ("violation", "50.00"),
        ("reversal", "-50.00"),
        ("adjustment", "20.00"),
    ]
    run.fails(
        8,
        "penalties",
        "decide",
        appeal["id"],
        "--decision",
        "upheld",
        "--reason",
        "x",
        actor=org.manager,
    )
    statement = run.json("penalties", "statement", org.sales, "--month", "2024-11", actor=org.sales)
    assert statement["total"] == "20.00" and statement["settled"] is False
    run.fails(7, "penalties", "statement", org.sales, "--month", "2024-11", actor=org.sales2)


def test_uncorrected_violations_count_again_each_working_day(
    timed: Cli, timed_org: CliOrg, clock: FixedClock
) -> None:
    run, org = timed, timed_org
    [fine] = record(run, org, org.sales, "missing_customer_signature", "2026-09-17")
    run.ok("penalties", "correct", fine["violation_id"], "--on", "2026-09-29", actor=org.supervisor)
    # a future as_of would book fines that have not happened (issue 7): exit 3 naming as_of
    err = run.fails(3, "penalties", "accrue", "--as-of", "2026-09-30").stderr
    assert "as_of" in err and "PEN-3" in err
    clock.advance(timedelta(days=12))  # 2026-09-30
    # the scheduler's actions run only as the system account (default without --as)
    denied = run.fails(7, "penalties", "accrue", actor=org.manager).stderr
    assert "scheduler.recurrences" in denied
    run.fails(7, "penalties", "from-events", actor=org.supervisor)
    created = run.json("penalties", "accrue", "--as-of", "2026-09-30")
    # PEN-3 worked example: 09-20 (make-up day), 21–24, 28; not the holiday or weekend
    assert [e["occurred_on"] for e in created] == [
        "2026-09-20",
        "2026-09-21",
        "2026-09-22",
        "2026-09-23",
        "2026-09-24",
        "2026-09-28",
    ]
    assert {e["amount"] for e in created} == {"20.00"}
    assert run.ok("penalties", "accrue", "--as-of", "2026-09-30").stdout.strip() == (
        "Recorded 0 recurrence(s)."
    )
    run.fails(
        8, "penalties", "correct", fine["violation_id"], "--on", "2026-09-30", actor=org.supervisor
    )


def test_rewards_cuts_bonus_and_complaint_losses(run: Cli, org: CliOrg) -> None:
    reward = run.json(
        "penalties",
        "reward",
        org.sales,
        "--proposed-by",
        org.supervisor,
        "--amount",
        "200.00",
        "--reason",
        "praised by the customer",
        "--month",
        "2024-12",
        actor=org.gm,
    )
    assert reward["amount"] == "-200.00" and reward["kind"] == "reward"
    run.fails(
        7,
        "penalties",
        "reward",
        org.sales,
        "--proposed-by",
        org.sales2,
        "--amount",
        "1.00",
        "--reason",
        "x",
        actor=org.gm,
    )
    run.fails(
        7,
        "penalties",
        "reward",
        org.sales,
        "--proposed-by",
        org.supervisor,
        "--amount",
        "1.00",
        "--reason",
        "x",
        actor=org.manager,
    )
    cut = run.ok(
        "penalties",
        "cut",
        org.sales,
        "--month",
        "2024-12",
        "--percent",
        "20",
        "--performance-pay",
        "2000.00",
        "--reason",
        "repeat offences",
        actor=org.manager,
    ).stdout
    assert "2000.00 元 × 20 % = 400.00 元" in cut
    run.fails(
        3,
        "penalties",
        "cut",
        org.sales,
        "--month",
        "2024-12",
        "--percent",
        "50",
        "--performance-pay",
        "2000.00",
        "--reason",
        "x",
        actor=org.manager,
    )
    statement = run.json(
        "penalties", "statement", org.sales, "--month", "2024-12", actor=org.manager
    )
    assert statement["rewards"] == "-200.00" and statement["total"] == "200.00"

    bonus = run.json(
        "penalties",
        "bonus",
        org.sales,
        "--month",
        "2024-12",
        "--amount",
        "3000.00",
        actor=org.manager,
    )
    assert bonus["bonus"] == "3000.00"
    run.fails(
        3,
        "penalties",
        "bonus",
        org.sales,
        "--month",
        "2024-12",
        "--amount",
        "-1.00",
        actor=org.manager,
    )

    # PEN-5: a closed complaint's 1 000 元 loss over base points 3, 3, 1
    cid = run.json(
        "cases",
        "receive",
        "--type",
        "complaint",
        "--category",
        "price",
        "--channel",
        "email",
        "--content",
        "overcharged",
        "--customer-name",
        "Zhang San",
        actor=org.sales,
    )["id"]
    for command, extra, actor in [
        ("accept", (), org.supervisor),
        ("assign", ("--department", org.dept, "--handler", org.sales), org.supervisor),
        ("propose", ("--remedy", "written_explanation", "--solution", "letter"), org.sales),
        ("approve", (), org.supervisor),
        ("reply", ("--method", "email", "--message", "sorry"), org.sales),
        ("follow-up", ("--accepted", "--satisfaction", "3"), org.sales),
    ]:
        run.ok("cases", command, cid, *extra, actor=actor)
    run.fails(8, "penalties", "charge-loss", cid, "--share", f"{org.sales}=1", actor=org.manager)
    run.ok(
        "cases", "close", cid, "--cause", "carelessness", "--loss", "1000.00", actor=org.supervisor
    )
    run.fails(
        3, "penalties", "charge-loss", cid, "--share", f"{org.sales}=three", actor=org.manager
    )
    shares = run.json(
        "penalties",
        "charge-loss",
        cid,
        "--share",
        f"{org.sales}=3",
        "--share",
        f"{org.sales2}=3",
        "--share",
        f"{org.supervisor}=1",
        actor=org.manager,
    )
    assert [e["amount"] for e in shares] == ["428.57", "428.57", "142.86"]
    assert {e["kind"] for e in shares} == {"complaint_loss"}
    run.fails(5, "penalties", "charge-loss", cid, "--share", f"{org.sales}=1", actor=org.manager)


def test_issue12_regions_staff_data_sanctions_and_recommendations(run: Cli, org: CliOrg) -> None:
    """PEN-2 regions and their heads, PEN-5 base points, PEN-7 sanctions, PEN-9 ranges and
    the dismissal recommendation a GM decides, PEN-10 the settlement report."""
    region = run.json("regions", "add", "华南区", "--head", org.manager, actor=org.admin)
    assert run.json("regions", "list", actor=org.sales)[0]["head_id"] == org.manager
    staff = run.json(
        "staff",
        "update",
        org.sales,
        "--base-points",
        "2",
        "--region",
        region["id"],
        actor=org.admin,
    )
    assert (staff["base_points"], staff["region_id"]) == (2, region["id"])
    escalated = record(run, org, org.sales, "complaint_escalated_unhandled", "2024-10-03")
    assert [e["staff_id"] for e in escalated] == [org.sales, org.manager]
    demerit = run.json(
        "penalties",
        "sanction",
        org.sales,
        "--level",
        "minor_demerit",
        "--month",
        "2024-10",
        "--reason",
        "repeated complaints",
        actor=org.gm,
    )
    assert demerit[0]["amount"] == "1600.00"  # 800 × 2 base points
    failed = run.fails(
        3,
        "penalties",
        "record",
        org.sales,
        "--code",
        "forcing_confidentiality_breach",
        "--on",
        "2024-10-04",
        "--evidence",
        "x",
        "--amount",
        "10.00",
        actor=org.supervisor,
    )
    assert "PEN-9" in failed.stderr and "amount" in failed.stderr
    record(
        run,
        org,
        org.sales,
        "forcing_confidentiality_breach",
        "2024-10-04",
        "--amount",
        "50000.00",
    )
    (rec,) = run.json("penalties", "recommendations", "--open", actor=org.manager)
    decided = run.json(
        "penalties",
        "decide-recommendation",
        rec["id"],
        "--reject",
        "--reason",
        "warned",
        actor=org.gm,
    )
    assert decided["state"] == "rejected"
    report = run.json("penalties", "settlement-report", actor=org.manager)
    assert report[0]["month"] == "2024-10" and report[0]["due_on"] == "2024-11-11"
