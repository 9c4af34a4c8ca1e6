"""Issue 10: one actor load per HTTP request — the bearer token's owner, authenticated by the
adapter, is the use case's actor; the use case's checks on that actor still apply."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from http_support import Api, at, problem
from sqlalchemy import event

from adapters.bootstrap import App, bootstrap
from adapters.http import create_app
from adapters.policy_file import default_policy
from adapters.settings import Settings
from csdomain.kernel.clock import FixedClock


@pytest.fixture
def sql_app(tmp_path: Path) -> Iterator[App]:
    app = bootstrap(
        Settings(storage="sql", database_url=f"sqlite:///{tmp_path / 'actor.db'}"),
        clock=FixedClock(at("2026-09-18 10:00")),
        policy=default_policy(),
        create_schema=True,
    )
    yield app
    app.close()


def test_a_request_reads_its_actor_once_and_the_actor_rules_still_apply(sql_app: App) -> None:
    admin, admin_token = sql_app.services.org.bootstrap_admin("Admin")
    li = sql_app.services.org.add_staff(admin.id, name="Li Lei", role="staff")
    api = Api(create_app(sql_app).test_client(), {"admin": admin_token})
    api.tokens["li"] = sql_app.services.org.issue_token(admin.id, li.id, "t")
    staff_reads: list[str] = []

    @event.listens_for(sql_app.storage.engine, "before_cursor_execute")  # type: ignore[attr-defined]
    def _watch(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM staff" in statement:
            staff_reads.append(statement)

    created = api.post("/api/v1/customers", "li", json={"name": "Zhang", "phone": "13800000001"})
    assert created.status_code == 201, created.get_json()
    assert len(staff_reads) == 1  # the token's owner, in authentication; not again in CUS-1
    # the same rules as before: a staff member may not list someone else's customers (CUS-1)
    denied = api.get(f"/api/v1/customers?owner_id={admin.id}", "li")
    assert problem(denied, 403)["type"].endswith("permission-denied")
    # and the actor of the next request is that request's token owner, not this one's
    listed = api.get("/api/v1/customers", "admin")
    assert listed.status_code == 200
