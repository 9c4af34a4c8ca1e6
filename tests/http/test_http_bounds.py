"""Bounds at the edge (issue 8, X-8): the same boundary inputs get the same answers on the
memory adapter, SQLite and PostgreSQL — a 4xx problem naming the field (never a 5xx), and a
refused request stores nothing. Values just inside the bounds are stored and read back
unchanged on every backend (what the core accepts, every column can hold)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from adapters.bootstrap import App, Storage
from adapters.http import create_app
from backend_fixtures import BACKENDS, backend_app
from csd_support import Org, make_org
from csdomain.kernel.bounds import MAX_INT, MAX_MONEY, MAX_NAME, MAX_QUANTITY, MAX_TEXT
from csdomain.kernel.clock import FixedClock

PROBLEM = "application/problem+json"
DEEP = "[" * 1000 + "]" * 1000


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:  # every backend, incl. PostgreSQL
    return str(request.param)


@pytest.fixture
def app(storage: Storage, clock: FixedClock) -> Iterator[App]:
    application = backend_app(storage, clock)
    yield application


@pytest.fixture
def setup(app: App) -> tuple[FlaskClient, Org, dict[str, str]]:
    org = make_org(app)
    tokens = {
        role: app.services.org.issue_token(org.admin.id, getattr(org, role).id, "bounds")
        for role in ("gm", "sales")
    }
    return create_app(app).test_client(), org, tokens


def _send(client: FlaskClient, token: str, method: str, path: str, body: Any = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"}
    if body is None:
        return client.open(path, method=method, headers=headers)
    data = body if isinstance(body, str | bytes) else json.dumps(body, ensure_ascii=True)
    return client.open(
        path, method=method, headers=headers, data=data, content_type="application/json"
    )


def _refused(client: FlaskClient, token: str, org: Org) -> list[tuple[str, int, str | None]]:
    """(what, status, field) for every boundary input; the test compares it to one table."""
    customer = {"name": "张三", "phone": "13800138000"}
    reward = {
        "staff_id": org.sales.id,
        "proposed_by": org.supervisor.id,
        "reason": "good work",
    }
    cases: list[tuple[str, str, str, Any]] = [
        ("long name", "POST", "/api/v1/customers", {**customer, "name": "名" * 20_000}),
        ("NUL in name", "POST", "/api/v1/customers", {**customer, "name": "a\x00b"}),
        (
            "lone surrogate",
            "POST",
            "/api/v1/customers",
            '{"name": "\\ud800", "phone": "13800138000"}',
        ),
        ("surrogate key", "POST", "/api/v1/customers", '{"\\udc00": 1, "name": "x"}'),
        ("deep JSON", "POST", "/api/v1/customers", '{"name": ' + DEEP + "}"),
        ("deep array", "POST", "/api/v1/customers", DEEP),
        ("long notes", "POST", "/api/v1/customers", {**customer, "notes": "n" * (MAX_TEXT + 1)}),
        ("offset 2^63", "GET", "/api/v1/customers?offset=9223372036854775808", None),
        ("offset 2^63-1", "GET", "/api/v1/customers?offset=9223372036854775807", None),
        ("limit 0", "GET", "/api/v1/customers?limit=0", None),
        ("empty limit", "GET", "/api/v1/customers?limit=", None),
        ("NUL query", "GET", "/api/v1/customers?grade=%00", None),
        ("unknown query", "GET", "/api/v1/customers?colour=red", None),
        ("basic date", "GET", "/api/v1/files/overdue?as_of=20261201", None),
        ("week date", "GET", "/api/v1/files/overdue?as_of=2026-W49-3", None),
        ("year 9999", "GET", "/api/v1/files/overdue?as_of=9999-12-31", None),
        ("year 1", "GET", "/api/v1/files/overdue?as_of=0001-01-01", None),
        ("before range", "GET", "/api/v1/files/overdue?as_of=1999-12-31", None),
        ("month 1-01", "GET", "/api/v1/reports/complaints?month=1-01", None),
        ("month 0001-01", "GET", "/api/v1/reports/complaints?month=0001-01", None),
        ("month 13", "GET", "/api/v1/reports/complaints?month=2026-13", None),
        (
            "range to 9999",
            "GET",
            f"/api/v1/technicians/{org.service.id}/survey-summary?start=0001-01-01&end=9999-12-31",
            None,
        ),
        (
            "penalty month",
            "POST",
            "/api/v1/penalty-months/1-01/settlement",
            None,
        ),
        ("statement month", "GET", f"/api/v1/statements/{org.sales.id}/2100-01", None),
        (
            "violation day 9999",
            "POST",
            "/api/v1/violations",
            {
                "staff_id": org.sales.id,
                "code": "file_late",
                "occurred_on": "9999-12-31",
                "evidence": "register",
            },
        ),
        (
            "quantity 2^63",
            "POST",
            "/api/v1/exchanges",
            {"customer_name": "店", "goods": "X", "quantity": 2**63, "reason": "colour"},
        ),
        (
            "quantity int32",
            "POST",
            "/api/v1/exchanges",
            {"customer_name": "店", "goods": "X", "quantity": MAX_INT + 1, "reason": "colour"},
        ),
        ("money 10^12", "POST", "/api/v1/rewards", {**reward, "amount": "1000000000000"}),
        ("money exponent", "POST", "/api/v1/rewards", {**reward, "amount": "1E+3"}),
        ("money negative", "POST", "/api/v1/rewards", {**reward, "amount": "-5"}),
        ("money float", "POST", "/api/v1/rewards", {**reward, "amount": 10.5}),
        ("body id shape", "POST", "/api/v1/rewards", {**reward, "staff_id": "x", "amount": 1}),
        ("sweep as a case", "GET", "/api/v1/cases/sweep", None),
        ("NUL in path id", "GET", "/api/v1/customers/cus_%00", None),
    ]
    out: list[tuple[str, int, str | None]] = []
    for what, method, path, body in cases:
        resp = _send(client, token, method, path, body)
        assert resp.status_code < 500, (what, resp.get_data(as_text=True))
        assert resp.mimetype == PROBLEM, what
        out.append((what, resp.status_code, resp.get_json().get("field")))
    return out


EXPECTED: list[tuple[str, int, str | None]] = [
    ("long name", 422, "name"),
    ("NUL in name", 422, "name"),
    ("lone surrogate", 422, "name"),
    ("surrogate key", 422, "body"),
    ("deep JSON", 400, None),
    ("deep array", 400, None),
    ("long notes", 422, "notes"),
    ("offset 2^63", 422, "offset"),
    ("offset 2^63-1", 422, "offset"),
    ("limit 0", 422, "limit"),
    ("empty limit", 422, "limit"),
    ("NUL query", 422, "grade"),
    ("unknown query", 422, "colour"),
    ("basic date", 422, "as_of"),
    ("week date", 422, "as_of"),
    ("year 9999", 422, "as_of"),
    ("year 1", 422, "as_of"),
    ("before range", 422, "as_of"),
    ("month 1-01", 422, "month"),
    ("month 0001-01", 422, "month"),
    ("month 13", 422, "month"),
    ("range to 9999", 422, "start"),
    ("penalty month", 422, "month"),
    ("statement month", 422, "month"),
    ("violation day 9999", 422, "occurred_on"),
    ("quantity 2^63", 422, "quantity"),
    ("quantity int32", 422, "quantity"),
    ("money 10^12", 422, "amount"),
    ("money exponent", 422, "amount"),
    ("money negative", 422, "amount"),
    ("money float", 422, "amount"),
    ("body id shape", 422, "staff_id"),
    ("sweep as a case", 405, None),
    ("NUL in path id", 404, None),
]


def _stored(app: App) -> tuple[int, int, int]:
    with app.storage.unit_of_work() as uow:
        return (
            len(uow.customers.list(limit=10_000)),
            len(uow.audit.list()),
            len(uow.exchanges.list()),
        )


def test_boundary_inputs_get_the_same_answers_on_every_backend(
    app: App, setup: tuple[FlaskClient, Org, dict[str, str]]
) -> None:
    client, org, tokens = setup
    before = _stored(app)
    assert _refused(client, tokens["gm"], org) == EXPECTED
    assert _stored(app) == before  # nothing of a refused request is stored


def test_values_at_the_bounds_are_stored_and_read_back_on_every_backend(
    app: App, setup: tuple[FlaskClient, Org, dict[str, str]]
) -> None:
    client, org, tokens = setup
    name = "名" * MAX_NAME
    resp = _send(
        client,
        tokens["sales"],
        "POST",
        "/api/v1/customers",
        {"name": name, "phone": "13800138000", "notes": "注" * MAX_TEXT},
    )
    assert resp.status_code == 201, resp.get_data(as_text=True)
    stored = _send(client, tokens["sales"], "GET", f"/api/v1/customers/{resp.get_json()['id']}")
    assert stored.get_json()["name"] == name and len(stored.get_json()["notes"]) == MAX_TEXT
    exchange = _send(
        client,
        tokens["sales"],
        "POST",
        "/api/v1/exchanges",
        {"customer_name": "店", "goods": "X", "quantity": MAX_QUANTITY, "reason": "colour"},
    )
    assert exchange.status_code == 201, exchange.get_data(as_text=True)
    listed = _send(client, tokens["gm"], "GET", "/api/v1/exchanges").get_json()["items"]
    assert [e["quantity"] for e in listed] == [MAX_QUANTITY]
    last_page = _send(client, tokens["gm"], "GET", f"/api/v1/customers?offset={MAX_INT - 500}")
    assert last_page.status_code == 200 and last_page.get_json()["items"] == []
    bonus = _send(
        client,
        tokens["gm"],
        "PUT",
        f"/api/v1/bonuses/{org.sales.id}/2026-09",
        {"bonus": f"{MAX_MONEY:.2f}"},
    )
    assert bonus.status_code < 300, bonus.get_data(as_text=True)
    assert bonus.get_json()["bonus"] == f"{MAX_MONEY:.2f}"
