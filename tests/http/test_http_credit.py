"""Customer credit over HTTP (CRD-1…CRD-6): a customer's account, invoices and payments, the
rolling line, shipment decisions with their numbers, the month end, a write-off, the reports;
amounts bounded like every money field (422 naming the field, nothing stored)."""

from __future__ import annotations

from typing import Any

import pytest
from http_support import Api, at, problem

from adapters.bootstrap import App
from csdomain.kernel.clock import FixedClock


def _ok(resp: Any, status: int = 200) -> Any:
    assert resp.status_code == status, resp.get_json()
    return resp.get_json()


@pytest.fixture
def customer(api: Api, app: App, org: Any) -> str:
    """A customer of the salesperson with credit: file with the ID copy, a contract."""
    cus = api.register("sales", name="大连汽贸", phone="13800000071")
    f = _ok(
        api.post(
            f"/api/v1/customers/{cus['id']}/files",
            "sales",
            json={"kind": "new_sale", "event_date": "2026-08-03"},
        ),
        201,
    )
    _ok(
        api.post(
            f"/api/v1/files/{f['id']}/documents", "sales", json={"documents": {"id_copy": "box 7"}}
        )
    )
    _ok(
        api.post(
            "/api/v1/credit/accounts",
            "manager",
            json={
                "customer_id": cus["id"],
                "contract_type": "distribution",
                "contract_no": "D-1",
                "contract_signed_on": "2026-08-01",
                "settlement_agreement": True,
            },
        ),
        201,
    )
    for day in ("2026-09-01", "2026-09-15", "2026-09-30"):
        _ok(
            api.post(
                "/api/v1/credit/invoices",
                "sales",
                json={"customer_id": cus["id"], "amount": "30000.00", "on": day, "reference": day},
            ),
            201,
        )
    return str(cus["id"])


def test_credit_line_shipments_and_reports_over_http(
    api: Api, customer: str, clock: FixedClock, org: Any
) -> None:
    clock.set(at("2026-10-01 10:00"))
    pos = _ok(api.get(f"/api/v1/customers/{customer}/credit/position", "sales"))
    assert (pos["line"], pos["balance"], pos["available"]) == ("90000.00", "90000.00", "0.00")
    later = _ok(api.get(f"/api/v1/customers/{customer}/credit/position?on=2026-10-05", "sales"))
    assert later["line"] == "60000.00"
    ship = {"customer_id": customer, "amount": "29999.99", "reference": "SH-9"}
    # a staff member may not sign an over-limit shipment: 403 naming the action and rule
    denied = problem(
        api.post(
            "/api/v1/credit/shipments", "sales", json={**ship, "over_limit": "first", "reason": "x"}
        ),
        403,
    )
    assert denied["rule"] == "CRD-3" and denied["action"] == "credit.ship"
    refused = _ok(api.post("/api/v1/credit/shipments", "sales", json=ship), 201)
    assert refused["allowed"] is False and refused["shipment"]["decision"] == "refused"
    signed = _ok(
        api.post(
            "/api/v1/credit/shipments",
            "manager",
            json={**ship, "over_limit": "first", "reason": "peak season"},
        ),
        201,
    )
    assert signed["allowed"] is True
    assert signed["shipment"]["decision"] == "first_over_limit"
    assert signed["shipment"]["bound"] == "30000.00"
    assert signed["shipment"]["signed_by"] == org.manager.id
    listed = _ok(api.get(f"/api/v1/customers/{customer}/credit/shipments", "sales"))
    assert [s["decision"] for s in listed["items"]] == ["refused", "first_over_limit"]
    exposure = _ok(api.get("/api/v1/credit/reports/exposure?by=owner", "manager"))
    assert exposure["items"][0]["balance"] == "119999.99"
    assert exposure["items"][0]["key"] == org.sales.id
    over = _ok(api.get("/api/v1/credit/reports/over-limit?month=2026-10", "manager"))
    assert over["items"][0]["unpaid"] == "29999.99"
    ageing = _ok(api.get("/api/v1/credit/reports/ageing?on=2026-10-31", "manager"))
    assert ageing["items"][0]["buckets"] == {
        "0-30": "29999.99",  # the October shipment
        "31-60": "90000.00",  # September's invoices (the 1st is 60 days old)
        "61-90": "0.00",
        ">90": "0.00",
    }
    # another salesperson does not reach this customer's credit
    problem(api.get(f"/api/v1/customers/{customer}/credit/position", "sales2"), 403)


@pytest.mark.parametrize(
    "amount",
    ["-1.00", "0.00", "100000000.01", "1.005", 12.5, "abc"],
    ids=["negative", "zero", "over-maximum", "three-decimals", "float", "text"],
)
def test_credit_amounts_are_bounded_and_nothing_is_stored(
    api: Api, customer: str, amount: Any
) -> None:
    before = _ok(api.get(f"/api/v1/customers/{customer}/credit/ledger", "sales"))
    for path in ("/api/v1/credit/payments", "/api/v1/credit/invoices"):
        body = {"customer_id": customer, "amount": amount, "on": "2026-09-20", "reference": "x"}
        bad = problem(api.post(path, "sales", json=body), 422)
        assert "amount" in bad["detail"]
    bad = problem(
        api.post(
            "/api/v1/credit/shipments",
            "sales",
            json={"customer_id": customer, "amount": amount, "reference": "x"},
        ),
        422,
    )
    assert "amount" in bad["detail"]
    after = _ok(api.get(f"/api/v1/customers/{customer}/credit/ledger", "sales"))
    assert after == before
    assert _ok(api.get(f"/api/v1/customers/{customer}/credit/shipments", "sales"))["items"] == []


def test_month_end_over_http_charges_once(
    api: Api, app: App, customer: str, clock: FixedClock, org: Any
) -> None:
    clock.set(at("2026-10-01 10:00"))
    for kind, amount in (("first", "10000.00"), ("last", "12000.00")):
        _ok(
            api.post(
                "/api/v1/credit/shipments",
                "manager",
                json={
                    "customer_id": customer,
                    "amount": amount,
                    "reference": f"SH-{kind}",
                    "over_limit": kind,
                    "reason": "agreed",
                },
            ),
            201,
        )
    clock.set(at("2026-11-01 03:00"))
    first = _ok(api.post("/api/v1/credit/month-end", "manager", json={"month": "2026-10"}))
    assert [(e["staff_id"], e["amount"]) for e in first] == [(org.manager.id, "12000.00")]
    assert _ok(api.post("/api/v1/credit/month-end", "manager", json={"month": "2026-10"})) == []
    problem(api.post("/api/v1/credit/month-end", "sales", json={"month": "2026-10"}), 403)
    problem(api.post("/api/v1/credit/month-end", "manager", json={"month": "2026-13"}), 422)
