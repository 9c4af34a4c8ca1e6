"""Case endpoints: intake (CASE-1/2), the lifecycle actions (CASE-3…CASE-10), clocks and
breaches (CASE-7), major cases (CASE-4/5), CAPA (CASE-11), settlements (CASE-13), the sweep
for schedulers and the monthly complaint statistics (RPT).

Every role check (acceptance, assignment, approval level by amount, closing, GM extensions)
and recusal (X-4) is the use cases' business; an action not allowed in the case's state is
a 409 (InvalidTransition).
"""

from __future__ import annotations

from flask import Blueprint, Response, url_for

from adapters.http.bodies import (
    AddCapa,
    Assign,
    ClockExtension,
    CompleteCapa,
    CrisisMeeting,
    EarlyWarning,
    FollowUp,
    HandOff,
    InvestigationReport,
    MarkMajor,
    NotAccept,
    Note,
    OptionalReason,
    Reason,
    RecordSettlement,
    Reply,
    ReturnVisit,
    VerifyCapa,
)
from adapters.http.openapi import MONTH_PARAM, PAGE_PARAMS, Param, operation
from adapters.http.rest import (
    actor,
    body,
    check_month,
    optional_body,
    page,
    page_of,
    query_bool,
    query_enum,
    query_str,
    required_query_str,
    respond,
    services,
)
from adapters.http.views import ClockStatusGroups, ClockView
from csdomain.cases.commands import CloseCase, ProposeSolution, ReceiveCase
from csdomain.cases.model import CapaItem, Case, CaseBreach, CaseEvent, CaseState
from csdomain.cases.services import MonthlyStatistics, SweepResult, WeeklyStatistics
from csdomain.service_jobs.model import Settlement

bp = Blueprint("cases", __name__)

_STATE_SCHEMA = {"type": "string", "enum": [s.value for s in CaseState]}
_ACTION_PROBLEMS = (409,)


# ------------------------------------------------------------------ intake and queries
@operation(
    bp,
    "/cases",
    "POST",
    action="cases.receive",
    summary="Receive a case from any channel (CASE-1/2/4)",
    description="Type, category, channel, demand, urgency and major reasons are checked "
    "against the policy; the case gets its number YYYYMM-NNNN. Major reasons given at intake "
    "notify the department head and the GM at once (CASE-5).",
    body=ReceiveCase,
    response=Case,
    status=201,
)
def receive_case() -> Response:
    case = services().cases.receive(actor().id, body(ReceiveCase))
    return respond(case, 201, location=url_for(".get_case", case_id=case.id))


@operation(
    bp,
    "/cases",
    "GET",
    action="cases.read",
    summary="List cases",
    description="Ordered by receipt time.",
    response=Case,
    shape="page",
    query=(
        Param("state", _STATE_SCHEMA, "only cases in this state"),
        Param("open_only", {"type": "boolean", "default": False}, "only open cases"),
        *PAGE_PARAMS,
    ),
)
def list_cases() -> Response:
    state = query_enum("state", CaseState)
    open_only = query_bool("open_only")
    me = actor().id
    return page(
        lambda limit, offset: services().cases.list(
            me, state=state, open_only=open_only, limit=limit, offset=offset
        )
    )


@operation(
    bp,
    "/cases/by-clock-status",
    "GET",
    action="cases.read",
    summary="Open cases grouped by their worst clock (CASE-7)",
    response=ClockStatusGroups,
)
def by_clock_status() -> Response:
    return respond(ClockStatusGroups.of(services().cases.open_by_clock_status(actor().id)))


@operation(
    bp,
    "/cases/sweep",
    "POST",
    action="scheduler.sweep",
    summary="Record breached clocks once and escalate (CASE-7; for schedulers)",
    description="Records every clock that breached since the last sweep exactly once, with "
    "the owner at the due time, and escalates one step per breach. Running it again records "
    "nothing twice. Runs as the scheduler's system account (its token; "
    "`scheduler.sweep` in the permission table); at most 200 due cases per call. Send no body.",
    response=SweepResult,
)
def sweep() -> Response:
    return respond(services().cases.sweep(actor().id))


_TYPES_PARAM = Param(
    "types",
    {"type": "string", "maxLength": 1000},
    "comma-separated case types to count (default: the policy's statistics_types, complaints)",
)


def _types() -> list[str] | None:
    """RPT: the ``types`` filter, comma-separated; absent = the policy's default."""
    raw = query_str("types")
    return None if raw is None else [t.strip() for t in raw.split(",") if t.strip()]


@operation(
    bp,
    "/reports/complaints",
    "GET",
    action="cases.statistics",
    summary="Monthly complaint statistics (RPT; supervisors and above)",
    response=MonthlyStatistics,
    query=(Param("month", MONTH_PARAM, "YYYY-MM", True), _TYPES_PARAM),
)
def complaint_statistics() -> Response:
    month = check_month(required_query_str("month"))
    return respond(services().cases.monthly_statistics(actor().id, month, _types()))


@operation(
    bp,
    "/reports/complaints/weekly",
    "GET",
    action="cases.statistics",
    summary="Weekly complaint report (RPT, 000 篇四 2.8; supervisors and above)",
    description="One ISO week, Monday to Sunday: received, resolved, ratio, major, by "
    "category, department and handling method, loss.",
    response=WeeklyStatistics,
    query=(
        Param(
            "week",
            {"type": "string", "pattern": r"^20\d\d-W(0[1-9]|[1-4]\d|5[0-3])$"},
            "YYYY-Www",
            True,
        ),
        _TYPES_PARAM,
    ),
)
def weekly_complaint_report() -> Response:
    week = required_query_str("week")
    return respond(services().cases.weekly_statistics(actor().id, week, _types()))


@operation(
    bp,
    "/cases/work-list",
    "GET",
    action="cases.read",
    summary="Open cases by priority (CUS-4: the customer's grade, A first)",
    response=Case,
    shape="page",
    query=PAGE_PARAMS,
)
def work_list() -> Response:
    me = actor().id
    return page(lambda limit, offset: services().cases.work_list(me, limit=limit, offset=offset))


@operation(
    bp,
    "/cases/return-visits/overdue",
    "GET",
    action="cases.read",
    summary="Closed cases whose return visit is overdue (CASE-9)",
    response=Case,
    shape="page",
    query=PAGE_PARAMS,
)
def overdue_return_visits() -> Response:
    me = actor().id
    return page(
        lambda limit, offset: services().cases.overdue_return_visits(me, limit=limit, offset=offset)
    )


@operation(bp, "/cases/<case_id>", "GET", action="cases.read", summary="A case", response=Case)
def get_case(case_id: str) -> Response:
    return respond(services().cases.get(actor().id, case_id))


@operation(
    bp,
    "/cases/<case_id>/timeline",
    "GET",
    action="cases.read",
    summary="Every event of a case with actor and time (X-7)",
    response=CaseEvent,
    shape="page",
    query=PAGE_PARAMS,
)
def timeline(case_id: str) -> Response:
    return page_of(services().cases.timeline(actor().id, case_id))


@operation(
    bp,
    "/cases/<case_id>/clocks",
    "GET",
    action="cases.read",
    summary="The case's deadline clocks: start, due time, status (CASE-7, X-1)",
    description="Derived from the case's history and the policy every time; paused time is "
    "given in seconds.",
    response=ClockView,
    shape="list",
)
def clocks(case_id: str) -> Response:
    states = services().cases.clocks(actor().id, case_id)
    return respond([ClockView.of(s) for s in states])


@operation(
    bp,
    "/cases/<case_id>/breaches",
    "GET",
    action="cases.read",
    summary="The case's recorded clock breaches with the owner at breach time (CASE-7)",
    response=CaseBreach,
    shape="list",
)
def breaches(case_id: str) -> Response:
    return respond(services().cases.breaches(actor().id, case_id))


# ------------------------------------------------------------------------- actions
@operation(
    bp,
    "/cases/<case_id>/acknowledge",
    "POST",
    action="cases.acknowledge",
    summary="Acknowledge receipt to the customer (24-hour clock, CASE-7)",
    body=Note,
    body_required=False,
    response=Case,
    problems=_ACTION_PROBLEMS,
)
def acknowledge(case_id: str) -> Response:
    cmd = optional_body(Note)
    return respond(services().cases.acknowledge(actor().id, case_id, cmd.message))


@operation(
    bp,
    "/cases/<case_id>/accept",
    "POST",
    action="cases.accept",
    summary="Accept the case (CASE-3; the policy's acceptance role)",
    response=Case,
    problems=_ACTION_PROBLEMS,
)
def accept(case_id: str) -> Response:
    return respond(services().cases.accept(actor().id, case_id))


@operation(
    bp,
    "/cases/<case_id>/not-accept",
    "POST",
    action="cases.accept",
    summary="Do not accept the case, with a ground and an explanation (CASE-3)",
    body=NotAccept,
    response=Case,
    problems=_ACTION_PROBLEMS,
)
def not_accept(case_id: str) -> Response:
    cmd = body(NotAccept)
    return respond(services().cases.not_accept(actor().id, case_id, cmd.ground, cmd.explanation))


@operation(
    bp,
    "/cases/<case_id>/assign",
    "POST",
    action="cases.assign",
    summary="Assign the handling department and handler (CASE-6, X-4)",
    description="The subject of the complaint may not handle it: 403 with rule X-4.",
    body=Assign,
    response=Case,
    problems=_ACTION_PROBLEMS,
)
def assign(case_id: str) -> Response:
    cmd = body(Assign)
    return respond(
        services().cases.assign(actor().id, case_id, cmd.department_id, cmd.handler_id, cmd.reason)
    )


@operation(
    bp,
    "/cases/<case_id>/investigation",
    "POST",
    action="cases.handle",
    summary="Start the investigation (handler or supervisor)",
    response=Case,
    problems=_ACTION_PROBLEMS,
)
def start_investigation(case_id: str) -> Response:
    return respond(services().cases.start_investigation(actor().id, case_id))


@operation(
    bp,
    "/cases/<case_id>/investigation-report",
    "POST",
    action="cases.handle",
    summary="Report the investigation (CASE-7)",
    body=InvestigationReport,
    response=Case,
    problems=_ACTION_PROBLEMS,
)
def report_investigation(case_id: str) -> Response:
    cmd = body(InvestigationReport)
    return respond(services().cases.report_investigation(actor().id, case_id, cmd.report))


@operation(
    bp,
    "/cases/<case_id>/wait",
    "POST",
    action="cases.handle",
    summary="Wait for the customer (pauses the clocks whose policy says so, CASE-7)",
    body=Reason,
    response=Case,
    problems=_ACTION_PROBLEMS,
)
def wait_for_customer(case_id: str) -> Response:
    cmd = body(Reason)
    return respond(services().cases.wait_for_customer(actor().id, case_id, cmd.reason))


@operation(
    bp,
    "/cases/<case_id>/resume",
    "POST",
    action="cases.handle",
    summary="Resume after waiting for the customer",
    response=Case,
    problems=_ACTION_PROBLEMS,
)
def resume(case_id: str) -> Response:
    return respond(services().cases.resume(actor().id, case_id))


@operation(
    bp,
    "/cases/<case_id>/solution",
    "POST",
    action="cases.propose",
    summary="Propose a solution (the handler; CASE-8)",
    description="The amount decides who must approve it; nothing is promised before approval.",
    body=ProposeSolution,
    response=Case,
    problems=_ACTION_PROBLEMS,
)
def propose_solution(case_id: str) -> Response:
    return respond(services().cases.propose_solution(actor().id, case_id, body(ProposeSolution)))


@operation(
    bp,
    "/cases/<case_id>/approval",
    "POST",
    action="cases.approve",
    summary="Approve the proposed solution (CASE-8, X-3, X-4)",
    description="By the level the remedy amount needs (GM for any money by default); a lower "
    "role is a 403 (rule CASE-8), the complaint's subject a 403 (rule X-4).",
    body=OptionalReason,
    body_required=False,
    response=Case,
    problems=_ACTION_PROBLEMS,
)
def approve(case_id: str) -> Response:
    cmd = optional_body(OptionalReason)
    return respond(services().cases.approve(actor().id, case_id, cmd.reason))


@operation(
    bp,
    "/cases/<case_id>/proposal-rejection",
    "POST",
    action="cases.approve",
    summary="Reject the proposed solution (back to propose again; CASE-8)",
    body=Reason,
    response=Case,
    problems=_ACTION_PROBLEMS,
)
def reject_proposal(case_id: str) -> Response:
    cmd = body(Reason)
    return respond(services().cases.reject_proposal(actor().id, case_id, cmd.reason))


@operation(
    bp,
    "/cases/<case_id>/reply",
    "POST",
    action="cases.reply",
    summary="Tell the customer the approved outcome (CASE-9)",
    body=Reply,
    response=Case,
    problems=_ACTION_PROBLEMS,
)
def reply(case_id: str) -> Response:
    cmd = body(Reply)
    return respond(services().cases.reply(actor().id, case_id, cmd.method, cmd.message))


@operation(
    bp,
    "/cases/<case_id>/follow-up",
    "POST",
    action="cases.follow_up",
    summary="Record the customer's reaction and satisfaction (CASE-9, SAT-1)",
    description="A rejection sends the case back to propose again and counts a round; after "
    "the policy's number of rounds the case becomes major.",
    body=FollowUp,
    response=Case,
    problems=_ACTION_PROBLEMS,
)
def follow_up(case_id: str) -> Response:
    cmd = body(FollowUp)
    return respond(
        services().cases.follow_up(
            actor().id,
            case_id,
            accepted=cmd.accepted,
            satisfaction=cmd.satisfaction,
            comment=cmd.comment,
        )
    )


@operation(
    bp,
    "/cases/<case_id>/major",
    "POST",
    action="cases.mark_major",
    summary="Judge the case major (CASE-4; the policy's role)",
    body=MarkMajor,
    response=Case,
    problems=_ACTION_PROBLEMS,
)
def mark_major(case_id: str) -> Response:
    cmd = body(MarkMajor)
    return respond(services().cases.mark_major(actor().id, case_id, list(cmd.reasons)))


@operation(
    bp,
    "/cases/<case_id>/early-warning",
    "POST",
    action="cases.early_warning",
    summary="Send the early warning of a major case (CASE-5; stops the 24-hour clock)",
    body=EarlyWarning,
    response=Case,
    problems=_ACTION_PROBLEMS,
)
def early_warning(case_id: str) -> Response:
    cmd = body(EarlyWarning)
    return respond(services().cases.send_early_warning(actor().id, case_id, cmd.to, cmd.summary))


@operation(
    bp,
    "/cases/<case_id>/crisis-meeting",
    "POST",
    action="cases.early_warning",
    summary="Record the emergency meeting of a major case (CASE-5)",
    body=CrisisMeeting,
    response=Case,
    problems=_ACTION_PROBLEMS,
)
def crisis_meeting(case_id: str) -> Response:
    cmd = body(CrisisMeeting)
    return respond(
        services().cases.record_crisis_meeting(
            actor().id, case_id, list(cmd.attendees), cmd.minutes
        )
    )


@operation(
    bp,
    "/cases/<case_id>/clock-extensions",
    "POST",
    action="cases.extend_clock",
    summary="Extend a clock (CASE-7; the clock's extension role, at most the policy's number)",
    body=ClockExtension,
    response=Case,
    problems=_ACTION_PROBLEMS,
)
def extend_clock(case_id: str) -> Response:
    cmd = body(ClockExtension)
    return respond(
        services().cases.extend_clock(actor().id, case_id, cmd.clock, cmd.by, cmd.reason)
    )


@operation(
    bp,
    "/cases/<case_id>/closure",
    "POST",
    action="cases.close",
    summary="Close the case with cause, responsibility and loss (CASE-9/10/11)",
    description="Needs the customer's acceptance or the policy's number of documented failed "
    "contact attempts, shares adding up to 100 % and every corrective action verified.",
    body=CloseCase,
    response=Case,
    problems=_ACTION_PROBLEMS,
)
def close_case(case_id: str) -> Response:
    return respond(services().cases.close(actor().id, case_id, body(CloseCase)))


# ----------------------------------------------------------------------------- CAPA
@operation(
    bp,
    "/cases/<case_id>/capa",
    "GET",
    action="cases.read",
    summary="The case's corrective and preventive actions (CASE-11)",
    response=CapaItem,
    shape="page",
    query=PAGE_PARAMS,
)
def list_capa(case_id: str) -> Response:
    return page_of(services().cases.capa_items(actor().id, case_id))


@operation(
    bp,
    "/cases/<case_id>/capa",
    "POST",
    action="cases.capa.add",
    summary="Add a corrective or preventive action (CASE-11)",
    body=AddCapa,
    response=CapaItem,
    status=201,
    problems=_ACTION_PROBLEMS,
)
def add_capa(case_id: str) -> Response:
    cmd = body(AddCapa)
    item = services().cases.add_capa(
        actor().id, case_id, cmd.description, cmd.owner_id, cmd.due_working_days
    )
    return respond(item, 201)


@operation(
    bp,
    "/capa/<item_id>/completion",
    "POST",
    action="cases.capa.complete",
    summary="Complete a corrective action (its owner; CASE-11)",
    body=CompleteCapa,
    body_required=False,
    response=CapaItem,
    problems=_ACTION_PROBLEMS,
)
def complete_capa(item_id: str) -> Response:
    cmd = optional_body(CompleteCapa)
    return respond(services().cases.complete_capa(actor().id, item_id, cmd.note))


@operation(
    bp,
    "/capa/<item_id>/verification",
    "POST",
    action="cases.capa.verify",
    summary="Verify a corrective action's effectiveness (another department; CASE-11)",
    body=VerifyCapa,
    response=CapaItem,
    problems=_ACTION_PROBLEMS,
)
def verify_capa(item_id: str) -> Response:
    cmd = body(VerifyCapa)
    return respond(
        services().cases.verify_capa(actor().id, item_id, effective=cmd.effective, note=cmd.note)
    )


# ----------------------------------------------------------------------- settlements
@operation(
    bp,
    "/cases/<case_id>/settlements",
    "GET",
    action="settlements.read",
    summary="The case's settlement documents (CASE-13)",
    response=Settlement,
    shape="page",
    query=PAGE_PARAMS,
)
def list_settlements(case_id: str) -> Response:
    return page_of(services().settlement.settlements(actor().id, case_id))


@operation(
    bp,
    "/cases/<case_id>/settlements",
    "POST",
    action="settlements.record",
    summary="Record a settlement document (CASE-13)",
    description="Allowance/compensation or return/rework; the actually returned quantity is "
    "what is booked.",
    body=RecordSettlement,
    response=Settlement,
    status=201,
)
def record_settlement(case_id: str) -> Response:
    cmd = body(RecordSettlement)
    settlement = services().settlement.record_settlement(
        actor().id,
        case_id,
        kind=cmd.kind,
        amount=cmd.amount,
        quantity_claimed=cmd.quantity_claimed,
        quantity_returned=cmd.quantity_returned,
        note=cmd.note,
    )
    return respond(settlement, 201)


# ------------------------------------------ complaint form, return visit, follow-up case
@operation(
    bp,
    "/cases/<case_id>/hand-offs",
    "POST",
    action="cases.hand_off",
    summary="Hand the complaint form to its next step (CASE-7, 001 2-B)",
    description="Steps go in the policy's order, once each; each step's own deadline runs "
    "from its hand-off to the next.",
    body=HandOff,
    response=Case,
    problems=_ACTION_PROBLEMS,
)
def hand_off(case_id: str) -> Response:
    cmd = body(HandOff)
    return respond(services().cases.hand_off(actor().id, case_id, cmd.step, cmd.note))


@operation(
    bp,
    "/cases/<case_id>/return-visit",
    "POST",
    action="cases.return_visit",
    summary="Record the return visit after handling, with satisfaction (CASE-9)",
    body=ReturnVisit,
    response=Case,
    problems=_ACTION_PROBLEMS,
)
def return_visit(case_id: str) -> Response:
    cmd = body(ReturnVisit)
    return respond(
        services().cases.record_return_visit(
            actor().id, case_id, satisfaction=cmd.satisfaction, comment=cmd.comment
        )
    )


@operation(
    bp,
    "/cases/<case_id>/follow-up-cases",
    "POST",
    action="cases.open_follow_up",
    summary="Open a follow-up case linked to this one (CASE-15)",
    description="A follow-up call with a new need: the new case links the original and keeps "
    "its customer unless the body names one.",
    body=ReceiveCase,
    response=Case,
    status=201,
)
def open_follow_up(case_id: str) -> Response:
    case = services().cases.open_follow_up(actor().id, case_id, body(ReceiveCase))
    return respond(case, 201, location=url_for(".get_case", case_id=case.id))
