"""HTTP test fixtures: the Flask app over the memory adapter (fixed clock, default policy)
and one API token per member of the shared ``org`` fixture."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from http_support import Api

from adapters.bootstrap import App
from adapters.http import create_app

ROLES = ("admin", "gm", "deputy", "manager", "supervisor", "sales", "sales2", "service")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "CSDOMAIN_DATABASE_URL",
        "CSDOMAIN_STORAGE",
        "CSDOMAIN_POLICY_FILE",
        "CSDOMAIN_SECRET_KEY",
        "CSDOMAIN_BOOTSTRAP_ADMIN",
        "CSDOMAIN_BOOTSTRAP_TOKEN_FILE",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def flask_app(app: App) -> Flask:
    return create_app(app)


@pytest.fixture
def client(flask_app: Flask) -> FlaskClient:
    return flask_app.test_client()


@pytest.fixture
def tokens(app: App, org: Any) -> dict[str, str]:
    out = {"admin": org.admin_token}
    for role in ROLES[1:]:
        out[role] = app.services.org.issue_token(org.admin.id, getattr(org, role).id, "test")
    return out


@pytest.fixture
def api(client: FlaskClient, tokens: dict[str, str]) -> Api:
    return Api(client, tokens)
