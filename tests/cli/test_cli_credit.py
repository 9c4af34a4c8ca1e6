"""Customer credit through the CLI (CRD-1…CRD-6), on memory and SQLite: open an account,
record invoices, see the rolling line, authorize shipments, run the month end twice."""

from __future__ import annotations

from cli_support import Cli, CliOrg, problem_of

from csd_support import at
from csdomain.kernel.clock import FixedClock


def _customer(run: Cli, org: CliOrg) -> str:
    cus: str = run.json(
        "customers", "register", "--name", "大连汽贸", "--phone", "13800000072", actor=org.sales
    )["id"]
    f = run.json("files", "open", cus, "new_sale", "--event-date", "2026-08-03", actor=org.sales)[
        "id"
    ]
    run.ok("files", "add-documents", f, "id_copy=box 7", actor=org.sales)
    run.ok(
        "credit",
        "open",
        cus,
        "--contract-type",
        "distribution",
        "--contract-no",
        "D-1",
        "--signed-on",
        "2026-08-01",
        actor=org.manager,
    )
    for day in ("2026-09-01", "2026-09-15", "2026-09-30"):
        run.ok(
            "credit",
            "invoice",
            cus,
            "--amount",
            "30000.00",
            "--on",
            day,
            "--reference",
            f"INV-{day}",
            actor=org.sales,
        )
    return cus


def test_credit_through_the_cli(timed: Cli, timed_org: CliOrg, clock: FixedClock) -> None:
    run, org = timed, timed_org
    cus = _customer(run, org)
    clock.set(at("2026-10-01 10:00"))
    pos = run.json("credit", "show", cus, actor=org.sales)
    assert (pos["line"], pos["balance"]) == ("90000.00", "90000.00")
    text = run.ok("credit", "show", cus, "--on", "2026-10-05", actor=org.sales).stdout
    assert "60000.00" in text and "credit:" in text
    # a salesperson cannot sign an over-limit shipment: exit 7 naming the rule
    denied = run.fails(
        7,
        "--json",
        "credit",
        "ship",
        cus,
        "--amount",
        "29999.99",
        "--reference",
        "SH-1",
        "--over-limit",
        "first",
        "--reason",
        "x",
        actor=org.sales,
    )
    assert problem_of(denied)["rule"] == "CRD-3"
    first = run.json(
        "credit",
        "ship",
        cus,
        "--amount",
        "20000.00",
        "--reference",
        "SH-1",
        "--over-limit",
        "first",
        "--reason",
        "peak",
        actor=org.manager,
    )
    assert first["allowed"] and first["shipment"]["decision"] == "first_over_limit"
    last = run.ok(
        "credit",
        "ship",
        cus,
        "--amount",
        "25000.00",
        "--reference",
        "SH-2",
        "--over-limit",
        "last",
        "--reason",
        "closing",
        actor=org.manager,
    ).stdout
    assert "last_over_limit" in last and "liable" in last
    # a 3-decimal amount is refused naming the field, exit 3, nothing stored
    bad = run.fails(
        3,
        "--json",
        "credit",
        "payment",
        cus,
        "--amount",
        "1.005",
        "--on",
        "2026-10-02",
        "--reference",
        "P",
        actor=org.sales,
    )
    assert problem_of(bad)["field"] == "amount"
    assert len(run.json("credit", "ledger", cus, actor=org.sales)) == 5
    clock.set(at("2026-11-01 03:00"))
    charged = run.json("credit", "month-end", "--month", "2026-10", actor=org.manager)
    assert [(c["staff_id"], c["amount"]) for c in charged] == [(org.manager, "25000.00")]
    assert run.json("credit", "month-end", "--month", "2026-10", actor=org.manager) == []
    assert run.json("credit", "month-end") == []  # the scheduler's run: already charged
    report = run.ok("credit", "report", "over-limit", "--month", "2026-10", actor=org.manager)
    assert "SH-1" not in report.stdout and "25000.00" in report.stdout
