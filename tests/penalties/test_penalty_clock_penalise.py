"""PEN-1 × CASE-7: a clock the policy marks ``penalise = false`` is still swept, breached and
escalated, but its breach is not charged to the owner; a penalised clock's breach is."""

from __future__ import annotations

import attrs

from adapters.bootstrap import App, bootstrap
from adapters.policy_file import default_policy
from adapters.settings import Settings
from csd_support import at, make_org
from csdomain.cases.commands import ReceiveCase
from csdomain.kernel.clock import FixedClock
from csdomain.penalties.model import EntryKind


def _breached_inquiry(penalise: bool) -> tuple[App, list[str], int]:
    policy = default_policy()
    clocks = [attrs.evolve(c, penalise=penalise) for c in policy.cases.clocks]
    custom = attrs.evolve(policy, cases=attrs.evolve(policy.cases, clocks=clocks))
    clock = FixedClock(at("2026-09-24 10:00"))
    app = bootstrap(Settings(storage="memory"), clock=clock, policy=custom)
    org = make_org(app)
    app.services.cases.receive(
        org.service.id,
        ReceiveCase(
            type="inquiry", category="other", channel="email", content="?", customer_name="Q"
        ),
    )
    clock.set(at("2026-09-26 10:00"))
    system = app.services.org.system_account().id
    breaches = app.services.cases.sweep(system).breaches
    created = app.services.penalties.record_from_events(system)
    explanations = [e.explanation for e in created if e.kind == EntryKind.VIOLATION]
    return app, explanations, len(breaches)


def test_pen1_breach_of_a_penalised_clock_is_charged() -> None:
    _, explanations, breaches = _breached_inquiry(penalise=True)
    assert breaches >= 1
    assert any("Case deadline missed" in e for e in explanations)


def test_pen1_breach_of_an_unpenalised_clock_is_not_charged() -> None:
    _, explanations, breaches = _breached_inquiry(penalise=False)
    assert breaches >= 1  # the clock still breaches and escalates (CASE-6, CASE-7)
    assert not any("Case deadline missed" in e for e in explanations)
