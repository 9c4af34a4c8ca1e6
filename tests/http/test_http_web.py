"""The small web pages: token sign-in, the customers list, the register form (same use
cases, domain errors shown next to the field) and the customer page with its files."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from http_support import Api

from adapters.bootstrap import App


def _csrf(client: FlaskClient, path: str = "/sign-in") -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match, page
    return match.group(1)


def _sign_in(client: FlaskClient, token: str) -> None:
    resp = client.post("/sign-in?next=/customers/new", data={"token": token, "csrf": _csrf(client)})
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/customers/new"


def _count(app: App) -> int:
    with app.storage.unit_of_work() as uow:
        return len(uow.customers.list(limit=1000))


def test_pages_need_sign_in(client: FlaskClient) -> None:
    resp = client.get("/customers")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/sign-in")
    assert client.get("/").headers["Location"] == "/customers"
    page = client.get("/sign-in")
    assert page.status_code == 200 and "API token" in page.get_data(as_text=True)


def test_sign_in_refuses_a_bad_token_and_a_missing_csrf(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    resp = client.post("/sign-in", data={"token": "csd_wrong", "csrf": _csrf(client)})
    assert resp.status_code == 200
    assert "unknown, revoked" in resp.get_data(as_text=True)
    no_csrf = client.post("/sign-in", data={"token": tokens["sales"]})
    assert no_csrf.status_code == 400
    assert "form expired" in no_csrf.get_data(as_text=True)
    assert client.get("/customers").status_code == 302


def test_sign_in_does_not_redirect_off_site(client: FlaskClient, tokens: dict[str, str]) -> None:
    resp = client.post(
        "/sign-in?next=//evil.example/x", data={"token": tokens["sales"], "csrf": _csrf(client)}
    )
    assert resp.headers["Location"] == "/customers"


def test_register_form_creates_the_customer_and_shows_its_page(
    app: App, client: FlaskClient, tokens: dict[str, str], org: Any
) -> None:
    _sign_in(client, tokens["sales"])
    form = client.get("/customers/new")
    assert form.status_code == 200 and "Register a customer" in form.get_data(as_text=True)
    resp = client.post(
        "/customers/new",
        data={
            "csrf": _csrf(client, "/customers/new"),
            "name": "王五",
            "phone": "139 0000 0009",
            "kind": "franchisee",
            "legal_form": "corporate",
            "source": "phone",
            "intermediary": "1",
            "intermediary_name": "Acme 中介",
        },
    )
    assert resp.status_code == 302
    page = client.get(resp.headers["Location"])
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "王五" in text and "13900000009" in text and "Li Lei" in text and "Acme 中介" in text
    assert "No files yet" in text
    listing = client.get("/customers").get_data(as_text=True)
    assert "王五" in listing and "franchisee" not in listing  # the list shows the essentials
    (customer,) = app.services.customers.list(org.sales.id)
    assert (customer.kind.value, customer.intermediary) == ("franchisee", True)


def test_register_form_shows_field_errors_and_writes_nothing(
    app: App, client: FlaskClient, tokens: dict[str, str]
) -> None:
    _sign_in(client, tokens["sales"])
    resp = client.post(
        "/customers/new",
        data={
            "csrf": _csrf(client, "/customers/new"),
            "name": "赵六",
            "phone": "12",
            "kind": "end_consumer",
            "legal_form": "individual",
            "source": "walk_in",
        },
    )
    text = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert '<div class="error">must be 5-20 digits' in text
    assert 'value="12"' in text and 'value="赵六"' in text  # the form keeps what was typed
    blank = client.post(
        "/customers/new",
        data={"csrf": _csrf(client, "/customers/new"), "name": " ", "phone": "13800000001"},
    )
    assert blank.status_code == 422
    assert '<div class="error">must not be empty' in blank.get_data(as_text=True)
    assert _count(app) == 0


def test_register_form_shows_the_ownership_conflict(
    app: App, api: Api, client: FlaskClient, tokens: dict[str, str]
) -> None:
    api.register("sales2", phone="13800000001")
    _sign_in(client, tokens["sales"])
    resp = client.post(
        "/customers/new",
        data={"csrf": _csrf(client, "/customers/new"), "name": "张三", "phone": "13800000001"},
    )
    text = resp.get_data(as_text=True)
    assert resp.status_code == 409
    assert "already registered by Han Meimei" in text and "2026-09-18T10:00" in text
    assert _count(app) == 1


def test_customer_page_shows_file_status_and_respects_visibility(
    api: Api, client: FlaskClient, tokens: dict[str, str]
) -> None:
    mine = api.register("sales", phone="13800000001")
    other = api.register("sales2", name="李四", phone="13800000002")
    api.post(
        f"/api/v1/customers/{mine['id']}/files",
        "sales",
        json={"kind": "service", "event_date": "2026-09-18"},
    )
    _sign_in(client, tokens["sales"])
    text = client.get(f"/customers/{mine['id']}").get_data(as_text=True)
    # one working day after Friday 09-18 is Sunday 09-20, a make-up working day (调休)
    assert "service" in text and "2026-09-20" in text and "work_order" in text
    denied = client.get(f"/customers/{other['id']}")
    assert denied.status_code == 403
    assert denied.mimetype == "text/html" and "Permission denied" in denied.get_data(as_text=True)
    listing = client.get("/customers").get_data(as_text=True)
    assert "张三" in listing and "李四" not in listing


def test_sign_out_clears_the_session(client: FlaskClient, tokens: dict[str, str]) -> None:
    _sign_in(client, tokens["sales"])
    assert client.get("/customers").status_code == 200
    resp = client.post("/sign-out", data={"csrf": _csrf(client, "/customers")})
    assert resp.status_code == 302
    assert client.get("/customers").status_code == 302


def test_customer_page_leaves_out_master_data_and_the_register_for_a_supervisor(
    api: Api, client: FlaskClient, tokens: dict[str, str]
) -> None:
    """X-5: the supervisor reaches the department's customer, but without the GM's grant sees
    neither the phone (customer_master) nor the hand-over register (handover_record)."""
    mine = api.register("sales", phone="13800000001")
    api.post(
        f"/api/v1/customers/{mine['id']}/files",
        "sales",
        json={"kind": "service", "event_date": "2026-09-18"},
    )
    _sign_in(client, tokens["supervisor"])
    page = client.get(f"/customers/{mine['id']}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "13800000001" not in text and "<th>Phone</th>" not in text
    assert "hand-over register of this customer is confidential" in text
    assert "work_order" not in text
    listing = client.get("/customers").get_data(as_text=True)
    assert "张三" in listing and "13800000001" not in listing


def test_the_customers_page_finds_by_pinyin_initials(
    client: FlaskClient, tokens: dict[str, str], api: Api
) -> None:
    """Issue 11: the web list has the same search as the API (name, pinyin, phone)."""
    api.register("sales", name="张三", phone="13800138000")
    api.register("sales", name="李四", phone="13900139000")
    _sign_in(client, tokens["sales"])
    page = client.get("/customers", query_string={"q": "zs"}).get_data(as_text=True)
    assert "张三" in page and "李四" not in page
    assert 'value="zs"' in page
    none = client.get("/customers", query_string={"q": "wangwu"}).get_data(as_text=True)
    assert "No customers matching" in none
