"""Customer records commands (issue 12): daily registers and their overdue report and
appraisal points (CUS-1, CUS-7), file loans (CUS-7), sales figures and the key-account lists
(CUS-5). ``registers sweep`` is for schedulers: it runs as the system account (or ``--as``).
The hand-over rates report and the never-handed-over sweep are ``files handover-rates`` and
``files sweep`` (adapters.cli.customers).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import click

from adapters.cli.commands import Group
from adapters.cli.common import DATE, day, given
from adapters.cli.org import fmt
from adapters.cli.render import Formatter, details, table
from adapters.cli.state import CliState, pass_state
from adapters.serialization import structure
from csdomain.customers.commands import RecordSales, RequestLoan, SubmitRegister
from csdomain.customers.model import DailyRegister, FileLoan, RankedCustomer
from csdomain.kernel.ids import CustomerId, FileId, StaffId


def _iso(value: datetime | None) -> str | None:
    found = day(value)
    return found.isoformat() if found is not None else None


def _registers(rows: Sequence[DailyRegister], f: Formatter) -> str:
    return table(
        ["id", "day", "staff", "status", "handed in", "customers", "late"],
        [
            (r.id, r.day, r.staff_id, r.status, r.submitted_at, len(r.customer_ids), r.late)
            for r in rows
        ],
        f,
        empty="(no registers)",
    )


def _loans(rows: Sequence[FileLoan], f: Formatter) -> str:
    return table(
        ["id", "file", "borrower", "state", "purpose", "due back", "returned"],
        [
            (x.id, x.file_id, x.borrower_id, x.state, x.purpose, x.due_back_on, x.returned_at)
            for x in rows
        ],
        f,
        empty="(no loans)",
    )


def _ranked(rows: Sequence[RankedCustomer], f: Formatter) -> str:
    return table(
        ["#", "customer", "name", "grade", "sales", "margin", "margin %", "growth", "growth %"],
        [
            (
                r.rank,
                r.customer_id,
                r.name,
                r.grade,
                r.sales,
                r.margin,
                r.margin_percent,
                r.growth,
                r.growth_percent,
            )
            for r in rows
        ],
        f,
        empty="(no customers)",
    )


# ------------------------------------------------------------------ registers
@click.group(cls=Group)
def registers() -> None:
    """Daily customer registers, the overdue report and appraisal points (CUS-1, CUS-7)."""


@registers.command("submit")
@click.argument("register_day", metavar="DAY", type=DATE)
@click.option("--customer", "customer_ids", multiple=True, help="A customer on it (repeatable).")
@click.option("--prospect", "prospect_ids", multiple=True, help="A prospect among them.")
@click.option("--note")
@click.option("--exception", "exception_reason", help="Why it is late (until 10:00 next day).")
@pass_state
def registers_submit(
    st: CliState,
    register_day: datetime,
    customer_ids: tuple[str, ...],
    prospect_ids: tuple[str, ...],
    note: str | None,
    exception_reason: str | None,
) -> None:
    """Hand in your register of DAY (YYYY-MM-DD), due by the policy's time (CUS-1)."""
    app, actor = st.acting()
    command = structure(
        given(
            day=_iso(register_day),
            customer_ids=list(customer_ids) or None,
            prospect_ids=list(prospect_ids) or None,
            note=note,
            exception_reason=exception_reason,
        ),
        SubmitRegister,
        date_range=app.policy.bounds.date_range,
    )
    r = app.services.registers.submit(actor, command)
    st.emit(r, lambda: f"Register {r.id} of {r.day}: {r.status}.")


@registers.command("list")
@click.option("--start", type=DATE, required=True)
@click.option("--end", type=DATE, required=True)
@click.option("--for", "staff_id", help="Only this person's.")
@pass_state
def registers_list(st: CliState, start: datetime, end: datetime, staff_id: str | None) -> None:
    """Registers handed in (or found missing) between two days, in your scope."""
    app, actor = st.acting()
    rows = app.services.registers.registers(
        actor, start.date(), end.date(), StaffId(staff_id) if staff_id else None
    )
    st.emit(rows, lambda: _registers(rows, fmt(st)))


@registers.command("overdue")
@click.option("--start", type=DATE, required=True)
@click.option("--end", type=DATE, required=True)
@pass_state
def registers_overdue(st: CliState, start: datetime, end: datetime) -> None:
    """The overdue-register report: late or missing registers (CUS-1)."""
    app, actor = st.acting()
    rows = app.services.registers.overdue(actor, start.date(), end.date())
    st.emit(
        rows,
        lambda: table(
            ["day", "staff", "name", "status", "due", "exception until", "handed in"],
            [
                (
                    r.day,
                    r.staff_id,
                    r.staff_name,
                    r.status,
                    r.due_at,
                    r.exception_until,
                    r.submitted_at,
                )
                for r in rows
            ],
            fmt(st),
            empty="(no overdue registers)",
        ),
    )


@registers.command("appraisal")
@click.argument("month")
@pass_state
def registers_appraisal(st: CliState, month: str) -> None:
    """Appraisal points lost for late registers in MONTH (YYYY-MM), per person (CUS-7)."""
    app, actor = st.acting()
    rows = app.services.registers.appraisal(actor, month)
    st.emit(
        rows,
        lambda: table(
            ["staff", "name", "month", "late registers", "points"],
            [(r.staff_id, r.staff_name, r.month, r.late_registers, r.points) for r in rows],
            fmt(st),
            empty="(no late registers)",
        ),
    )


@registers.command("sweep")
@pass_state
def registers_sweep(st: CliState) -> None:
    """Record registers missing after their exception deadline, once (CUS-1), as the
    scheduler."""
    app, actor = st.scheduler()
    rows = app.services.registers.sweep(actor)
    st.emit(rows, lambda: f"Recorded {len(rows)} missing register(s).")


# ------------------------------------------------------------------ loans
@click.group(cls=Group)
def loans() -> None:
    """Lending customer files: request, lend or refuse, return (CUS-7)."""


@loans.command("request")
@click.argument("file_id")
@click.option("--purpose", required=True, help="What the file is borrowed for.")
@pass_state
def loans_request(st: CliState, file_id: str, purpose: str) -> None:
    """Ask to borrow a customer file (CUS-7, step 1)."""
    command = structure({"purpose": purpose}, RequestLoan)
    app, actor = st.acting()
    loan = app.services.file_loans.request(actor, FileId(file_id), command)
    st.emit(loan, lambda: f"Loan {loan.id} requested.")


@loans.command("approve")
@click.argument("loan_id")
@click.option("--reason", default="")
@pass_state
def loans_approve(st: CliState, loan_id: str, reason: str) -> None:
    """Lend the file (the policy's role; not the borrower). Refused while it is on loan."""
    app, actor = st.acting()
    loan = app.services.file_loans.decide(actor, loan_id, approve=True, reason=reason)
    st.emit(loan, lambda: f"Lent {loan.file_id}; due back {loan.due_back_on}.")


@loans.command("refuse")
@click.argument("loan_id")
@click.option("--reason", required=True)
@pass_state
def loans_refuse(st: CliState, loan_id: str, reason: str) -> None:
    """Refuse a loan request, with the reason (CUS-7)."""
    app, actor = st.acting()
    loan = app.services.file_loans.decide(actor, loan_id, approve=False, reason=reason)
    st.emit(loan, lambda: f"Refused loan {loan.id}.")


@loans.command("return")
@click.argument("loan_id")
@click.option("--note", default="")
@pass_state
def loans_return(st: CliState, loan_id: str, note: str) -> None:
    """Check a lent file back into the archive (not the borrower; CUS-7, step 3)."""
    app, actor = st.acting()
    loan = app.services.file_loans.give_back(actor, loan_id, note)
    st.emit(loan, lambda: f"Returned {loan.file_id}.")


@loans.command("list")
@click.option("--file", "file_id", help="Only this file's loans.")
@click.option("--open", "open_only", is_flag=True, help="Only requested or lent.")
@click.option("--overdue", "overdue_only", is_flag=True, help="Only lent files past due back.")
@pass_state
def loans_list(st: CliState, file_id: str | None, open_only: bool, overdue_only: bool) -> None:
    """File loans in your scope."""
    app, actor = st.acting()
    rows = app.services.file_loans.loans(
        actor,
        file_id=FileId(file_id) if file_id else None,
        open_only=open_only,
        overdue_only=overdue_only,
    )
    st.emit(rows, lambda: _loans(rows, fmt(st)))


# ------------------------------------------------------------------ key accounts
@click.group("key-accounts", cls=Group)
def key_accounts() -> None:
    """Sales figures, top-10 lists, key accounts and their churn (CUS-5)."""


@key_accounts.command("sales")
@click.argument("customer_id")
@click.argument("month")
@click.option("--sales", required=True, metavar="AMOUNT")
@click.option("--cost", required=True, metavar="AMOUNT")
@click.option("--version", "expected_version", type=int, help="Correcting: the version.")
@click.option("--reason", help="Why a correction.")
@pass_state
def key_accounts_sales(
    st: CliState,
    customer_id: str,
    month: str,
    sales: str,
    cost: str,
    expected_version: int | None,
    reason: str | None,
) -> None:
    """Record a customer's sales and cost of MONTH (YYYY-MM); the margin is the difference."""
    command = structure(
        given(
            month=month, sales=sales, cost=cost, expected_version=expected_version, reason=reason
        ),
        RecordSales,
    )
    app, actor = st.acting()
    fig = app.services.key_accounts.record_sales(actor, CustomerId(customer_id), command)
    st.emit(
        fig,
        lambda: details(
            [
                ("customer", fig.customer_id),
                ("month", fig.month),
                ("sales", fig.sales),
                ("margin", fig.margin),
                ("version", fig.version),
            ],
            fmt(st),
        ),
    )


@key_accounts.command("top")
@click.argument("period")
@click.option("--by", type=click.Choice(["sales", "growth", "margin"]), default="sales")
@pass_state
def key_accounts_top(st: CliState, period: str, by: str) -> None:
    """The top customers of PERIOD (YYYY-MM or YYYY) by sales, growth or margin."""
    app, actor = st.acting()
    rows = app.services.key_accounts.top(actor, period, by=by)
    st.emit(rows, lambda: _ranked(rows, fmt(st)))


@key_accounts.command("list")
@click.argument("period")
@pass_state
def key_accounts_list(st: CliState, period: str) -> None:
    """Key accounts at the end of PERIOD (graded the policy's grade or higher)."""
    app, actor = st.acting()
    rows = app.services.key_accounts.key_accounts(actor, period)
    st.emit(rows, lambda: _ranked(rows, fmt(st)))


@key_accounts.command("churn")
@click.argument("period")
@pass_state
def key_accounts_churn(st: CliState, period: str) -> None:
    """Key accounts of the previous period lost in PERIOD, and the churn rate."""
    app, actor = st.acting()
    c = app.services.key_accounts.churn(actor, period)

    def human() -> str:
        head = details(
            [
                ("period", c.period),
                ("previous period", c.previous_period),
                ("key accounts before", c.key_accounts_before),
                ("key accounts now", c.key_accounts_now),
                ("churn %", c.churn_percent),
            ],
            fmt(st),
        )
        lost = table(
            ["customer", "name", "grade before", "grade now", "why"],
            [(x.customer_id, x.name, x.grade_before, x.grade_now, x.reason) for x in c.lost],
            fmt(st),
            empty="(none lost)",
        )
        return f"{head}\n\nLost:\n{lost}"

    st.emit(c, human)


COMMANDS: list[click.Command] = [registers, loans, key_accounts]
