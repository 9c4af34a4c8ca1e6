"""Rule tests the catalogue (docs/rules.md) found missing: CUS-2 kinds, CASE-6 escalation
along the policy's chain, CASE-15 the phone desk's 30-minute reply, PEN-7 sanctions."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from csdomain.cases.commands import ReceiveCase
from csdomain.customers.commands import RegisterCustomer
from csdomain.customers.model import CustomerKind, LegalForm
from csdomain.kernel.errors import ValidationError
from csdomain.kernel.money import Money


def test_cus2_kind_and_legal_form_are_recorded(app: Any, org: Any) -> None:
    """CUS-2: an agent that is a corporate customer stays one."""
    c = app.services.customers.register(
        org.sales.id,
        RegisterCustomer(
            name="华东汽配", phone="13800000011", kind="agent", legal_form="corporate"
        ),
    )
    assert c.kind == CustomerKind.AGENT and c.legal_form == LegalForm.CORPORATE


def test_cus2_an_unknown_kind_is_refused() -> None:
    with pytest.raises((ValidationError, ValueError)):
        RegisterCustomer(name="X", phone="13800000012", kind="alien")


def _receive(app: Any, who: Any, **kw: Any) -> Any:
    fields = {
        "type": "complaint",
        "category": "service_quality",
        "channel": "hotline",
        "content": "…",
        "customer_name": "张三",
        **kw,
    }
    return app.services.cases.receive(who.id, ReceiveCase(**fields))


def test_case15_a_phone_inquiry_must_be_answered_within_30_minutes(
    app: Any, org: Any, clock: Any
) -> None:
    """CASE-15: a question not answerable on the call gets a reply within 30 minutes."""
    case = _receive(app, org.sales, type="inquiry", channel="phone")
    clocks = {c.name: c for c in app.services.cases.clocks(org.sales.id, case.id)}
    assert clocks["phone_reply"].due_at == clock.now() + timedelta(minutes=30)
    complaint = _receive(app, org.sales)
    names = {c.name for c in app.services.cases.clocks(org.sales.id, complaint.id)}
    assert "phone_reply" not in names


def test_case6_each_breach_escalates_one_step_along_the_policy_chain(
    app: Any, org: Any, clock: Any
) -> None:
    """CASE-6: unresolved cases go up the chain of positions the policy names, one step per
    breach."""
    _receive(app, org.sales)
    clock.advance(timedelta(days=30))
    system = app.services.org.system_account()
    result = app.services.cases.sweep(system.id)
    chain = [step.position for step in app.policy.cases.escalation_steps]
    steps = [b.escalated_to for b in result.breaches]  # in the order they were recorded
    assert steps == [chain[min(i, len(chain) - 1)] for i in range(len(steps))]
    assert len(steps) >= 2


def test_pen7_a_sanction_carries_its_fine_and_fines_alone_impose_none(app: Any, org: Any) -> None:
    """PEN-7: sanctions read the right way round — an imposed warning carries at least its
    policy fine and names itself on the statement; a month's fines impose no sanction."""
    pen = app.services.penalties
    pen.record_violation(
        org.supervisor.id, org.sales2.id, "cs_beyond_authority", date(2026, 9, 3), evidence="y"
    )
    pen.record_violation(
        org.supervisor.id, org.sales2.id, "cs_beyond_authority", date(2026, 9, 4), evidence="y"
    )
    fines_only = pen.statement(org.manager.id, org.sales2.id, "2026-09").statement
    assert fines_only.total == Money.of("600.00") and fines_only.sanction == ""
    warning = app.policy.penalties.sanction("warning")
    entry = pen.impose_sanction(org.deputy.id, org.sales.id, "warning", "2026-09", "rude call")
    assert entry.amount == Money.of(warning.min_fine)
    assert pen.statement(org.manager.id, org.sales.id, "2026-09").statement.sanction == "warning"
