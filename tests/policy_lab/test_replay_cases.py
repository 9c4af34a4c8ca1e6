"""CASE-7 replay: a case acknowledged after 28 hours breached the 24-hour clock; under a
candidate giving 48 hours it would not, and it escalates one step less. On every backend."""

from __future__ import annotations

from datetime import date

import pytest
from replay_support import fingerprint, policy_text

from adapters.bootstrap import App, Storage
from backend_fixtures import backend_app
from csd_support import at, make_org
from csdomain.cases.commands import ReceiveCase
from csdomain.kernel.clock import FixedClock

ACK_24 = """name = "acknowledge"
label = "Reply to the customer within 24 hours (003 D21 §2.1.2)"
start_event = "received"
stop_event = "acknowledged"
duration = 24"""


@pytest.fixture
def replay_app(storage: Storage, clock: FixedClock) -> App:
    return backend_app(storage, clock)


def test_case7_a_longer_acknowledge_clock_removes_the_breach_and_one_escalation(
    replay_app: App, clock: FixedClock
) -> None:
    import tomllib

    from adapters.policy_file import parse_policy

    app = replay_app
    clock.set(at("2026-10-05 10:00"))  # a Monday
    org = make_org(app)
    cs = app.services.cases
    late = cs.receive(
        org.sales.id,
        ReceiveCase(
            type="complaint", category="price", channel="email", content="x", customer_name="Y"
        ),
    )
    clock.set(at("2026-10-05 11:00"))
    on_time = cs.receive(
        org.sales.id,
        ReceiveCase(
            type="inquiry", category="price", channel="email", content="q", customer_name="Z"
        ),
    )
    clock.set(at("2026-10-05 12:00"))
    cs.acknowledge(org.sales.id, on_time.id)
    clock.set(at("2026-10-06 14:00"))  # 28 hours after reception
    cs.acknowledge(org.sales.id, late.id)
    clock.set(at("2026-11-03 10:00"))
    before = fingerprint(app)
    candidate = parse_policy(
        tomllib.loads(policy_text((ACK_24, ACK_24.replace("duration = 24", "duration = 48")))),
        "candidate",
    )

    report = app.services.replay.replay(
        org.manager.id, candidate, date(2026, 10, 1), date(2026, 10, 31), capabilities=["cases"]
    )

    [section] = report.sections
    assert section.compared == 2
    clocks = [i for i in section.items if i.kind == "clock"]
    assert [(i.subject_id, i.old_value, i.new_value) for i in clocks] == [(late.id, 1, 0)]
    assert clocks[0].old.startswith("missed (due 2026-10-06 10:00")
    assert clocks[0].new.startswith("met (due 2026-10-07 10:00")
    assert clocks[0].subject.startswith(late.number)
    [escalation] = [i for i in section.items if i.kind == "escalation"]
    assert escalation.subject_id == late.id
    assert escalation.difference == -1
    # CASE-6: the steps are named as the sweep records them (the policy's positions)
    first = app.policy.cases.escalation_steps[0].position
    assert escalation.old.startswith(first) and escalation.old.count(
        "→"
    ) == 1 + escalation.new.count("→")
    breaches = next(t for t in section.totals if t.measure == "clock breaches")
    assert breaches.difference == -1
    assert fingerprint(app) == before
