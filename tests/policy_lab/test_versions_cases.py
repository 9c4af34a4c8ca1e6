"""Issue 15: a case's clocks (CASE-7) follow the policy in force on the day it was received,
so a later version never moves a running case's deadlines."""

from __future__ import annotations

from datetime import date, timedelta

from lab_support import DEFAULT_TEXT

from adapters.bootstrap import App
from csd_support import Org, at
from csdomain.cases.commands import ReceiveCase
from csdomain.kernel.clock import FixedClock
from csdomain.policy_lab.commands import UploadPolicy

ACK = (
    'name = "acknowledge"\n'
    'label = "Reply to the customer within 24 hours (003 D21 §2.1.2)"\n'
    'start_event = "received"\nstop_event = "acknowledged"\nduration = 24'
)


def _receive(app: App, org: Org) -> str:
    case = app.services.cases.receive(
        org.service.id,
        ReceiveCase(
            type="complaint",
            category="product_quality",
            channel="hotline",
            content="brakes squeal",
            customer_name="张三",
        ),
    )
    return case.id


def _ack_due(app: App, org: Org, case_id: str) -> timedelta:
    states = {s.name: s for s in app.services.cases.clocks(org.manager.id, case_id)}
    ack = states["acknowledge"]
    assert ack.due_at is not None and ack.started_at is not None
    return ack.due_at - ack.started_at


def test_case7_clocks_use_the_policy_in_force_when_the_case_was_received(
    app: App, org: Org, clock: FixedClock
) -> None:
    assert DEFAULT_TEXT.count(ACK) == 1
    clock.set(at("2026-10-30 10:00"))
    october_case = _receive(app, org)
    number = app.services.policy_lab.upload(
        org.manager.id,
        UploadPolicy(
            document=DEFAULT_TEXT.replace(ACK, ACK.replace("duration = 24", "duration = 12")),
            effective_from=date(2026, 11, 1),
        ),
    ).number
    app.services.policy_lab.activate(org.gm.id, number)
    clock.set(at("2026-11-02 09:00"))
    november_case = _receive(app, org)
    assert _ack_due(app, org, october_case) == timedelta(hours=24)
    assert _ack_due(app, org, november_case) == timedelta(hours=12)
