"""Visit commands (VIS-1…VIS-6): monthly plans (create, add visits, check, submit, approve or
return), visit reports and reviews, follow-up items, coverage and the care calendar.

``visits late-reports`` is for schedulers: it runs as the system account (or ``--as``) and
flags each overdue planned visit once (a ``visit_report_late`` violation, PEN-1).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import click

from adapters.cli.commands import Group
from adapters.cli.common import DATE, day, given
from adapters.cli.org import fmt
from adapters.cli.render import Formatter, details, table
from adapters.cli.state import CliState, pass_state
from adapters.serialization import structure
from csdomain.kernel.ids import CustomerId, StaffId
from csdomain.visits.commands import CreatePlan, PlanVisit, ReportVisit, WeatherAlert
from csdomain.visits.model import CareReminder, Coverage, FollowUp, PlanCheck, Visit


def _iso(value: datetime | None) -> str | None:
    found = day(value)
    return found.isoformat() if found is not None else None


def _check_text(c: PlanCheck, f: Formatter) -> str:
    p = c.plan
    head = details(
        [
            ("plan", p.id),
            ("month", p.month),
            ("status", p.status),
            ("due on", p.due_on),
            ("late", p.late),
            ("decision note", p.decision_note or None),
        ],
        f,
    )
    visits = table(
        ["id", "day", "asked for", "customer", "purpose", "expense", "approved"],
        [
            (v.id, v.on, v.asked_on, v.customer_id, v.purpose, v.expense, v.approved)
            for v in c.visits
        ],
        f,
        empty="(no visits planned)",
    )
    missing = table(
        ["customer", "name", "grade", "required", "done", "planned", "period", "last chance"],
        [
            (
                m.customer_id,
                m.name,
                m.grade,
                m.required,
                m.done,
                m.planned,
                f"{m.period_start}…{m.period_end}",
                m.last_month,
            )
            for m in c.missing
        ],
        f,
        empty="(every graded customer has its visits, VIS-3)",
    )
    return f"{head}\n\nVisits:\n{visits}\n\nMissing (VIS-3):\n{missing}"


def _visit_details(v: Visit, f: Formatter) -> str:
    return details(
        [
            ("id", v.id),
            ("customer", v.customer_id),
            ("visitor", v.staff_id),
            ("day", v.on),
            ("purpose", v.purpose),
            ("people met", v.people_met),
            ("summary", v.summary),
            ("outcome", v.outcome),
            ("problems solved", v.problems_solved or None),
            ("to watch", v.watch_items or None),
            ("expenses", v.expenses),
            ("expenses approved", v.expenses_approved),
            ("report due", v.report_due_on),
            ("late", v.late),
            ("reviewed by", v.reviewed_by),
        ],
        f,
    )


def _follow_ups(rows: Sequence[FollowUp], f: Formatter) -> str:
    return table(
        ["id", "due", "customer", "staff", "item", "done"],
        [(i.id, i.due_on, i.customer_id, i.staff_id, i.text, i.done_at) for i in rows],
        f,
        empty="(no open items)",
    )


def _reminders(rows: Sequence[CareReminder], f: Formatter) -> str:
    return table(
        ["day", "kind", "customer", "name", "owner", "reminder"],
        [(r.on, r.kind, r.customer_id, r.customer_name, r.owner_id, r.text) for r in rows],
        f,
        empty="(nothing to remember)",
    )


def _coverage(rows: Sequence[Coverage], f: Formatter) -> str:
    return table(
        ["key", "name", "customers", "visited", "%", "target", "met", "required", "made"],
        [
            (
                r.key,
                r.name,
                r.customers,
                r.visited,
                r.percent,
                r.target_percent,
                r.meets_target,
                r.required,
                r.required_met,
            )
            for r in rows
        ],
        f,
        empty="(no customers)",
    )


@click.group(cls=Group)
def visits() -> None:
    """Visit plans, visit reports, follow-ups, coverage and the care calendar (VIS-1…6)."""


@visits.command("plan")
@click.argument("month")
@click.option("--for", "staff_id", help="Whose plan (default: yours).")
@pass_state
def visits_plan(st: CliState, month: str, staff_id: str | None) -> None:
    """Start the plan for MONTH (YYYY-MM), due by the end of the month before (VIS-1)."""
    command = structure(given(month=month, staff_id=staff_id), CreatePlan)
    app, actor = st.acting()
    plan = app.services.visits.create_plan(actor, command.month, command.staff_id)
    st.emit(plan, lambda: f"Plan {plan.id} for {plan.month}, due {plan.due_on}.")


@visits.command("add")
@click.argument("plan_id")
@click.argument("customer_id")
@click.option(
    "--on", type=DATE, required=True, help="The day (a rest day moves to the next working day)."
)
@click.option("--purpose", required=True, help="first_visit, handle_problem, … (policy).")
@click.option("--expense", metavar="AMOUNT", help="Expenses applied for (VIS-1).")
@click.option("--gift")
@click.option("--entertainment")
@pass_state
def visits_add(
    st: CliState,
    plan_id: str,
    customer_id: str,
    on: datetime,
    purpose: str,
    expense: str | None,
    gift: str | None,
    entertainment: str | None,
) -> None:
    """Add a visit to a draft or returned plan (VIS-1)."""
    command = structure(
        given(
            customer_id=customer_id,
            on=_iso(on),
            purpose=purpose,
            expense=expense,
            gift=gift,
            entertainment=entertainment,
        ),
        PlanVisit,
    )
    app, actor = st.acting()
    v = app.services.visits.plan_visit(actor, plan_id, command)
    moved = f" (asked for {v.asked_on}, a rest day)" if v.on != v.asked_on else ""
    st.emit(v, lambda: f"Planned {v.id} on {v.on}{moved}.")


@visits.command("remove")
@click.argument("planned_id")
@pass_state
def visits_remove(st: CliState, planned_id: str) -> None:
    """Take a visit out of a draft or returned plan."""
    app, actor = st.acting()
    v = app.services.visits.remove_planned_visit(actor, planned_id)
    st.emit(v, lambda: f"Removed {v.id} from the plan.")


@visits.command("check")
@click.argument("plan_id")
@pass_state
def visits_check(st: CliState, plan_id: str) -> None:
    """A plan, its visits and the customers it leaves short of their grade's visits (VIS-3)."""
    app, actor = st.acting()
    check = app.services.visits.check_plan(actor, plan_id)
    st.emit(check, lambda: _check_text(check, fmt(st)))


@visits.command("plans")
@click.option("--month", help="YYYY-MM")
@click.option("--for", "staff_id", help="Only this person's.")
@pass_state
def visits_plans(st: CliState, month: str | None, staff_id: str | None) -> None:
    """Visit plans in your scope."""
    app, actor = st.acting()
    rows = app.services.visits.plans(
        actor, month=month, staff_id=StaffId(staff_id) if staff_id else None
    )
    st.emit(
        rows,
        lambda: table(
            ["id", "month", "staff", "status", "due", "late"],
            [(p.id, p.month, p.staff_id, p.status, p.due_on, p.late) for p in rows],
            fmt(st),
            empty="(no plans)",
        ),
    )


@visits.command("submit")
@click.argument("plan_id")
@pass_state
def visits_submit(st: CliState, plan_id: str) -> None:
    """Submit the plan for approval; late after its due day (VIS-1)."""
    app, actor = st.acting()
    check = app.services.visits.submit_plan(actor, plan_id)
    st.emit(check, lambda: _check_text(check, fmt(st)))


@visits.command("approve")
@click.argument("plan_id")
@click.option("--note", default="")
@pass_state
def visits_approve(st: CliState, plan_id: str, note: str) -> None:
    """Approve a submitted plan and its expense requests (VIS-1; not your own, X-4)."""
    app, actor = st.acting()
    plan = app.services.visits.decide_plan(actor, plan_id, approve=True, note=note)
    st.emit(plan, lambda: f"Approved plan {plan.id}.")


@visits.command("return")
@click.argument("plan_id")
@click.option("--note", required=True, help="Why (the author sees it).")
@pass_state
def visits_return(st: CliState, plan_id: str, note: str) -> None:
    """Return a submitted plan to its author with the reason (VIS-1)."""
    app, actor = st.acting()
    plan = app.services.visits.decide_plan(actor, plan_id, approve=False, note=note)
    st.emit(plan, lambda: f"Returned plan {plan.id}: {note}")


@visits.command("report")
@click.argument("customer_id")
@click.option("--on", type=DATE, required=True, help="The day of the visit.")
@click.option("--purpose", required=True)
@click.option("--met", "people_met", required=True, help="Who was met.")
@click.option("--summary", required=True)
@click.option("--outcome", required=True, help="deal_done, promising, … (policy).")
@click.option("--solved", "problems_solved", help="Problems solved.")
@click.option("--watch", "watch_items", help="Items to keep watching.")
@click.option("--expenses", metavar="AMOUNT")
@click.option("--planned", "planned_visit_id", help="The planned visit this reports.")
@click.option("--follow-up", "follow_ups", multiple=True, help="A promised item (repeatable).")
@pass_state
def visits_report(st: CliState, /, customer_id: str, on: datetime, **options: Any) -> None:
    """Report a visit (VIS-5); due within the policy's working days (VIS-2)."""
    follow = [{"text": t} for t in options.pop("follow_ups") or ()]
    data = given(customer_id=customer_id, on=_iso(on), **options)
    if follow:
        data["follow_ups"] = follow
    command = structure(data, ReportVisit)
    app, actor = st.acting()
    v = app.services.visits.report_visit(actor, command)
    st.emit(v, lambda: _visit_details(v, fmt(st)))


@visits.command("show")
@click.argument("visit_id")
@pass_state
def visits_show(st: CliState, visit_id: str) -> None:
    """A visit record (secret: reads beyond your own are logged, X-5)."""
    app, actor = st.acting()
    v = app.services.visits.visit(actor, visit_id)
    st.emit(v, lambda: _visit_details(v, fmt(st)))


@visits.command("history")
@click.argument("customer_id")
@pass_state
def visits_history(st: CliState, customer_id: str) -> None:
    """A customer's visits, newest first, whoever made them."""
    app, actor = st.acting()
    rows = app.services.visits.visits(actor, CustomerId(customer_id))
    st.emit(
        rows,
        lambda: table(
            ["id", "day", "visitor", "purpose", "outcome", "late"],
            [(v.id, v.on, v.staff_id, v.purpose, v.outcome, v.late) for v in rows],
            fmt(st),
            empty="(no visits)",
        ),
    )


@visits.command("review")
@click.argument("visit_id")
@click.option("--note", default="")
@pass_state
def visits_review(st: CliState, visit_id: str, note: str) -> None:
    """Review a report as its supervisor (VIS-2; not your own)."""
    app, actor = st.acting()
    v = app.services.visits.review_visit(actor, visit_id, note)
    st.emit(v, lambda: f"Reviewed {v.id}.")


@visits.command("follow-ups")
@click.option("--visit", "visit_id", help="The items of one visit.")
@pass_state
def visits_follow_ups(st: CliState, visit_id: str | None) -> None:
    """Open follow-up items in your scope, earliest due first (VIS-2)."""
    app, actor = st.acting()
    rows = app.services.visits.follow_ups(actor, visit_id)
    st.emit(rows, lambda: _follow_ups(rows, fmt(st)))


@visits.command("done")
@click.argument("item_id")
@click.option("--note", default="")
@pass_state
def visits_done(st: CliState, item_id: str, note: str) -> None:
    """Report a promised item done (VIS-2)."""
    app, actor = st.acting()
    item = app.services.visits.complete_follow_up(actor, item_id, note)
    st.emit(item, lambda: f"Done: {item.text}")


@visits.command("coverage")
@click.option("--from", "start", type=DATE, required=True)
@click.option("--to", "end", type=DATE, required=True)
@click.option(
    "--by",
    type=click.Choice(["owner", "department", "company"]),
    default="owner",
    show_default=True,
)
@pass_state
def visits_coverage(st: CliState, start: datetime, end: datetime, by: str) -> None:
    """Customers visited in a period against the target; required visits made (VIS-3/4)."""
    app, actor = st.acting()
    rows = app.services.visits.coverage(actor, start.date(), end.date(), by=by)
    st.emit(rows, lambda: _coverage(rows, fmt(st)))


@visits.command("care")
@click.option("--from", "start", type=DATE, required=True)
@click.option("--to", "end", type=DATE, required=True)
@pass_state
def visits_care(st: CliState, start: datetime, end: datetime) -> None:
    """The care calendar: holiday greetings and birthday calls (VIS-6)."""
    app, actor = st.acting()
    rows = app.services.visits.care_calendar(actor, start.date(), end.date())
    st.emit(rows, lambda: _reminders(rows, fmt(st)))


@visits.command("weather")
@click.argument("region")
@click.argument("alert")
@click.option("--on", type=DATE)
@pass_state
def visits_weather(st: CliState, region: str, alert: str, on: datetime | None) -> None:
    """Special-weather reminders for the customers whose address names REGION (VIS-6)."""
    command = structure(given(region=region, alert=alert, on=_iso(on)), WeatherAlert)
    app, actor = st.acting()
    rows = app.services.visits.weather_alert(actor, command.region, command.alert, command.on)
    st.emit(rows, lambda: _reminders(rows, fmt(st)))


@visits.command("late-reports")
@pass_state
def visits_late_reports(st: CliState) -> None:
    """Flag approved planned visits whose report is overdue (VIS-2), as the scheduler."""
    app, actor = st.scheduler()
    rows = app.services.visits.sweep_late_reports(actor)
    st.emit(rows, lambda: f"Flagged {len(rows)} overdue report(s).")


COMMANDS: list[click.Command] = [visits]
