"""Issue 12 penalties over HTTP: regions and staff data (PEN-2/5/8), the PEN-9 amount range
(422 naming the field and rule), PEN-7 sanctions, dismissal recommendations and the PEN-10
settlement report."""

from __future__ import annotations

from typing import Any

from http_support import Api, at, problem

from csdomain.kernel.clock import FixedClock


def _ok(resp: Any, status: int = 200) -> Any:
    assert resp.status_code == status, resp.get_json()
    return resp.get_json()


def test_pen2_region_head_and_pen8_group_leader_set_where_staff_are_managed(
    api: Api, org: Any
) -> None:
    """PEN-2: a region and its head; PEN-8/PEN-5: a person's group leader and base points."""
    region = _ok(api.post("/api/v1/regions", "admin", json={"name": "华东区"}), 201)
    _ok(api.put(f"/api/v1/regions/{region['id']}/head", "admin", json={"head_id": org.manager.id}))
    assert _ok(api.get("/api/v1/regions", "sales"))["items"][0]["head_id"] == org.manager.id
    changed = _ok(
        api.patch(
            f"/api/v1/staff/{org.sales.id}",
            "admin",
            json={
                "region_id": region["id"],
                "group_leader_id": org.supervisor.id,
                "base_points": 3,
            },
        )
    )
    assert (changed["region_id"], changed["group_leader_id"], changed["base_points"]) == (
        region["id"],
        org.supervisor.id,
        3,
    )
    assert api.patch(f"/api/v1/staff/{org.sales.id}", "manager", json={}).status_code == 403
    entries = _ok(
        api.post(
            "/api/v1/violations",
            "supervisor",
            json={
                "staff_id": org.sales.id,
                "code": "complaint_escalated_unhandled",
                "occurred_on": "2026-10-05",
                "evidence": "customer wrote to the GM",
            },
        ),
        201,
    )
    assert [(e["staff_id"], e["kind"]) for e in entries] == [
        (org.sales.id, "violation"),
        (org.manager.id, "region_liability"),
    ]
    no_culprit = _ok(
        api.post(
            "/api/v1/violations",
            "manager",
            json={
                "staff_id": org.sales.id,
                "code": "complaint_substantiated",
                "occurred_on": "2026-10-06",
                "evidence": "complaint form",
                "no_culprit": True,
            },
        ),
        201,
    )
    assert no_culprit[0]["staff_id"] == org.supervisor.id


def test_pen9_amount_out_of_range_is_a_422_naming_the_field_and_rule(api: Api, org: Any) -> None:
    """PEN-9: forcing others to breach, 50 000–150 000 元; outside the range: 422."""
    body = {
        "staff_id": org.sales.id,
        "code": "forcing_confidentiality_breach",
        "occurred_on": "2026-10-05",
        "evidence": "statement of the adviser",
    }
    bad = problem(api.post("/api/v1/violations", "manager", json={**body, "amount": "200.00"}), 422)
    assert (bad["field"], bad["rule"]) == ("amount", "PEN-9")
    (fine,) = _ok(
        api.post("/api/v1/violations", "manager", json={**body, "amount": "60000.00"}), 201
    )
    assert fine["amount"] == "60000.00"
    (rec,) = _ok(api.get("/api/v1/sanction-recommendations", "manager"))["items"]
    assert (rec["sanction"], rec["rule"]) == ("dismissal", "PEN-9")
    url = f"/api/v1/sanction-recommendations/{rec['id']}/decision"
    decision = {"accept": True, "reason": "confirmed"}
    assert api.post(url, "manager", json=decision).status_code == 403
    assert _ok(api.post(url, "gm", json=decision))["state"] == "accepted"
    assert problem(api.post(url, "gm", json=decision), 409)["rule"] == "PEN-9"


def test_pen7_sanction_and_pen10_settlement_report(api: Api, org: Any, clock: FixedClock) -> None:
    """PEN-7: a warning below 400 元 is a 422; PEN-10: the report names the due day."""
    body = {"staff_id": org.sales.id, "sanction": "warning", "month": "2026-10", "reason": "x"}
    low = problem(api.post("/api/v1/sanctions", "deputy", json={**body, "amount": "100.00"}), 422)
    assert (low["field"], low["rule"]) == ("amount", "PEN-7")
    entry = _ok(api.post("/api/v1/sanctions", "deputy", json=body), 201)
    assert (entry["kind"], entry["amount"], entry["sanction"]) == ("sanction", "400.00", "warning")
    clock.set(at("2026-11-12 09:00"))
    (row,) = _ok(api.get("/api/v1/penalties/settlement-report", "manager"))
    assert (row["month"], row["due_on"], row["late"]) == ("2026-10", "2026-11-10", True)
