"""Helpers shared by the HTTP tests (a uniquely named module, not a conftest)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import attrs
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

PROBLEM = "application/problem+json"
TZ = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    """'2026-09-18 10:00' in the company time zone."""
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


@attrs.define
class Api:
    """A test client that speaks as one staff member at a time."""

    client: FlaskClient
    tokens: dict[str, str]

    def call(self, method: str, path: str, who: str | None = None, **kw: Any) -> TestResponse:
        headers = dict(kw.pop("headers", {}) or {})
        if who is not None:
            headers["Authorization"] = f"Bearer {self.tokens[who]}"
        return self.client.open(path, method=method, headers=headers, **kw)

    def get(self, path: str, who: str | None = None, **kw: Any) -> TestResponse:
        return self.call("GET", path, who, **kw)

    def post(self, path: str, who: str | None = None, **kw: Any) -> TestResponse:
        return self.call("POST", path, who, **kw)

    def patch(self, path: str, who: str | None = None, **kw: Any) -> TestResponse:
        return self.call("PATCH", path, who, **kw)

    def put(self, path: str, who: str | None = None, **kw: Any) -> TestResponse:
        return self.call("PUT", path, who, **kw)

    def register(
        self, who: str, name: str = "张三", phone: str = "13800000001", **fields: Any
    ) -> dict[str, Any]:
        resp = self.post("/api/v1/customers", who, json={"name": name, "phone": phone, **fields})
        assert resp.status_code == 201, resp.get_json()
        data: dict[str, Any] = resp.get_json()
        return data


def problem(resp: TestResponse, status: int) -> dict[str, Any]:
    """The problem body, after checking the status, media type and that no trace leaked."""
    assert resp.status_code == status, (resp.status_code, resp.get_data(as_text=True))
    assert resp.mimetype == PROBLEM
    body: dict[str, Any] = resp.get_json()
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert body["status"] == status
    assert "Traceback" not in resp.get_data(as_text=True)
    return body
