"""VIS-3 replay: a grade-A customer visited once in October meets "1 a month"; under a
candidate asking 2 a month it would be short by one. Periods cut mid-month are skipped."""

from __future__ import annotations

import tomllib
from datetime import date

from replay_support import fingerprint, policy_text

from adapters.bootstrap import App
from adapters.policy_file import parse_policy
from csd_support import Org, at
from csdomain.customers.commands import RegisterCustomer
from csdomain.kernel.clock import FixedClock
from csdomain.visits.commands import ReportVisit

SCORES_A = {
    "annual_sales": 100,
    "price": 100,
    "payment_collection": 100,
    "cooperation": 100,
    "trend": 100,
}


def test_vis3_two_visits_a_month_leaves_a_grade_a_customer_short(
    app: App, org: Org, clock: FixedClock
) -> None:
    clock.set(at("2026-10-02 09:00"))
    s = app.services
    customer = s.customers.register(org.sales.id, RegisterCustomer(name="Z", phone="13800000009"))
    s.customers.evaluate_grade(
        org.manager.id, customer.id, SCORES_A, "annual review", proposed_by=org.sales.id
    )
    clock.set(at("2026-10-12 18:00"))
    s.visits.report_visit(
        org.sales.id,
        ReportVisit(
            customer_id=customer.id,
            on=date(2026, 10, 12),
            purpose="build_relationship",
            people_met="Mr Zhang",
            summary="orders",
            outcome="promising",
        ),
    )
    clock.set(at("2026-11-03 10:00"))
    before = fingerprint(app)
    monthly = "A = { visits = 1, months = 1 }"
    candidate = parse_policy(
        tomllib.loads(policy_text((monthly, "A = { visits = 2, months = 1 }"))), "candidate"
    )

    report = s.replay.replay(
        org.manager.id, candidate, date(2026, 10, 1), date(2026, 10, 31), capabilities=["visits"]
    )

    [section] = report.sections
    assert section.compared == 1
    [item] = section.items
    assert (item.subject_id, item.period, item.old_value, item.new_value) == (
        customer.id,
        "2026-10",
        0,
        1,
    )
    assert item.old == "1 required 2026-10-01…2026-10-31: met"
    assert item.new == "2 required 2026-10-01…2026-10-31: short by 1"
    assert fingerprint(app) == before
    # October cut short (to the 30th): no period ends in the replay, nothing is judged
    cut = s.replay.replay(
        org.manager.id, candidate, date(2026, 10, 1), date(2026, 10, 30), capabilities=["visits"]
    )
    assert cut.sections[0].compared == 0
