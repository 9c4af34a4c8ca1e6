"""Penalties over HTTP: violations with their explained fines (PEN-1/2/8), appeals (PEN-10),
statements seen only by their owner or supervisors, the monthly settlement and the payroll
export as CSV/XLSX (PEN-10), losses (PEN-5), bonuses (PEN-6), cuts (PEN-4), rewards (PEN-11),
recurrences (PEN-3) and violations from clock breaches."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from http_support import Api, at, problem
from openpyxl import load_workbook

from adapters.bootstrap import App
from csdomain.kernel.clock import FixedClock

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _ok(resp: Any, status: int = 200) -> Any:
    assert resp.status_code == status, resp.get_json()
    return resp.get_json()


def _violation(api: Api, staff_id: str, code: str = "file_late", day: str = "2026-09-10") -> Any:
    return api.post(
        "/api/v1/violations",
        "manager",
        json={"staff_id": staff_id, "code": code, "occurred_on": day, "evidence": "register"},
    )


def test_violation_appeal_settlement_and_payroll_export(
    api: Api, org: Any, clock: FixedClock
) -> None:
    entries = _ok(_violation(api, org.sales.id), 201)
    assert [(e["staff_id"], e["kind"], e["amount"]) for e in entries] == [
        (org.sales.id, "violation", "50.00")
    ]
    assert "50.00 元 × 1 vehicle_instance" in entries[0]["explanation"]
    second = _ok(_violation(api, org.sales.id, day="2026-09-11"), 201)
    assert second[0]["amount"] == "100.00"  # PEN-2: doubled from the 2nd for sales advisers
    no_evidence = api.post(
        "/api/v1/violations",
        "manager",
        json={"staff_id": org.sales.id, "code": "file_late", "occurred_on": "2026-09-10"},
    )
    assert problem(no_evidence, 422)["field"] == "evidence"
    assert problem(_violation(api, org.sales.id, code="napping"), 422)["field"] == "code"

    # staff see only their own entries and statements
    mine = _ok(api.get("/api/v1/penalty-entries", "sales"))["items"]
    assert len(mine) == 2
    assert _ok(api.get("/api/v1/penalty-entries", "sales2"))["items"] == []
    assert problem(api.get(f"/api/v1/penalty-entries?staff_id={org.sales.id}", "sales2"), 403)
    assert problem(api.get("/api/v1/penalty-entries?month=09-2026", "manager"), 422)
    own = _ok(api.get(f"/api/v1/statements/{org.sales.id}/2026-09", "sales"))
    assert own["settled"] is False and own["statement"]["total"] == "150.00"
    denied = problem(api.get(f"/api/v1/statements/{org.sales.id}/2026-09", "sales2"), 403)
    assert denied["rule"] == "PEN-10"
    assert _ok(api.get(f"/api/v1/statements/{org.sales.id}/2026-09", "supervisor"))

    # appeal: only the penalised person; decided by the appeal role; a reversal, not an edit
    entry_id = second[0]["id"]
    assert problem(
        api.post(f"/api/v1/penalty-entries/{entry_id}/appeals", "sales2", json={"reason": "x"}),
        403,
    )
    appeal = _ok(
        api.post(
            f"/api/v1/penalty-entries/{entry_id}/appeals", "sales", json={"reason": "was ill"}
        ),
        201,
    )
    decision = {"decision": "reduced", "reason": "partly excused", "new_amount": "60.00"}
    assert problem(
        api.post(f"/api/v1/appeals/{appeal['id']}/decision", "supervisor", json=decision), 403
    )
    decided = _ok(api.post(f"/api/v1/appeals/{appeal['id']}/decision", "manager", json=decision))
    assert (decided["state"], decided["new_amount"]) == ("reduced", "60.00")
    assert problem(
        api.post(f"/api/v1/appeals/{appeal['id']}/decision", "manager", json=decision), 409
    )

    # settlement: the settlement role, after the month ended
    assert problem(api.post("/api/v1/penalty-months/2026-09/settlement", "manager"), 409)
    clock.set(at("2026-10-03 09:00"))
    assert problem(api.post("/api/v1/penalty-months/2026-09/settlement", "sales"), 403)
    assert problem(api.get("/api/v1/penalty-months/2026-09/statements.csv", "manager"), 409)
    statements = _ok(api.post("/api/v1/penalty-months/2026-09/settlement", "manager"))
    assert [(s["staff_id"], s["total"]) for s in statements] == [(org.sales.id, "110.00")]
    again = _ok(api.post("/api/v1/penalty-months/2026-09/settlement", "manager"))
    assert [s["id"] for s in again] == [s["id"] for s in statements]
    settled = _ok(api.get(f"/api/v1/statements/{org.sales.id}/2026-09", "sales"))
    assert settled["settled"] is True

    exported = api.get("/api/v1/penalty-months/2026-09/statements.csv", "manager")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    assert "statements-2026-09.csv" in exported.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert [(r["staff_id"], r["staff_name"], r["total"]) for r in rows] == [
        (org.sales.id, "Li Lei", "110.00")
    ]
    workbook = api.get("/api/v1/penalty-months/2026-09/statements.xlsx", "manager")
    assert workbook.status_code == 200 and workbook.mimetype == XLSX
    sheet = load_workbook(io.BytesIO(workbook.get_data()))["statements"]
    header = [c.value for c in sheet[1]]
    assert sheet.cell(row=2, column=header.index("staff_name") + 1).value == "Li Lei"
    total = sheet.cell(row=2, column=header.index("total") + 1).value
    assert Decimal(str(total)) == Decimal("110.00")
    for who in ("sales", "supervisor", "admin"):
        body = problem(api.get("/api/v1/penalty-months/2026-09/statements.csv", who), 403)
        assert body["rule"] == "PEN-10"
    assert problem(api.get("/api/v1/penalty-months/2026-9/statements.xlsx", "manager"), 422)

    # a violation found later for September lands in October as an adjustment
    late = _ok(_violation(api, org.sales2.id, day="2026-09-20"), 201)
    assert (late[0]["month"], late[0]["adjusts_month"]) == ("2026-10", "2026-09")


def _closed_case_with_loss(api: Api, org: Any, loss: str) -> str:
    dept = str(org.manager.department_id)
    case = _ok(
        api.post(
            "/api/v1/cases",
            "sales",
            json={
                "type": "complaint",
                "category": "price",
                "channel": "walk_in",
                "content": "overcharged",
                "customer_name": "张三",
            },
        ),
        201,
    )
    url = f"/api/v1/cases/{case['id']}"
    steps: list[tuple[str, str, dict[str, Any] | None]] = [
        ("accept", "supervisor", None),
        ("assign", "supervisor", {"department_id": dept, "handler_id": org.service.id}),
        ("solution", "service", {"remedy": "written_explanation", "solution": "explain"}),
        ("approval", "supervisor", None),
        ("reply", "service", {"method": "written", "message": "explained"}),
        ("follow-up", "service", {"accepted": True, "satisfaction": 3}),
        ("closure", "supervisor", {"cause": "carelessness", "loss": loss}),
    ]
    for action, who, payload in steps:
        _ok(
            api.post(f"{url}/{action}", who, json=payload)
            if payload
            else api.post(f"{url}/{action}", who)
        )
    return str(case["id"])


def test_losses_bonuses_cuts_rewards_recurrences_and_breaches(
    api: Api, app: App, org: Any, clock: FixedClock
) -> None:
    case_id = _closed_case_with_loss(api, org, "1000.00")
    shares = {
        "shares": [
            {"staff_id": org.sales.id, "points": 3},
            {"staff_id": org.sales2.id, "points": 3},
            {"staff_id": org.service.id, "points": 1},
        ]
    }
    url = f"/api/v1/cases/{case_id}/loss-charges"
    assert problem(api.post(url, "supervisor", json=shares), 403)["rule"] == "PEN-5"
    charged = _ok(api.post(url, "manager", json=shares), 201)
    assert [e["amount"] for e in charged] == ["428.57", "428.57", "142.86"]
    assert problem(api.post(url, "manager", json=shares), 409)["rule"] == "PEN-5"

    bonus = _ok(
        api.put(f"/api/v1/bonuses/{org.sales.id}/2026-09", "manager", json={"bonus": "600.00"})
    )
    assert (bonus["staff_id"], bonus["bonus"]) == (org.sales.id, "600.00")
    assert problem(
        api.put(f"/api/v1/bonuses/{org.sales.id}/2026-09", "sales", json={"bonus": "1"}), 403
    )
    capped = _ok(api.get(f"/api/v1/statements/{org.sales.id}/2026-09", "sales"))["statement"]
    assert (capped["complaint_deducted"], capped["carried_over"]) == ("300.00", "128.57")

    cut = {
        "staff_id": org.sales2.id,
        "month": "2026-09",
        "percent": 20,
        "performance_pay": "2000.00",
        "reason": "repeat offences",
    }
    assert problem(
        api.post("/api/v1/performance-cuts", "manager", json={**cut, "percent": 50}), 422
    )
    assert problem(api.post("/api/v1/performance-cuts", "supervisor", json=cut), 403)
    assert _ok(api.post("/api/v1/performance-cuts", "manager", json=cut), 201)["amount"] == "400.00"

    reward = {
        "staff_id": org.service.id,
        "proposed_by": org.supervisor.id,
        "amount": "200.00",
        "reason": "praised by a customer",
    }
    assert problem(api.post("/api/v1/rewards", "manager", json=reward), 403)["rule"] == "PEN-11"
    granted = _ok(api.post("/api/v1/rewards", "deputy", json=reward), 201)
    assert (granted["kind"], granted["amount"]) == ("reward", "-200.00")

    # PEN-3: a missing signature on Thursday 09-17, due Friday 09-18, recurs from Sunday 09-20
    missing = _ok(
        _violation(api, org.sales2.id, code="missing_customer_signature", day="2026-09-17"), 201
    )
    recur = _ok(
        api.post("/api/v1/penalties/recurrences", "supervisor", json={"as_of": "2026-09-21"})
    )
    assert [e["occurred_on"] for e in recur] == ["2026-09-20", "2026-09-21"]
    assert (
        _ok(api.post("/api/v1/penalties/recurrences", "supervisor", json={"as_of": "2026-09-21"}))
        == []
    )
    violation_id = missing[0]["violation_id"]
    corrected = api.post(
        f"/api/v1/violations/{violation_id}/correction",
        "manager",
        json={"corrected_on": "2026-09-22"},
    )
    assert _ok(corrected)["corrected_on"] == "2026-09-22"
    clock.set(at("2026-09-24 09:00"))
    assert _ok(api.post("/api/v1/penalties/recurrences", "supervisor")) == []

    # a clock breach recorded by the sweep becomes a violation of the owner at breach time
    breached = _ok(
        api.post(
            "/api/v1/cases",
            "sales2",
            json={
                "type": "suggestion",
                "category": "other",
                "channel": "email",
                "content": "x",
                "customer_name": "y",
            },
        ),
        201,
    )
    clock.set(at("2026-09-26 09:00"))
    # the sweep runs as the scheduler's system account (issue 7: scheduler.sweep)
    system_id = app.services.org.system_account().id
    api.tokens["system"] = app.services.org.issue_token(org.admin.id, system_id, "cron")
    system = "system"
    assert _ok(api.post("/api/v1/cases/sweep", system))["breaches"]
    from_events = _ok(api.post("/api/v1/penalties/from-events", "supervisor"))
    assert from_events and {e["staff_id"] for e in from_events} == {org.sales2.id}
    assert _ok(api.post("/api/v1/penalties/from-events", "supervisor")) == []
    assert breached["received_by"] == org.sales2.id
