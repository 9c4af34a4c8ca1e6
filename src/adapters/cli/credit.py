"""Customer credit commands (CRD-1…CRD-6): accounts and grades, invoices and payments, the
credit position, shipment authorization, month-end collection, write-offs and reports.

``credit month-end`` without ``--month`` is for schedulers: it checks last month as the system
account (or ``--as``); each shipment is charged once however often it runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import click

from adapters.cli.commands import Group
from adapters.cli.common import DATE, day, given, pairs
from adapters.cli.org import fmt
from adapters.cli.render import Formatter, details, table
from adapters.cli.state import CliState, pass_state
from adapters.serialization import structure
from csdomain.credit.commands import (
    AuthorizeShipment,
    CreditMonthEnd,
    OpenCreditAccount,
    RecordLedgerEntry,
    SetCreditGrade,
    WriteOff,
)
from csdomain.credit.model import LedgerEntry, Shipment
from csdomain.kernel.ids import CustomerId
from csdomain.penalties.model import PenaltyEntry


def _iso(value: datetime | None) -> str | None:
    found = day(value)
    return found.isoformat() if found is not None else None


def shipment_details(s: Shipment, f: Formatter) -> str:
    return details(
        [
            ("id", s.id),
            ("decision", s.decision),
            ("allowed", s.allowed),
            ("why", s.why),
            ("amount", s.amount),
            ("line", s.line),
            ("balance before", s.balance),
            ("available", s.available),
            ("over-limit bound", s.bound),
            ("signed by", s.signed_by),
            ("authority", s.authority or None),
            ("reason", s.reason or None),
        ],
        f,
    )


def _ledger_table(rows: Sequence[LedgerEntry], f: Formatter) -> str:
    return table(
        ["day", "kind", "amount", "reference", "shipment"],
        [(e.on, e.kind, e.amount, e.reference, e.shipment_id) for e in rows],
        f,
        empty="(no invoices or payments)",
    )


def _charges(rows: Sequence[PenaltyEntry], f: Formatter) -> str:
    return table(
        ["staff", "month", "amount", "explanation"],
        [(e.staff_id, e.month, e.amount, e.explanation) for e in rows],
        f,
        empty="(nobody charged)",
    )


@click.group(cls=Group)
def credit() -> None:
    """Customer credit: the rolling line, shipment decisions, collection and bad debts."""


@credit.command("open")
@click.argument("customer_id")
@click.option("--contract-type", required=True, help="e.g. distribution, direct_sales (policy).")
@click.option("--contract-no", required=True)
@click.option("--signed-on", "contract_signed_on", type=DATE, required=True)
@click.option("--settlement-agreement/--no-settlement-agreement", default=True, show_default=True)
@pass_state
def credit_open(
    st: CliState,
    customer_id: str,
    contract_type: str,
    contract_no: str,
    contract_signed_on: datetime,
    settlement_agreement: bool,
) -> None:
    """Open a customer's credit account; refused naming each failing condition (CRD-1)."""
    command = structure(
        {
            "customer_id": customer_id,
            "contract_type": contract_type,
            "contract_no": contract_no,
            "contract_signed_on": _iso(contract_signed_on),
            "settlement_agreement": settlement_agreement,
        },
        OpenCreditAccount,
    )
    app, actor = st.acting()
    account = app.services.credit.open_account(actor, command)
    st.emit(account, lambda: f"Opened the credit account of {account.customer_id}.")


@credit.command("show")
@click.argument("customer_id")
@click.option("--on", type=DATE, help="The day (default today).")
@pass_state
def credit_show(st: CliState, customer_id: str, on: datetime | None) -> None:
    """The line, balance and what is available on a day (CRD-2), and eligibility (CRD-1)."""
    app, actor = st.acting()
    svc = app.services.credit
    pos = svc.position(actor, CustomerId(customer_id), day(on))
    ok = svc.eligibility(actor, CustomerId(customer_id), day(on))
    st.emit(
        pos,
        lambda: details(
            [
                ("customer", pos.customer_id),
                ("on", pos.on),
                ("line", pos.line),
                ("window", f"{pos.window_from} … {pos.window_to}"),
                ("balance", pos.balance),
                ("available", pos.available),
                ("credit", "yes" if ok.eligible else "no: " + "; ".join(ok.failing)),
            ],
            fmt(st),
        ),
    )


@credit.command("grade")
@click.argument("customer_id")
@click.option("--grade", required=True, help="A, B, C or D (CRD-6).")
@click.option("--score", required=True, type=int)
@click.option("--reason", required=True)
@pass_state
def credit_grade(st: CliState, customer_id: str, grade: str, score: int, reason: str) -> None:
    """Set the credit grade from the credit investigation; you approve it (CRD-6)."""
    command = structure({"grade": grade, "score": score, "reason": reason}, SetCreditGrade)
    app, actor = st.acting()
    change = app.services.credit.set_grade(actor, CustomerId(customer_id), command)
    st.emit(change, lambda: f"Credit grade {change.from_grade} → {change.to_grade}.")


def _ledger_command(name: str, help_text: str) -> click.Command:
    @click.argument("customer_id")
    @click.option("--amount", required=True, metavar="AMOUNT", help="元, e.g. 30000.00")
    @click.option("--on", type=DATE, required=True)
    @click.option("--reference", required=True, help="Invoice or payment number.")
    @pass_state
    def run(st: CliState, customer_id: str, amount: str, on: datetime, reference: str) -> None:
        command = structure(
            {"customer_id": customer_id, "amount": amount, "on": _iso(on), "reference": reference},
            RecordLedgerEntry,
        )
        app, actor = st.acting()
        svc = app.services.credit
        do = svc.record_invoice if name == "invoice" else svc.record_payment
        entry = do(actor, command)
        st.emit(entry, lambda: f"Recorded {entry.kind.value} {entry.amount} 元 on {entry.on}.")

    run.__doc__ = help_text
    return credit.command(name)(run)


_ledger_command("invoice", "Record an invoice made outside shipment authorization.")
_ledger_command("payment", "Record a payment received (it settles the oldest invoices first).")


@credit.command("ledger")
@click.argument("customer_id")
@pass_state
def credit_ledger(st: CliState, customer_id: str) -> None:
    """The customer's invoices, payments and write-offs, oldest first."""
    app, actor = st.acting()
    rows = app.services.credit.ledger(actor, CustomerId(customer_id), limit=500)
    st.emit(rows, lambda: _ledger_table(rows, fmt(st)))


@credit.command("ship")
@click.argument("customer_id")
@click.option("--amount", required=True, metavar="AMOUNT", help="元, e.g. 29999.99")
@click.option("--reference", required=True, help="The delivery note / order number.")
@click.option("--on", type=DATE, help="The shipment day (default today).")
@click.option(
    "--over-limit",
    type=click.Choice(["first", "last"]),
    help="Sign a first or last over-limit shipment (needs the policy's role, CRD-3).",
)
@click.option("--reason", help="Why you sign an over-limit shipment.")
@pass_state
def credit_ship(st: CliState, /, customer_id: str, **options: Any) -> None:
    """Authorize a shipment; prints the decision and the numbers behind it (CRD-3).

    Exit code 0 even when refused: the decision is recorded; `allowed` says if goods may go."""
    options["on"] = _iso(options["on"])
    command = structure({"customer_id": customer_id, **given(**options)}, AuthorizeShipment)
    app, actor = st.acting()
    decision = app.services.credit.authorize_shipment(actor, command)
    st.emit(decision, lambda: shipment_details(decision.shipment, fmt(st)))


@credit.command("month-end")
@click.option("--month", help="YYYY-MM; without it, last month as the scheduler (CRD-4).")
@pass_state
def credit_month_end(st: CliState, month: str | None) -> None:
    """Charge the signers of last over-limit shipments unpaid at month end (CRD-4)."""
    if month is None:
        app, actor = st.scheduler()
        rows = app.services.credit.scheduled_month_end(actor)
    else:
        command = structure({"month": month}, CreditMonthEnd)
        app, actor = st.acting()
        rows = app.services.credit.month_end(actor, command.month)
    st.emit(rows, lambda: f"Charged {len(rows)} signer(s).\n" + _charges(rows, fmt(st)))


@credit.command("write-off")
@click.argument("customer_id")
@click.option("--amount", required=True, metavar="AMOUNT")
@click.option("--on", type=DATE, required=True)
@click.option("--reason", required=True)
@click.option(
    "--basis",
    required=True,
    type=click.Choice(["within_line", "last_over_limit", "unapproved"]),
)
@click.option("--shipment", "shipment_id", help="The last over-limit shipment (its signer pays).")
@click.option(
    "--liable",
    multiple=True,
    metavar="POSITION=STAFF_ID",
    help="Who holds each liable position the policy names (repeat).",
)
@pass_state
def credit_write_off(
    st: CliState,
    customer_id: str,
    amount: str,
    on: datetime,
    reason: str,
    basis: str,
    shipment_id: str | None,
    liable: tuple[str, ...],
) -> None:
    """Write off a bad debt and charge who bears it (CRD-5)."""
    people = dict(pairs(liable, "liable", "CRD-5", "POSITION=STAFF_ID"))
    data = {
        "customer_id": customer_id,
        "amount": amount,
        "on": _iso(on),
        "reason": reason,
        "basis": basis,
        "shipment_id": shipment_id,
        "liable": people,
    }
    command = structure({k: v for k, v in data.items() if v is not None}, WriteOff)
    app, actor = st.acting()
    rows = app.services.credit.write_off(actor, command)
    st.emit(rows, lambda: _charges(rows, fmt(st)))


@credit.command("report")
@click.argument("kind", type=click.Choice(["exposure", "owners", "over-limit", "ageing"]))
@click.option("--on", type=DATE, help="The day (default today).")
@click.option("--month", help="YYYY-MM, for over-limit.")
@pass_state
def credit_report(st: CliState, kind: str, on: datetime | None, month: str | None) -> None:
    """Exposure per customer or owner, a month's over-limit shipments, ageing buckets."""
    app, actor = st.acting()
    svc = app.services.credit
    f = fmt(st)
    if kind in ("exposure", "owners"):
        rows = svc.exposure(actor, day(on), by="owner" if kind == "owners" else "customer")
        st.emit(
            rows,
            lambda: table(
                ["key", "name", "customers", "line", "balance", "over limit"],
                [(r.key, r.name, r.customers, r.line, r.balance, r.over_limit) for r in rows],
                f,
                empty="(no balances)",
            ),
        )
    elif kind == "over-limit":
        if month is None:
            raise click.UsageError("over-limit needs --month YYYY-MM")
        over = svc.over_limit_shipments(actor, structure({"month": month}, CreditMonthEnd).month)
        st.emit(
            over,
            lambda: table(
                ["shipment", "customer", "day", "decision", "amount", "signed by", "unpaid"],
                [
                    (
                        o.shipment.id,
                        o.shipment.customer_id,
                        o.shipment.on,
                        o.shipment.decision,
                        o.shipment.amount,
                        o.shipment.signed_by,
                        o.unpaid,
                    )
                    for o in over
                ],
                f,
                empty="(no over-limit shipments)",
            ),
        )
    else:
        aged = svc.ageing(actor, day(on))
        labels = list(aged[0].buckets) if aged else []
        st.emit(
            aged,
            lambda: table(
                ["customer", *labels, "total"],
                [(a.customer_id, *a.buckets.values(), a.total) for a in aged],
                f,
                empty="(nothing unpaid)",
            ),
        )


COMMANDS: list[click.Command] = [credit]
