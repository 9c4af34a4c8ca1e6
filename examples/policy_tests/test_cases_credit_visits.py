"""Our deadlines beyond the files: a missed case deadline (CASE-7) and a late visit report
(VIS-2) cost 100 元 each; credit shipments follow the default CRD-3 rules."""

from __future__ import annotations

from adapters.testing.kit import Scenario


def test_complaint_not_acknowledged_within_24_hours_costs_its_owner_100(
    csd_scenario: Scenario,
) -> None:
    """A complaint taken on a Tuesday morning and left unanswered for a day"""
    s = csd_scenario
    zhou = s.given.staff("Zhou Jie", position="cs_desk")
    case = s.when.case_received(zhou, at="2026-10-20 09:00")
    s.when.time_passes(to="2026-10-21 10:00")
    s.then.breaches(case, ["acknowledge"])
    s.then.fines(zhou, "2026-10", ["100.00"], code="case_deadline_missed")


def test_complaint_acknowledged_in_time_breaches_nothing(csd_scenario: Scenario) -> None:
    """A complaint acknowledged the same afternoon"""
    s = csd_scenario
    zhou = s.given.staff("Zhou Jie", position="cs_desk")
    case = s.when.case_received(zhou, at="2026-10-20 09:00")
    s.when.case_acknowledged(case, zhou, at="2026-10-20 15:00")
    s.when.time_passes(to="2026-10-21 10:00")
    s.then.breaches(case, [])
    s.then.fines(zhou, "2026-10", [])


def test_complaint_closed_after_seven_days_costs_its_handler_100(csd_scenario: Scenario) -> None:
    """A complaint answered in time but closed on the ninth day"""
    s = csd_scenario
    zhou = s.given.staff("Zhou Jie", position="cs_desk")
    han = s.given.staff("Han Meimei", position="service_adviser")
    case = s.when.case_received(zhou, at="2026-10-20 09:00")
    s.when.case_acknowledged(case, zhou, at="2026-10-20 10:00")
    s.when.case_resolved(
        case,
        han,
        solved_at="2026-10-20 15:00",
        replied_at="2026-10-21 10:00",
        closed_at="2026-10-29 10:00",  # the close clock ran out on 27 October
    )
    s.then.breaches(case, ["close"])
    s.then.fines(han, "2026-10", ["100.00"], code="case_deadline_missed")
    s.then.fines(zhou, "2026-10", [])


def test_shipment_over_the_line_needs_the_managers_signature(csd_scenario: Scenario) -> None:
    """A dealer at its 30 000 元 line asks for 5 000 元 more"""
    s = csd_scenario
    li = s.given.staff("Li Lei", position="sales_adviser")
    dealer = s.given.credit_customer(li, invoiced=[("30000.00", "2026-10-05")])
    asked = s.when.shipment_requested(li, dealer, "5000.00", at="2026-10-22 10:00")
    s.then.shipment(asked, "refused", allowed=False)
    signed = s.when.shipment_requested(
        s.lab.manager, dealer, "5000.00", over_limit="first", reason="year-end order"
    )
    s.then.shipment(signed, "first_over_limit", allowed=True)


def test_visit_report_two_days_late_costs_100(csd_scenario: Scenario) -> None:
    """A visit on Thursday 22 October reported the next Wednesday"""
    s = csd_scenario
    li = s.given.staff("Li Lei", position="sales_adviser")
    dealer = s.given.customer(li, "Dalian Motors")
    visit = s.when.visit_reported(li, dealer, "2026-10-22", at="2026-10-28 10:00")  # due 10-26
    s.then.visit_late(visit)
    s.then.fines(li, "2026-10", ["100.00"], code="visit_report_late")
