"""SAT-1…SAT-3 on memory, SQLite and PostgreSQL: the acceptance of issue 14, item 5 — the
periodic survey's distribution, window, return rate and deadlines (SAT-2), the corrective
action when satisfaction misses the target (SAT-3), SAT-1 reports over the per-job surveys."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from survey_support import active_customers, answer, survey

from adapters.bootstrap import App
from csd_support import Org, at, make_org
from csdomain.kernel.clock import FixedClock
from csdomain.kernel.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from csdomain.service_jobs.commands import RegisterJob
from csdomain.surveys.commands import (
    CreateSurvey,
    PublishReply,
    RaiseCorrectiveAction,
    RecordResponse,
)


@pytest.fixture
def org(app: App) -> Org:
    return make_org(app)


def _after_close(clock: FixedClock, s: Any, days: int = 1) -> None:
    clock.set(at(f"{(s.closes_on + timedelta(days=days)).isoformat()} 10:00"))


def test_sat2_distributed_to_at_least_30_percent_chosen_deterministically(
    app: App, org: Org
) -> None:
    """Without a list the survey goes to the policy minimum (30 %, rounded up) of the
    active customers in the manager's department; a smaller share is flagged."""
    active_customers(app, org, 10)
    s = survey(app, org)
    chosen = app.services.surveys.recipients(org.service.id, s.id)
    assert len(chosen) == 3 and s.population == 10
    again = app.services.surveys.recipients(org.service.id, s.id)
    assert chosen == again
    r = app.services.surveys.results(org.supervisor.id, s.id)
    assert (r.distributed, r.distribution_percent, r.distribution_below_minimum) == (
        3,
        Decimal("30.0"),
        False,
    )
    small = survey(app, org, distribute_percent=20)
    r2 = app.services.surveys.results(org.supervisor.id, small.id)
    assert r2.distributed == 2 and r2.distribution_below_minimum
    assert any("below the 30 % rule" in f for f in r2.findings)


def test_sat2_a_60_percent_return_rate_is_reported_below_the_75_percent_rule(
    app: App, org: Org, clock: FixedClock
) -> None:
    customers = active_customers(app, org, 5)
    s = survey(app, org, customers)
    for c, level in zip(customers[:3], ["very_satisfied", "satisfied", "satisfied"], strict=True):
        answer(app, org, s, c, level)
    _after_close(clock, s)
    r = app.services.surveys.close(org.manager.id, s.id)
    assert (r.distributed, r.returned) == (5, 3)
    assert r.return_rate_percent == Decimal("60.0")
    assert r.return_rate_below_minimum
    assert any("return rate 60.0 % is below the 75 % rule" in f for f in r.findings)
    assert r.satisfaction_percent == Decimal("100.0") and not r.below_target
    assert r.counts == {
        "very_satisfied": 1,
        "satisfied": 2,
        "neutral": 0,
        "dissatisfied": 0,
        "very_dissatisfied": 0,
    }


def test_sat2_one_response_per_customer_even_with_8_simultaneous_attempts(
    app: App, org: Org
) -> None:
    """The survey's lock serializes the answers (the unique key is the backstop): exactly
    one of 8 simultaneous answers of one customer is stored, the others are Conflicts."""
    customers = active_customers(app, org, 2)
    s = survey(app, org, customers)
    barrier = threading.Barrier(8)
    stored: list[Any] = []
    errors: list[BaseException] = []

    def go(i: int) -> None:
        try:
            barrier.wait()
            stored.append(
                app.services.surveys.record_response(
                    org.service.id,
                    s.id,
                    RecordResponse(customer_id=customers[0].id, level="satisfied", comment=str(i)),
                )
            )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(stored) == 1
    assert len(errors) == 7 and all(isinstance(e, Conflict) for e in errors), errors
    assert all(e.rule == "SAT-2" for e in errors)  # type: ignore[attr-defined]
    assert len(app.services.surveys.responses(org.supervisor.id, s.id)) == 1


def test_sat2_responses_outside_the_window_or_from_others_are_refused(
    app: App, org: Org, clock: FixedClock
) -> None:
    customers = active_customers(app, org, 3)
    later = survey(app, org, customers[:2], opens_on=date(2026, 9, 25))
    with pytest.raises(ValidationError) as early:
        answer(app, org, later, customers[0], "satisfied")  # today 09-18: not yet open
    assert (early.value.field, early.value.rule) == ("on", "SAT-2")
    s = survey(app, org, customers[:2])
    with pytest.raises(ValidationError) as outsider:
        answer(app, org, s, customers[2], "satisfied")
    assert outsider.value.field == "customer_id"
    _after_close(clock, s)
    with pytest.raises(ValidationError) as late:
        answer(app, org, s, customers[0], "satisfied")
    assert late.value.field == "on" and s.closes_on.isoformat() in str(late.value)
    assert app.services.surveys.responses(org.supervisor.id, s.id) == []
    assert app.services.surveys.responses(org.supervisor.id, later.id) == []


def test_sat2_collection_runs_10_days_statistics_3_days_reply_2_weeks(
    app: App, org: Org, clock: FixedClock
) -> None:
    """The due dates count calendar days from the window's close (``[surveys] day_unit``);
    a reply after its due date is recorded and flagged late."""
    customers = active_customers(app, org, 2)
    s = survey(app, org, customers, opens_on=date(2026, 3, 2))
    assert s.closes_on == date(2026, 3, 11)  # 10 days: 03-02 … 03-11
    assert s.statistics_due == date(2026, 3, 16)  # 03-14 is a Saturday: the next working day
    assert s.reply_due == date(2026, 3, 25)
    clock.set(at("2026-03-05 10:00"))
    answer(app, org, s, customers[0], "satisfied")
    with pytest.raises(InvalidTransition):  # still collecting, one customer to answer
        app.services.surveys.close(org.manager.id, s.id)
    with pytest.raises(InvalidTransition):  # statistics before the reply
        app.services.surveys.publish_reply(org.manager.id, s.id, PublishReply(text="Thanks"))
    clock.set(at("2026-03-18 10:00"))
    closed = app.services.surveys.close(org.manager.id, s.id)
    assert closed.statistics_late and any("compiled late" in f for f in closed.findings)
    clock.set(at("2026-03-30 10:00"))
    replied = app.services.surveys.publish_reply(
        org.manager.id, s.id, PublishReply(text="What we heard and what we do")
    )
    assert replied.reply_on_time is False and replied.reply_late
    with pytest.raises(InvalidTransition):
        app.services.surveys.publish_reply(org.manager.id, s.id, PublishReply(text="again"))


def test_sat3_below_target_raises_exactly_one_corrective_action(
    app: App, org: Org, clock: FixedClock
) -> None:
    """Satisfaction 50 % < the 90 % target: one internal case with one CAPA item (CASE-11),
    however often (and however simultaneously) it is asked for."""
    customers = active_customers(app, org, 4)
    s = survey(app, org, customers)
    for c, level in zip(
        customers, ["satisfied", "very_satisfied", "dissatisfied", "neutral"], strict=True
    ):
        answer(app, org, s, c, level)
    command = RaiseCorrectiveAction(owner_id=org.supervisor.id, description="Retrain the desk")
    with pytest.raises(InvalidTransition):  # statistics first
        app.services.surveys.raise_corrective_action(org.manager.id, s.id, command)
    r = app.services.surveys.close(org.manager.id, s.id)  # everyone answered: may close early
    assert r.below_target and r.satisfaction_percent == Decimal("50.0")
    assert any("SAT-3" in f for f in r.findings)
    results: list[Any] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def go() -> None:
        try:
            barrier.wait()
            results.append(
                app.services.surveys.raise_corrective_action(org.manager.id, s.id, command)
            )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=go) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    again = app.services.surveys.raise_corrective_action(org.manager.id, s.id, command)
    assert len({a.case_id for a in [*results, again]}) == 1
    assert sum(a.created for a in results) == 1 and not again.created
    case = app.services.cases.get(org.manager.id, again.case_id)
    assert case.type == "suggestion" and case.category == "service_quality"
    capa = app.services.cases.capa_items(org.manager.id, case.id)
    assert [c.id for c in capa] == [again.capa_id] and capa[0].owner_id == org.supervisor.id


def test_sat3_a_survey_meeting_the_target_raises_nothing(
    app: App, org: Org, clock: FixedClock
) -> None:
    customers = active_customers(app, org, 2)
    s = survey(app, org, customers)
    for c in customers:
        answer(app, org, s, c, "very_satisfied")
    app.services.surveys.close(org.manager.id, s.id)
    with pytest.raises(InvalidTransition) as err:
        app.services.surveys.raise_corrective_action(
            org.manager.id, s.id, RaiseCorrectiveAction(owner_id=org.supervisor.id, description="x")
        )
    assert err.value.rule == "SAT-3"
    with pytest.raises(NotFound) as missing:
        other = survey(app, org, customers)
        for c in customers:
            answer(app, org, other, c, "dissatisfied")
        app.services.surveys.close(org.manager.id, other.id)
        app.services.surveys.raise_corrective_action(
            org.manager.id, other.id, RaiseCorrectiveAction(owner_id="stf_nobody", description="x")
        )
    assert missing.value.field == "owner_id"
    assert app.services.surveys.get(org.manager.id, other.id).case_id is None


def test_sat2_bad_input_names_the_field_and_stores_nothing(app: App, org: Org) -> None:
    customers = active_customers(app, org, 2)
    with pytest.raises(ValidationError) as blank:
        CreateSurvey(title=" ", period_start=date(2026, 1, 1), period_end=date(2026, 12, 31))
    assert blank.value.field == "title"
    with pytest.raises(ValidationError) as order:
        survey(app, org, customers, period_end=date(2025, 12, 31))
    assert (order.value.field, order.value.rule) == ("period_end", "SAT-2")
    with pytest.raises(ValidationError) as percent:
        CreateSurvey(
            title="x",
            period_start=date(2026, 1, 1),
            period_end=date(2026, 12, 31),
            distribute_percent=101,
        )
    assert percent.value.field == "distribute_percent"
    with pytest.raises(ValidationError) as stranger:
        survey(app, org, [*customers[:1]], customer_ids=["cus_nobody"])
    assert stranger.value.field in ("customer_ids", "distribute_percent")
    assert app.services.surveys.list(org.manager.id) == []
    s = survey(app, org, customers)
    with pytest.raises(ValidationError) as level:
        answer(app, org, s, customers[0], "great")
    assert (level.value.field, level.value.rule) == ("level", "SAT-2")
    assert app.services.surveys.responses(org.supervisor.id, s.id) == []


def test_sat2_who_may_do_what(app: App, org: Org) -> None:
    customers = active_customers(app, org, 2)
    with pytest.raises(PermissionDenied):
        survey_as = app.services.surveys.create
        survey_as(
            org.supervisor.id,
            CreateSurvey(title="x", period_start=date(2026, 1, 1), period_end=date(2026, 1, 31)),
        )
    s = survey(app, org, customers)
    with pytest.raises(PermissionDenied):
        app.services.surveys.results(org.sales.id, s.id)
    with pytest.raises(PermissionDenied):
        app.services.surveys.close(org.supervisor.id, s.id)


def _surveyed_job(app: App, org: Org, ratings: dict[str, str]) -> None:
    js = app.services.service_jobs
    job = js.register(
        org.sales.id,
        RegisterJob(
            customer_name="Zhang",
            address="Nanjing Rd 1",
            zone="city",
            work_type="B",
            description="AC not cooling",
        ),
    )
    js.dispatch(org.supervisor.id, job.id, org.service.id)
    js.arrive(org.service.id, job.id)
    js.fix_on_site(org.service.id, job.id, customer_signed=True)
    js.record_survey(org.sales.id, job.id, ratings)


def test_sat1_job_satisfaction_per_period_department_and_technician(
    app: App, org: Org, clock: FixedClock
) -> None:
    good = dict.fromkeys(["attitude", "skill", "arrival_time", "follow_through"], "satisfied")
    _surveyed_job(app, org, good)
    _surveyed_job(app, org, {**good, "skill": "fair", "arrival_time": "dissatisfied"})
    report = app.services.surveys.job_satisfaction
    by_period = report(org.supervisor.id, date(2026, 9, 1), date(2026, 9, 30), "period")
    assert [(r.key, r.jobs, r.surveyed, r.ratings, r.satisfied) for r in by_period] == [
        ("2026-09", 2, 2, 8, 6)
    ]
    assert by_period[0].satisfaction_percent == Decimal("75.0")
    (tech,) = report(org.manager.id, date(2026, 9, 1), date(2026, 9, 30), "technician")
    assert (tech.key, tech.name) == (org.service.id, org.service.name)
    (dep,) = report(org.manager.id, date(2026, 9, 1), date(2026, 9, 30), "department")
    assert dep.key == org.service.department_id and dep.satisfied == 6
    assert report(org.manager.id, date(2026, 10, 1), date(2026, 10, 31)) == []
    with pytest.raises(ValidationError) as bad:
        report(org.manager.id, date(2026, 9, 1), date(2026, 9, 30), "weekday")
    assert bad.value.field == "by"
    with pytest.raises(PermissionDenied):
        report(org.sales.id, date(2026, 9, 1), date(2026, 9, 30))
