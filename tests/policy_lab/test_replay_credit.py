"""CRD-2/CRD-3 replay: a shipment refused over a 30-day line is within a 60-day one; one
allowed within the line is refused under a 10-day one. On every backend."""

from __future__ import annotations

import tomllib
from datetime import date

import pytest
from replay_support import credit_customer, fingerprint, ledger, policy_text

from adapters.bootstrap import App, Storage
from adapters.policy_file import parse_policy
from backend_fixtures import backend_app
from csd_support import Org, at, make_org
from csdomain.credit.commands import AuthorizeShipment
from csdomain.credit.model import Shipment
from csdomain.kernel.clock import FixedClock
from csdomain.kernel.money import Money
from csdomain.policy.model import Policy

OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))


@pytest.fixture
def replay_app(storage: Storage, clock: FixedClock) -> App:
    return backend_app(storage, clock)


def _window(days: int) -> Policy:
    text = policy_text(("window_days = 30", f"window_days = {days}"))
    return parse_policy(tomllib.loads(text), "candidate")


def _ship(app: App, org: Org, clock: FixedClock, entries: list[tuple[str, str, str]]) -> Shipment:
    """A credit customer with these ledger entries, then a 1 000 元 shipment on 10-11."""
    clock.set(at("2026-08-20 10:00"))
    customer = credit_customer(app, org)
    for kind, amount, day in entries:
        ledger(app, org, customer, kind, amount, day)
    clock.set(at("2026-10-11 10:00"))
    decided = app.services.credit.authorize_shipment(
        org.sales.id,
        AuthorizeShipment(customer_id=customer.id, amount=Money.of("1000.00"), reference="S-1"),
    )
    clock.set(at("2026-11-03 10:00"))
    return decided.shipment


def test_crd2_a_wider_line_window_allows_what_was_refused(
    replay_app: App, clock: FixedClock
) -> None:
    app = replay_app
    clock.set(at("2026-08-20 10:00"))
    org = make_org(app)
    # owed 6 000 on 10-11; invoiced 6 000 in the 30 days before, 11 000 in the 60 days
    refused = _ship(
        app,
        org,
        clock,
        [
            ("invoice", "5000.00", "2026-09-01"),
            ("invoice", "6000.00", "2026-10-01"),
            ("payment", "5000.00", "2026-10-02"),
        ],
    )
    assert refused.decision.value == "refused"
    before = fingerprint(app)

    report = app.services.replay.replay(
        org.manager.id, _window(60), *OCTOBER, capabilities=["credit"]
    )

    [section] = report.sections
    assert section.compared == 1
    [item] = section.items
    assert item.subject_id == refused.id and item.rule == "CRD-2"
    assert item.old.startswith("refused (line 6000.00")
    assert item.new.startswith("within_line (line 11000.00")
    assert (item.old_value, item.new_value) == (0, 1000)
    assert fingerprint(app) == before


def test_crd3_a_narrower_window_refuses_what_was_within_the_line(
    replay_app: App, clock: FixedClock
) -> None:
    app = replay_app
    clock.set(at("2026-08-20 10:00"))
    org = make_org(app)
    allowed = _ship(
        app,
        org,
        clock,
        [("invoice", "6000.00", "2026-09-25"), ("payment", "6000.00", "2026-10-01")],
    )
    assert allowed.decision.value == "within_line"
    report = app.services.replay.replay(
        org.manager.id, _window(10), *OCTOBER, capabilities=["credit"]
    )
    [item] = report.sections[0].items
    assert (item.subject_id, item.old_value, item.new_value) == (allowed.id, 1000, 0)
    assert item.old.startswith("within_line") and item.new.startswith("refused (line 0.00")
    assert report.sections[0].totals[0].difference == -1000
    # the same policy: no difference (the replay decides with the service's own rules)
    same = app.services.replay.replay(org.manager.id, app.policy, *OCTOBER, capabilities=["credit"])
    assert same.differing == 0


def _eligibility(*changes: tuple[str, str]) -> Policy:
    return parse_policy(tomllib.loads(policy_text(*changes)), "candidate")


def test_crd1_a_file_item_the_customer_lacks_makes_a_credit_shipment_cash_only(
    replay_app: App, clock: FixedClock
) -> None:
    """CRD-1: the candidate asks the file for a document the customer's file lacks, so the
    shipment allowed within the line would have been cash only."""
    app = replay_app
    clock.set(at("2026-08-20 10:00"))
    org = make_org(app)
    allowed = _ship(
        app,
        org,
        clock,
        [("invoice", "6000.00", "2026-09-25"), ("payment", "6000.00", "2026-10-01")],
    )
    assert allowed.decision.value == "within_line"
    candidate = _eligibility(('file_item = "id_copy"', 'file_item = "business_licence"'))

    report = app.services.replay.replay(
        org.manager.id, candidate, *OCTOBER, capabilities=["credit"]
    )

    [section] = report.sections
    [item] = section.items
    assert (item.kind, item.rule, item.subject_id) == ("eligibility", "CRD-1", allowed.id)
    assert (item.old_value, item.new_value) == (1000, 0)
    assert item.old == "eligible: within_line"
    assert item.new.startswith("not eligible (no customer file holds")
    assert "'business_licence'" in item.new and item.new.endswith(": cash_only")
    assert "CRD-1" in section.title


def test_crd1_without_the_cleared_balance_rule_last_years_debtor_gets_credit(
    replay_app: App, clock: FixedClock
) -> None:
    """CRD-1: 500 元 owed since December made the October shipment cash only; a candidate
    that does not ask for last year's balance cleared decides it by the line: within it."""
    app = replay_app
    clock.set(at("2026-08-20 10:00"))
    org = make_org(app)
    cash = _ship(
        app,
        org,
        clock,
        [
            ("invoice", "500.00", "2025-12-15"),
            ("invoice", "6000.00", "2026-10-01"),
            ("payment", "6000.00", "2026-10-02"),
        ],
    )
    assert cash.decision.value == "cash_only"
    candidate = _eligibility(("last_year_balance_zero = true", "last_year_balance_zero = false"))

    report = app.services.replay.replay(
        org.manager.id, candidate, *OCTOBER, capabilities=["credit"]
    )

    [item] = report.sections[0].items
    assert (item.kind, item.subject_id, item.old_value, item.new_value) == (
        "eligibility",
        cash.id,
        0,
        1000,
    )
    assert item.old.startswith("not eligible (last year's balance is not cleared: 500.00 元")
    assert item.new == "eligible: within_line"
    # the policy in force again: no difference
    same = app.services.replay.replay(org.manager.id, app.policy, *OCTOBER, capabilities=["credit"])
    assert same.differing == 0
