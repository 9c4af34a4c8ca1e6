"""CUS-4 grading: a policy-weighted score and bands, provisional grades for new customers,
the annual window (25–30 March), out-of-cycle changes by a manager with a reason, history."""

from __future__ import annotations

from typing import Any

import pytest
from unit_support import at, audit_events, d, register, snapshot

from csdomain.customers.commands import UpdateCustomer
from csdomain.customers.services import compute_score
from csdomain.kernel.clock import FixedClock
from csdomain.kernel.errors import (
    ConcurrencyConflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationError,
)

CRITERIA = ["annual_sales", "price", "payment_collection", "cooperation", "trend"]


def scores(value: int = 80, **over: int) -> dict[str, int]:
    s = dict.fromkeys(CRITERIA, value)
    s.update(over)
    return s


@pytest.fixture
def customer(app: Any, org: Any) -> Any:
    """A customer who closed a deal on 2026-09-18 (cooperation starts that day)."""
    c = register(app, org.sales.id)
    return app.services.customers.update(
        org.sales.id, c.id, UpdateCustomer(expected_version=c.version, status="closed_deal")
    )


# ------------------------------------------------------------------ score and bands
@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (scores(80), (80, "A")),
        (scores(100), (100, "A")),
        (scores(79), (79, "B")),
        (scores(60), (60, "B")),
        (scores(59), (59, "C")),
        (scores(0), (0, "C")),
        # 30*100 + 20*50 + 25*80 + 15*40 + 10*90 = 7500 -> 75
        (
            scores(annual_sales=100, price=50, payment_collection=80, cooperation=40, trend=90),
            (75, "B"),
        ),
        # 7950 -> 79.5 rounds half up to 80 -> A
        (scores(80, cooperation=78, trend=78), (80, "A")),
        # 7945 -> 79.45 -> 79 -> B
        (scores(80, cooperation=77, trend=79), (79, "B")),
    ],
)
def test_cus4_weighted_score_and_band(
    app: Any, given: dict[str, int], expected: tuple[int, str]
) -> None:
    assert compute_score(app.policy.customers.grading, given) == expected


def test_cus4_the_weights_matter(app: Any) -> None:
    # annual_sales weighs 30, trend 10: the same 100 points lands in different bands
    high_sales = scores(60, annual_sales=100)  # 60 + 0.3*40 = 72
    high_trend = scores(60, trend=100)  # 60 + 0.1*40 = 64
    assert compute_score(app.policy.customers.grading, high_sales) == (72, "B")
    assert compute_score(app.policy.customers.grading, high_trend) == (64, "B")
    # 70 + 0.3*30 + 0.25*30 = 86.5 -> rounds half up to 87
    both = scores(70, annual_sales=100, payment_collection=100)
    assert compute_score(app.policy.customers.grading, both) == (87, "A")


@pytest.mark.parametrize(
    "bad",
    [
        {k: 80 for k in CRITERIA[:-1]},  # missing trend
        {**scores(), "loyalty": 50},  # unknown criterion
    ],
)
def test_cus4_scores_need_exactly_the_policy_criteria(app: Any, bad: dict[str, int]) -> None:
    with pytest.raises(ValidationError) as info:
        compute_score(app.policy.customers.grading, bad)
    assert info.value.field == "scores"
    assert info.value.rule == "CUS-4"


@pytest.mark.parametrize("value", [-1, 101, True, 79.5, "80"])
def test_cus4_each_score_is_a_whole_number_within_the_range(app: Any, value: object) -> None:
    with pytest.raises(ValidationError) as info:
        compute_score(app.policy.customers.grading, scores(trend=value))  # type: ignore[arg-type]
    assert info.value.field == "scores.trend"


# ------------------------------------------------------------------ evaluation
def test_cus4_new_customer_gets_a_provisional_grade_and_an_evaluation_date(
    app: Any, org: Any, customer: Any
) -> None:
    change = app.services.customers.evaluate_grade(
        org.manager.id, customer.id, scores(85), "first grading", proposed_by=org.sales.id
    )
    assert (change.from_grade, change.to_grade, change.score) == (None, "A", 85)
    assert change.provisional
    assert change.next_evaluation_on == d("2027-03-18")  # 6 months of cooperation
    assert (change.proposed_by, change.approved_by) == (org.sales.id, org.manager.id)
    c = app.services.customers.get(org.sales.id, customer.id)
    assert (c.grade, c.grade_score, c.grade_provisional) == ("A", 85, True)
    assert c.next_evaluation_on == d("2027-03-18")
    (event,) = audit_events(app, customer.id, "customer.graded")
    assert event.actor_id == org.manager.id
    assert event.reason == "first grading"
    assert event.data == {"grade": "A", "provisional": "true"}


def test_cus4_a_prospect_is_graded_provisionally_from_today(app: Any, org: Any) -> None:
    c = register(app, org.sales.id)
    change = app.services.customers.evaluate_grade(org.manager.id, c.id, scores(50), "first")
    assert change.provisional and change.to_grade == "C"
    assert change.next_evaluation_on == d("2027-03-18")
    assert change.proposed_by == org.manager.id


def test_cus4_provisional_customer_is_not_re_graded_before_the_evaluation_date(
    app: Any, org: Any, customer: Any, clock: FixedClock
) -> None:
    svc = app.services.customers
    svc.evaluate_grade(org.manager.id, customer.id, scores(85), "first")
    clock.set(at("2027-03-17 10:00"))
    before = snapshot(app)
    with pytest.raises(InvalidTransition) as info:
        svc.evaluate_grade(org.manager.id, customer.id, scores(50), "again")
    assert info.value.rule == "CUS-4"
    assert snapshot(app) == before


def test_cus4_evaluation_after_six_months_is_final_until_the_next_annual_window(
    app: Any, org: Any, customer: Any, clock: FixedClock
) -> None:
    svc = app.services.customers
    svc.evaluate_grade(org.manager.id, customer.id, scores(85), "first")
    clock.set(at("2027-03-18 10:00"))
    assert [c.id for c in svc.due_for_evaluation(org.manager.id)] == [customer.id]
    change = svc.evaluate_grade(org.manager.id, customer.id, scores(65), "six months on")
    assert (change.from_grade, change.to_grade) == ("A", "B")
    assert not change.provisional
    assert change.next_evaluation_on == d("2027-03-25")  # the next annual window
    assert svc.due_for_evaluation(org.manager.id) == []


def test_cus4_annual_window_runs_25_to_30_march(
    app: Any, org: Any, customer: Any, clock: FixedClock
) -> None:
    svc = app.services.customers
    clock.set(at("2027-03-25 09:00"))  # first day of the window, cooperation > 6 months
    first = svc.evaluate_grade(org.manager.id, customer.id, scores(70), "annual")
    assert not first.provisional
    assert first.next_evaluation_on == d("2028-03-25")  # never permanent: next year's window
    clock.set(at("2027-03-30 17:00"))  # last day of the window: re-grading allowed
    assert svc.evaluate_grade(org.manager.id, customer.id, scores(90), "fix").to_grade == "A"
    for outside in ("2027-03-31 09:00", "2027-12-01 09:00", "2028-03-24 17:00"):
        clock.set(at(outside))
        before = snapshot(app)
        with pytest.raises(InvalidTransition):
            svc.evaluate_grade(org.manager.id, customer.id, scores(50), "outside")
        assert snapshot(app) == before
    clock.set(at("2028-03-25 09:00"))
    assert svc.evaluate_grade(org.manager.id, customer.id, scores(50), "annual").to_grade == "C"


@pytest.mark.parametrize("who", ["sales", "supervisor", "admin"])
def test_cus4_grades_are_decided_by_manager_and_above(
    app: Any, org: Any, customer: Any, who: str
) -> None:
    before = snapshot(app)
    with pytest.raises(PermissionDenied) as info:
        app.services.customers.evaluate_grade(getattr(org, who).id, customer.id, scores(), "x")
    assert info.value.rule == "CUS-4"
    assert snapshot(app) == before


@pytest.mark.parametrize("who", ["deputy", "gm"])
def test_cus4_senior_roles_may_decide_grades(app: Any, org: Any, customer: Any, who: str) -> None:
    change = app.services.customers.evaluate_grade(getattr(org, who).id, customer.id, scores(), "x")
    assert change.approved_by == getattr(org, who).id


# ------------------------------------------------------------------ out-of-cycle changes
def test_cus4_change_grade_by_a_manager_with_a_reason_records_history(
    app: Any, org: Any, customer: Any, clock: FixedClock
) -> None:
    svc = app.services.customers
    svc.evaluate_grade(org.manager.id, customer.id, scores(85), "first")
    c = svc.get(org.sales.id, customer.id)
    clock.set(at("2026-11-02 10:00"))  # outside the window: an out-of-cycle change
    change = svc.change_grade(
        org.manager.id,
        customer.id,
        "C",
        "two unpaid invoices",
        proposed_by=org.sales.id,
        expected_version=c.version,
    )
    assert (change.from_grade, change.to_grade) == ("A", "C")
    assert change.score is None
    assert change.reason == "two unpaid invoices"
    assert (change.proposed_by, change.approved_by) == (org.sales.id, org.manager.id)
    assert change.at == at("2026-11-02 10:00")
    after = svc.get(org.sales.id, customer.id)
    assert after.grade == "C"
    assert after.next_evaluation_on == d("2027-03-18")  # the evaluation date is kept
    history = svc.grade_history(org.sales.id, customer.id)
    assert [(h.from_grade, h.to_grade) for h in history] == [(None, "A"), ("A", "C")]
    events = audit_events(app, customer.id, "customer.graded")
    assert [e.reason for e in events] == ["first", "two unpaid invoices"]
    assert events[-1].actor_id == org.manager.id


@pytest.mark.parametrize("who", ["sales", "supervisor", "admin"])
def test_cus4_change_grade_needs_manager_and_above(
    app: Any, org: Any, customer: Any, who: str
) -> None:
    before = snapshot(app)
    with pytest.raises(PermissionDenied):
        app.services.customers.change_grade(
            getattr(org, who).id,
            customer.id,
            "A",
            "good customer",
            proposed_by=org.sales.id,
            expected_version=customer.version,
        )
    assert snapshot(app) == before


def test_cus4_change_grade_needs_a_reason(app: Any, org: Any, customer: Any) -> None:
    with pytest.raises(ValidationError) as info:
        app.services.customers.change_grade(
            org.manager.id,
            customer.id,
            "A",
            "   ",
            proposed_by=org.sales.id,
            expected_version=customer.version,
        )
    assert info.value.field == "reason"


def test_cus4_change_grade_to_a_grade_the_policy_lacks_is_refused(
    app: Any, org: Any, customer: Any
) -> None:
    with pytest.raises(ValidationError) as info:
        app.services.customers.change_grade(
            org.manager.id,
            customer.id,
            "AAA",
            "top",
            proposed_by=org.sales.id,
            expected_version=customer.version,
        )
    assert info.value.field == "grade"


def test_cus4_change_grade_with_a_stale_version_is_refused(
    app: Any, org: Any, customer: Any
) -> None:
    svc = app.services.customers
    svc.change_grade(
        org.manager.id,
        customer.id,
        "B",
        "r",
        proposed_by=org.sales.id,
        expected_version=customer.version,
    )
    with pytest.raises(ConcurrencyConflict):
        svc.change_grade(
            org.manager.id,
            customer.id,
            "A",
            "r",
            proposed_by=org.sales.id,
            expected_version=customer.version,
        )


def test_cus4_change_grade_proposer_must_exist(app: Any, org: Any, customer: Any) -> None:
    with pytest.raises(NotFound):
        app.services.customers.change_grade(
            org.manager.id,
            customer.id,
            "B",
            "r",
            proposed_by="stf_nobody",
            expected_version=customer.version,
        )


def test_cus4_grade_history_is_visible_only_to_those_who_see_the_customer(
    app: Any, org: Any, customer: Any
) -> None:
    with pytest.raises(PermissionDenied):
        app.services.customers.grade_history(org.sales2.id, customer.id)


def test_cus4_customers_can_be_listed_by_grade(app: Any, org: Any, customer: Any) -> None:
    app.services.customers.evaluate_grade(org.manager.id, customer.id, scores(90), "first")
    assert [c.id for c in app.services.customers.list(org.manager.id, grade="A")] == [customer.id]
    assert app.services.customers.list(org.manager.id, grade="B") == []
