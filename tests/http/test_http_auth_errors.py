"""Authentication (bearer tokens) and the one error mapping (RFC 9457 problems)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from http_support import Api, problem

from adapters.bootstrap import App
from adapters.http.problems import DOMAIN_STATUS, problem_for
from csdomain.kernel.errors import (
    ConcurrencyConflict,
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    PolicyError,
    ValidationError,
)


def test_healthz_needs_no_token_and_checks_storage(client: FlaskClient) -> None:
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.get_json() == {"status": "ok"}


def test_healthz_reports_unreachable_storage(
    app: App, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> Any:
        raise OSError("database is down")

    monkeypatch.setattr(app.storage, "unit_of_work", broken)
    body = problem(client.get("/healthz"), 503)
    assert "database is down" not in body["detail"]


@pytest.mark.parametrize("header", [None, "", "Basic dXNlcjpwYXNz", "Bearer", "Bearer   "])
def test_missing_or_malformed_authorization_is_401(client: FlaskClient, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    resp = client.get("/api/v1/me", headers=headers)
    body = problem(resp, 401)
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")
    assert body["type"] == "urn:csdomain:problem:unauthenticated"


def test_unknown_token_is_401_invalid_token(client: FlaskClient, tokens: dict[str, str]) -> None:
    resp = client.get("/api/v1/me", headers={"Authorization": "Bearer csd_not-a-real-token"})
    problem(resp, 401)
    assert 'error="invalid_token"' in resp.headers["WWW-Authenticate"]


def test_inactive_staff_token_is_401(app: App, api: Api, org: Any) -> None:
    with app.storage.unit_of_work() as uow:  # deactivation has no use case yet
        staff = uow.staff.get(org.sales.id)
        staff.active = False
        uow.commit()
    problem(api.get("/api/v1/me", "sales"), 401)


def test_me_returns_the_token_owner_with_role(api: Api, org: Any) -> None:
    resp = api.get("/api/v1/me", "supervisor")
    assert resp.status_code == 200
    me = resp.get_json()
    assert (me["id"], me["role"], me["name"]) == (org.supervisor.id, "supervisor", "Sun Supervisor")
    assert resp.headers["ETag"] == f'"{me["version"]}"'


def test_staff_may_issue_own_token_but_not_others(api: Api, org: Any) -> None:
    resp = api.post(f"/api/v1/staff/{org.sales.id}/tokens", "sales", json={"label": "laptop"})
    assert resp.status_code == 201
    token = resp.get_json()["token"]
    me = api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.get_json()["id"] == org.sales.id
    problem(api.post(f"/api/v1/staff/{org.sales2.id}/tokens", "sales", json={}), 403)


def test_admin_manages_staff_and_departments(api: Api, org: Any) -> None:
    resp = api.post("/api/v1/departments", "admin", json={"name": "Service"})
    assert resp.status_code == 201
    dept = resp.get_json()
    resp = api.post(
        "/api/v1/staff",
        "admin",
        json={
            "name": "New Hire",
            "role": "staff",
            "department_id": dept["id"],
            "position": "service_adviser",
        },
    )
    assert resp.status_code == 201
    assert resp.headers["Location"].endswith(resp.get_json()["id"])
    head = api.call(
        "PUT", f"/api/v1/departments/{dept['id']}/head", "admin", json={"head_id": org.manager.id}
    )
    assert head.get_json()["head_id"] == org.manager.id
    names = [s["name"] for s in api.get("/api/v1/staff?limit=500", "admin").get_json()["items"]]
    assert "New Hire" in names
    problem(api.post("/api/v1/staff", "sales", json={"name": "X", "role": "staff"}), 403)
    bad = problem(api.post("/api/v1/staff", "admin", json={"name": "X", "role": "boss"}), 422)
    assert bad["field"] == "role" and bad["rule"] == "X-3"


def test_unknown_route_and_wrong_method_are_problems(api: Api) -> None:
    body = problem(api.get("/api/v1/nothing-here", "sales"), 404)
    assert body["type"] == "about:blank"
    resp = api.call("DELETE", "/api/v1/me", "sales")
    problem(resp, 405)
    assert "GET" in resp.headers["Allow"]


def test_unknown_record_is_404_problem(api: Api) -> None:
    body = problem(api.get("/api/v1/customers/cus_missing", "manager"), 404)
    assert body["type"] == "urn:csdomain:problem:not-found"


def test_unexpected_exception_is_a_bare_500_problem(
    app: App, flask_app: Flask, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*_: Any, **__: Any) -> Any:
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(app.services.customers, "list", boom)
    resp = api.get("/api/v1/customers", "sales")
    body = problem(resp, 500)
    assert "secret internals" not in resp.get_data(as_text=True)
    assert body["type"] == "urn:csdomain:problem:internal"


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (ValidationError("bad", field="phone", rule="CUS-1"), 422, "validation"),
        (NotFound("gone"), 404, "not-found"),
        (PermissionDenied("no", rule="X-5"), 403, "permission-denied"),
        (Conflict("taken", rule="CUS-1"), 409, "conflict"),
        (ConcurrencyConflict("stale"), 409, "concurrency-conflict"),
        (InvalidTransition("closed", rule="CUS-6"), 409, "invalid-transition"),
        (PolicyError("broken", [("$.a", "why")]), 500, "policy"),
    ],
)
def test_domain_errors_map_once(error: Exception, status: int, code: str) -> None:
    p = problem_for(error)
    assert (p.status, p.type) == (status, f"urn:csdomain:problem:{code}")
    assert p.title
    assert p.rule == getattr(error, "rule", None)


def test_every_domain_error_class_has_a_status() -> None:
    for cls in (
        ValidationError,
        NotFound,
        PermissionDenied,
        Conflict,
        ConcurrencyConflict,
        InvalidTransition,
        PolicyError,
    ):
        assert any(c in DOMAIN_STATUS for c in cls.__mro__)
