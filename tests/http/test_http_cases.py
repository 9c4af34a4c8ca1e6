"""Cases over HTTP: a complaint from intake to closure, recusal (X-4), approval levels (X-3),
illegal transitions (409), clocks in working days (CASE-7, X-1), the idempotent sweep, CAPA
(CASE-11), settlements (CASE-13) and the monthly statistics (RPT)."""

from __future__ import annotations

from typing import Any

from http_support import Api, at, problem

from adapters.bootstrap import App
from csdomain.kernel.clock import FixedClock

COMPLAINT: dict[str, Any] = {
    "type": "complaint",
    "category": "service_quality",
    "channel": "phone",
    "content": "The adviser was rude at delivery",
    "customer_name": "张三",
    "contact": "13800000001",
}


def _system(api: Api, app: App, org: Any) -> str:
    """The scheduler's system account signs in with its own token (issue 7: cron, worker)."""
    system = app.services.org.system_account()
    api.tokens["system"] = app.services.org.issue_token(org.admin.id, system.id, "cron")
    return "system"


def _receive(api: Api, who: str = "sales", **fields: Any) -> dict[str, Any]:
    resp = api.post("/api/v1/cases", who, json={**COMPLAINT, **fields})
    assert resp.status_code == 201, resp.get_json()
    data: dict[str, Any] = resp.get_json()
    return data


def _ok(resp: Any, status: int = 200) -> Any:
    assert resp.status_code == status, resp.get_json()
    return resp.get_json()


def _dept(org: Any) -> str:
    return str(org.manager.department_id)


def test_a_complaint_from_intake_to_closure(api: Api, org: Any) -> None:
    received = api.post("/api/v1/cases", "sales", json=COMPLAINT)
    case = _ok(received, 201)
    assert case["number"] == "202609-0001"
    assert case["state"] == "received" and case["received_by"] == org.sales.id
    assert case["received_at"] == "2026-09-18T10:00:00+08:00"
    assert received.headers["Location"] == f"/api/v1/cases/{case['id']}"
    url = f"/api/v1/cases/{case['id']}"

    # no body at all is fine for an optional message
    assert _ok(api.post(f"{url}/acknowledge", "sales"))["state"] == "received"
    assert _ok(api.post(f"{url}/accept", "supervisor"))["state"] == "accepted"
    assigned = api.post(
        f"{url}/assign",
        "supervisor",
        json={"department_id": _dept(org), "handler_id": org.service.id},
    )
    assert _ok(assigned)["handler_id"] == org.service.id
    assert _ok(api.post(f"{url}/investigation", "service"))["state"] == "investigating"
    reported = api.post(
        f"{url}/investigation-report", "service", json={"report": "confirmed by recording"}
    )
    assert _ok(reported)["state"] == "investigating"
    proposed = api.post(
        f"{url}/solution",
        "service",
        json={"remedy": "compensation", "solution": "a 500 元 voucher", "amount": "500.00"},
    )
    assert _ok(proposed)["remedy_amount"] == "500.00"
    approved = _ok(api.post(f"{url}/approval", "gm", json={"reason": "fair"}))
    assert (approved["state"], approved["approved_by"]) == ("approved", org.gm.id)
    replied = api.post(f"{url}/reply", "sales", json={"method": "phone", "message": "voucher"})
    assert _ok(replied)["state"] == "replied"
    followed = api.post(f"{url}/follow-up", "sales", json={"accepted": True, "satisfaction": 4})
    assert _ok(followed)["state"] == "resolved"
    closed = api.post(
        f"{url}/closure",
        "supervisor",
        json={
            "cause": "carelessness",
            "responsibilities": [{"department_id": _dept(org), "percent": 100}],
            "responsible_staff_ids": [org.sales2.id],
            "loss": "500.00",
        },
    )
    closed_case = _ok(closed)
    assert closed_case["state"] == "closed" and closed_case["loss"] == "500.00"
    assert closed_case["responsibilities"] == [{"department_id": _dept(org), "percent": 100}]

    kinds = [e["kind"] for e in _ok(api.get(f"{url}/timeline", "sales"))["items"]]
    assert kinds == [
        "received",
        "acknowledged",
        "accepted",
        "assigned",
        "investigation_started",
        "investigation_reported",
        "solution_proposed",
        "solution_approved",
        "replied",
        "customer_accepted",
        "closed",
    ]
    assert _ok(api.get(url, "sales"))["state"] == "closed"
    listed = _ok(api.get("/api/v1/cases?state=closed", "sales"))
    assert [c["id"] for c in listed["items"]] == [case["id"]]
    assert _ok(api.get("/api/v1/cases?open_only=true", "sales"))["items"] == []

    # RPT: the month's statistics, supervisors and above
    stats = _ok(api.get("/api/v1/reports/complaints?month=2026-09", "supervisor"))
    assert (stats["received"], stats["resolved"], stats["loss"]) == (1, 1, "500.00")
    assert stats["by_handling_method"] == {"compensation": 1}
    assert problem(api.get("/api/v1/reports/complaints?month=2026-09", "sales"), 403)
    assert problem(api.get("/api/v1/reports/complaints", "supervisor"), 422)["field"] == "month"


def test_the_subject_of_a_complaint_may_not_handle_or_approve_it(api: Api, org: Any) -> None:
    """X-4 recusal: assigning the subject, or the subject approving, is a 403 naming X-4."""
    case = _receive(api, subject_staff_ids=[org.sales2.id, org.manager.id])
    url = f"/api/v1/cases/{case['id']}"
    _ok(api.post(f"{url}/accept", "supervisor"))
    refused = problem(
        api.post(
            f"{url}/assign",
            "supervisor",
            json={"department_id": _dept(org), "handler_id": org.sales2.id},
        ),
        403,
    )
    assert (refused["rule"], refused["field"]) == ("X-4", "handler_id")
    assert org.sales2.id in refused["detail"]
    assert _ok(api.get(url, "sales"))["handler_id"] is None  # nothing written

    _ok(
        api.post(
            f"{url}/assign",
            "supervisor",
            json={"department_id": _dept(org), "handler_id": org.service.id},
        )
    )
    _ok(
        api.post(
            f"{url}/solution",
            "service",
            json={"remedy": "written_explanation", "solution": "a written apology"},
        )
    )
    # a written explanation needs only a supervisor, but the manager is the subject
    assert problem(api.post(f"{url}/approval", "manager"), 403)["rule"] == "X-4"


def test_approval_below_the_required_level_is_403(api: Api, org: Any) -> None:
    """CASE-8/X-3: any money needs the GM by default; a manager is not enough."""
    case = _receive(api)
    url = f"/api/v1/cases/{case['id']}"
    _ok(api.post(f"{url}/accept", "supervisor"))
    _ok(
        api.post(
            f"{url}/assign",
            "supervisor",
            json={"department_id": _dept(org), "handler_id": org.service.id},
        )
    )
    _ok(
        api.post(
            f"{url}/solution",
            "service",
            json={"remedy": "refund_partial", "solution": "refund 800", "amount": "800.00"},
        )
    )
    for who in ("manager", "deputy"):
        body = problem(api.post(f"{url}/approval", who, json={}), 403)
        assert body["rule"] == "CASE-8" and "gm" in body["detail"]
    assert _ok(api.get(url, "sales"))["state"] == "proposed"
    # the handler, not someone else, proposes
    assert problem(
        api.post(f"{url}/proposal-rejection", "supervisor", json={"reason": "too much"}), 403
    )
    rejected = api.post(f"{url}/proposal-rejection", "gm", json={"reason": "too much"})
    assert _ok(rejected)["state"] == "propose_again"


def test_illegal_transitions_are_409_and_bad_bodies_422(api: Api, org: Any) -> None:
    case = _receive(api)
    url = f"/api/v1/cases/{case['id']}"
    body = problem(api.post(f"{url}/reply", "sales", json={"method": "phone", "message": "x"}), 409)
    assert body["title"] == "Not allowed in the current state"
    assert "received" in body["detail"]
    _ok(api.post(f"{url}/acknowledge", "sales", json={"message": "we are on it"}))
    assert problem(api.post(f"{url}/acknowledge", "sales"), 409)["rule"] == "CASE-7"
    _ok(api.post(f"{url}/accept", "supervisor"))
    assert problem(api.post(f"{url}/accept", "supervisor"), 409)["rule"] == "CASE-3"
    # strict bodies
    assert problem(api.post(f"{url}/follow-up", "sales", json={"accepted": "yes"}), 422)
    bad = problem(api.post("/api/v1/cases", "sales", json={**COMPLAINT, "channel": "pigeon"}), 422)
    assert (bad["field"], bad["rule"]) == ("channel", "CASE-1")
    assert (
        problem(api.post("/api/v1/cases", "sales", json={**COMPLAINT, "vip": 1}), 422)["field"]
        == "vip"
    )
    assert problem(api.get("/api/v1/cases?open_only=maybe", "sales"), 422)["field"] == "open_only"
    assert problem(api.get("/api/v1/cases?state=lost", "sales"), 422)["field"] == "state"
    assert problem(api.get("/api/v1/cases/cas_nope", "sales"), 404)
    assert problem(api.post("/api/v1/cases", json=COMPLAINT), 401)


def test_clocks_show_due_times_in_working_days(api: Api) -> None:
    """Received Friday 2026-09-18 10:00: the complaint reply (3 working days) is due Tuesday
    2026-09-22 (Sunday 09-20 is a make-up working day), the acknowledgement 24 h later."""
    case = _receive(api)
    clocks = {c["name"]: c for c in _ok(api.get(f"/api/v1/cases/{case['id']}/clocks", "sales"))}
    reply = clocks["reply_complaint"]
    assert reply["due_at"].startswith("2026-09-22T")
    assert reply["status"] == "on_time" and reply["running"] is True
    assert reply["started_at"] == "2026-09-18T10:00:00+08:00"
    assert reply["paused_seconds"] == 0 and reply["extensions"] == 0
    assert clocks["acknowledge"]["due_at"] == "2026-09-19T10:00:00+08:00"
    assert "major_warning" not in clocks


def test_waiting_for_the_customer_pauses_and_a_second_extension_is_refused(
    api: Api, org: Any, clock: FixedClock
) -> None:
    case = _receive(api)
    url = f"/api/v1/cases/{case['id']}"
    _ok(api.post(f"{url}/accept", "supervisor"))
    _ok(
        api.post(
            f"{url}/assign",
            "supervisor",
            json={"department_id": _dept(org), "handler_id": org.service.id},
        )
    )
    assert (
        _ok(api.post(f"{url}/wait", "service", json={"reason": "invoice copy"}))["state"]
        == "waiting_customer"
    )
    clock.set(at("2026-09-18 12:00"))
    paused = {c["name"]: c for c in _ok(api.get(f"{url}/clocks", "sales"))}
    assert paused["reply_complaint"]["status"] == "paused"
    assert _ok(api.post(f"{url}/resume", "service"))["state"] == "assigned"
    groups = _ok(api.get("/api/v1/cases/by-clock-status", "sales"))
    assert set(groups) == {"breached", "due_soon", "paused", "on_time"}

    extension = {"clock": "close", "by": 3, "reason": "waiting for the manufacturer"}
    assert problem(api.post(f"{url}/clock-extensions", "manager", json=extension), 403)
    _ok(api.post(f"{url}/clock-extensions", "gm", json=extension))
    assert problem(api.post(f"{url}/clock-extensions", "gm", json=extension), 409)["rule"] == (
        "CASE-7"
    )


def test_sweep_twice_records_each_breach_once(
    api: Api, app: App, org: Any, clock: FixedClock
) -> None:
    case = _receive(api)
    refused = problem(api.post("/api/v1/cases/sweep", "supervisor"), 403)
    assert refused["rule"] == "CASE-7" and "scheduler.sweep" in refused["detail"]
    system = _system(api, app, org)
    assert _ok(api.post("/api/v1/cases/sweep", system))["breaches"] == []
    clock.set(at("2026-09-19 10:30"))  # the 24-hour acknowledgement has passed
    first = _ok(api.post("/api/v1/cases/sweep", system))
    assert [(b["clock"], b["case_id"]) for b in first["breaches"]] == [("acknowledge", case["id"])]
    assert first["breaches"][0]["due_at"] == "2026-09-19T10:00:00+08:00"
    assert first["breaches"][0]["escalated_to"] == "team_lead"  # CASE-6 positions
    second = _ok(api.post("/api/v1/cases/sweep", system))
    assert second["breaches"] == []
    recorded = _ok(api.get(f"/api/v1/cases/{case['id']}/breaches", "sales"))
    assert [b["clock"] for b in recorded] == ["acknowledge"]
    groups = _ok(api.get("/api/v1/cases/by-clock-status", "sales"))
    assert groups["breached"] == [case["number"]]


def test_major_case_capa_and_settlement(api: Api, org: Any) -> None:
    """CASE-4/5/11/13: judged major by a manager, early warning, crisis meeting, CAPA verified
    by another department before closing, and a settlement booking the returned quantity."""
    case = _receive(api, category="product_quality")
    url = f"/api/v1/cases/{case['id']}"
    assert problem(api.post(f"{url}/major", "supervisor", json={"reasons": ["wide_impact"]}), 403)
    major = _ok(api.post(f"{url}/major", "manager", json={"reasons": ["wide_impact"]}))
    assert major["severity"] == "major"
    assert problem(api.post(f"{url}/major", "manager", json={"reasons": ["wide_impact"]}), 409)
    clocks = {c["name"] for c in _ok(api.get(f"{url}/clocks", "sales"))}
    assert "major_warning" in clocks
    _ok(api.post(f"{url}/early-warning", "manager", json={"to": "legal", "summary": "risk"}))
    meeting = {"attendees": [org.manager.id, org.gm.id], "minutes": "crisis team formed"}
    _ok(api.post(f"{url}/crisis-meeting", "manager", json=meeting))

    added = api.post(
        f"{url}/capa", "supervisor", json={"description": "retrain", "owner_id": org.sales.id}
    )
    item = _ok(added, 201)
    # 5 working days after Friday 09-18: Sunday 20 (make-up day), 21, 22, 23, 24
    assert item["due_on"] == "2026-09-24"
    assert [i["id"] for i in _ok(api.get(f"{url}/capa", "sales"))["items"]] == [item["id"]]
    capa = f"/api/v1/capa/{item['id']}"
    assert problem(
        api.post(f"{capa}/verification", "gm", json={"effective": True, "note": "x"}), 409
    )
    assert problem(api.post(f"{capa}/completion", "sales2"), 403)
    _ok(api.post(f"{capa}/completion", "sales", json={"note": "done"}))
    same_dept = api.post(
        f"{capa}/verification", "supervisor", json={"effective": True, "note": "ok"}
    )
    assert problem(same_dept, 403)["rule"] == "CASE-11"
    verified = _ok(api.post(f"{capa}/verification", "gm", json={"effective": True, "note": "ok"}))
    assert verified["effective"] is True and verified["verified_by"] == org.gm.id

    settlement = {
        "kind": "return",
        "amount": "1200.00",
        "quantity_claimed": 3,
        "quantity_returned": 2,
    }
    # CASE-13/X-3: a settlement pays what an approved proposal granted, recorded by the
    # approval level of its amount (1200 元: the GM by default)
    assert problem(api.post(f"{url}/settlements", "gm", json=settlement), 403)["rule"] == "CASE-8"
    _ok(api.post(f"{url}/accept", "supervisor"))
    assign = {"department_id": _dept(org), "handler_id": org.service.id}
    _ok(api.post(f"{url}/assign", "supervisor", json=assign))
    proposal = {"remedy": "return", "solution": "take back 2", "amount": "1200.00"}
    _ok(api.post(f"{url}/solution", "service", json=proposal))
    _ok(api.post(f"{url}/approval", "gm", json={"reason": "fair"}))
    assert problem(api.post(f"{url}/settlements", "sales", json=settlement), 403)["rule"]
    booked = _ok(api.post(f"{url}/settlements", "gm", json=settlement), 201)
    assert (booked["quantity_returned"], booked["amount"]) == (2, "1200.00")
    assert (
        problem(api.post(f"{url}/settlements", "gm", json={**settlement, "amount": 1.5}), 422)[
            "field"
        ]
        == "amount"
    )
    listed = _ok(api.get(f"{url}/settlements", "sales"))["items"]
    assert [s["id"] for s in listed] == [booked["id"]]


def test_case_endpoints_take_the_case_number_too(api: Api, org: Any, client: Any) -> None:
    """Issue 11: ``/cases/202609-0001/clocks`` is the case numbered 202609-0001."""
    case = _receive(api)
    number = case["number"]
    assert _ok(api.get(f"/api/v1/cases/{number}", "sales"))["id"] == case["id"]
    assert _ok(api.get(f"/api/v1/cases/{number}/clocks", "sales")) == _ok(
        api.get(f"/api/v1/cases/{case['id']}/clocks", "sales")
    )
    assert _ok(api.post(f"/api/v1/cases/{number}/acknowledge", "sales"))["id"] == case["id"]
    missing = problem(api.get("/api/v1/cases/209901-0001", "sales"), 404)
    assert missing["type"] == "urn:csdomain:problem:not-found"
    # the number is resolved only after authentication: anonymous callers learn nothing
    assert client.get(f"/api/v1/cases/{number}").status_code == 401
