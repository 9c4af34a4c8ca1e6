"""SAT-2/SAT-3 replay: a periodic survey answered 9 of 10 satisfied (90 %) meets the 90 %
target; under a candidate asking 95 % it would raise a corrective action — that survey, that
one outcome, nothing else. A shorter collection window drops the answers recorded after its
last day and moves the deadlines; SAT-1: counting "fair" as satisfied changes the month's
per-job ratings. On every backend, and the store is unchanged afterwards."""

from __future__ import annotations

import tomllib
from datetime import date

import pytest
from replay_support import fingerprint, policy_text

from adapters.bootstrap import App, Storage
from adapters.policy_file import parse_policy
from backend_fixtures import backend_app
from csd_support import Org, at, make_org
from csdomain.customers.commands import RegisterCustomer, UpdateCustomer
from csdomain.customers.model import Customer, CustomerStatus
from csdomain.kernel.clock import FixedClock
from csdomain.policy.model import Policy
from csdomain.policy_lab.replay import ReplaySection
from csdomain.service_jobs.commands import RegisterJob
from csdomain.surveys.commands import CreateSurvey, PublishReply, RecordResponse
from csdomain.surveys.model import Survey

TARGET = "target_percent = 90"
COLLECTION = "collection_days = 10"
JOB_LEVELS = 'job_satisfied_levels = ["very_satisfied", "satisfied"]'


@pytest.fixture
def replay_app(storage: Storage, clock: FixedClock) -> App:
    return backend_app(storage, clock)


def candidate(*changes: tuple[str, str]) -> Policy:
    return parse_policy(tomllib.loads(policy_text(*changes)), "candidate")


def active_customers(app: App, org: Org, n: int) -> list[Customer]:
    s = app.services.customers
    out = []
    for i in range(n):
        c = s.register(org.sales.id, RegisterCustomer(name=f"客户{i:03d}", phone=f"1390013{i:04d}"))
        out.append(
            s.update(
                org.sales.id,
                c.id,
                UpdateCustomer(expected_version=c.version, status=CustomerStatus.CLOSED_DEAL),
            )
        )
    return out


def october_survey(app: App, org: Org, clock: FixedClock) -> Survey:
    """Opened 2026-10-08, collected until 10-19 (10 days, ending Saturday 10-17: moved to the
    next working day): 9 satisfied answers by 10-12, one neutral on 10-16 — 90 %, return
    rate 100 %; statistics 10-19 (due 10-22), public reply 10-25 (due 11-02). Every SAT-2
    check met, no SAT-3 action under the policy in force."""
    clock.set(at("2026-10-08 09:00"))
    customers = active_customers(app, org, 10)
    surveys = app.services.surveys
    survey = surveys.create(
        org.manager.id,
        CreateSurvey(
            title="2026 satisfaction",
            period_start=date(2026, 1, 1),
            period_end=date(2026, 12, 31),
            customer_ids=[c.id for c in customers],
        ),
    )
    for i, customer in enumerate(customers):
        clock.set(at("2026-10-16 10:00" if i == 9 else "2026-10-12 10:00"))
        level = "neutral" if i == 9 else "satisfied"
        surveys.record_response(
            org.service.id, survey.id, RecordResponse(customer_id=customer.id, level=level)
        )
    clock.set(at("2026-10-19 10:00"))
    surveys.close(org.manager.id, survey.id)
    clock.set(at("2026-10-25 10:00"))
    surveys.publish_reply(org.manager.id, survey.id, PublishReply(text="thank you"))
    clock.set(at("2026-11-03 10:00"))
    return survey


def replay(app: App, org: Org, policy: Policy) -> list[ReplaySection]:
    report = app.services.replay.replay(
        org.manager.id, policy, date(2026, 10, 1), date(2026, 10, 31), capabilities=["surveys"]
    )
    return list(report.sections)


def test_sat3_a_higher_target_reports_the_survey_that_would_raise_a_corrective_action(
    replay_app: App, clock: FixedClock
) -> None:
    app = replay_app
    clock.set(at("2026-10-01 09:00"))
    org = make_org(app)
    survey = october_survey(app, org, clock)
    assert survey.closes_on == date(2026, 10, 19)
    before = fingerprint(app)

    report = app.services.replay.replay(
        org.manager.id,
        candidate((TARGET, "target_percent = 95")),
        date(2026, 10, 1),
        date(2026, 10, 31),
        capabilities=["surveys"],
    )

    [section] = report.sections
    assert section.capability == "surveys"
    assert section.compared == 1  # the survey (no per-job ratings in October)
    [item] = section.items
    assert (item.subject_id, item.rule, item.old_value, item.new_value) == (
        survey.id,
        "SAT-3",
        0,
        1,
    )
    assert item.measure == "corrective actions (SAT-3)"
    assert item.old == "satisfaction 90.0 % (9 of 10, target 90 %): no corrective action"
    assert item.new == "satisfaction 90.0 % (9 of 10, target 95 %): corrective action"
    totals = {t.measure: (t.old, t.new) for t in section.totals}
    assert totals["corrective actions (SAT-3)"] == (0, 1)
    assert totals["answers collected"] == (10, 10)
    assert totals["surveys below the return-rate minimum"] == (0, 0)
    assert fingerprint(app) == before


def test_sat2_a_shorter_collection_drops_late_answers_and_moves_the_deadlines(
    app: App, org: Org, clock: FixedClock
) -> None:
    """5 days: collection ends 10-12, so the neutral answer of 10-16 is not collected (9 of
    10: still 90 % returned, now 100 % satisfied); the statistics were due 10-15 and the
    reply 10-26 — compiled 10-19 is late, replied 10-25 is on time."""
    survey = october_survey(app, org, clock)

    [section] = replay(app, org, candidate((COLLECTION, "collection_days = 5")))

    by_measure = {i.measure: i for i in section.items}
    assert sorted(by_measure) == ["answers collected", "statistics late"]
    collected = by_measure["answers collected"]
    assert (collected.subject_id, collected.old_value, collected.new_value) == (survey.id, 10, 9)
    assert collected.new == "9 answers by 2026-10-12 (5 days)"
    late = by_measure["statistics late"]
    assert (late.old_value, late.new_value, late.rule) == (0, 1, "SAT-2")
    assert late.old == "statistics due 2026-10-22, done 2026-10-19: on time"
    assert late.new == "statistics due 2026-10-15, done 2026-10-19: late"


def test_sat1_counting_fair_as_satisfied_changes_the_months_job_ratings(
    app: App, org: Org, clock: FixedClock
) -> None:
    clock.set(at("2026-10-05 10:00"))
    js = app.services.service_jobs
    job = js.register(
        org.sales.id,
        RegisterJob(
            customer_name="Zhang",
            address="x",
            zone="dense",
            work_type="C",
            description="noise",
        ),
    )
    js.dispatch(org.supervisor.id, job.id, org.service.id)
    js.arrive(org.service.id, job.id)
    js.fix_on_site(org.service.id, job.id, customer_signed=True)
    ratings = {
        "attitude": "very_satisfied",
        "skill": "fair",
        "arrival_time": "fair",
        "follow_through": "dissatisfied",
    }
    js.record_survey(org.sales.id, job.id, ratings)
    clock.set(at("2026-11-03 10:00"))
    wider = 'job_satisfied_levels = ["very_satisfied", "satisfied", "fair"]'

    [section] = replay(app, org, candidate((JOB_LEVELS, wider)))

    [item] = section.items
    assert (item.subject_id, item.rule, item.old_value, item.new_value) == (
        "2026-10",
        "SAT-1",
        1,
        3,
    )
    assert item.old == "1 of 4 ratings satisfied (25.0 %)"
    assert item.new == "3 of 4 ratings satisfied (75.0 %)"
