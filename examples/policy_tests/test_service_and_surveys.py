"""Our repair calls and surveys keep csdomain's defaults: a city call is on site within 6
business hours, a call in the dense zone within 12 hours round the clock (CASE-12); every job
is rated (SAT-1); a periodic survey below 90 % satisfaction raises a corrective action — a
case with a CAPA item that another department verifies before it closes (SAT-3, CASE-11)."""

from __future__ import annotations

from adapters.testing.kit import Scenario


def test_city_repair_call_reached_after_six_business_hours_is_reported_overdue(
    csd_scenario: Scenario,
) -> None:
    """A city repair call of Monday 09:00 reached at 16:30"""
    s = csd_scenario
    wu = s.given.staff("Wu Gang", position="technician")
    job = s.given.job_registered(zone="city", at="2026-10-12 09:00")  # on site by 15:00
    s.when.job_dispatched(job, wu, at="2026-10-12 09:30")
    s.when.job_arrived(job, at="2026-10-12 16:30")
    s.then.job_arrival(job, late=True)
    s.then.job_reported_overdue(job)
    s.when.job_fixed(job, at="2026-10-12 17:30", invoice="280.00")
    s.when.job_rated(job, "fair")
    s.then.job_ratings(job, "fair")


def test_night_call_in_the_dense_zone_reached_by_morning_is_on_time(
    csd_scenario: Scenario,
) -> None:
    """A dense-zone call at 20:00 reached at 07:00 the next morning (12 hours, 24x7)"""
    s = csd_scenario
    wu = s.given.staff("Wu Gang", position="technician")
    job = s.given.job_registered(zone="dense", at="2026-10-13 20:00")
    s.when.job_dispatched(job, wu, at="2026-10-13 20:10")
    s.when.job_arrived(job, at="2026-10-14 07:00")
    s.then.job_arrival(job, late=False)
    s.when.job_fixed(job, at="2026-10-14 08:00", invoice="150.00")
    s.when.job_rated(job, "very_satisfied")
    s.then.job_reported_overdue(job, reported=False)


def test_survey_below_ninety_percent_raises_a_corrective_action_closed_once_verified(
    csd_scenario: Scenario,
) -> None:
    """November's survey: 2 of 3 satisfied is below our 90 % target"""
    s = csd_scenario
    li = s.given.staff("Li Lei", position="service_adviser")
    zhao = s.given.staff_of("Quality", "Zhao Min")
    s.given.active_customers(li, 10)
    survey = s.given.survey_issued(on="2026-11-02")  # to 30 % of them: 3 customers
    s.when.survey_answered(survey, ["very_satisfied", "satisfied", "dissatisfied"])
    s.when.survey_closed(survey, at="2026-11-12")
    s.then.survey_results(survey, returned=3, satisfaction="66.7", return_rate="100.0")
    s.then.survey_target(survey, met=False)
    action = s.when.corrective_action_raised(survey, li, "Call back every dissatisfied customer")
    case = s.then.corrective_action(survey)
    assert case is not None and case.number == action.case_number
    (item,) = s.lab.capa_items(case)
    s.when.case_handled(case, li, solved_at="2026-11-12 15:00", replied_at="2026-11-13 09:00")
    s.then.case_cannot_close(case, li)  # its CAPA item is open
    s.when.corrective_action_done(item, at="2026-11-13 10:00")
    s.when.corrective_action_verified(item, by=zhao, at="2026-11-16 10:00")
    s.when.case_closed(case, li, at="2026-11-16 11:00")
    s.then.case_closed(case)
