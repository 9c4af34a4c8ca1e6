"""The key acceptance lines again over SQLite, so the HTTP layer's versions, ETags and
error mapping are known to hold on the SQL adapter too (skipped until it exists)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from http_support import Api, at, problem

from adapters.bootstrap import bootstrap
from adapters.http import create_app
from adapters.policy_file import default_policy
from adapters.settings import Settings
from csdomain.kernel.clock import FixedClock


def _sql_available() -> bool:
    try:
        return hasattr(importlib.import_module("adapters.sql"), "SqlStorage")
    except ImportError:
        return False


pytestmark = pytest.mark.skipif(not _sql_available(), reason="the SQL adapter is not built yet")


@pytest.fixture
def sql_api(tmp_path: Path) -> Iterator[Api]:
    app = bootstrap(
        Settings(storage="sql", database_url=f"sqlite:///{tmp_path / 'http.db'}"),
        clock=FixedClock(at("2026-09-18 10:00")),
        policy=default_policy(),
        create_schema=True,
    )
    _, admin_token = app.services.org.bootstrap_admin("Admin")
    api = Api(create_app(app).test_client(), {"admin": admin_token})
    for name, role in (
        ("Wang GM", "gm"),
        ("Li Lei", "staff"),
        ("Han Meimei", "staff"),
        ("Qian Manager", "manager"),
    ):
        staff = api.post("/api/v1/staff", "admin", json={"name": name, "role": role}).get_json()
        token = api.post(f"/api/v1/staff/{staff['id']}/tokens", "admin", json={}).get_json()
        api.tokens[name] = token["token"]
        api.tokens[name + ":id"] = staff["id"]
    yield api
    app.close()


def test_ownership_conflict_and_stale_patch_over_sqlite(sql_api: Api) -> None:
    api = sql_api
    first = api.register("Li Lei", phone="13800000001")
    conflict = problem(
        api.post("/api/v1/customers", "Han Meimei", json={"name": "x", "phone": "13800000001"}), 409
    )
    assert "Li Lei" in conflict["detail"] and "2026-09-18T10:00" in conflict["detail"]
    url = f"/api/v1/customers/{first['id']}"
    ok = api.patch(url, "Li Lei", json={"notes": "a"}, headers={"If-Match": '"1"'})
    stale = api.patch(url, "Li Lei", json={"notes": "b"}, headers={"If-Match": '"1"'})
    assert (ok.status_code, ok.headers["ETag"]) == (200, '"2"')
    assert problem(stale, 409)["type"] == "urn:csdomain:problem:concurrency-conflict"
    listed = api.get("/api/v1/customers", "Han Meimei").get_json()
    assert listed["items"] == [] and listed["next_offset"] is None


def test_confidential_read_is_logged_over_sqlite(sql_api: Api) -> None:
    api = sql_api
    customer = api.register("Li Lei")
    opened = api.post(
        f"/api/v1/customers/{customer['id']}/files",
        "Li Lei",
        json={"kind": "new_sale", "event_date": "2026-09-18"},
    ).get_json()
    problem(api.get(f"/api/v1/files/{opened['id']}", "Li Lei"), 403)
    grant = api.post(
        f"/api/v1/staff/{api.tokens['Li Lei:id']}/permission-grants",
        "Wang GM",
        json={"permission": "read_top_secret", "reason": "archive audit"},
    )
    assert grant.status_code == 200
    assert api.get(f"/api/v1/files/{opened['id']}", "Li Lei").status_code == 200
    # the access log is secret; the GM grants the manager read_secret to review it
    api.post(
        f"/api/v1/staff/{api.tokens['Qian Manager:id']}/permission-grants",
        "Wang GM",
        json={"permission": "read_secret", "reason": "access log review"},
    )
    log = api.get("/api/v1/access-log", "Qian Manager").get_json()["items"]
    assert [(e["reader_id"], e["at"]) for e in log] == [
        (api.tokens["Li Lei:id"], "2026-09-18T10:00:00+08:00")
    ]
