"""Issue 12 case rules over HTTP: the weekly complaint report and the types filter (RPT), the
work list by grade (CUS-4), the complaint form's hand-offs (CASE-7), the return visit
(CASE-9) and follow-up cases (CASE-15)."""

from __future__ import annotations

from typing import Any

from http_support import Api, problem

COMPLAINT: dict[str, Any] = {
    "type": "complaint",
    "category": "product_quality",
    "channel": "phone",
    "content": "The door seal leaks",
    "customer_name": "张三",
}


def _ok(resp: Any, status: int = 200) -> Any:
    assert resp.status_code == status, resp.get_json()
    return resp.get_json()


def _receive(api: Api, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = _ok(
        api.post("/api/v1/cases", "sales", json={**COMPLAINT, **fields}), 201
    )
    return data


def test_rpt_weekly_report_and_types_filter_over_http(api: Api, org: Any) -> None:
    """RPT: complaints by default; ``types`` filters; the weekly report covers an ISO week."""
    _receive(api)
    _receive(api, type="inquiry", category="other")
    monthly = _ok(api.get("/api/v1/reports/complaints?month=2026-09", "supervisor"))
    assert (monthly["received"], monthly["types"]) == (1, ["complaint"])
    both = _ok(
        api.get("/api/v1/reports/complaints?month=2026-09&types=complaint,inquiry", "supervisor")
    )
    assert both["received"] == 2
    weekly = _ok(api.get("/api/v1/reports/complaints/weekly?week=2026-W38", "supervisor"))
    assert (weekly["start"], weekly["end"], weekly["received"]) == ("2026-09-14", "2026-09-20", 1)
    assert (
        problem(api.get("/api/v1/reports/complaints/weekly?week=38", "supervisor"), 422)["field"]
        == "week"
    )
    assert problem(api.get("/api/v1/reports/complaints/weekly?week=2026-W38", "sales"), 403)


def test_case7_case9_case15_hand_off_return_visit_follow_up_over_http(api: Api, org: Any) -> None:
    """CASE-7 hand-offs in order (409 out of order); CASE-15 a linked follow-up case; CASE-9
    a return visit only once the case is closed."""
    case = _receive(api, market="foreign")
    assert case["market"] == "foreign"
    url = f"/api/v1/cases/{case['id']}"
    _ok(api.post(f"{url}/hand-offs", "sales", json={"step": "gm_office"}))
    clocks = {c["name"]: c for c in _ok(api.get(f"{url}/clocks", "sales"))}
    assert (
        "form_close_foreign" in clocks and clocks["form.gm_office"]["status"] == "due_soon"
    )  # ½ day
    assert problem(api.post(f"{url}/hand-offs", "sales", json={"step": "business"}), 409)
    assert (
        problem(api.post(f"{url}/hand-offs", "sales", json={"step": "canteen"}), 422)["field"]
        == "step"
    )
    follow = _ok(
        api.post(
            f"{url}/follow-up-cases",
            "sales",
            json={"type": "inquiry", "category": "other", "channel": "phone", "content": "also"},
        ),
        201,
    )
    assert follow["related_case_id"] == case["id"] and follow["customer_name"] == "张三"
    assert problem(api.post(f"{url}/return-visit", "sales", json={"satisfaction": 4}), 409)
    listed = _ok(api.get("/api/v1/cases/work-list", "manager"))
    assert {c["id"] for c in listed["items"]} == {case["id"], follow["id"]}
    assert _ok(api.get("/api/v1/cases/return-visits/overdue", "manager"))["items"] == []
