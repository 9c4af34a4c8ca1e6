"""``csdomain init --demo`` (issue 11): a living demo company on the embedded SQLite.

One demo database is loaded for the module (it takes seconds); the tests then read it
through the CLI and the web pages as a newcomer would after ``init --demo`` and ``serve``.
Speed is measured in ``benchmarks/bench_demo.py``, not here.
"""

from __future__ import annotations

import json
import re
import stat
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from click.testing import CliRunner

from adapters.bootstrap import bootstrap
from adapters.cli.main import cli
from adapters.demo import DemoSize, load_demo
from adapters.http import create_app
from adapters.policy_file import DEFAULT_POLICY_PATH
from adapters.settings import Settings

AS_OF = "2026-12-02"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{folder}/csdomain.db"
    result = CliRunner().invoke(
        cli, ["--database-url", url, "--json", "init", "--demo", "--demo-as-of", AS_OF]
    )
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    lines = (folder / "csdomain-demo-tokens.tsv").read_text(encoding="utf-8").splitlines()
    people = [dict(zip(lines[1].split("\t"), line.split("\t"), strict=True)) for line in lines[2:]]
    return {"url": url, "folder": folder, "data": data, "people": people}


def _run(demo: dict[str, Any], *args: str) -> Any:
    result = CliRunner().invoke(cli, ["--database-url", demo["url"], "--json", *args])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _who(demo: dict[str, Any], position: str) -> dict[str, str]:
    return next(p for p in demo["people"] if p["position"] == position)


def test_the_demo_company_has_every_role_position_and_a_private_token_file(
    demo: dict[str, Any],
) -> None:
    tokens = demo["folder"] / "csdomain-demo-tokens.tsv"
    assert stat.S_IMODE(tokens.stat().st_mode) == 0o600  # only the owner can read it
    people = demo["people"]
    assert len(people) == 30
    roles = {"admin", "gm", "deputy_gm", "manager", "supervisor", "staff"}
    assert {p["role"] for p in people} == roles
    positions = {p["position"] for p in people}
    for position in ("sales_adviser", "service_adviser", "technician", "cs_desk", "file_clerk"):
        assert position in positions
    assert all(p["token"].strip() for p in people)
    summary = demo["data"]["demo"]
    assert summary["customers"] == 300 and summary["staff"] == 30
    assert summary["settled_months"] == ["2026-10"]
    assert summary["breaches"] > 0 and summary["penalty_entries"] > 0


def test_cases_are_in_every_state_with_breaches_and_a_major_case(demo: dict[str, Any]) -> None:
    states = demo["data"]["demo"]["case_states"]
    for state in (
        "received",
        "accepted",
        "assigned",
        "investigating",
        "waiting_customer",
        "proposed",
        "approved",
        "replied",
        "propose_again",
        "resolved",
        "closed",
        "not_accepted",
    ):
        assert states.get(state, 0) >= 1, state
    manager = _who(demo, "cs_manager")["id"]
    grouped = _run(demo, "--as", manager, "cases", "by-clock-status")
    assert grouped["breached"], grouped  # `cases by-clock-status` shows real work
    cases = _run(demo, "--as", manager, "cases", "list", "--limit", "500")
    assert any(c["severity"] == "major" for c in cases)


def test_statements_and_monthly_statistics_show_plausible_numbers(demo: dict[str, Any]) -> None:
    manager = _who(demo, "sales_manager")["id"]
    adviser = _who(demo, "sales_adviser")["id"]
    statement = _run(demo, "--as", manager, "penalties", "statement", adviser, "--month", "2026-10")
    assert statement["settled"] is True and statement["settled_at"].startswith("2026-11")
    assert statement["lines"] and all(line["explanation"] for line in statement["lines"])
    lines = statement["lines"]
    fines = sum(Decimal(line["amount"]) for line in lines if line["kind"] == "violation")
    assert fines == Decimal(statement["fines"]) > 0
    stats = _run(demo, "--as", manager, "cases", "stats", "--month", "2026-11")
    assert stats["received"] > 10 and stats["by_category"]


def test_the_demo_has_customers_on_credit_with_over_limit_shipments(demo: dict[str, Any]) -> None:
    """Issue 13: invoices, payments and over-limit shipments (CRD-2/3), and the scheduler's
    month end charging the signer of the unpaid last over-limit one (CRD-4)."""
    summary = demo["data"]["demo"]
    assert summary["credit_accounts"] >= 3
    for decision in ("within_line", "first_over_limit", "last_over_limit", "refused", "cash_only"):
        assert summary["shipments"].get(decision, 0) >= 1, decision
    assert summary["credit_charges"] == 1
    manager = _who(demo, "sales_manager")["id"]
    over = _run(demo, "--as", manager, "credit", "report", "over-limit", "--month", "2026-10")
    last = [o for o in over if o["shipment"]["decision"] == "last_over_limit"]
    assert len(last) == 1 and last[0]["shipment"]["charged"] is True
    assert last[0]["shipment"]["signed_by"] == manager
    statement = _run(demo, "--as", manager, "penalties", "statement", manager, "--month", "2026-10")
    charges = [line for line in statement["lines"] if line["kind"] == "credit_liability"]
    assert len(charges) == 1 and last[0]["shipment"]["reference"] in charges[0]["explanation"]
    exposure = _run(demo, "--as", manager, "credit", "report", "exposure", "--on", "2026-12-01")
    assert len(exposure) >= 3 and all(Decimal(r["line"]) > 0 for r in exposure)
    customer = last[0]["shipment"]["customer_id"]
    ledger = _run(demo, "--as", manager, "credit", "ledger", customer)
    assert {e["kind"] for e in ledger} >= {"invoice", "payment"}


def test_the_demo_has_visit_plans_reports_and_a_survey(demo: dict[str, Any]) -> None:
    """Issue 14: approved plans (VIS-1), reports with some late (VIS-2), coverage (VIS-4) and
    the year's satisfaction survey with its answers (SAT-2)."""
    summary = demo["data"]["demo"]
    assert summary["visit_plans"] >= 8 and summary["visits"] >= 10
    assert 1 <= summary["late_visit_reports"] < summary["visits"]
    assert summary["survey_responses"] >= 5
    manager = _who(demo, "sales_manager")["id"]
    plans = _run(demo, "--as", manager, "visits", "plans", "--month", "2026-11")
    assert plans and all(p["status"] == "approved" for p in plans)
    rows = _run(
        demo,
        "--as",
        manager,
        "visits",
        "coverage",
        "--from",
        "2026-10-01",
        "--to",
        "2026-11-30",
        "--by",
        "company",
    )
    assert rows[0]["customers"] > rows[0]["visited"] > 0
    gm = _who(demo, "gm")["id"]
    [survey] = _run(demo, "--as", gm, "surveys", "list")
    results = _run(demo, "--as", gm, "surveys", "results", survey["id"])
    assert results["returned"] == summary["survey_responses"]


def test_the_demo_has_service_jobs_registers_and_loans_for_the_replay(
    demo: dict[str, Any], tmp_path: Any
) -> None:
    """Issue 15: repair calls in several states (CASE-12), some on site late, rated on the
    SAT-1 items; maintenance contracts with renewal notices; daily registers of every status
    (CUS-1); file loans lent by a supervisor and checked back in by the clerk, one late
    (CUS-7). And `policy replay` of November under a candidate with a shorter city arrival
    time finds jobs that were on time and would be late."""
    summary = demo["data"]["demo"]
    states = summary["job_states"]
    assert summary["service_jobs"] == sum(states.values()) >= 40
    assert states.get("closed", 0) >= 20 and states.get("dispatched", 0) >= 1, states
    assert len(states) >= 4, states
    assert 1 <= summary["late_arrivals"] < summary["service_jobs"] // 2
    assert summary["rated_jobs"] >= states["closed"]
    assert summary["maintenance_contracts"] >= 2 and summary["renewal_notices"] >= 2
    for status in ("on_time", "exception", "late", "missing"):
        assert summary["registers"].get(status, 0) >= 1, status
    assert summary["registers"]["on_time"] > summary["registers"]["late"]
    assert summary["file_loans"] == {"lent": 1, "returned": 3}

    supervisor = _who(demo, "service_supervisor")["id"]
    technicians = [p["id"] for p in demo["people"] if p["position"] == "technician"]
    rated = 0
    for technician in technicians:  # SAT-1: each rated job counts once per item
        s = _run(
            demo, "--as", supervisor, "jobs", "survey-summary", technician, "--month", "2026-11"
        )
        for counts in s["ratings"].values():
            assert sum(counts.values()) == s["surveyed"] <= s["jobs"]
        rated += s["surveyed"]
    assert rated >= 10

    manager = _who(demo, "sales_manager")["id"]
    loans = _run(demo, "--as", manager, "loans", "list")
    clerk = _who(demo, "file_clerk")["id"]
    returned = [loan for loan in loans if loan["state"] == "returned"]
    assert all(loan["returned_to"] == clerk != loan["borrower_id"] for loan in returned)
    assert all(loan["decided_by"] != loan["borrower_id"] for loan in loans)
    late = [loan for loan in returned if loan["returned_at"][:10] > loan["due_back_on"]]
    assert len(late) == 1
    overdue = _run(
        demo,
        "--as",
        manager,
        "registers",
        "overdue",
        "--start",
        "2026-11-01",
        "--end",
        "2026-11-30",
    )
    assert {r["status"] for r in overdue} == {"late", "missing"}

    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    city = '[service_jobs.zones.city]\nlabel = "City"\nhours = 6\n'
    assert city in text
    candidate = tmp_path / "shorter-city.toml"
    candidate.write_text(text.replace(city, city.replace("hours = 6", "hours = 2")), "utf-8")
    gm = _who(demo, "gm")["id"]
    report = _run(
        demo,
        "--as",
        gm,
        "policy",
        "replay",
        "--policy",
        str(candidate),
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--only",
        "service_jobs",
    )
    [section] = report["sections"]
    assert section["capability"] == "service_jobs" and section["compared"] >= 20
    items = section["items"]
    assert items and all(i["rule"] == "CASE-12" for i in items)
    # a shorter deadline only makes arrivals later: every difference is on time → late
    assert all(
        (i["measure"], i["old_value"], i["new_value"]) == ("late arrivals", "0", "1") for i in items
    ), items
    assert all("(city," in i["subject"] for i in items)
    [late_total] = [t for t in section["totals"] if t["measure"] == "late arrivals"]
    assert int(late_total["new"]) - int(late_total["old"]) == len(items)


def test_the_web_customer_list_shows_the_demo_customers(demo: dict[str, Any]) -> None:
    app = bootstrap(Settings(database_url=demo["url"]))
    try:
        client = create_app(app).test_client()
        form = client.get("/sign-in").get_data(as_text=True)  # sign in as a newcomer would
        csrf = re.search(r'name="csrf" value="([^"]+)"', form)
        assert csrf, form
        token = _who(demo, "sales_manager")["token"]
        signed_in = client.post("/sign-in", data={"token": token, "csrf": csrf.group(1)})
        assert signed_in.status_code == 302
        page = client.get("/customers")
        assert page.status_code == 200
        first = app.services.customers.list(_who(demo, "sales_manager")["id"], limit=1)[0]
        assert first.name in page.get_data(as_text=True)
    finally:
        app.close()


def test_demo_customers_are_found_by_pinyin_initials(demo: dict[str, Any]) -> None:
    from pypinyin import Style, lazy_pinyin

    manager = _who(demo, "sales_manager")["id"]
    first = _run(demo, "--as", manager, "customers", "list", "--limit", "1")[0]
    initials = "".join(lazy_pinyin(first["name"], style=Style.FIRST_LETTER))
    found = _run(demo, "--as", manager, "customers", "find", initials, "--limit", "300")
    assert first["id"] in [c["id"] for c in found]


def test_the_demo_refuses_a_database_that_has_staff(demo: dict[str, Any]) -> None:
    result = CliRunner().invoke(cli, ["--database-url", demo["url"], "init", "--demo"])
    assert result.exit_code == 5 and "already has staff" in result.stderr


def test_the_demo_is_deterministic_for_a_seed_and_date() -> None:
    def company(seed: int) -> Any:
        app = bootstrap(Settings(storage="memory"))
        size = DemoSize(staff=16, customers=40)
        result = load_demo(app.settings, app.storage, as_of=date(2026, 12, 2), seed=seed, size=size)
        gm = result.person("gm").id  # reads every customer and case; admin none
        customers = app.services.customers.list(gm, limit=1000)
        cases = app.services.cases.list(gm, limit=1000)
        assert len(customers) == size.customers
        return (
            [(c.name, c.phone, c.grade, c.id_number) for c in customers],
            [(c.number, c.state, c.category, c.remedy_amount) for c in cases],
            sorted(p.staff.name for p in result.people),
            result.case_states,
            result.breaches,
            (result.job_states, result.late_arrivals, result.registers, result.file_loans),
        )

    assert company(7) == company(7)
    assert company(7) != company(8)


def test_the_demo_leaves_a_policy_history_with_a_raised_fine_from_november(
    demo: dict[str, Any],
) -> None:
    """Issue 15 (PEN-1, X-4): version 1 is the started-with policy; version 2, uploaded by
    the customer-service manager and activated by the GM, raises the late hand-over fine from
    2026-11-01, so `policy versions`, `policy diff 1 2` and the November fines show it."""
    gm = _who(demo, "gm")["id"]
    versions = _run(demo, "--as", gm, "policy", "versions")
    assert [(v["number"], v["state"]) for v in versions] == [(1, "active"), (2, "active")]
    second = versions[1]
    assert second["effective_from"] == "2026-11-01"
    assert second["uploaded_by"] == _who(demo, "cs_manager")["id"]
    assert second["approved_by"] == gm != second["uploaded_by"]
    diff = _run(demo, "--as", gm, "policy", "diff", "1", "2")
    assert [(c["path"], c["old"], c["new"]) for c in diff["changes"]] == [
        ("version", "2026.1-default", "2026.1-default+demo.2"),
        ("penalties.catalogue[file_late].amount", "50.00", "80.00"),
    ]
    app = bootstrap(Settings(database_url=demo["url"]))
    with app.storage.unit_of_work() as uow:
        late = [
            (e.month, e.amount.amount)
            for e in uow.penalty_entries.list()
            if e.kind.value == "violation"
            and e.explanation.startswith("Customer file handed over late")
        ]
    assert late and {a for m, a in late if m == "2026-11"} <= {Decimal("80.00"), Decimal("160.00")}
    assert {a for m, a in late if m == "2026-10"} <= {Decimal("50.00"), Decimal("100.00")}
