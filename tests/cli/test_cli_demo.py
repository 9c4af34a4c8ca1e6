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
        )

    assert company(7) == company(7)
    assert company(7) != company(8)
