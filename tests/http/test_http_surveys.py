"""Periodic satisfaction surveys over HTTP (SAT-2, SAT-3) and the SAT-1 report: a survey
created and answered, the 60 % return rate reported below the 75 % rule, one answer per
customer (409), bad input a 422 naming the field with nothing stored, the corrective
action raised once."""

from __future__ import annotations

from typing import Any

import pytest
from http_support import Api, at, problem

from adapters.bootstrap import App
from csdomain.customers.commands import RegisterCustomer, UpdateCustomer
from csdomain.customers.model import CustomerStatus
from csdomain.kernel.clock import FixedClock


def _ok(resp: Any, status: int = 200) -> Any:
    assert resp.status_code == status, resp.get_json()
    return resp.get_json()


@pytest.fixture
def customers(app: App, org: Any) -> list[str]:
    s = app.services.customers
    out = []
    for i in range(5):
        c = s.register(org.sales.id, RegisterCustomer(name=f"客户{i}", phone=f"1380014{i:04d}"))
        s.update(
            org.sales.id,
            c.id,
            UpdateCustomer(expected_version=c.version, status=CustomerStatus.CLOSED_DEAL),
        )
        out.append(c.id)
    return out


def _survey(api: Api, customers: list[str]) -> Any:
    return _ok(
        api.post(
            "/api/v1/surveys",
            "manager",
            json={
                "title": "2026 satisfaction",
                "period_start": "2026-01-01",
                "period_end": "2026-12-31",
                "customer_ids": customers,
            },
        ),
        201,
    )


def test_survey_answers_results_reply_and_corrective_action_over_http(
    api: Api, customers: list[str], clock: FixedClock, org: Any
) -> None:
    s = _survey(api, customers)
    url = f"/api/v1/surveys/{s['id']}"
    for cid, level in zip(customers[:3], ["satisfied", "dissatisfied", "neutral"], strict=True):
        _ok(api.post(f"{url}/responses", "service", json={"customer_id": cid, "level": level}), 201)
    twice = problem(
        api.post(
            f"{url}/responses", "service", json={"customer_id": customers[0], "level": "satisfied"}
        ),
        409,
    )
    assert (twice["rule"], twice["field"]) == ("SAT-2", "customer_id")
    problem(api.post(f"{url}/close", "manager"), 409)  # still collecting
    clock.set(at("2026-10-20 10:00"))
    closed = _ok(api.post(f"{url}/close", "manager"))
    assert closed["return_rate_percent"] == "60.0" and closed["return_rate_below_minimum"]
    assert any("below the 75 % rule" in f for f in closed["findings"])
    assert closed["below_target"] and closed["satisfaction_percent"] == "33.3"
    results = _ok(api.get(f"{url}/results", "supervisor"))
    assert results["counts"]["dissatisfied"] == 1
    problem(api.get(f"{url}/results", "sales"), 403)
    action = {"owner_id": org.supervisor.id, "description": "Retrain the service desk"}
    first = _ok(api.post(f"{url}/corrective-action", "manager", json=action))
    again = _ok(api.post(f"{url}/corrective-action", "manager", json=action))
    assert first["created"] and not again["created"] and first["case_id"] == again["case_id"]
    replied = _ok(api.post(f"{url}/reply", "manager", json={"text": "What we heard"}))
    assert replied["reply_on_time"] is False and replied["reply_late"]
    assert _ok(api.get(url, "service"))["case_id"] == first["case_id"]
    listed = _ok(api.get("/api/v1/surveys?year=2026", "service"))
    assert [x["id"] for x in listed["items"]] == [s["id"]]
    answers = _ok(api.get(f"{url}/responses", "supervisor"))
    assert len(answers["items"]) == 3


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"period_end": "2025-12-31"}, "period_end"),
        ({"distribute_percent": 0, "customer_ids": []}, "distribute_percent"),
        ({"customer_ids": ["cus_nobody"]}, "customer_ids"),
    ],
)
def test_bad_survey_input_is_a_422_naming_the_field_and_nothing_is_stored(
    api: Api, customers: list[str], payload: dict[str, Any], field: str
) -> None:
    body = {"title": "t", "period_start": "2026-01-01", "period_end": "2026-12-31", **payload}
    p = problem(api.post("/api/v1/surveys", "manager", json=body), 422)
    assert p["field"] == field or field in str(p), p
    assert _ok(api.get("/api/v1/surveys", "manager"))["items"] == []


def test_bad_answers_are_refused_naming_the_field(api: Api, customers: list[str]) -> None:
    s = _survey(api, customers[:2])
    url = f"/api/v1/surveys/{s['id']}/responses"
    p = problem(api.post(url, "service", json={"customer_id": customers[0], "level": "great"}), 422)
    assert p["field"] == "level"
    p = problem(
        api.post(url, "service", json={"customer_id": customers[4], "level": "satisfied"}), 422
    )
    assert p["field"] == "customer_id"
    p = problem(
        api.post(
            url,
            "service",
            json={"customer_id": customers[0], "level": "satisfied", "on": "2026-09-30"},
        ),
        422,
    )
    assert p["field"] == "on"
    assert _ok(api.get(url, "supervisor"))["items"] == []


def test_job_satisfaction_report_over_http(api: Api) -> None:
    rows = _ok(api.get("/api/v1/job-satisfaction?start=2026-09-01&end=2026-09-30", "manager"))
    assert rows == []
    problem(api.get("/api/v1/job-satisfaction?start=2026-09-01", "manager"), 422)
    problem(api.get("/api/v1/job-satisfaction?start=2026-09-01&end=2026-09-30", "sales"), 403)
