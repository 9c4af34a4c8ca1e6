"""Visit endpoints (VIS-1…VIS-6): monthly plans and their check, approval, visit reports,
reviews and follow-up items, coverage, and the care calendar.

Who may do what is the policy's permission table (``visits.*``), checked by the use cases.
Visit records are secret (X-5): beyond the visitor and the customer's owner a read needs
``read_secret`` (403 otherwise) and is written to the access log.
"""

from __future__ import annotations

from datetime import date as date_t

from flask import Blueprint, Response, request

from adapters.http.openapi import DATE_PARAM, MONTH_PARAM, PAGE_PARAMS, Param, id_schema, operation
from adapters.http.rest import (
    actor,
    body,
    optional_body,
    page_of,
    query_date,
    query_id,
    query_month,
    respond,
    services,
)
from csdomain.kernel.errors import ValidationError
from csdomain.kernel.ids import CustomerId, StaffId
from csdomain.visits.commands import (
    CreatePlan,
    DecidePlan,
    PlanVisit,
    ReportVisit,
    VisitNote,
    WeatherAlert,
)
from csdomain.visits.model import (
    CareReminder,
    Coverage,
    FollowUp,
    PlanCheck,
    PlannedVisit,
    Visit,
    VisitPlan,
)

bp = Blueprint("visits", __name__)

_RANGE = (
    Param("start", DATE_PARAM, "the first day", required=True),
    Param("end", DATE_PARAM, "the last day", required=True),
)


def _range() -> tuple[date_t, date_t]:
    start, end = query_date("start"), query_date("end")
    if start is None:
        raise ValidationError("required", field="start")
    if end is None:
        raise ValidationError("required", field="end")
    return start, end


@operation(
    bp,
    "/visit-plans",
    "POST",
    action="visits.plans.create",
    summary="Start a month's visit plan, due by the end of the month before (VIS-1)",
    body=CreatePlan,
    response=VisitPlan,
    status=201,
    problems=(409,),
)
def create_plan() -> Response:
    cmd = body(CreatePlan)
    return respond(services().visits.create_plan(actor().id, cmd.month, cmd.staff_id), 201)


@operation(
    bp,
    "/visit-plans",
    "GET",
    action="visits.plans.read",
    summary="Visit plans in the caller's scope, by month and person",
    response=VisitPlan,
    shape="page",
    query=(
        Param("month", MONTH_PARAM, "only this month"),
        Param("staff_id", id_schema(), "only this person's"),
        *PAGE_PARAMS,
    ),
)
def list_plans() -> Response:
    staff = query_id("staff_id")
    rows = services().visits.plans(
        actor().id, month=query_month(), staff_id=StaffId(staff) if staff else None
    )
    return page_of(rows)


@operation(
    bp,
    "/visit-plans/<plan_id>",
    "GET",
    action="visits.plans.read",
    summary="A plan with its visits, the customers it leaves short of their grade's visits "
    "(VIS-3) and the visits moved off rest days",
    response=PlanCheck,
)
def check_plan(plan_id: str) -> Response:
    return respond(services().visits.check_plan(actor().id, plan_id))


@operation(
    bp,
    "/visit-plans/<plan_id>/visits",
    "POST",
    action="visits.plans.edit",
    summary="Add a visit to a draft or returned plan (VIS-1)",
    description="A visit asked for on a rest day is proposed on the next working day (the "
    "PRC calendar with make-up days); `asked_on` keeps the day asked for. Expenses, gifts "
    "and entertainment are applied for here and approved with the plan.",
    body=PlanVisit,
    response=PlannedVisit,
    status=201,
)
def plan_visit(plan_id: str) -> Response:
    return respond(services().visits.plan_visit(actor().id, plan_id, body(PlanVisit)), 201)


@operation(
    bp,
    "/planned-visits/<planned_id>/remove",
    "POST",
    action="visits.plans.edit",
    summary="Take a visit out of a draft or returned plan (kept, marked removed: X-7)",
    response=PlannedVisit,
)
def remove_planned_visit(planned_id: str) -> Response:
    return respond(services().visits.remove_planned_visit(actor().id, planned_id))


@operation(
    bp,
    "/visit-plans/<plan_id>/submit",
    "POST",
    action="visits.plans.submit",
    summary="Submit the plan for approval; late after its due day (VIS-1)",
    response=PlanCheck,
)
def submit_plan(plan_id: str) -> Response:
    return respond(services().visits.submit_plan(actor().id, plan_id))


@operation(
    bp,
    "/visit-plans/<plan_id>/decision",
    "POST",
    action="visits.plans.decide",
    summary="Approve the plan (with its expense requests) or return it with a reason (VIS-1)",
    description="Nobody decides their own plan (X-4).",
    body=DecidePlan,
    response=VisitPlan,
)
def decide_plan(plan_id: str) -> Response:
    cmd = body(DecidePlan)
    return respond(
        services().visits.decide_plan(actor().id, plan_id, approve=cmd.approve, note=cmd.note)
    )


@operation(
    bp,
    "/visits",
    "POST",
    action="visits.report",
    summary="Report a visit: purpose, people met, summary, outcome, expenses (VIS-5)",
    description="Due within `visits.report_due_working_days` working days of the visit "
    "(VIS-2); a late report is flagged and becomes a violation (`visit_report_late`). "
    "Expenses above what the plan approved are flagged (`expenses_approved`: false, VIS-1). "
    "A planned visit is reported once (409).",
    body=ReportVisit,
    response=Visit,
    status=201,
    problems=(409,),
)
def report_visit() -> Response:
    return respond(services().visits.report_visit(actor().id, body(ReportVisit)), 201)


@operation(
    bp,
    "/visits/<visit_id>",
    "GET",
    action="visits.read",
    summary="A visit record (secret: reads beyond one's own are logged, X-5)",
    response=Visit,
)
def get_visit(visit_id: str) -> Response:
    return respond(services().visits.visit(actor().id, visit_id))


@operation(
    bp,
    "/customers/<customer_id>/visits",
    "GET",
    action="visits.read",
    summary="A customer's visits, newest first, whoever made them (VIS-4, X-5)",
    response=Visit,
    shape="page",
    query=PAGE_PARAMS,
)
def customer_visits(customer_id: str) -> Response:
    return page_of(services().visits.visits(actor().id, CustomerId(customer_id)))


@operation(
    bp,
    "/visits/<visit_id>/review",
    "POST",
    action="visits.review",
    summary="The supervisor reviews a report, not their own (VIS-2, X-4)",
    body=VisitNote,
    body_required=False,
    response=Visit,
    problems=(409,),
)
def review_visit(visit_id: str) -> Response:
    return respond(
        services().visits.review_visit(actor().id, visit_id, optional_body(VisitNote).note)
    )


@operation(
    bp,
    "/visit-follow-ups",
    "GET",
    action="visits.follow_ups.read",
    summary="Open follow-up items in the caller's scope, earliest due first (VIS-2)",
    response=FollowUp,
    shape="page",
    query=(Param("visit_id", id_schema(), "the items of one visit"), *PAGE_PARAMS),
)
def follow_ups() -> Response:
    return page_of(services().visits.follow_ups(actor().id, query_id("visit_id")))


@operation(
    bp,
    "/visit-follow-ups/<item_id>/done",
    "POST",
    action="visits.follow_ups.complete",
    summary="Report a promised item done (VIS-2)",
    body=VisitNote,
    body_required=False,
    response=FollowUp,
    problems=(409,),
)
def complete_follow_up(item_id: str) -> Response:
    note = optional_body(VisitNote).note
    return respond(services().visits.complete_follow_up(actor().id, item_id, note))


@operation(
    bp,
    "/visits/scheduled/late-reports",
    "POST",
    action="scheduler.visit_reports_late",
    summary="VIS-2: flag approved planned visits whose report is overdue, as the scheduler",
    description="Send no body. Each is flagged once and becomes a `visit.report_late` event "
    "(a violation when the penalty catalogue names it).",
    response=PlannedVisit,
    shape="list",
)
def sweep_late_reports() -> Response:
    return respond(services().visits.sweep_late_reports(actor().id))


@operation(
    bp,
    "/visits/reports/coverage",
    "GET",
    action="visits.coverage",
    summary="Customers visited in a period per owner, department or company, against the "
    "target; the visits their grades require and how many were made (VIS-3, VIS-4)",
    response=Coverage,
    shape="page",
    query=(
        *_RANGE,
        Param("by", {"type": "string", "enum": ["owner", "department", "company"]}, "grouping"),
    ),
)
def coverage() -> Response:
    by = request.args.get("by", "owner")
    if by not in ("owner", "department", "company"):
        raise ValidationError("must be owner, department or company", field="by")
    return page_of(services().visits.coverage(actor().id, *_range(), by=by))


@operation(
    bp,
    "/visits/care",
    "GET",
    action="visits.care",
    summary="The care calendar: holiday greetings and birthday calls by day (VIS-6)",
    response=CareReminder,
    shape="page",
    query=_RANGE,
)
def care_calendar() -> Response:
    return page_of(services().visits.care_calendar(actor().id, *_range()))


@operation(
    bp,
    "/visits/care/weather",
    "POST",
    action="visits.care",
    summary="Special-weather reminders for the customers whose address names a region (VIS-6)",
    body=WeatherAlert,
    response=CareReminder,
    shape="list",
)
def weather_alert() -> Response:
    cmd = body(WeatherAlert)
    return respond(services().visits.weather_alert(actor().id, cmd.region, cmd.alert, cmd.on))
