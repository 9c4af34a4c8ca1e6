"""Service jobs over HTTP: a repair call's lifecycle with its survey (CASE-12, SAT-1), the
dispatch queue and schedulers' endpoints, maintenance contracts, and the exchange form's
sign-off chain and ledger (CASE-14)."""

from __future__ import annotations

from typing import Any

from http_support import Api, at, problem

from adapters.bootstrap import App
from csdomain.kernel.clock import FixedClock

JOB: dict[str, Any] = {
    "customer_name": "李四",
    "address": "1 Renmin Road",
    "zone": "city",
    "work_type": "A",
    "description": "air conditioner does not cool",
}
SURVEY = {
    "ratings": {
        "attitude": "very_satisfied",
        "skill": "satisfied",
        "arrival_time": "satisfied",
        "follow_through": "fair",
    }
}


def _ok(resp: Any, status: int = 200) -> Any:
    assert resp.status_code == status, resp.get_json()
    return resp.get_json()


def _system(api: Api, app: App, org: Any) -> str:
    """The scheduler's system account signs in with its own token (issue 7: cron, worker)."""
    system = app.services.org.system_account()
    api.tokens["system"] = app.services.org.issue_token(org.admin.id, system.id, "cron")
    return "system"


def test_a_paid_repair_taken_in_inspected_returned_invoiced_surveyed_and_closed(
    api: Api, org: Any
) -> None:
    created = api.post("/api/v1/service-jobs", "sales", json=JOB)
    job = _ok(created, 201)
    assert created.headers["Location"] == f"/api/v1/service-jobs/{job['id']}"
    # city: on site within 6 business hours of Friday 10:00
    assert job["arrive_by"] == "2026-09-18T16:00:00+08:00"
    url = f"/api/v1/service-jobs/{job['id']}"
    queue = _ok(api.get("/api/v1/service-jobs/dispatch-queue", "supervisor"))["items"]
    assert [j["id"] for j in queue] == [job["id"]]

    # not dispatched to anyone yet: "service" is not its technician (jobs.work, own scope)
    assert problem(api.post(f"{url}/arrival", "service"), 403)["rule"] == "CASE-12"
    dispatched = _ok(
        api.post(f"{url}/dispatch", "supervisor", json={"technician_id": org.service.id})
    )
    assert (dispatched["state"], dispatched["technician_id"]) == ("dispatched", org.service.id)
    assert _ok(api.get("/api/v1/service-jobs/dispatch-queue", "supervisor"))["items"] == []
    assert problem(api.post(f"{url}/arrival", "sales2"), 403)["rule"] == "CASE-12"
    assert _ok(api.post(f"{url}/arrival", "service"))["state"] == "on_site"
    taken = api.post(
        f"{url}/take-in", "service", json={"receipt_no": "R-1", "repair_card_no": "C-1"}
    )
    assert _ok(taken)["state"] == "taken_in"
    assert problem(api.post(f"{url}/inspection", "service"), 403)["rule"] == "CASE-12"
    assert _ok(api.post(f"{url}/inspection", "supervisor"))["inspected_by"] == org.supervisor.id
    assert _ok(api.post(f"{url}/return", "service"))["state"] == "returned"
    # paid work is invoiced before closing, and every job is surveyed
    assert problem(api.post(f"{url}/closure", "service"), 409)["rule"] == "CASE-12"
    float_amount = api.post(f"{url}/invoice", "service", json={"invoice_no": "F-1", "amount": 1.5})
    assert problem(float_amount, 422)["field"] == "amount"
    invoiced = _ok(
        api.post(f"{url}/invoice", "service", json={"invoice_no": "F-1", "amount": "380.00"})
    )
    assert (invoiced["state"], invoiced["amount"]) == ("invoiced", "380.00")
    assert problem(api.post(f"{url}/closure", "service"), 409)["rule"] == "SAT-1"
    partial = {"ratings": {"attitude": "satisfied"}}
    assert problem(api.post(f"{url}/survey", "sales", json=partial), 422)["rule"] == "SAT-1"
    surveyed = _ok(api.post(f"{url}/survey", "sales", json=SURVEY))
    assert surveyed["survey"] == SURVEY["ratings"]
    assert problem(api.post(f"{url}/survey", "sales", json=SURVEY), 409)["rule"] == "SAT-1"
    assert _ok(api.post(f"{url}/closure", "service"))["state"] == "closed"
    assert _ok(api.get(url, "sales"))["state"] == "closed"

    summary = _ok(
        api.get(
            f"/api/v1/technicians/{org.service.id}/survey-summary?start=2026-09-01&end=2026-09-30",
            "supervisor",
        )
    )
    assert (summary["jobs"], summary["surveyed"]) == (1, 1)
    assert summary["ratings"]["follow_through"]["fair"] == 1
    before = api.get(
        f"/api/v1/technicians/{org.service.id}/survey-summary?start=2026-09-01&end=2026-09-17",
        "supervisor",
    )
    assert _ok(before)["jobs"] == 0
    missing = api.get(
        f"/api/v1/technicians/{org.service.id}/survey-summary?start=2026-09-01", "supervisor"
    )
    assert problem(missing, 422)["field"] == "end"
    # issue 7: the summary is for supervisors and above, not for sales staff
    staff_asks = api.get(
        f"/api/v1/technicians/{org.service.id}/survey-summary?start=2026-09-01&end=2026-09-30",
        "sales",
    )
    assert problem(staff_asks, 403)["action"] == "jobs.survey_summary"


def test_free_repair_fixed_on_site_and_schedulers(
    api: Api, app: App, org: Any, clock: FixedClock
) -> None:
    free = _ok(api.post("/api/v1/service-jobs", "sales", json={**JOB, "work_type": "C"}), 201)
    waiting = _ok(api.post("/api/v1/service-jobs", "sales", json={**JOB, "zone": "dense"}), 201)
    url = f"/api/v1/service-jobs/{free['id']}"
    _ok(api.post(f"{url}/dispatch", "supervisor", json={"technician_id": org.service.id}))
    _ok(api.post(f"{url}/arrival", "service"))
    unsigned = api.post(f"{url}/fixed-on-site", "service", json={"customer_signed": False})
    assert problem(unsigned, 422)["field"] == "customer_signed"
    _ok(api.post(f"{url}/fixed-on-site", "service", json={"customer_signed": True}))
    assert problem(
        api.post(f"{url}/invoice", "service", json={"invoice_no": "F", "amount": "1"}), 409
    )
    _ok(api.post(f"{url}/survey", "sales", json=SURVEY))
    assert _ok(api.post(f"{url}/closure", "service"))["state"] == "closed"

    # scheduler actions: the system account only (issue 7)
    assert problem(api.post("/api/v1/service-jobs/prioritize", "supervisor"), 403)["rule"]
    system = _system(api, app, org)
    assert _ok(api.post("/api/v1/service-jobs/prioritize", system)) == []
    clock.set(at("2026-09-21 09:00"))
    prioritized = _ok(api.post("/api/v1/service-jobs/prioritize", system))
    assert [j["id"] for j in prioritized] == [waiting["id"]] and prioritized[0]["priority"]
    late = _ok(api.post("/api/v1/service-jobs/late-report", system))
    assert [j["id"] for j in late] == [waiting["id"]]
    assert _ok(api.post("/api/v1/service-jobs/late-report", system)) == []


def test_maintenance_contract_renewal_notice(
    api: Api, app: App, org: Any, clock: FixedClock
) -> None:
    customer = api.register("sales")
    body = {
        "customer_id": customer["id"],
        "number": "MC-2026-01",
        "starts_on": "2025-10-10",
        "ends_on": "2026-10-10",
    }
    bad = api.post("/api/v1/contracts", "sales", json={**body, "ends_on": "2025-01-01"})
    assert problem(bad, 422)["field"] == "ends_on"
    contract = _ok(api.post("/api/v1/contracts", "sales", json=body), 201)
    assert problem(api.post("/api/v1/contracts/renewal-notices", "supervisor"), 403)
    notified = _ok(api.post("/api/v1/contracts/renewal-notices", _system(api, app, org)))
    assert [c["id"] for c in notified] == [contract["id"]]
    assert notified[0]["renewal_notified_at"] == "2026-09-18T10:00:00+08:00"


def test_exchange_form_sign_off_chain_and_ledger(api: Api, org: Any) -> None:
    """CASE-14: regional market head (manager) → office (supervisor) → GM → warehouse."""
    form = _ok(
        api.post(
            "/api/v1/exchanges",
            "sales",
            json={
                "customer_name": "王五",
                "goods": "model X",
                "quantity": 2,
                "reason": "wrong colour",
            },
        ),
        201,
    )
    url = f"/api/v1/exchanges/{form['id']}"
    assert form["salesperson_id"] == org.sales.id and form["state"] == "open"
    assert problem(api.post(f"{url}/ledger", "sales"), 409)["rule"] == "CASE-14"
    # the first step needs a manager
    assert (
        problem(api.post(f"{url}/sign-offs", "supervisor", json={"approve": True}), 403)["rule"]
        == "CASE-14"
    )
    for who in ("manager", "supervisor", "gm", "sales2"):
        signed = _ok(api.post(f"{url}/sign-offs", who, json={"approve": True, "opinion": "ok"}))
    assert [s["step"] for s in signed["sign_offs"]] == [
        "regional_market_head",
        "office_verification",
        "gm_instruction",
        "warehouse",
    ]
    assert signed["state"] == "completed"
    assert problem(api.post(f"{url}/sign-offs", "gm", json={"approve": True}), 409)
    entered = _ok(api.post(f"{url}/ledger", "sales2"))
    assert (entered["ledger_no"], entered["ledger_signed_by"]) == (1, org.sales2.id)
    assert problem(api.post(f"{url}/ledger", "sales2"), 409)

    refused = _ok(
        api.post(
            "/api/v1/exchanges",
            "sales",
            json={"customer_name": "赵六", "goods": "model Y", "reason": "changed mind"},
        ),
        201,
    )
    refuse_url = f"/api/v1/exchanges/{refused['id']}/sign-offs"
    assert problem(api.post(refuse_url, "manager", json={"approve": False}), 422)["field"] == (
        "opinion"
    )
    no = _ok(api.post(refuse_url, "manager", json={"approve": False, "opinion": "not our fault"}))
    assert no["state"] == "rejected"
    listed = _ok(api.get("/api/v1/exchanges", "sales"))["items"]
    assert {f["id"] for f in listed} == {form["id"], refused["id"]}
