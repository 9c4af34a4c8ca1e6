"""SAT-2 `surveys.surveys_per_year`: a year is reported met, open (still running) or missed;
surveys whose period starts in the year count. Memory, SQLite, PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from survey_support import active_customers, survey

from adapters.bootstrap import App
from csd_support import Org, at, make_org
from csdomain.kernel.clock import FixedClock
from csdomain.kernel.errors import ValidationError


@pytest.fixture
def org(app: App) -> Org:
    return make_org(app)


def test_sat2_year_without_a_survey_is_open_then_missed(
    app: App, org: Org, clock: FixedClock
) -> None:
    y = app.services.surveys.year_check(org.manager.id, 2026)
    assert (y.required, y.held, y.status) == (1, 0, "open")
    clock.set(at("2027-01-04 10:00"))
    assert app.services.surveys.year_check(org.manager.id, 2026).status == "missed"


def test_sat2_year_with_a_company_survey_is_met(app: App, org: Org, clock: FixedClock) -> None:
    customers = active_customers(app, org, 4)
    s = survey(app, org, customers)
    y = app.services.surveys.year_check(org.manager.id, 2026)
    assert (y.held, y.survey_ids, y.status) == (1, [s.id], "met")
    # a survey of another year does not count for 2026 … nor 2026's for 2025
    assert app.services.surveys.year_check(org.manager.id, 2025).held == 0
    survey(app, org, customers, period_start=date(2025, 1, 1), period_end=date(2025, 12, 31))
    assert app.services.surveys.year_check(org.manager.id, 2026).held == 1


def test_sat2_year_outside_the_policy_range_is_refused(app: App, org: Org) -> None:
    with pytest.raises(ValidationError) as err:
        app.services.surveys.year_check(org.manager.id, 1900)
    assert err.value.field == "year"
