"""PEN-6 carries and PEN-10 settlement order across months (issue 8 part 5), on memory,
SQLite and PostgreSQL (the folder's ``app`` fixture is parametrized by backend)."""

from __future__ import annotations

from datetime import date

import pytest

from adapters.bootstrap import App
from csd_support import Org, at
from csdomain.cases.commands import CloseCase, ProposeSolution, ReceiveCase
from csdomain.kernel.clock import FixedClock
from csdomain.kernel.errors import InvalidTransition
from csdomain.kernel.money import Money

MONTHS = ("2026-10", "2026-11", "2026-12")


def _charge(app: App, org: Org, loss: str) -> None:
    """A closed complaint whose whole loss is the sales adviser's (a capped deduction)."""
    cs = app.services.cases
    dept = app.services.org.list_departments(org.admin.id)[0]
    case = cs.receive(
        org.sales.id,
        ReceiveCase(
            type="complaint", category="price", channel="email", content="x", customer_name="Y"
        ),
    )
    cs.accept(org.supervisor.id, case.id)
    cs.assign(org.supervisor.id, case.id, dept.id, org.service.id)
    cs.propose_solution(
        org.service.id, case.id, ProposeSolution(remedy="written_explanation", solution="s")
    )
    cs.approve(org.supervisor.id, case.id)
    cs.reply(org.service.id, case.id, "written", "letter")
    cs.follow_up(org.service.id, case.id, accepted=True, satisfaction=4)
    cs.close(org.supervisor.id, case.id, CloseCase(cause="carelessness", loss=Money.of(loss)))
    app.services.penalties.charge_case_loss(org.manager.id, case.id, [(org.sales.id, 1)])


@pytest.fixture
def deductions(app: App, org: Org, clock: FixedClock) -> None:
    """900 + 900 + 600 of complaint deductions in October on a 2 000 bonus every month."""
    clock.set(at("2026-10-20 10:00"))
    for loss in ("900.00", "900.00", "600.00"):
        _charge(app, org, loss)
    for month in MONTHS:
        app.services.penalties.set_bonus(org.manager.id, org.sales.id, month, Money.of("2000.00"))
    clock.set(at("2027-01-05 10:00"))


def _deducted(app: App, org: Org) -> list[str]:
    ps = app.services.penalties
    return [
        f"{ps.statement(org.manager.id, org.sales.id, m).statement.complaint_deducted.amount:.2f}"
        for m in MONTHS
    ]


@pytest.mark.usefixtures("deductions")
def test_pen6_provisional_statements_carry_through_empty_unsettled_months(
    app: App, org: Org
) -> None:
    assert _deducted(app, org) == ["1000.00", "1000.00", "400.00"]
    december = app.services.penalties.statement(org.manager.id, org.sales.id, "2026-12")
    assert not december.settled and december.statement.carried_over == Money.zero()


@pytest.mark.parametrize("settled", [1, 2, 3])
@pytest.mark.usefixtures("deductions")
def test_pen6_carry_is_the_same_whether_or_not_months_are_settled(
    app: App, org: Org, settled: int
) -> None:
    ps = app.services.penalties
    for month in MONTHS[:settled]:
        ps.settle_month(org.manager.id, month)
    assert _deducted(app, org) == ["1000.00", "1000.00", "400.00"]
    views = [ps.statement(org.manager.id, org.sales.id, m) for m in MONTHS]
    assert [v.settled for v in views] == [i < settled for i in range(3)]
    carried = [f"{v.statement.carried_over.amount:.2f}" for v in views]
    assert carried == ["1400.00", "400.00", "0.00"]


@pytest.mark.usefixtures("deductions")
def test_pen10_settling_past_an_unsettled_month_with_entries_is_refused(app: App, org: Org) -> None:
    ps = app.services.penalties
    with pytest.raises(InvalidTransition, match="2026-10 has entries and is not settled"):
        ps.settle_month(org.manager.id, "2026-11")
    with pytest.raises(InvalidTransition, match="2026-10 has entries and is not settled"):
        ps.settle_month(org.manager.id, "2026-12")
    assert ps.statement(org.manager.id, org.sales.id, "2026-11").settled is False


@pytest.mark.usefixtures("deductions")
def test_pen10_settling_past_an_unsettled_month_with_a_carry_is_refused(app: App, org: Org) -> None:
    ps = app.services.penalties
    ps.settle_month(org.manager.id, "2026-10")
    with pytest.raises(InvalidTransition, match="2026-11 carries PEN-6 instalments"):
        ps.settle_month(org.manager.id, "2026-12")
    november = ps.settle_month(org.manager.id, "2026-11")
    assert [s.complaint_deducted for s in november] == [Money.of("1000.00")]
    december = ps.settle_month(org.manager.id, "2026-12")
    assert [s.complaint_deducted for s in december] == [Money.of("400.00")]


def test_pen10_an_empty_month_may_be_skipped_and_is_closed_afterwards(
    app: App, org: Org, clock: FixedClock
) -> None:
    ps = app.services.penalties
    ps.record_violation(org.manager.id, org.sales.id, "file_late", date(2026, 10, 5), evidence="x")
    clock.set(at("2027-01-05 10:00"))
    ps.settle_month(org.manager.id, "2026-10")
    ps.settle_month(org.manager.id, "2026-12")  # November had nothing to settle
    with pytest.raises(InvalidTransition, match="2026-11 comes before 2026-12"):
        ps.settle_month(org.manager.id, "2026-11")
    late = ps.record_violation(
        org.manager.id, org.sales.id, "file_late", date(2026, 11, 3), evidence="found later"
    )[0]
    assert (late.month, late.adjusts_month) == ("2027-01", "2026-11")
    with pytest.raises(InvalidTransition, match="2026-11 is settled"):
        ps.set_bonus(org.manager.id, org.sales.id, "2026-11", Money.of("2000.00"))
