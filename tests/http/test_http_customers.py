"""Customers over HTTP: registration and ownership (CUS-1), strict bodies, optimistic
versions, visibility by role, grading (CUS-4) and deregistration (CUS-6)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from http_support import Api, problem

from adapters.bootstrap import App


def _customer_count(app: App) -> int:
    with app.storage.unit_of_work() as uow:
        return len(uow.customers.list(limit=1000))


def _audit_count(app: App) -> int:
    with app.storage.unit_of_work() as uow:
        return len(uow.audit.list())


def test_register_returns_201_with_version_etag_and_location(api: Api, org: Any) -> None:
    resp = api.post(
        "/api/v1/customers",
        "sales",
        json={"name": "张三", "phone": "138-0000-0001", "kind": "agent"},
    )
    assert resp.status_code == 201
    body = resp.get_json()
    assert body["owner_id"] == org.sales.id
    assert body["phone"] == "+8613800000001"  # stored in E.164 (CUS-1)
    assert body["registered_at"] == "2026-09-18T10:00:00+08:00"
    assert body["version"] == 1
    assert resp.headers["ETag"] == '"1"'
    assert resp.headers["Location"] == f"/api/v1/customers/{body['id']}"
    again = api.get(resp.headers["Location"], "sales")
    assert again.get_json() == body
    unchanged = api.get(resp.headers["Location"], "sales", headers={"If-None-Match": '"1"'})
    assert unchanged.status_code == 304


def test_registering_a_customer_owned_by_someone_else_is_409_naming_owner_and_time(
    app: App, api: Api, org: Any
) -> None:
    """CUS-1: the earliest registration owns the customer; the store stays unchanged."""
    first = api.register("sales", phone="13800000001")
    customers, events = _customer_count(app), _audit_count(app)
    resp = api.post(
        "/api/v1/customers", "sales2", json={"name": "Zhang San", "phone": "13800000001"}
    )
    body = problem(resp, 409)
    assert body["type"] == "urn:csdomain:problem:conflict"
    assert body["rule"] == "CUS-1"
    assert body["field"] == "phone"
    assert "Li Lei" in body["detail"] and org.sales.id in body["detail"]
    assert "2026-09-18T10:00" in body["detail"]
    assert (_customer_count(app), _audit_count(app)) == (customers, events)
    assert api.get(f"/api/v1/customers/{first['id']}", "sales").get_json() == first


@pytest.mark.parametrize(
    ("kwargs", "status", "field"),
    [
        ({"data": '{"name": "x", "phone": ', "content_type": "application/json"}, 400, None),
        ({"data": b"\xff\xfe", "content_type": "application/json"}, 400, None),
        ({"json": ["name", "phone"]}, 400, None),
        ({"json": "a string"}, 400, None),
        ({"json": {"name": "张三", "phone": 13800000001}}, 422, "phone"),
        ({"json": {"name": "张三", "phone": "13800000001", "vip": True}}, 422, "vip"),
        ({"json": {"name": "张三"}}, 422, "phone"),
        ({"json": {"name": "张三", "phone": "12"}}, 422, "phone"),
        ({"json": {"name": "张三", "phone": "13800000001", "kind": "alien"}}, 422, "kind"),
        (
            {"json": {"name": "张三", "phone": "13800000001", "intermediary": "yes"}},
            422,
            "intermediary",
        ),
        ({"data": "name=x", "content_type": "application/x-www-form-urlencoded"}, 415, None),
    ],
)
def test_malformed_registration_is_a_problem_naming_the_field_and_writes_nothing(
    app: App, api: Api, kwargs: dict[str, Any], status: int, field: str | None
) -> None:
    before = (_customer_count(app), _audit_count(app))
    body = problem(api.post("/api/v1/customers", "sales", **kwargs), status)
    if field is not None:
        assert body["field"] == field
        assert field in {e["field"] for e in body["errors"]}
        assert all(e["detail"] for e in body["errors"])
    assert (_customer_count(app), _audit_count(app)) == before


def test_every_bad_field_is_listed(api: Api) -> None:
    body = problem(
        api.post(
            "/api/v1/customers",
            "sales",
            json={"name": 5, "phone": "13800000001", "extra": 1, "other": 2},
        ),
        422,
    )
    assert {e["field"] for e in body["errors"]} == {"name", "extra", "other"}


def test_two_patches_from_the_same_version_one_wins_one_409(app: App, api: Api) -> None:
    customer = api.register("sales")
    url = f"/api/v1/customers/{customer['id']}"
    first = api.patch(url, "sales", json={"expected_version": 1, "address": "1 Road"})
    second = api.patch(url, "sales", json={"expected_version": 1, "address": "2 Road"})
    assert first.status_code == 200
    assert first.get_json()["version"] == 2 and first.headers["ETag"] == '"2"'
    body = problem(second, 409)
    assert body["type"] == "urn:csdomain:problem:concurrency-conflict"
    assert body["field"] == "expected_version"
    assert api.get(url, "sales").get_json()["address"] == "1 Road"


def test_patch_accepts_if_match(api: Api) -> None:
    customer = api.register("sales")
    url = f"/api/v1/customers/{customer['id']}"
    ok = api.patch(url, "sales", json={"notes": "VIP"}, headers={"If-Match": '"1"'})
    assert ok.status_code == 200 and ok.get_json()["notes"] == "VIP"
    stale = api.patch(url, "sales", json={"notes": "x"}, headers={"If-Match": 'W/"1"'})
    assert problem(stale, 409)["type"].endswith("concurrency-conflict")
    clash = api.patch(
        url, "sales", json={"notes": "x", "expected_version": 1}, headers={"If-Match": '"2"'}
    )
    assert problem(clash, 422)["field"] == "expected_version"
    bad = api.patch(url, "sales", json={"notes": "x"}, headers={"If-Match": "*"})
    assert problem(bad, 422)["field"] == "If-Match"
    missing = api.patch(url, "sales", json={"notes": "x"})
    assert problem(missing, 422)["field"] == "expected_version"


def test_patch_refuses_an_invalid_status_change(api: Api) -> None:
    customer = api.register("sales")
    resp = api.patch(
        f"/api/v1/customers/{customer['id']}",
        "sales",
        json={"expected_version": 1, "status": "deregistered"},
    )
    body = problem(resp, 409)
    assert body["type"] == "urn:csdomain:problem:invalid-transition"


def test_staff_see_only_their_own_customers(api: Api, org: Any) -> None:
    mine = api.register("sales", phone="13800000001")
    theirs = api.register("sales2", name="李四", phone="13800000002")
    listed = api.get("/api/v1/customers", "sales").get_json()["items"]
    assert [c["id"] for c in listed] == [mine["id"]]
    problem(api.get(f"/api/v1/customers/{theirs['id']}", "sales"), 403)
    problem(api.get(f"/api/v1/customers?owner_id={org.sales2.id}", "sales"), 403)
    everyone = api.get("/api/v1/customers", "supervisor").get_json()["items"]
    assert {c["id"] for c in everyone} == {mine["id"], theirs["id"]}
    filtered = api.get(f"/api/v1/customers?owner_id={org.sales2.id}", "manager").get_json()
    assert [c["id"] for c in filtered["items"]] == [theirs["id"]]


def test_list_is_paginated_explicitly(api: Api, app: App, clock: Any) -> None:
    ids = []
    for i in range(5):
        ids.append(api.register("sales", name=f"C{i}", phone=f"1390000000{i}")["id"])
        clock.advance(timedelta(minutes=1))
    page1 = api.get("/api/v1/customers?limit=2", "sales").get_json()
    assert [c["id"] for c in page1["items"]] == ids[:2]
    assert (page1["limit"], page1["offset"], page1["next_offset"]) == (2, 0, 2)
    page3 = api.get("/api/v1/customers?limit=2&offset=4", "sales").get_json()
    assert [c["id"] for c in page3["items"]] == ids[4:]
    assert page3["next_offset"] is None
    exact = api.get("/api/v1/customers?limit=5", "sales").get_json()
    assert exact["next_offset"] is None
    for query, field in (
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("offset=-1", "offset"),
        ("limit=ten", "limit"),
        ("status=happy", "status"),
    ):
        assert problem(api.get(f"/api/v1/customers?{query}", "sales"), 422)["field"] == field


def test_status_filter(api: Api) -> None:
    a = api.register("sales", phone="13800000001")
    api.register("sales", name="B", phone="13800000002")
    api.patch(
        f"/api/v1/customers/{a['id']}",
        "sales",
        json={"expected_version": 1, "status": "closed_deal"},
    )
    closed = api.get("/api/v1/customers?status=closed_deal", "sales").get_json()["items"]
    assert [c["id"] for c in closed] == [a["id"]]


def test_transfer_needs_authority_and_version(api: Api, org: Any) -> None:
    customer = api.register("sales")
    url = f"/api/v1/customers/{customer['id']}/transfer"
    body = {"new_owner_id": org.sales2.id, "reason": "客户冲撞 resolved", "expected_version": 1}
    assert problem(api.post(url, "supervisor", json=body), 403)["rule"] == "CUS-1"
    moved = api.post(url, "manager", json=body)
    assert moved.status_code == 200
    assert moved.get_json()["owner_id"] == org.sales2.id
    assert problem(api.post(url, "manager", json=body), 409)["type"].endswith(
        "concurrency-conflict"
    )
    no_reason = api.post(url, "manager", json={**body, "reason": " ", "expected_version": 2})
    assert problem(no_reason, 422)["field"] == "reason"


def test_grade_evaluation_change_and_history(api: Api, org: Any, clock: Any) -> None:
    customer = api.register("sales")
    cid = customer["id"]
    scores = {
        "annual_sales": 90,
        "price": 80,
        "payment_collection": 85,
        "cooperation": 70,
        "trend": 60,
    }
    problem(
        api.post(
            f"/api/v1/customers/{cid}/grade-evaluations",
            "sales",
            json={"scores": scores, "reason": "yearly"},
        ),
        403,
    )
    bad = api.post(
        f"/api/v1/customers/{cid}/grade-evaluations",
        "manager",
        json={"scores": {**scores, "trend": 6.5}},
    )
    assert problem(bad, 422)["field"] == "scores.trend"
    resp = api.post(
        f"/api/v1/customers/{cid}/grade-evaluations",
        "manager",
        json={"scores": scores, "reason": "first evaluation", "proposed_by": org.supervisor.id},
    )
    assert resp.status_code == 201
    graded = resp.get_json()
    assert graded["to_grade"] == "A" and graded["provisional"] is True
    version = api.get(f"/api/v1/customers/{cid}", "sales").get_json()["version"]
    clock.advance(timedelta(hours=1))  # history is ordered by time
    change = api.post(
        f"/api/v1/customers/{cid}/grade-changes",
        "manager",
        json={"grade": "B", "reason": "payments slipped", "proposed_by": org.supervisor.id},
        headers={"If-Match": f'"{version}"'},
    )
    assert change.status_code == 201 and change.get_json()["from_grade"] == "A"
    history = api.get(f"/api/v1/customers/{cid}/grade-history", "sales").get_json()["items"]
    assert [h["to_grade"] for h in history] == ["A", "B"]
    audit = api.get(f"/api/v1/history/{cid}", "supervisor").get_json()["items"]
    assert [e["kind"] for e in audit][:1] == ["customer.registered"]
    assert "customer.graded" in [e["kind"] for e in audit]
    problem(api.get(f"/api/v1/history/{cid}", "sales"), 403)


def test_deregistration_chain(api: Api) -> None:
    customer = api.register("sales")
    cid = customer["id"]
    applied = api.post(
        f"/api/v1/customers/{cid}/deregistrations", "sales", json={"reason": "moving abroad"}
    )
    assert applied.status_code == 201
    dereg = applied.get_json()
    steps = f"/api/v1/deregistrations/{dereg['id']}/steps"
    assert problem(api.post(steps, "sales", json={"approve": True}), 403)["rule"] == "X-3"
    for who in ("supervisor", "manager", "gm"):
        assert api.post(steps, who, json={"approve": True}).status_code == 200
    # the applicant signs no step (CUS-6): finance is another person
    assert (
        problem(api.post(steps, "sales", json={"approve": True, "refund": "1"}), 403)["rule"]
        == "X-3"
    )
    float_refund = api.post(steps, "service", json={"approve": True, "refund": 12.5})
    assert problem(float_refund, 422)["field"] == "refund"
    settled = api.post(steps, "service", json={"approve": True, "refund": "120.50"})
    assert settled.get_json()["refund"] == "120.50"
    done = api.post(steps, "sales", json={"approve": True}).get_json()
    assert done["state"] == "completed"
    listed = api.get(f"/api/v1/customers/{cid}/deregistrations", "sales").get_json()["items"]
    assert [d["state"] for d in listed] == ["completed"]
    assert api.get(f"/api/v1/customers/{cid}", "sales").get_json()["status"] == "deregistered"
    assert problem(api.post(steps, "gm", json={"approve": True}), 409)["rule"] == "CUS-6"


def test_policy_is_served_as_json(api: Api, app: App) -> None:
    policy = api.get("/api/v1/policy", "sales").get_json()
    assert policy["version"] == app.policy.version
    new_sale = policy["customers"]["files"]["new_sale"]
    assert new_sale["handover_working_days"] == 3 and len(new_sale["items"]) == 12


def test_customer_search_by_pinyin_initials_phone_and_visibility(api: Api) -> None:
    """Issue 11: ``GET /api/v1/customers?q=`` (name, pinyin, initials, phone), CUS-1 visibility."""
    zhang = api.register("sales", name="张三", phone="13800138000")
    wang = api.register("sales2", name="王五", phone="13900139000")

    def found(who: str, q: str) -> list[str]:
        resp = api.get("/api/v1/customers", who, query_string={"q": q})
        assert resp.status_code == 200, resp.get_json()
        return [c["name"] for c in resp.get_json()["items"]]

    assert found("sales", "zs") == ["张三"]
    assert found("sales", "zhangsan") == ["张三"]
    assert found("supervisor", "+86 138 0013 8000") == ["张三"]
    assert found("supervisor", "139") == ["王五"]
    assert found("sales", "ww") == []  # 王五 belongs to someone else (CUS-1)
    page = api.get("/api/v1/customers", "supervisor", query_string={"q": "1", "limit": 1})
    assert page.get_json()["next_offset"] == 1 and len(page.get_json()["items"]) == 1
    rest = api.get("/api/v1/customers", "supervisor", query_string={"q": "1", "offset": 1})
    both = {c["id"] for c in page.get_json()["items"] + rest.get_json()["items"]}
    assert both == {zhang["id"], wang["id"]}
    bad = problem(api.get("/api/v1/customers", "sales", query_string={"q": "x" * 65}), 422)
    assert bad["field"] == "q"
    mixed = api.get("/api/v1/customers", "sales", query_string={"q": "zs", "grade": "A"})
    assert problem(mixed, 422)["field"] == "q"
