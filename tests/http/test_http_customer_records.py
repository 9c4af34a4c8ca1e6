"""Customer records over HTTP (issue 12): daily registers, the overdue report and appraisal
points (CUS-1, CUS-7), the never-handed-over sweep and the hand-over rates (CUS-3, RPT), file
loans (CUS-7), sales figures and the key-account lists (CUS-5)."""

from __future__ import annotations

from typing import Any

from http_support import Api, at, problem

from adapters.bootstrap import App
from csdomain.kernel.clock import FixedClock


def _ok(resp: Any, status: int = 200) -> Any:
    assert resp.status_code == status, resp.get_json()
    return resp.get_json()


def test_cus1_registers_and_the_overdue_report_over_http(
    api: Api, app: App, org: Any, clock: FixedClock
) -> None:
    system = app.services.org.system_account()
    api.tokens["system"] = app.services.org.issue_token(org.admin.id, system.id, "cron")
    clock.set(at("2026-09-17 17:00"))
    r = _ok(api.post("/api/v1/registers", "sales", json={"day": "2026-09-17"}), 201)
    assert r["status"] == "on_time"
    problem(api.post("/api/v1/registers", "sales", json={"day": "2026-09-17"}), 409)
    bad = problem(api.post("/api/v1/registers", "sales", json={"day": "2026-09-17x"}), 422)
    assert "day" in str(bad)
    clock.set(at("2026-09-18 11:00"))
    swept = _ok(api.post("/api/v1/scheduler/registers-overdue", "system"))
    assert {x["staff_id"] for x in swept} == {org.sales.id, org.sales2.id}
    problem(api.post("/api/v1/scheduler/registers-overdue", "sales"), 403)
    report = _ok(api.get("/api/v1/registers/overdue?start=2026-09-14&end=2026-09-18", "supervisor"))
    assert {x["status"] for x in report["items"]} == {"missing"}
    assert {x["staff_id"] for x in report["items"] if x["day"] == "2026-09-17"} == {org.sales2.id}
    problem(api.get("/api/v1/registers/overdue?start=2026-09-14", "supervisor"), 422)
    points = _ok(api.get("/api/v1/registers/appraisal?month=2026-09", "manager"))["items"]
    assert {p["staff_id"]: p["points"] for p in points}[org.sales2.id] > 0


def test_cus3_cus7_rpt_files_loans_and_rates_over_http(
    api: Api, app: App, org: Any, clock: FixedClock
) -> None:
    system = app.services.org.system_account()
    api.tokens["system"] = app.services.org.issue_token(org.admin.id, system.id, "cron")
    cus = api.register("sales")
    f = _ok(
        api.post(
            f"/api/v1/customers/{cus['id']}/files",
            "sales",
            json={"kind": "service", "event_date": "2026-09-14"},
        ),
        201,
    )
    swept = _ok(api.post("/api/v1/scheduler/files-overdue", "system"))
    assert [s["file_id"] for s in swept] == [f["id"]]
    assert _ok(api.post("/api/v1/scheduler/files-overdue", "system")) == []
    rates = _ok(api.get("/api/v1/files/handover-rates?month=2026-09", "manager"))["items"]
    assert [(r["files"], r["on_time"], r["on_time_percent"]) for r in rates] == [(1, 0, "0.0")]
    problem(api.get("/api/v1/files/handover-rates?month=2026-09", "sales"), 403)
    loan = _ok(
        api.post(f"/api/v1/files/{f['id']}/loans", "sales", json={"purpose": "renewal"}), 201
    )
    problem(api.post(f"/api/v1/files/{f['id']}/loans", "sales", json={"purpose": ""}), 422)
    problem(
        api.post(f"/api/v1/file-loans/{loan['id']}/decision", "sales", json={"approve": True}),
        403,
    )
    lent = _ok(
        api.post(f"/api/v1/file-loans/{loan['id']}/decision", "supervisor", json={"approve": True})
    )
    assert lent["state"] == "lent"
    open_loans = _ok(api.get("/api/v1/file-loans?open=true", "manager"))["items"]
    assert [x["id"] for x in open_loans] == [loan["id"]]
    back = _ok(api.post(f"/api/v1/file-loans/{loan['id']}/return", "supervisor"))
    assert back["state"] == "returned"


def test_cus5_sales_and_key_accounts_over_http(
    api: Api, app: App, org: Any, clock: FixedClock
) -> None:
    cus = api.register("sales")
    clock.set(at("2026-03-26 10:00"))
    app.services.customers.change_grade(
        org.manager.id, cus["id"], "A", "annual review", org.supervisor.id, cus["version"]
    )
    fig = _ok(
        api.post(
            f"/api/v1/customers/{cus['id']}/sales",
            "supervisor",
            json={"month": "2026-03", "sales": "1000.00", "cost": "750.00"},
        ),
        201,
    )
    assert fig["margin"] == "250.00"
    problem(
        api.post(
            f"/api/v1/customers/{cus['id']}/sales",
            "supervisor",
            json={"month": "2026-03", "sales": "1.00", "cost": "0"},
        ),
        409,
    )
    top = _ok(api.get("/api/v1/key-accounts/top?period=2026&by=margin", "manager"))["items"]
    assert [(t["rank"], t["margin"], t["margin_percent"]) for t in top] == [(1, "250.00", "25.0")]
    problem(api.get("/api/v1/key-accounts/top?period=2026&by=luck", "manager"), 422)
    problem(api.get("/api/v1/key-accounts/top?period=26", "manager"), 422)
    problem(api.get("/api/v1/key-accounts/top?period=2026", "supervisor"), 403)
    keys = _ok(api.get("/api/v1/key-accounts?period=2026-03", "manager"))["items"]
    assert [k["customer_id"] for k in keys] == [cus["id"]]
    churn = _ok(api.get("/api/v1/key-accounts/churn?period=2026-04", "manager"))
    assert churn["key_accounts_before"] == 1
    assert [x["reason"] for x in churn["lost"]] == ["no_orders"]
