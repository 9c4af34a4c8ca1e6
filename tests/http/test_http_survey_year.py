"""SAT-2 through HTTP: the year check and its bounds."""

from __future__ import annotations

from http_support import Api


def test_sat2_survey_year_over_http(api: Api) -> None:
    resp = api.get("/api/v1/survey-year?year=2026", "manager")
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["status"] == "open" and resp.get_json()["required"] == 1
    assert api.get("/api/v1/survey-year", "manager").status_code == 422
    bad = api.get("/api/v1/survey-year?year=1999", "manager")
    assert bad.status_code == 422 and "year" in str(bad.get_json())
