"""CASE-12 replay: the dense zone's 12 hours on site (24x7) shortened to 6 by a candidate.
Exactly the jobs that become late are reported — one on site after 8 hours (late under 6),
one still not on site whose 6-hour deadline has passed (overdue, reported to the overdue
role) — and nothing else: jobs on time or late either way, a September job outside the
period. On every backend, and the store is unchanged afterwards. Also: another overdue role
names whom an overdue job goes to, and an earlier renewal notice makes a sent one late."""

from __future__ import annotations

import tomllib
from datetime import date

import pytest
from replay_support import fingerprint, policy_text

from adapters.bootstrap import App, Storage
from adapters.policy_file import parse_policy
from backend_fixtures import backend_app
from csd_support import Org, at, make_org
from csdomain.customers.commands import RegisterCustomer
from csdomain.kernel.clock import FixedClock
from csdomain.policy.model import Policy
from csdomain.service_jobs.commands import RegisterJob
from csdomain.service_jobs.model import ServiceJob

DENSE_12 = """[service_jobs.zones.dense]
label = "Intensively served area (004 第5篇)"
hours = 12"""


@pytest.fixture
def replay_app(storage: Storage, clock: FixedClock) -> App:
    return backend_app(storage, clock)


def six_hours() -> Policy:
    """CASE-12 candidate: on site within 6 hours in the dense zone (12 in the policy)."""
    text = policy_text((DENSE_12, DENSE_12.replace("hours = 12", "hours = 6")))
    return parse_policy(tomllib.loads(text), "candidate")


def register(app: App, org: Org, clock: FixedClock, when: str, name: str) -> ServiceJob:
    clock.set(at(when))
    return app.services.service_jobs.register(
        org.sales.id,
        RegisterJob(
            customer_name=name,
            address="Nanjing Rd 1",
            zone="dense",
            work_type="A",
            description="AC not cooling",
        ),
    )


def arrive(app: App, org: Org, clock: FixedClock, job: ServiceJob, when: str) -> None:
    js = app.services.service_jobs
    js.dispatch(org.supervisor.id, job.id, org.service.id)
    clock.set(at(when))
    js.arrive(org.service.id, job.id)


def test_case12_a_shorter_zone_time_reports_exactly_the_jobs_that_become_late(
    replay_app: App, clock: FixedClock
) -> None:
    app = replay_app
    clock.set(at("2026-09-01 09:00"))
    org = make_org(app)
    september = register(app, org, clock, "2026-09-28 10:00", "September")
    arrive(app, org, clock, september, "2026-09-28 19:00")  # 9 h: late only under 6 h
    quick = register(app, org, clock, "2026-10-05 10:00", "Quick")
    arrive(app, org, clock, quick, "2026-10-05 13:00")  # 3 h: on time either way
    eight = register(app, org, clock, "2026-10-06 10:00", "Eight hours")
    arrive(app, org, clock, eight, "2026-10-06 18:00")  # 8 h: late only under 6 h
    slow = register(app, org, clock, "2026-10-07 10:00", "Slow")
    arrive(app, org, clock, slow, "2026-10-08 00:00")  # 14 h: late either way
    waiting = register(app, org, clock, "2026-10-31 14:00", "Waiting")  # not on site
    clock.set(at("2026-11-03 10:00"))
    before = fingerprint(app)

    report = app.services.replay.replay(
        org.manager.id,
        six_hours(),
        date(2026, 10, 1),
        date(2026, 10, 31),
        capabilities=["service_jobs"],
    )

    [section] = report.sections
    assert section.capability == "service_jobs"
    assert section.compared == 4  # October's jobs only
    found = [(i.kind, i.subject_id, i.old_value, i.new_value, i.rule) for i in section.items]
    assert found == [
        ("arrival", eight.id, 0, 1, "CASE-12"),
        ("overdue", waiting.id, 0, 1, "CASE-12"),
    ]
    late, overdue = section.items
    assert late.old == "due on site 2026-10-06 22:00, on site 2026-10-06 18:00: on time"
    assert late.new == "due on site 2026-10-06 16:00, on site 2026-10-06 18:00: late"
    assert late.period == "2026-10-06"
    # the replay's "now" is the end of the period: 12 h from 14:00 is not yet due, 6 h is
    assert overdue.old == "due on site 2026-11-01 02:00, not on site yet: not overdue"
    assert overdue.new == "due on site 2026-10-31 20:00, not on site: overdue → supervisor"
    totals = {t.measure: (t.old, t.new) for t in section.totals}
    assert totals == {"late arrivals": (1, 2), "overdue repairs": (0, 1)}
    assert fingerprint(app) == before


def test_case12_the_same_policy_replays_without_a_difference(
    app: App, org: Org, clock: FixedClock
) -> None:
    """The replay reuses registration's deadline: under the policy in force nothing differs,
    and the recorded arrive_by is the deadline the replay computes."""
    job = register(app, org, clock, "2026-10-06 10:00", "Eight hours")
    arrive(app, org, clock, job, "2026-10-06 18:00")
    clock.set(at("2026-11-03 10:00"))

    report = app.services.replay.replay(
        org.manager.id,
        app.policy,
        date(2026, 10, 1),
        date(2026, 10, 31),
        capabilities=["service_jobs"],
    )

    [section] = report.sections
    assert (section.compared, section.items) == (1, [])
    assert job.arrive_by == at("2026-10-06 22:00")


def test_case12_another_overdue_role_reports_the_overdue_job_to_whom_it_would_go(
    app: App, org: Org, clock: FixedClock
) -> None:
    """Overdue under both (14 h still not on site at the end of October): the candidate
    sends it to the manager, not the supervisor; the count does not change."""
    waiting = register(app, org, clock, "2026-10-30 10:00", "Waiting")
    clock.set(at("2026-11-03 10:00"))
    role = 'overdue_role = "supervisor"'
    policy = parse_policy(
        tomllib.loads(policy_text((role, 'overdue_role = "manager"'))), "candidate"
    )

    report = app.services.replay.replay(
        org.manager.id, policy, date(2026, 10, 1), date(2026, 10, 31), capabilities=["service_jobs"]
    )

    [item] = report.sections[0].items
    assert (item.kind, item.subject_id, item.old_value, item.new_value) == (
        "overdue",
        waiting.id,
        1,
        1,
    )
    assert item.old.endswith("overdue → supervisor")
    assert item.new.endswith("overdue → manager")


def test_case12_an_earlier_renewal_notice_makes_the_sent_notice_late(
    app: App, org: Org, clock: FixedClock
) -> None:
    """A contract ending 2026-10-20 was notified on 09-20, the day 1 month ahead; with 2
    months the notice was due 08-20, so the one sent is late. A contract ending in November
    is outside the replayed October."""
    js = app.services.service_jobs
    clock.set(at("2026-08-01 09:00"))
    customer = app.services.customers.register(
        org.sales.id, RegisterCustomer(name="Plant Co", phone="02112345678")
    )
    ending = js.add_contract(
        org.sales.id, customer.id, "MC-1", date(2025, 10, 21), date(2026, 10, 20)
    )
    js.add_contract(org.sales.id, customer.id, "MC-2", date(2025, 11, 21), date(2026, 11, 20))
    clock.set(at("2026-09-19 09:00"))
    assert js.send_renewal_notices(app.services.org.system_account().id) == []
    clock.set(at("2026-09-20 09:00"))
    sent = js.send_renewal_notices(app.services.org.system_account().id)
    assert [c.id for c in sent] == [ending.id]
    clock.set(at("2026-11-03 10:00"))
    months = "renewal_notice_months = 1"
    policy = parse_policy(
        tomllib.loads(policy_text((months, "renewal_notice_months = 2"))), "candidate"
    )

    report = app.services.replay.replay(
        org.manager.id, policy, date(2026, 10, 1), date(2026, 10, 31), capabilities=["service_jobs"]
    )

    [section] = report.sections
    assert section.compared == 1
    [item] = section.items
    assert (item.kind, item.subject_id, item.old_value, item.new_value, item.rule) == (
        "renewal notice",
        ending.id,
        0,
        1,
        "CASE-12",
    )
    assert item.old == "notice due 2026-09-20 (1 month(s) ahead), sent 2026-09-20: on time"
    assert item.new == "notice due 2026-08-20 (2 month(s) ahead), sent 2026-09-20: late"
