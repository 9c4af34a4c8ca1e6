"""Case commands: intake (CASE-1/2), acceptance (CASE-3), severity (CASE-4/5), routing (CASE-6),
clocks and the sweep (CASE-7), solution and approval (CASE-8, X-3, X-4), reply and follow-up
(CASE-9), closing (CASE-10), corrective actions (CASE-11), settlements (CASE-13) and exchange
forms (CASE-14).

Cases are named by their id (``cas_…``, printed by ``cases receive`` and ``cases list``). Every
transition is checked by the core: a step not allowed in the case's state exits 8, a decision
above one's authority or by the person complained about exits 7.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

import click

from adapters.bootstrap import App
from adapters.cli.commands import Group
from adapters.cli.common import CASE_REF, given, money, pairs, whole
from adapters.cli.customers import Names
from adapters.cli.org import fmt
from adapters.cli.render import Formatter, details, table, with_page_hint
from adapters.cli.state import CliState, pass_state
from adapters.serialization import structure, to_json
from csdomain.cases.clocks import ClockState
from csdomain.cases.commands import CloseCase, ProposeSolution, ReceiveCase
from csdomain.cases.model import CapaItem, Case, CaseBreach, CaseState
from csdomain.kernel.ids import DepartmentId, StaffId
from csdomain.service_jobs.commands import OpenExchange
from csdomain.service_jobs.model import ExchangeForm, Settlement


# ------------------------------------------------------------------ rendering
def _staff_list(ids: Sequence[str], names: Names) -> str | None:
    return ", ".join(f"{names.staff(s)} ({s})" for s in ids) or None


def case_line(case: Case, what: str = "") -> str:
    """``Case 202609-0001 (cas_…) accepted; now accepted.``"""
    head = f"Case {case.number} ({case.id})"
    return f"{head} {what}; now {case.state.value}." if what else f"{head} is {case.state.value}."


def case_details(c: Case, names: Names, f: Formatter) -> str:
    severity = c.severity.value
    if c.major_reasons:
        severity += f" ({', '.join(c.major_reasons)})"
    customer = f"{c.customer_name} ({c.customer_id})" if c.customer_id else c.customer_name
    shares = ", ".join(
        f"{names.department(str(r['department_id']))} {r['percent']}%" for r in c.responsibilities
    )
    return details(
        [
            ("id", c.id),
            ("number", c.number),
            ("type", c.type),
            ("category", c.category),
            ("channel", c.channel),
            ("state", c.state),
            ("severity", severity),
            ("urgency", c.urgency),
            ("customer", customer),
            ("contact", c.contact),
            ("product", c.product),
            ("purchase date", c.purchase_date),
            ("demand", c.demand),
            ("content", c.content),
            ("received", f"{f(c.received_at)} by {names.staff(c.received_by)}"),
            ("subject staff", _staff_list(c.subject_staff_ids, names)),
            ("department", names.department(c.department_id)),
            ("handler", f"{names.staff(c.handler_id)} ({c.handler_id})" if c.handler_id else None),
            ("rejections", c.rejections),
            ("escalation level", c.escalation_level),
            ("remedy", c.remedy),
            ("amount", c.remedy_amount),
            ("solution", c.solution),
            ("approved by", names.staff(c.approved_by)),
            ("cause", c.cause),
            ("responsibility", shares or None),
            ("responsible staff", _staff_list(c.responsible_staff_ids, names)),
            ("loss", c.loss),
            ("closed", c.closed_at),
            ("related case", c.related_case_id),
            ("next due", c.next_due_at),
            ("version", c.version),
        ],
        f,
    )


def case_table(rows: Sequence[Case], names: Names, f: Formatter, empty: str) -> str:
    return table(
        [
            "id",
            "number",
            "type",
            "category",
            "state",
            "severity",
            "customer",
            "owner",
            "received",
            "next due",
        ],
        [
            (
                c.id,
                c.number,
                c.type,
                c.category,
                c.state,
                c.severity,
                c.customer_name,
                names.staff(c.owner_id),
                c.received_at,
                c.next_due_at,
            )
            for c in rows
        ],
        f,
        empty=empty,
    )


def _duration(delta: timedelta) -> str | None:
    minutes = int(delta.total_seconds() // 60)
    if minutes <= 0:
        return None
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{mins}m" if mins else ""]
    return " ".join(p for p in parts if p)


def clock_json(s: ClockState) -> dict[str, Any]:
    """A clock as JSON: the pause as whole seconds (``paused_seconds``)."""
    return {
        "name": s.name,
        "label": s.label,
        "status": s.status.value,
        "started_at": to_json(s.started_at),
        "due_at": to_json(s.due_at),
        "stopped_at": to_json(s.stopped_at),
        "paused_seconds": int(s.paused_for.total_seconds()),
        "extensions": s.extensions,
        "running": s.running,
        "breached": s.breached,
    }


def clock_table(rows: Sequence[ClockState], f: Formatter) -> str:
    return table(
        ["clock", "status", "started", "due", "stopped", "paused", "extensions", "label"],
        [
            (
                s.name,
                s.status,
                s.started_at,
                s.due_at,
                s.stopped_at,
                _duration(s.paused_for),
                s.extensions,
                s.label,
            )
            for s in rows
        ],
        f,
        empty="(no clock applies to this case)",
    )


def breach_table(rows: Sequence[CaseBreach], names: Names, f: Formatter, empty: str) -> str:
    return table(
        ["breach", "case", "clock", "due", "owner at due time", "escalated to", "recorded"],
        [
            (
                b.id,
                names.case_number(b.case_id),
                b.clock,
                b.due_at,
                names.staff(b.owner_id),
                b.escalated_to,
                b.recorded_at,
            )
            for b in rows
        ],
        f,
        empty=empty,
    )


def capa_table(rows: Sequence[CapaItem], names: Names, f: Formatter) -> str:
    return table(
        ["item", "description", "owner", "due", "done", "verified by", "effective"],
        [
            (
                i.id,
                i.description,
                names.staff(i.owner_id),
                i.due_on,
                i.done_at,
                names.staff(i.verified_by),
                i.effective,
            )
            for i in rows
        ],
        f,
        empty="(no corrective actions)",
    )


# --------------------------------------------------------------------- cases
@click.group(cls=Group)
def cases() -> None:
    """Complaints, suggestions, inquiries and service requests, from intake to closing."""


def _act(st: CliState, do: Callable[[App, StaffId], Case], what: str) -> None:
    """Run a state change ``do(app, actor)`` and print the case (JSON) or one line."""
    app, actor = st.acting()
    case = do(app, actor)
    st.emit(case, lambda: case_line(case, what))


@cases.command("receive")
@click.option("--type", "type", required=True, help="complaint, suggestion, inquiry, …")
@click.option("--category", required=True, help="product_quality, service_quality, …")
@click.option("--channel", required=True, help="phone, hotline, walk_in, letter, email, …")
@click.option("--content", required=True, help="What the customer says.")
@click.option("--customer", "customer_id", metavar="CUSTOMER_ID")
@click.option("--customer-name", help="Needed when the customer is not registered.")
@click.option("--contact")
@click.option("--product", help="Product, model, serial number or plate.")
@click.option("--purchase-date", metavar="YYYY-MM-DD")
@click.option("--demand", help="price_reduction, return, exchange, compensation, repair, …")
@click.option("--urgency", help="very_urgent, urgent or normal (default).")
@click.option("--market", help="domestic (default) or foreign: picks the clocks (CASE-7).")
@click.option(
    "--major-reason",
    "major_reasons",
    multiple=True,
    metavar="REASON",
    help="Makes the case major at once (CASE-4); repeat for several.",
)
@click.option(
    "--subject",
    "subject_staff_ids",
    multiple=True,
    metavar="STAFF_ID",
    help="A staff member the complaint is about: may not handle it (X-4); repeat.",
)
@click.option(
    "--related",
    "related_case_id",
    metavar="CASE",
    type=CASE_REF,
    help="The case this one follows up (CASE-15): its id or number.",
)
@pass_state
def cases_receive(st: CliState, /, **options: Any) -> None:
    """Record a case from any channel; it gets its number YYYYMM-NNNN (CASE-1)."""
    command = structure(given(**options), ReceiveCase)
    app, actor = st.acting()
    case = app.services.cases.receive(actor, command)
    st.emit(
        case,
        lambda: (
            f"Received case {case.number} ({case.id}).\n"
            + case_details(case, Names(app, actor), fmt(st))
        ),
    )


@cases.command("list")
@click.option("--state", type=click.Choice([s.value for s in CaseState]))
@click.option("--open", "open_only", is_flag=True, help="Only cases not closed.")
@click.option("--limit", default=100, show_default=True, type=int)
@click.option("--offset", default=0, show_default=True, type=int)
@pass_state
def cases_list(st: CliState, state: str | None, open_only: bool, limit: int, offset: int) -> None:
    """Cases, filtered by state; page with --limit and --offset."""
    app, actor = st.acting()
    rows = app.services.cases.list(
        actor,
        state=CaseState(state) if state else None,
        open_only=open_only,
        limit=limit,
        offset=offset,
    )

    st.emit(
        rows,
        lambda: with_page_hint(
            case_table(rows, Names(app, actor), fmt(st), "(no cases)"), len(rows), limit, offset
        ),
    )


@cases.command("show")
@click.argument("case_id", type=CASE_REF)
@pass_state
def cases_show(st: CliState, case_id: str) -> None:
    """One case's details."""
    app, actor = st.acting()
    case = app.services.cases.get(actor, case_id)
    st.emit(case, lambda: case_details(case, Names(app, actor), fmt(st)))


@cases.command("timeline")
@click.argument("case_id", type=CASE_REF)
@pass_state
def cases_timeline(st: CliState, case_id: str) -> None:
    """Everything that happened to a case, with actor and time (X-7)."""
    app, actor = st.acting()
    rows = app.services.cases.timeline(actor, case_id)
    names = Names(app, actor)
    st.emit(
        rows,
        lambda: table(
            ["at", "event", "by", "state after", "owner", "reason", "data"],
            [
                (
                    e.at,
                    e.kind,
                    names.staff(e.actor_id),
                    e.state_after,
                    names.staff(e.owner_id),
                    e.reason,
                    e.data,
                )
                for e in rows
            ],
            fmt(st),
            empty="(no events)",
        ),
    )


@cases.command("clocks")
@click.argument("case_id", type=CASE_REF)
@pass_state
def cases_clocks(st: CliState, case_id: str) -> None:
    """The case's deadline clocks now: due times after pauses and extensions (CASE-7)."""
    app, actor = st.acting()
    rows = app.services.cases.clocks(actor, case_id)
    st.emit(None, lambda: clock_table(rows, fmt(st)), data=[clock_json(s) for s in rows])


@cases.command("breaches")
@click.argument("case_id", type=CASE_REF)
@pass_state
def cases_breaches(st: CliState, case_id: str) -> None:
    """The case's recorded clock breaches, with the owner at the due time (CASE-7)."""
    app, actor = st.acting()
    rows = app.services.cases.breaches(actor, case_id)
    st.emit(rows, lambda: breach_table(rows, Names(app, actor), fmt(st), "(no breaches)"))


@cases.command("acknowledge")
@click.argument("case_id", type=CASE_REF)
@click.option("--message", default="", help="What the customer was told.")
@pass_state
def cases_acknowledge(st: CliState, case_id: str, message: str) -> None:
    """The reply to the customer that the case is received (24 h clock, CASE-7)."""
    _act(st, lambda app, a: app.services.cases.acknowledge(a, case_id, message), "acknowledged")


@cases.command("accept")
@click.argument("case_id", type=CASE_REF)
@pass_state
def cases_accept(st: CliState, case_id: str) -> None:
    """Accept the case (CASE-3; the policy's acceptance role)."""
    _act(st, lambda app, a: app.services.cases.accept(a, case_id), "accepted")


@cases.command("not-accept")
@click.argument("case_id", type=CASE_REF)
@click.option("--ground", required=True, help="A policy ground, e.g. past_contractual_time_limit.")
@click.option("--explanation", required=True, help="What the customer is told.")
@pass_state
def cases_not_accept(st: CliState, case_id: str, ground: str, explanation: str) -> None:
    """Do not accept the case, with a ground and an explanation; this closes it (CASE-3)."""
    _act(
        st,
        lambda app, a: app.services.cases.not_accept(a, case_id, ground, explanation),
        "not accepted",
    )


@cases.command("assign")
@click.argument("case_id", type=CASE_REF)
@click.option("--department", "department_id", required=True, metavar="DEPARTMENT_ID")
@click.option("--handler", "handler_id", required=True, metavar="STAFF_ID")
@click.option("--reason", default="")
@pass_state
def cases_assign(
    st: CliState, case_id: str, department_id: str, handler_id: str, reason: str
) -> None:
    """Assign the handling department and handler; never the subject (CASE-6, X-4)."""
    app, actor = st.acting()
    case = app.services.cases.assign(
        actor, case_id, DepartmentId(department_id), StaffId(handler_id), reason
    )
    handler = Names(app, actor).staff(case.handler_id)
    st.emit(case, lambda: case_line(case, f"assigned to {handler} ({case.handler_id})"))


@cases.command("investigate")
@click.argument("case_id", type=CASE_REF)
@pass_state
def cases_investigate(st: CliState, case_id: str) -> None:
    """Start the investigation (starts the investigation-report clock)."""
    _act(
        st, lambda app, a: app.services.cases.start_investigation(a, case_id), "under investigation"
    )


@cases.command("report")
@click.argument("case_id", type=CASE_REF)
@click.option("--report", required=True, help="Cause, course, responsible, countermeasures.")
@pass_state
def cases_report(st: CliState, case_id: str, report: str) -> None:
    """Record the investigation report (CASE-7)."""
    _act(
        st,
        lambda app, a: app.services.cases.report_investigation(a, case_id, report),
        "investigation reported",
    )


@cases.command("wait")
@click.argument("case_id", type=CASE_REF)
@click.option("--reason", required=True, help="What the customer must provide.")
@pass_state
def cases_wait(st: CliState, case_id: str, reason: str) -> None:
    """Wait for the customer: pauses the clocks whose policy says so (CASE-7)."""
    _act(
        st,
        lambda app, a: app.services.cases.wait_for_customer(a, case_id, reason),
        "waiting for the customer",
    )


@cases.command("resume")
@click.argument("case_id", type=CASE_REF)
@pass_state
def cases_resume(st: CliState, case_id: str) -> None:
    """Resume after waiting for the customer."""
    _act(st, lambda app, a: app.services.cases.resume(a, case_id), "resumed")


@cases.command("propose")
@click.argument("case_id", type=CASE_REF)
@click.option("--remedy", required=True, help="replace, return, refund_full, repair, …")
@click.option("--solution", required=True, help="The proposed solution in words.")
@click.option("--amount", metavar="AMOUNT", help="元, e.g. 500.00: decides who approves (X-3).")
@pass_state
def cases_propose(
    st: CliState, case_id: str, remedy: str, solution: str, amount: str | None
) -> None:
    """Propose a remedy; nothing is promised to the customer before approval (CASE-8)."""
    command = structure(given(remedy=remedy, solution=solution, amount=amount), ProposeSolution)
    _act(
        st,
        lambda app, a: app.services.cases.propose_solution(a, case_id, command),
        f"{remedy} proposed",
    )


@cases.command("approve")
@click.argument("case_id", type=CASE_REF)
@click.option("--reason", default="")
@pass_state
def cases_approve(st: CliState, case_id: str, reason: str) -> None:
    """Approve the proposal: the level the amount needs, never the subject (CASE-8, X-3, X-4)."""
    _act(st, lambda app, a: app.services.cases.approve(a, case_id, reason), "approved")


@cases.command("reject-proposal")
@click.argument("case_id", type=CASE_REF)
@click.option("--reason", required=True)
@pass_state
def cases_reject_proposal(st: CliState, case_id: str, reason: str) -> None:
    """Send the proposal back to the handler (CASE-8)."""
    _act(
        st,
        lambda app, a: app.services.cases.reject_proposal(a, case_id, reason),
        "proposal rejected",
    )


@cases.command("reply")
@click.argument("case_id", type=CASE_REF)
@click.option(
    "--method", required=True, type=click.Choice(["written", "phone", "in_person", "email"])
)
@click.option("--message", required=True, help="What the customer was told.")
@pass_state
def cases_reply(st: CliState, case_id: str, method: str, message: str) -> None:
    """Tell the customer the approved outcome (CASE-9)."""
    _act(st, lambda app, a: app.services.cases.reply(a, case_id, method, message), "replied")


@cases.command("follow-up")
@click.argument("case_id", type=CASE_REF)
@click.option(
    "--accepted/--rejected", required=True, help="Whether the customer accepts the solution."
)
@click.option(
    "--satisfaction",
    required=True,
    type=int,
    help="1 (very dissatisfied) … 5 (very satisfied) (SAT-1).",
)
@click.option("--comment", default="")
@pass_state
def cases_follow_up(
    st: CliState, case_id: str, accepted: bool, satisfaction: int, comment: str
) -> None:
    """Record the customer's reaction; a rejection sends the case back to 'propose again'
    and, after the policy's number of rounds, makes it major (CASE-9)."""
    _act(
        st,
        lambda app, a: app.services.cases.follow_up(
            a, case_id, accepted=accepted, satisfaction=satisfaction, comment=comment
        ),
        "accepted by the customer" if accepted else "rejected by the customer",
    )


@cases.command("mark-major")
@click.argument("case_id", type=CASE_REF)
@click.option(
    "--reason",
    "reasons",
    multiple=True,
    required=True,
    metavar="REASON",
    help="A policy major reason, e.g. wide_impact (repeat for several).",
)
@pass_state
def cases_mark_major(st: CliState, case_id: str, reasons: tuple[str, ...]) -> None:
    """Judge the case major: the department head and GM are notified (CASE-4/5)."""
    _act(
        st, lambda app, a: app.services.cases.mark_major(a, case_id, list(reasons)), "marked major"
    )


@cases.command("warn")
@click.argument("case_id", type=CASE_REF)
@click.option(
    "--to", "to", required=True, help="Who received the warning, e.g. 'management, legal'."
)
@click.option("--summary", required=True)
@pass_state
def cases_warn(st: CliState, case_id: str, to: str, summary: str) -> None:
    """Send the early warning of a major case (stops its 24 h clock, CASE-5)."""
    _act(
        st,
        lambda app, a: app.services.cases.send_early_warning(a, case_id, to, summary),
        "early warning sent",
    )


@cases.command("crisis-meeting")
@click.argument("case_id", type=CASE_REF)
@click.option(
    "--attendee",
    "attendees",
    multiple=True,
    required=True,
    metavar="STAFF_ID",
    help="Repeat for each attendee.",
)
@click.option("--minutes", required=True)
@pass_state
def cases_crisis_meeting(
    st: CliState, case_id: str, attendees: tuple[str, ...], minutes: str
) -> None:
    """Record the emergency meeting of a major case (CASE-5)."""
    _act(
        st,
        lambda app, a: app.services.cases.record_crisis_meeting(
            a, case_id, [StaffId(s) for s in attendees], minutes
        ),
        "crisis meeting recorded",
    )


@cases.command("extend")
@click.argument("case_id", type=CASE_REF)
@click.option("--clock", required=True, help="The clock's name (see `cases clocks`).")
@click.option("--by", "by", required=True, type=int, help="In the clock's own unit.")
@click.option("--reason", required=True)
@pass_state
def cases_extend(st: CliState, case_id: str, clock: str, by: int, reason: str) -> None:
    """Extend a deadline (the policy's role, at most its number of times; CASE-7)."""
    _act(
        st,
        lambda app, a: app.services.cases.extend_clock(a, case_id, clock, by, reason),
        f"clock {clock} extended by {by}",
    )


def parse_shares(values: Sequence[str]) -> list[dict[str, Any]]:
    """``DEPARTMENT_ID=PERCENT`` options → responsibility shares (CASE-10)."""
    return [
        {"department_id": dept, "percent": whole(pct, f"responsibilities.{dept}", "CASE-10")}
        for dept, pct in pairs(values, "responsibilities", "CASE-10", "DEPARTMENT_ID=PERCENT")
    ]


@cases.command("close")
@click.argument("case_id", type=CASE_REF)
@click.option("--cause", required=True, help="serious, incidental, carelessness, force_majeure.")
@click.option(
    "--responsibility",
    "responsibilities",
    multiple=True,
    metavar="DEPARTMENT_ID=PERCENT",
    help="Responsible department's share; repeat (shares add up to 100).",
)
@click.option(
    "--responsible",
    "responsible_staff_ids",
    multiple=True,
    metavar="STAFF_ID",
    help="A responsible individual; repeat.",
)
@click.option("--loss", metavar="AMOUNT", help="The loss in 元, e.g. 1000.00 (feeds PEN-5).")
@click.option("--improvement-tracked", is_flag=True, help="Improvement is tracked.")
@click.option(
    "--not-confirmed",
    is_flag=True,
    help="The customer did not confirm: give --failed-contact attempts.",
)
@click.option(
    "--failed-contact",
    "failed_contact_attempts",
    multiple=True,
    metavar="NOTE",
    help="A documented failed contact attempt; repeat (CASE-9).",
)
@pass_state
def cases_close(
    st: CliState,
    case_id: str,
    cause: str,
    responsibilities: tuple[str, ...],
    responsible_staff_ids: tuple[str, ...],
    loss: str | None,
    improvement_tracked: bool,
    not_confirmed: bool,
    failed_contact_attempts: tuple[str, ...],
) -> None:
    """Close with cause, responsibility and loss; needs the customer's confirmation (or failed
    contact attempts) and every corrective action verified (CASE-9/10/11)."""
    command = structure(
        given(
            cause=cause,
            responsibilities=parse_shares(responsibilities) or None,
            responsible_staff_ids=responsible_staff_ids,
            loss=loss,
            improvement_tracked=improvement_tracked,
            customer_confirmed=not not_confirmed,
            failed_contact_attempts=failed_contact_attempts,
        ),
        CloseCase,
    )
    _act(st, lambda app, a: app.services.cases.close(a, case_id, command), "closed")


@cases.command("by-clock-status")
@pass_state
def cases_by_clock_status(st: CliState) -> None:
    """Open cases grouped by their worst clock: breached, due soon, paused, on time."""
    app, actor = st.acting()
    groups = app.services.cases.open_by_clock_status(actor)
    st.emit(
        groups,
        lambda: table(
            ["status", "cases", "numbers"],
            [(status, len(numbers), numbers) for status, numbers in groups.items()],
            fmt(st),
            empty="(no open cases)",
        ),
    )


_TYPES_OPTION = click.option(
    "--type",
    "types",
    multiple=True,
    metavar="TYPE",
    help="Case types to count; repeat (default: the policy's statistics_types, complaints).",
)


@cases.command("stats")
@click.option("--month", required=True, metavar="YYYY-MM")
@_TYPES_OPTION
@pass_state
def cases_stats(st: CliState, month: str, types: tuple[str, ...]) -> None:
    """Monthly complaint statistics: count, per day, resolved, by category, department,
    handling method, loss (supervisors and above; RPT)."""
    app, actor = st.acting()
    s = app.services.cases.monthly_statistics(actor, month, list(types) or None)

    def by_department() -> dict[str, int]:
        dept_names: dict[str, str] = {
            d.id: d.name for d in app.services.org.list_departments(actor)
        }
        return {dept_names.get(k, k): v for k, v in s.by_department.items()}

    st.emit(
        s,
        lambda: details(
            [
                ("month", s.month),
                ("received", s.received),
                ("per day", s.per_day),
                ("resolved", s.resolved),
                ("resolution ratio", s.resolution_ratio),
                ("by category", s.by_category),
                ("by department", by_department()),
                ("by handling method", s.by_handling_method),
                ("loss", s.loss),
                ("types", ", ".join(s.types)),
            ],
            fmt(st),
        ),
    )


@cases.command("weekly")
@click.option("--week", required=True, metavar="YYYY-Www", help="An ISO week, e.g. 2026-W38.")
@_TYPES_OPTION
@pass_state
def cases_weekly(st: CliState, week: str, types: tuple[str, ...]) -> None:
    """The weekly complaint report, Monday to Sunday (supervisors and above; RPT)."""
    app, actor = st.acting()
    s = app.services.cases.weekly_statistics(actor, week, list(types) or None)
    dept_names: dict[str, str] = {d.id: d.name for d in app.services.org.list_departments(actor)}
    st.emit(
        s,
        lambda: details(
            [
                ("week", f"{s.week} ({s.start} – {s.end})"),
                ("received", s.received),
                ("per day", s.per_day),
                ("resolved", s.resolved),
                ("resolution ratio", s.resolution_ratio),
                ("major", s.major),
                ("by category", s.by_category),
                ("by department", {dept_names.get(k, k): v for k, v in s.by_department.items()}),
                ("by handling method", s.by_handling_method),
                ("loss", s.loss),
                ("types", ", ".join(s.types)),
            ],
            fmt(st),
        ),
    )


@cases.command("work-list")
@click.option("--limit", default=100, show_default=True, type=int)
@click.option("--offset", default=0, show_default=True, type=int)
@pass_state
def cases_work_list(st: CliState, limit: int, offset: int) -> None:
    """Open cases by priority: the customer's grade, A first (CUS-4)."""
    app, actor = st.acting()
    rows = app.services.cases.work_list(actor, limit=limit, offset=offset)
    st.emit(
        rows,
        lambda: with_page_hint(
            case_table(rows, Names(app, actor), fmt(st), "(no open cases)"),
            len(rows),
            limit,
            offset,
        ),
    )


@cases.command("hand-off")
@click.argument("case_id", type=CASE_REF)
@click.argument("step")
@click.option("--note", default="")
@pass_state
def cases_hand_off(st: CliState, case_id: str, step: str, note: str) -> None:
    """Hand the complaint form to its next STEP, in the policy's order (CASE-7, 001 2-B)."""
    _act(
        st,
        lambda app, actor: app.services.cases.hand_off(actor, case_id, step, note),
        f"handed to {step}",
    )


@cases.command("return-visit")
@click.argument("case_id", type=CASE_REF)
@click.option("--satisfaction", required=True, type=int, help="On the policy's scale (1…5).")
@click.option("--comment", default="")
@pass_state
def cases_return_visit(st: CliState, case_id: str, satisfaction: int, comment: str) -> None:
    """Record the return visit (回访) after handling, with satisfaction (CASE-9)."""
    _act(
        st,
        lambda app, actor: app.services.cases.record_return_visit(
            actor, case_id, satisfaction=satisfaction, comment=comment
        ),
        "return visit recorded",
    )


@cases.command("return-visits-overdue")
@click.option("--limit", default=100, show_default=True, type=int)
@click.option("--offset", default=0, show_default=True, type=int)
@pass_state
def cases_return_visits_overdue(st: CliState, limit: int, offset: int) -> None:
    """Closed cases whose return visit is past due (CASE-9)."""
    app, actor = st.acting()
    rows = app.services.cases.overdue_return_visits(actor, limit=limit, offset=offset)
    st.emit(
        rows,
        lambda: with_page_hint(
            case_table(rows, Names(app, actor), fmt(st), "(no overdue return visits)"),
            len(rows),
            limit,
            offset,
        ),
    )


@cases.command("follow-up-case")
@click.argument("case_id", type=CASE_REF)
@click.option("--type", "type", required=True, help="complaint, suggestion, inquiry, …")
@click.option("--category", required=True)
@click.option("--channel", required=True)
@click.option("--content", required=True, help="The new need the customer raised.")
@click.option("--customer-name", help="Default: the original case's customer.")
@pass_state
def cases_follow_up_case(st: CliState, /, case_id: str, **options: Any) -> None:
    """Open a follow-up case linked to CASE_ID (CASE-15: a follow-up call with a new need)."""
    command = structure(given(**options), ReceiveCase)
    app, actor = st.acting()
    case = app.services.cases.open_follow_up(actor, case_id, command)
    st.emit(case, lambda: f"Opened follow-up case {case.number} ({case.id}) of {case_id}.")


@cases.command("sweep")
@click.option(
    "--batch",
    default=200,
    show_default=True,
    type=click.IntRange(min=1),
    help="At most this many due cases per run.",
)
@pass_state
def cases_sweep(st: CliState, batch: int) -> None:
    """Record every clock breached since the last sweep, once each, and escalate (CASE-7).

    For schedulers (cron): runs as the system account unless --as is given (only the
    system account may, by the default policy's scheduler.sweep entry). Running it again, or two
    at once, never records a breach twice.
    """
    app, actor = st.scheduler()
    result = app.services.cases.sweep(actor, batch=batch)
    count = len(result.breaches)

    def human() -> str:
        line = f"Checked {result.checked} due case(s); recorded {count} breach(es)."
        if not count:
            return line
        names = Names(app, actor)
        return line + "\n" + breach_table(result.breaches, names, fmt(st), "")

    st.emit(
        None,
        human,
        data={"checked": result.checked, "recorded": count, "breaches": to_json(result.breaches)},
    )


# ---------------------------------------------------------------------- CAPA
@click.group(cls=Group)
def capa() -> None:
    """Corrective and preventive actions of a case, verified by another department (CASE-11)."""


def _capa_line(item: CapaItem, what: str) -> str:
    return f"Corrective action {item.id} {what}."


@capa.command("add")
@click.argument("case_id", type=CASE_REF)
@click.option("--description", required=True)
@click.option("--owner", "owner_id", required=True, metavar="STAFF_ID")
@click.option("--due-working-days", type=int, help="Default: the policy's.")
@pass_state
def capa_add(
    st: CliState, case_id: str, description: str, owner_id: str, due_working_days: int | None
) -> None:
    """Add an action with an owner and a due date in working days."""
    app, actor = st.acting()
    item = app.services.cases.add_capa(
        actor, case_id, description, StaffId(owner_id), due_working_days
    )
    st.emit(item, lambda: _capa_line(item, f"added; due {item.due_on}"))


@capa.command("complete")
@click.argument("item_id")
@click.option("--note", default="")
@pass_state
def capa_complete(st: CliState, item_id: str, note: str) -> None:
    """The action's owner marks it done."""
    app, actor = st.acting()
    item = app.services.cases.complete_capa(actor, item_id, note)
    st.emit(item, lambda: _capa_line(item, "completed; awaiting verification"))


@capa.command("verify")
@click.argument("item_id")
@click.option(
    "--effective/--ineffective", required=True, help="Ineffective sends it back to the owner."
)
@click.option("--note", required=True)
@pass_state
def capa_verify(st: CliState, item_id: str, effective: bool, note: str) -> None:
    """Verify an action's effectiveness (someone of another department)."""
    app, actor = st.acting()
    item = app.services.cases.verify_capa(actor, item_id, effective=effective, note=note)
    st.emit(
        item,
        lambda: _capa_line(
            item, "verified effective" if effective else "found ineffective; back to its owner"
        ),
    )


@capa.command("list")
@click.argument("case_id", type=CASE_REF)
@pass_state
def capa_list(st: CliState, case_id: str) -> None:
    """A case's corrective actions."""
    app, actor = st.acting()
    rows = app.services.cases.capa_items(actor, case_id)
    st.emit(rows, lambda: capa_table(rows, Names(app, actor), fmt(st)))


# --------------------------------------------------------------- settlements
@click.group(cls=Group)
def settlements() -> None:
    """Allowance, compensation, return and rework documents of a case (CASE-13)."""


def settlement_table(rows: Sequence[Settlement], names: Names, f: Formatter) -> str:
    return table(
        ["id", "case", "kind", "amount", "claimed", "returned (booked)", "by", "at", "note"],
        [
            (
                s.id,
                s.case_id,
                s.kind,
                s.amount,
                s.quantity_claimed,
                s.quantity_returned,
                names.staff(s.created_by),
                s.created_at,
                s.note,
            )
            for s in rows
        ],
        f,
        empty="(no settlements)",
    )


@settlements.command("record")
@click.argument("case_id", type=CASE_REF)
@click.option("--kind", required=True, help="allowance, compensation, return, rework.")
@click.option("--amount", required=True, metavar="AMOUNT", help="元, e.g. 500.00.")
@click.option("--claimed", "quantity_claimed", default=0, show_default=True, type=int)
@click.option(
    "--returned",
    "quantity_returned",
    default=0,
    show_default=True,
    type=int,
    help="The actually returned quantity: what is booked.",
)
@click.option("--note", default="")
@pass_state
def settlements_record(
    st: CliState,
    case_id: str,
    kind: str,
    amount: str,
    quantity_claimed: int,
    quantity_returned: int,
    note: str,
) -> None:
    """Record a settlement document; the actually returned quantity is booked (CASE-13)."""
    value = money(amount, "amount")
    app, actor = st.acting()
    s = app.services.settlement.record_settlement(
        actor,
        case_id,
        kind=kind,
        amount=value,
        quantity_claimed=quantity_claimed,
        quantity_returned=quantity_returned,
        note=note,
    )
    st.emit(
        s,
        lambda: (
            f"Recorded {s.kind} settlement {s.id} of {s.amount.amount:.2f} 元 for "
            f"case {s.case_id}; booked quantity {s.quantity_returned}."
        ),
    )


@settlements.command("list")
@click.argument("case_id", type=CASE_REF)
@pass_state
def settlements_list(st: CliState, case_id: str) -> None:
    """A case's settlement documents."""
    app, actor = st.acting()
    rows = app.services.settlement.settlements(actor, case_id)
    st.emit(rows, lambda: settlement_table(rows, Names(app, actor), fmt(st)))


# ----------------------------------------------------------------- exchanges
@click.group(cls=Group)
def exchanges() -> None:
    """Exchange/transfer forms through the policy's sign-off chain to the ledger (CASE-14)."""


def _next_sign_off(app: App, form: ExchangeForm) -> str:
    steps = app.policy.settlement.exchange_steps
    if form.state.value != "open" or len(form.sign_offs) >= len(steps):
        return "-"
    step = steps[len(form.sign_offs)]
    return f"{step.name} ({step.role})"


def _exchange_line(app: App, form: ExchangeForm) -> str:
    signed = ", ".join(s["step"] for s in form.sign_offs) or "none"
    ledger = f"; ledger no. {form.ledger_no}" if form.ledger_no is not None else ""
    return (
        f"Exchange form {form.id}: {form.state.value}; signed: {signed}; next: "
        f"{_next_sign_off(app, form)}{ledger}."
    )


@exchanges.command("open")
@click.option("--customer-name", required=True)
@click.option("--goods", required=True)
@click.option("--quantity", type=int, help="Default 1.")
@click.option("--reason", required=True)
@click.option("--case", "case_id", metavar="CASE", type=CASE_REF)
@pass_state
def exchanges_open(st: CliState, /, **options: Any) -> None:
    """The salesperson's exchange/transfer form with its reason."""
    command = structure(given(**options), OpenExchange)
    app, actor = st.acting()
    form = app.services.settlement.open_exchange(actor, command)
    st.emit(form, lambda: _exchange_line(app, form))


@exchanges.command("sign")
@click.argument("form_id")
@click.option("--reject", is_flag=True, help="Refuse at this step (needs --opinion).")
@click.option("--opinion", default="")
@pass_state
def exchanges_sign(st: CliState, form_id: str, reject: bool, opinion: str) -> None:
    """Sign the next step of the chain (its role or above)."""
    app, actor = st.acting()
    form = app.services.settlement.sign_exchange(
        actor, form_id, approve=not reject, opinion=opinion
    )
    st.emit(form, lambda: _exchange_line(app, form))


@exchanges.command("ledger")
@click.argument("form_id")
@pass_state
def exchanges_ledger(st: CliState, form_id: str) -> None:
    """Enter a completed form in the exchange ledger, signed by you (the handler)."""
    app, actor = st.acting()
    form = app.services.settlement.enter_in_ledger(actor, form_id)
    st.emit(form, lambda: _exchange_line(app, form))


@exchanges.command("list")
@pass_state
def exchanges_list(st: CliState) -> None:
    """All exchange forms."""
    app, actor = st.acting()
    rows = app.services.settlement.exchanges(actor)
    names = Names(app, actor)
    st.emit(
        rows,
        lambda: table(
            [
                "id",
                "salesperson",
                "customer",
                "goods",
                "qty",
                "state",
                "next",
                "ledger no",
                "created",
            ],
            [
                (
                    x.id,
                    names.staff(x.salesperson_id),
                    x.customer_name,
                    x.goods,
                    x.quantity,
                    x.state,
                    _next_sign_off(app, x),
                    x.ledger_no,
                    x.created_at,
                )
                for x in rows
            ],
            fmt(st),
            empty="(no exchange forms)",
        ),
    )


COMMANDS: list[click.Command] = [cases, capa, settlements, exchanges]
