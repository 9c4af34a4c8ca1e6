"""Our file hand-over fines (PEN-1, PEN-2 under CUS-3): 80 元 a late file, doubling
from the 2nd violation in a month for sales and service advisers alike."""

from __future__ import annotations

from adapters.testing.kit import Scenario


def test_service_adviser_hands_over_three_files_late_in_october(csd_scenario: Scenario) -> None:
    """A service adviser hands over three files late in October"""
    s = csd_scenario
    li = s.given.staff("Li Lei", position="service_adviser")
    files = s.given.files_opened(li, 3, kind="service", on="2026-10-08")  # due 10-09
    s.when.files_handed_over(li, files, at="2026-10-20 16:00")
    s.then.fines(li, "2026-10", ["80.00", "160.00", "160.00"], code="file_late")
    s.then.statement_total(li, "2026-10", "400.00")


def test_new_sale_file_handed_over_within_three_working_days_costs_nothing(
    csd_scenario: Scenario,
) -> None:
    """A sale on the eve of National Day: the file is due three working days later (X-1)"""
    s = csd_scenario
    han = s.given.staff("Han Meimei", position="sales_adviser")
    (f,) = s.given.files_opened(han, kind="new_sale", on="2026-09-30")
    s.when.files_handed_over(han, [f], at="2026-10-09 17:00")  # holidays do not count
    s.then.violations(han, "2026-10", 0)
    s.then.statement_total(han, "2026-10", "0.00")


def test_two_late_new_sale_files_settle_at_240_in_october(csd_scenario: Scenario) -> None:
    """A sales adviser's two late files in October: 80 + 160 on the settled statement"""
    s = csd_scenario
    han = s.given.staff("Han Meimei", position="sales_adviser")
    files = s.given.files_opened(han, 2, kind="new_sale", on="2026-10-12")  # due 10-15
    s.when.files_handed_over(han, files, at="2026-10-19 11:00")
    statements = s.when.month_settled("2026-10", at="2026-11-05 09:00")
    assert [x.total.amount for x in statements if x.staff_id == han.id] == [240]
    s.then.statement_total(han, "2026-10", "240.00")
