"""The replay over HTTP as a background job (issue 15): 202 with the job, progress, the
report when done; 422 naming the field for a bad period or document; 403 for staff; a job is
seen only by whoever started it."""

from __future__ import annotations

import time
from typing import Any

import pytest
from flask.testing import FlaskClient
from replay_support import doubling_from_second_text, fingerprint, record_october

from adapters.bootstrap import App
from adapters.http import create_app
from csd_support import Org, at
from csdomain.kernel.clock import FixedClock

URL = "/api/v1/policy/replays"


@pytest.fixture
def client(app: App) -> FlaskClient:
    return create_app(app).test_client()


def _auth(app: App, org: Org, who: str) -> dict[str, str]:
    token = app.services.org.issue_token(org.admin.id, getattr(org, who).id, "test")
    return {"Authorization": f"Bearer {token}"}


def _wait(client: FlaskClient, location: str, headers: dict[str, str]) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        resp = client.get(location, headers=headers)
        assert resp.status_code == 200, resp.get_json()
        job: dict[str, Any] = resp.get_json()
        if job["status"] in ("done", "failed") or time.monotonic() > deadline:
            return job
        time.sleep(0.02)


def test_pen2_replay_job_reports_the_affected_people(
    app: App, org: Org, clock: FixedClock, client: FlaskClient
) -> None:
    clock.set(at("2026-10-01 09:00"))
    people = record_october(app, org)
    clock.set(at("2026-11-03 10:00"))
    manager = _auth(app, org, "manager")
    before = fingerprint(app)

    resp = client.post(
        URL,
        headers=manager,
        json={"document": doubling_from_second_text(), "start": "2026-10-01", "end": "2026-10-31"},
    )

    assert resp.status_code == 202, resp.get_json()
    started = resp.get_json()
    assert started["status"] in ("queued", "running", "done")
    assert resp.headers["Location"] == f"{URL}/{started['id']}"
    job = _wait(client, resp.headers["Location"], manager)
    assert job["status"] == "done", job
    assert job["done"] == job["total"] == len(job["report"]["sections"])  # one month each
    fines = next(s for s in job["report"]["sections"] if s["capability"] == "penalties")
    assert {(i["subject_id"], i["difference"]) for i in fines["items"]} == {
        (people["zhou"].id, "+100.00"),
        (people["gao"].id, "+50.00"),
    }
    assert fingerprint(app) == before
    # another manager's (or the GM's) view: the job is not theirs
    other = client.get(resp.headers["Location"], headers=_auth(app, org, "gm"))
    assert other.status_code == 404


def test_replay_job_refusals_name_the_field(app: App, org: Org, client: FlaskClient) -> None:
    manager = _auth(app, org, "manager")
    text = doubling_from_second_text()
    reversed_period = client.post(
        URL, headers=manager, json={"document": text, "start": "2026-10-31", "end": "2026-10-01"}
    )
    assert reversed_period.status_code == 422
    assert reversed_period.get_json()["field"] == "end"
    not_toml = client.post(
        URL, headers=manager, json={"document": "[[x", "start": "2026-10-01", "end": "2026-10-31"}
    )
    assert not_toml.status_code == 422 and not_toml.get_json()["field"] == "document"
    bad_key = client.post(
        URL,
        headers=manager,
        json={
            "document": text.replace('multiplier = "2"', 'multiplier = "x"', 1),
            "start": "2026-10-01",
            "end": "2026-10-31",
        },
    )
    assert bad_key.status_code == 422
    problem = bad_key.get_json()
    assert problem["field"] == "document"
    assert any("multiplier" in e["field"] for e in problem["errors"]), problem
    missing = client.post(URL, headers=manager, json={"document": text, "start": "2026-10-01"})
    assert missing.status_code == 422 and "end" in str(missing.get_json())
    staff = client.post(
        URL,
        headers=_auth(app, org, "sales"),
        json={"document": text, "start": "2026-10-01", "end": "2026-10-31"},
    )
    assert staff.status_code == 403
    assert client.get(f"{URL}/rpl_0123456789abcdef", headers=manager).status_code == 404
