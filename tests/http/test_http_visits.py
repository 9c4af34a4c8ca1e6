"""Visits over HTTP (VIS-1…VIS-6): a month's plan from draft to approval with its check,
a report and its follow-up items, the secret record's reads, coverage, the care calendar,
the scheduler's late-report sweep; bad input is a 422 naming the field, nothing stored."""

from __future__ import annotations

from typing import Any

from http_support import Api, at, problem

from adapters.bootstrap import App
from csdomain.kernel.clock import FixedClock


def _ok(resp: Any, status: int = 200) -> Any:
    assert resp.status_code == status, resp.get_json()
    return resp.get_json()


def test_vis1_a_plan_from_draft_to_approval_over_http(
    api: Api, app: App, org: Any, clock: FixedClock
) -> None:
    cus = api.register("sales", name="大连汽贸", phone="13800000071")
    plan = _ok(api.post("/api/v1/visit-plans", "sales", json={"month": "2026-09"}), 201)
    assert plan["due_on"] == "2026-08-31" and plan["status"] == "draft"
    problem(api.post("/api/v1/visit-plans", "sales", json={"month": "2026-09"}), 409)
    planned = _ok(
        api.post(
            f"/api/v1/visit-plans/{plan['id']}/visits",
            "sales",
            json={"customer_id": cus["id"], "on": "2026-09-25", "purpose": "first_visit",
                  "expense": "200.00", "gift": "茶叶"},
        ),
        201,
    )  # fmt: skip
    assert (planned["asked_on"], planned["on"]) == ("2026-09-25", "2026-09-28")
    check = _ok(api.post(f"/api/v1/visit-plans/{plan['id']}/submit", "sales"))
    assert check["plan"]["late"] is True and [v["id"] for v in check["moved"]] == [planned["id"]]
    problem(api.post(f"/api/v1/visit-plans/{plan['id']}/decision", "sales",
                     json={"approve": True}), 403)  # fmt: skip
    decided = _ok(
        api.post(f"/api/v1/visit-plans/{plan['id']}/decision", "supervisor", json={"approve": True})
    )
    assert decided["status"] == "approved"
    clock.set(at("2026-09-28 16:00"))
    visit = _ok(
        api.post(
            "/api/v1/visits",
            "sales",
            json={"customer_id": cus["id"], "on": "2026-09-28", "purpose": "first_visit",
                  "people_met": "张经理", "summary": "介绍新车型", "outcome": "promising",
                  "expenses": "180.00", "planned_visit_id": planned["id"],
                  "follow_ups": [{"text": "寄送报价单"}]},
        ),
        201,
    )  # fmt: skip
    assert visit["report_due_on"] == "2026-09-30" and visit["expenses_approved"] is True
    again = {"customer_id": cus["id"], "on": "2026-09-28", "purpose": "first_visit",
             "people_met": "x", "summary": "x", "outcome": "promising",
             "planned_visit_id": planned["id"]}  # fmt: skip
    assert problem(api.post("/api/v1/visits", "sales", json=again), 409)["rule"] == "VIS-2"
    problem(api.get(f"/api/v1/visits/{visit['id']}", "supervisor"), 403)  # secret
    assert _ok(api.get(f"/api/v1/visits/{visit['id']}", "sales"))["summary"] == "介绍新车型"
    [item] = _ok(api.get("/api/v1/visit-follow-ups", "sales"))["items"]
    _ok(api.post(f"/api/v1/visit-follow-ups/{item['id']}/done", "sales", json={"note": "已寄"}))
    reviewed = _ok(api.post(f"/api/v1/visits/{visit['id']}/review", "supervisor", json={}))
    assert reviewed["reviewed_by"] == org.supervisor.id
    rows = _ok(api.get("/api/v1/visits/reports/coverage?start=2026-01-01&end=2026-12-31"
                       "&by=company", "manager"))["items"]  # fmt: skip
    assert [(r["customers"], r["visited"], r["percent"]) for r in rows] == [(1, 1, 100.0)]
    care = _ok(api.get("/api/v1/visits/care?start=2026-09-01&end=2026-09-30", "sales"))
    assert care["items"] == []  # a prospect gets no holiday greeting (greet_statuses)


def test_vis2_late_report_sweep_runs_as_the_system_account_only(api: Api, app: App) -> None:
    problem(api.post("/api/v1/visits/scheduled/late-reports", "manager"), 403)


def test_vis5_bad_visit_input_is_422_naming_the_field_and_stores_nothing(
    api: Api, app: App
) -> None:
    cus = api.register("sales", name="大连汽贸", phone="13800000071")
    base = {"customer_id": cus["id"], "on": "2026-09-17", "purpose": "first_visit",
            "people_met": "张经理", "summary": "s", "outcome": "promising"}  # fmt: skip
    for change, field in (
        ({"purpose": "lunch"}, "purpose"),
        ({"expenses": "-1.00"}, "expenses"),
        ({"expenses": "1.001"}, "expenses"),
        ({"summary": "x" * 4001}, "summary"),
        ({"on": "2026-13-01"}, "on"),
    ):
        bad = problem(api.post("/api/v1/visits", "sales", json={**base, **change}), 422)
        assert field in bad["detail"], bad
    assert _ok(api.get(f"/api/v1/customers/{cus['id']}/visits", "sales"))["items"] == []
    bad = problem(api.get("/api/v1/visits/reports/coverage?start=2026-01-01", "manager"), 422)
    assert "end" in bad["detail"]
