"""Issue 15 acceptance over HTTP: validate and upload the raised late hand-over fine, see the
diff (exactly that change, PEN-1), activate it as the GM (never its uploader), and October's
fines stay 50 while November's are 80; an invalid draft is a 422 naming every bad key."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask.testing import FlaskClient
from lab_support import DEFAULT_TEXT, with_file_late

from adapters.bootstrap import App
from adapters.http import create_app
from csd_support import Org


@pytest.fixture
def client(app: App) -> FlaskClient:
    return create_app(app).test_client()


def _auth(app: App, org: Org, who: str) -> dict[str, str]:
    staff = getattr(org, who)
    token = (
        org.admin_token
        if who == "admin"
        else app.services.org.issue_token(org.admin.id, staff.id, "test")
    )
    return {"Authorization": f"Bearer {token}"}


def test_pen1_fine_raised_from_nov_1_over_http(app: App, org: Org, client: FlaskClient) -> None:
    manager, gm = _auth(app, org, "manager"), _auth(app, org, "gm")
    raised = with_file_late("80.00")
    check = client.post(
        "/api/v1/policy/drafts/validate", json={"document": raised}, headers=manager
    )
    assert check.status_code == 200 and check.get_json() == {"valid": True, "problems": []}
    resp = client.post(
        "/api/v1/policy/versions",
        json={"document": raised, "effective_from": "2026-11-01", "note": "PEN-1 80"},
        headers=manager,
    )
    assert resp.status_code == 201, resp.get_json()
    draft: dict[str, Any] = resp.get_json()
    assert (draft["number"], draft["state"]) == (2, "draft")
    assert resp.headers["Location"] == "/api/v1/policy/versions/2"
    diff = client.get("/api/v1/policy/diff?old=1&new=2", headers=manager).get_json()
    assert diff == {
        "old": 1,
        "new": 2,
        "changes": [
            {
                "path": "penalties.catalogue[file_late].amount",
                "old": "50.00",
                "new": "80.00",
                "rules": ["PEN-1"],
                "kind": "changed",
            }
        ],
    }
    refused = client.post("/api/v1/policy/versions/2/activate", headers=manager)
    assert refused.status_code == 403 and refused.get_json()["action"] == "policy.activate"
    done = client.post("/api/v1/policy/versions/2/activate", headers=gm)
    assert done.status_code == 200 and done.get_json()["state"] == "active"
    again = client.post("/api/v1/policy/versions/2/activate", headers=gm)
    assert again.status_code == 409
    listed = client.get("/api/v1/policy/versions", headers=manager).get_json()
    assert [(v["number"], v["state"]) for v in listed] == [(1, "active"), (2, "active")]
    ps = app.services.penalties
    october = ps.record_violation(
        org.manager.id, org.sales.id, "file_late", date(2026, 10, 30), evidence="register"
    )[0]
    november = ps.record_violation(
        org.manager.id, org.sales2.id, "file_late", date(2026, 11, 2), evidence="register"
    )[0]
    assert (f"{october.amount.amount:.2f}", f"{november.amount.amount:.2f}") == ("50.00", "80.00")


def test_an_invalid_draft_is_a_422_naming_every_bad_key(
    app: App, org: Org, client: FlaskClient
) -> None:
    manager = _auth(app, org, "manager")
    bad = with_file_late("-5").replace("complaint_cap_percent = 50", "complaint_cap_percnt = 50")
    resp = client.post(
        "/api/v1/policy/versions",
        json={"document": bad, "effective_from": "2026-11-01"},
        headers=manager,
    )
    assert resp.status_code == 422
    fields = [e["field"] for e in resp.get_json()["errors"]]
    assert fields == [
        "$.penalties.catalogue[0].amount",
        "$.penalties.complaint_cap_percent",
        "$.penalties",
    ]
    check = client.post("/api/v1/policy/drafts/validate", json={"document": bad}, headers=manager)
    assert check.get_json()["valid"] is False
    assert [p["path"] for p in check.get_json()["problems"]] == fields


def test_x3_staff_see_no_versions_and_unknown_numbers_are_404(
    app: App, org: Org, client: FlaskClient
) -> None:
    assert (
        client.get("/api/v1/policy/versions", headers=_auth(app, org, "sales")).status_code == 403
    )
    manager = _auth(app, org, "manager")
    assert client.get("/api/v1/policy/versions/7", headers=manager).status_code == 404
    assert client.get("/api/v1/policy/versions/x", headers=manager).status_code == 404
    one = client.get("/api/v1/policy/versions/1", headers=manager).get_json()
    assert one["number"] == 1 and "[penalties]" in one["document"]
    assert DEFAULT_TEXT  # the default document parses to the same policy as version 1
