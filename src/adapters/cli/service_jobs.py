"""Service-job commands: repair calls from registration to closing (CASE-12), the customer
survey (SAT-1) and maintenance contracts with their renewal notices.

``jobs prioritize``, ``jobs report-late`` and ``contracts renewal-notices`` are for schedulers:
they run as the system unless ``--as`` is given, and each job or contract is handled once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import click

from adapters.bootstrap import App
from adapters.cli.commands import Group
from adapters.cli.common import CASE_REF, DATE, given, money, pairs
from adapters.cli.customers import Names
from adapters.cli.org import fmt
from adapters.cli.render import Formatter, details, table
from adapters.cli.state import CliState, pass_state
from adapters.serialization import structure
from csdomain.kernel.errors import ValidationError
from csdomain.kernel.ids import CustomerId, StaffId
from csdomain.service_jobs.commands import RegisterJob
from csdomain.service_jobs.model import MaintenanceContract, ServiceJob


def job_details(j: ServiceJob, names: Names, f: Formatter) -> str:
    return details(
        [
            ("id", j.id),
            ("state", j.state),
            ("priority", j.priority),
            (
                "customer",
                f"{j.customer_name} ({j.customer_id})" if j.customer_id else j.customer_name,
            ),
            ("address", j.address),
            ("zone", j.zone),
            ("work type", j.work_type),
            ("description", j.description),
            ("case", j.case_id),
            ("registered", f"{f(j.registered_at)} by {names.staff(j.registered_by)}"),
            ("on site by", j.arrive_by),
            ("technician", names.staff(j.technician_id)),
            ("dispatched", j.dispatched_at),
            ("arrived", j.arrived_at),
            ("completed", j.completed_at),
            ("customer signed", j.customer_signed),
            ("receipt", j.receipt_no),
            ("repair card", j.repair_card_no),
            ("inspected by", names.staff(j.inspected_by)),
            ("returned", j.returned_at),
            ("invoice", j.invoice_no),
            ("amount", j.amount),
            ("survey", j.survey or None),
            ("overdue reported", j.overdue_reported_at),
            ("version", j.version),
        ],
        f,
    )


def job_table(rows: Sequence[ServiceJob], names: Names, f: Formatter, empty: str) -> str:
    return table(
        ["id", "state", "priority", "customer", "zone", "type", "on site by", "technician"],
        [
            (
                j.id,
                j.state,
                j.priority,
                j.customer_name,
                j.zone,
                j.work_type,
                j.arrive_by,
                names.staff(j.technician_id),
            )
            for j in rows
        ],
        f,
        empty=empty,
    )


def _job_line(job: ServiceJob, what: str) -> str:
    return f"Job {job.id} {what}; now {job.state.value}."


# ---------------------------------------------------------------------- jobs
@click.group(cls=Group)
def jobs() -> None:
    """Repair calls: register → dispatch → on site → fixed or taken in → invoiced → closed."""


def _act(st: CliState, do: Callable[[App, StaffId], ServiceJob], what: str) -> None:
    app, actor = st.acting()
    job = do(app, actor)
    st.emit(job, lambda: _job_line(job, what))


@jobs.command("register")
@click.option("--customer-name", required=True)
@click.option("--address", required=True)
@click.option("--zone", required=True, help="A policy zone, e.g. city, suburbs, dense, general.")
@click.option(
    "--work-type", required=True, help="A paid, B contract, C free (warranty), D internal."
)
@click.option("--description", required=True)
@click.option("--customer", "customer_id", metavar="CUSTOMER_ID")
@click.option(
    "--case", "case_id", metavar="CASE", type=CASE_REF, help="The case the call came from."
)
@pass_state
def jobs_register(st: CliState, /, **options: Any) -> None:
    """Register a repair call; its on-site deadline comes from the zone (CASE-12)."""
    command = structure(given(**options), RegisterJob)
    app, actor = st.acting()
    job = app.services.service_jobs.register(actor, command)
    st.emit(job, lambda: f"Registered job {job.id}; on site by {fmt(st)(job.arrive_by)}.")


@jobs.command("show")
@click.argument("job_id")
@pass_state
def jobs_show(st: CliState, job_id: str) -> None:
    """One job's details."""
    app, actor = st.acting()
    job = app.services.service_jobs.get(actor, job_id)
    st.emit(job, lambda: job_details(job, Names(app, actor), fmt(st)))


@jobs.command("queue")
@pass_state
def jobs_queue(st: CliState) -> None:
    """Jobs waiting for dispatch: yesterday's leftovers first, then by deadline."""
    app, actor = st.acting()
    rows = app.services.service_jobs.dispatch_queue(actor)
    st.emit(rows, lambda: job_table(rows, Names(app, actor), fmt(st), "(nothing to dispatch)"))


@jobs.command("dispatch")
@click.argument("job_id")
@click.option("--technician", "technician_id", required=True, metavar="STAFF_ID")
@pass_state
def jobs_dispatch(st: CliState, job_id: str, technician_id: str) -> None:
    """Dispatch (or re-dispatch) a technician."""
    _act(
        st,
        lambda app, a: app.services.service_jobs.dispatch(a, job_id, StaffId(technician_id)),
        f"dispatched to {technician_id}",
    )


@jobs.command("arrive")
@click.argument("job_id")
@pass_state
def jobs_arrive(st: CliState, job_id: str) -> None:
    """The technician is on site (late if after the zone's deadline)."""
    app, actor = st.acting()
    job = app.services.service_jobs.arrive(actor, job_id)
    late = job.arrived_at is not None and job.arrived_at > job.arrive_by
    st.emit(job, lambda: _job_line(job, "arrived late" if late else "arrived on time"))


@jobs.command("fix")
@click.argument("job_id")
@click.option("--customer-signed", is_flag=True, help="The customer signed the on-site report.")
@pass_state
def jobs_fix(st: CliState, job_id: str, customer_signed: bool) -> None:
    """Fixed on site; the customer signs the service report."""
    _act(
        st,
        lambda app, a: app.services.service_jobs.fix_on_site(
            a, job_id, customer_signed=customer_signed
        ),
        "fixed on site",
    )


@jobs.command("take-in")
@click.argument("job_id")
@click.option("--receipt", "receipt_no", required=True, help="The receipt given to the customer.")
@click.option("--repair-card", "repair_card_no", required=True)
@pass_state
def jobs_take_in(st: CliState, job_id: str, receipt_no: str, repair_card_no: str) -> None:
    """Taken in for repair with a receipt and a repair card."""
    _act(
        st,
        lambda app, a: app.services.service_jobs.take_in(
            a, job_id, receipt_no=receipt_no, repair_card_no=repair_card_no
        ),
        "taken in",
    )


@jobs.command("inspect")
@click.argument("job_id")
@click.option("--note", default="")
@pass_state
def jobs_inspect(st: CliState, job_id: str, note: str) -> None:
    """The supervisor's inspection of a taken-in repair."""
    _act(st, lambda app, a: app.services.service_jobs.inspect(a, job_id, note), "inspected")


@jobs.command("return")
@click.argument("job_id")
@pass_state
def jobs_return(st: CliState, job_id: str) -> None:
    """Return the repaired item to the customer."""
    _act(st, lambda app, a: app.services.service_jobs.return_to_customer(a, job_id), "returned")


@jobs.command("invoice")
@click.argument("job_id")
@click.option("--invoice-no", required=True)
@click.option("--amount", required=True, metavar="AMOUNT", help="元, e.g. 380.00.")
@pass_state
def jobs_invoice(st: CliState, job_id: str, invoice_no: str, amount: str) -> None:
    """Invoice paid work (type A) when paid."""
    value = money(amount, "amount")
    _act(
        st,
        lambda app, a: app.services.service_jobs.invoice(a, job_id, invoice_no, value),
        f"invoiced ({invoice_no}, {value.amount:.2f} 元)",
    )


@jobs.command("survey")
@click.argument("job_id")
@click.option(
    "--rating",
    "ratings",
    multiple=True,
    required=True,
    metavar="ITEM=LEVEL",
    help="One per survey item, e.g. --rating attitude=very_satisfied (repeat).",
)
@pass_state
def jobs_survey(st: CliState, job_id: str, ratings: tuple[str, ...]) -> None:
    """The customer's survey of the job: every item rated (SAT-1)."""
    parsed = dict(pairs(ratings, "ratings", "SAT-1", "ITEM=LEVEL"))
    _act(st, lambda app, a: app.services.service_jobs.record_survey(a, job_id, parsed), "surveyed")


@jobs.command("close")
@click.argument("job_id")
@pass_state
def jobs_close(st: CliState, job_id: str) -> None:
    """Close a surveyed (and, for paid work, invoiced) job."""
    _act(st, lambda app, a: app.services.service_jobs.close(a, job_id), "closed")


@jobs.command("prioritize")
@pass_state
def jobs_prioritize(st: CliState) -> None:
    """Give jobs registered before today and still undispatched priority (daily, CASE-12)."""
    app, actor = st.scheduler()
    rows = app.services.service_jobs.prioritize_undispatched(actor)
    st.emit(
        rows,
        lambda: (
            f"Prioritized {len(rows)} undispatched job(s)."
            + ("\n" + job_table(rows, Names(app, actor), fmt(st), "") if rows else "")
        ),
    )


@jobs.command("report-late")
@pass_state
def jobs_report_late(st: CliState) -> None:
    """Report repairs past their on-site deadline to the supervisor, once each (CASE-12)."""
    app, actor = st.scheduler()
    rows = app.services.service_jobs.report_late(actor)
    st.emit(
        rows,
        lambda: (
            f"Reported {len(rows)} overdue job(s) to the supervisor."
            + ("\n" + job_table(rows, Names(app, actor), fmt(st), "") if rows else "")
        ),
    )


def _period(
    tz: ZoneInfo, month: str | None, start: datetime | None, end: datetime | None
) -> tuple[datetime, datetime]:
    if month is not None:
        if start is not None or end is not None:
            raise click.UsageError("give --month or --from/--to, not both")
        try:
            first = datetime.strptime(month + "-01", "%Y-%m-%d")
        except ValueError:
            raise ValidationError("month is YYYY-MM", field="month", rule="SAT-1") from None
        return first.replace(tzinfo=tz), (first + timedelta(days=32)).replace(day=1, tzinfo=tz)
    if start is None or end is None:
        raise click.UsageError("give --month YYYY-MM, or both --from and --to")
    return (
        datetime.combine(start.date(), time(), tz),
        datetime.combine(end.date() + timedelta(days=1), time(), tz),
    )


@jobs.command("survey-summary")
@click.argument("technician_id")
@click.option("--month", metavar="YYYY-MM", help="The appraisal month.")
@click.option("--from", "start", type=DATE, help="First day (with --to).")
@click.option("--to", "end", type=DATE, help="Last day, inclusive.")
@pass_state
def jobs_survey_summary(
    st: CliState,
    technician_id: str,
    month: str | None,
    start: datetime | None,
    end: datetime | None,
) -> None:
    """A technician's survey ratings for the monthly appraisal (SAT-1)."""
    app, actor = st.acting()
    begin, finish = _period(ZoneInfo(app.policy.calendar.timezone), month, start, end)
    s = app.services.service_jobs.survey_summary(actor, StaffId(technician_id), begin, finish)
    levels = app.policy.service_jobs.survey_levels

    def human() -> str:
        head = (
            f"{Names(app, actor).staff(s.technician_id)} ({s.technician_id}): {s.jobs} "
            f"completed job(s), {s.surveyed} surveyed."
        )
        body = table(
            ["item", *levels],
            [
                (item, *(counts.get(level, 0) for level in levels))
                for item, counts in s.ratings.items()
            ],
            fmt(st),
            empty="",
        )
        return f"{head}\n{body}"

    st.emit(s, human)


# ----------------------------------------------------------------- contracts
@click.group(cls=Group)
def contracts() -> None:
    """Maintenance contracts and their renewal notices (CASE-12)."""


def contract_table(rows: Sequence[MaintenanceContract], f: Formatter, empty: str) -> str:
    return table(
        ["id", "number", "customer", "starts", "ends", "renewal notified"],
        [
            (c.id, c.number, c.customer_id, c.starts_on, c.ends_on, c.renewal_notified_at)
            for c in rows
        ],
        f,
        empty=empty,
    )


@contracts.command("add")
@click.option("--customer", "customer_id", required=True, metavar="CUSTOMER_ID")
@click.option("--number", required=True)
@click.option("--starts", "starts_on", required=True, type=DATE)
@click.option("--ends", "ends_on", required=True, type=DATE)
@pass_state
def contracts_add(
    st: CliState, customer_id: str, number: str, starts_on: datetime, ends_on: datetime
) -> None:
    """Add a customer's maintenance contract."""
    app, actor = st.acting()
    c = app.services.service_jobs.add_contract(
        actor, CustomerId(customer_id), number, starts_on.date(), ends_on.date()
    )
    st.emit(c, lambda: f"Added contract {c.number} ({c.id}), {c.starts_on} to {c.ends_on}.")


@contracts.command("renewal-notices")
@pass_state
def contracts_renewal_notices(st: CliState) -> None:
    """Notify the owners of contracts ending within the policy's notice period (daily)."""
    app, actor = st.scheduler()
    rows = app.services.service_jobs.send_renewal_notices(actor)
    st.emit(
        rows,
        lambda: (
            f"Sent {len(rows)} renewal notice(s)."
            + ("\n" + contract_table(rows, fmt(st), "") if rows else "")
        ),
    )


COMMANDS: list[click.Command] = [jobs, contracts]
