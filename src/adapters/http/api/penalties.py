"""Penalty endpoints: violations by hand and from events (PEN-1/2/3/8), complaint-loss charges
(PEN-5), bonuses (PEN-6), performance-pay cuts (PEN-4), rewards (PEN-11), appeals, statements,
the monthly settlement and the payroll export (PEN-10).

Who may do what is the policy's permission table (``penalties.*``), checked by the use cases:
entries and statements are filtered by the reader's scope; recurrences and violations from
events (``scheduler.*``) take the system account's token.
"""

from __future__ import annotations

from flask import Blueprint, Response

from adapters.export import statements_csv, statements_xlsx
from adapters.http.bodies import (
    AccrueRecurrences,
    Correction,
    DecideAppeal,
    DecideRecommendation,
    ImposeSanction,
    LossCharges,
    PerformanceCut,
    Reason,
    RecordViolation,
    Reward,
    SetBonus,
)
from adapters.http.openapi import MONTH_PARAM, PAGE_PARAMS, Param, id_schema, operation
from adapters.http.rest import (
    actor,
    body,
    check_month,
    optional_body,
    page_of,
    query_id,
    query_month,
    respond,
    services,
)
from csdomain.kernel.ids import StaffId
from csdomain.penalties.model import (
    Appeal,
    BonusRecord,
    PenaltyEntry,
    SanctionRecommendation,
    Statement,
    Violation,
)
from csdomain.penalties.services import SettlementRow, StatementView

bp = Blueprint("penalties", __name__)

_MONTH = MONTH_PARAM


def _check_month(month: str) -> str:
    """PEN-10 months are ``YYYY-MM`` within the policy's ``[bounds]`` (the use cases check
    the shape too; the range is the edge's)."""
    return check_month(month)


# ------------------------------------------------------------------------ violations
@operation(
    bp,
    "/violations",
    "POST",
    action="penalties.record",
    summary="Record a violation by hand, with evidence (PEN-1/2/8)",
    description="Returns the fine and, where the catalogue says so, the supervisor's joint "
    "share (PEN-8); a repeat in the month multiplies the fine (PEN-2). Each entry explains "
    "its amount.",
    body=RecordViolation,
    response=PenaltyEntry,
    shape="list",
    status=201,
)
def record_violation() -> Response:
    cmd = body(RecordViolation)
    entries = services().penalties.record_violation(
        actor().id,
        cmd.staff_id,
        cmd.code,
        cmd.occurred_on,
        units=cmd.units,
        evidence=cmd.evidence,
        amount=cmd.amount,
        issue=cmd.issue,
        no_culprit=cmd.no_culprit,
        access_log_id=cmd.access_log_id,
    )
    return respond(entries, 201)


# ------------------------------------------------- PEN-7 sanctions, recommendations
@operation(
    bp,
    "/sanctions",
    "POST",
    action="penalties.sanction",
    summary="Impose an administrative sanction and the fine it carries (PEN-7)",
    description="A warning carries at least 400 元, a minor demerit at least 800 元 per base "
    "point, a major demerit or worse the whole month's bonus (policy `penalties.sanctions`).",
    body=ImposeSanction,
    response=PenaltyEntry,
    status=201,
)
def impose_sanction() -> Response:
    cmd = body(ImposeSanction)
    entry = services().penalties.impose_sanction(
        actor().id, cmd.staff_id, cmd.sanction, cmd.month, cmd.reason, cmd.amount
    )
    return respond(entry, 201)


@operation(
    bp,
    "/sanction-recommendations",
    "GET",
    action="penalties.read",
    summary="Sanction recommendations (PEN-2 third CS breach, PEN-9 serious leaks)",
    response=SanctionRecommendation,
    shape="page",
    query=(Param("staff_id", id_schema(), "one person's recommendations"), *PAGE_PARAMS),
)
def list_recommendations() -> Response:
    staff_id = query_id("staff_id")
    return page_of(
        services().penalties.recommendations(actor().id, StaffId(staff_id) if staff_id else None)
    )


@operation(
    bp,
    "/sanction-recommendations/<recommendation_id>/decision",
    "POST",
    action="penalties.decide_recommendation",
    summary="Accept or reject a recommended sanction (PEN-2, PEN-9)",
    body=DecideRecommendation,
    response=SanctionRecommendation,
    problems=(409,),
)
def decide_recommendation(recommendation_id: str) -> Response:
    cmd = body(DecideRecommendation)
    return respond(
        services().penalties.decide_recommendation(
            actor().id, recommendation_id, cmd.accept, cmd.reason
        )
    )


@operation(
    bp,
    "/penalties/settlement-report",
    "GET",
    action="penalties.settle",
    summary="Each month's statement deadline, its settlement and the late ones (PEN-10)",
    response=SettlementRow,
    shape="list",
)
def settlement_report() -> Response:
    return respond(services().penalties.settlement_report(actor().id))


@operation(
    bp,
    "/violations/<violation_id>/correction",
    "POST",
    action="penalties.correct",
    summary="Record the day a violation was corrected (PEN-3; recurrences stop)",
    body=Correction,
    response=Violation,
    problems=(409,),
)
def correct_violation(violation_id: str) -> Response:
    cmd = body(Correction)
    return respond(
        services().penalties.correct_violation(actor().id, violation_id, cmd.corrected_on)
    )


@operation(
    bp,
    "/penalties/recurrences",
    "POST",
    action="scheduler.recurrences",
    summary="Accrue recurrences of uncorrected violations (PEN-3; the system account)",
    description="Idempotent: one entry per violation and working day; `as_of` is at most "
    "today; one run creates at most `penalties.scheduler_batch` entries. Returns the entries "
    "created now.",
    body=AccrueRecurrences,
    body_required=False,
    response=PenaltyEntry,
    shape="list",
)
def accrue_recurrences() -> Response:
    cmd = optional_body(AccrueRecurrences)
    return respond(services().penalties.accrue_recurrences(actor().id, cmd.as_of))


@operation(
    bp,
    "/penalties/from-events",
    "POST",
    action="scheduler.violations_from_events",
    summary="Record violations from events: late/incomplete files, clock breaches "
    "(PEN-1; the system account)",
    description="Idempotent per source event; one run records at most "
    "`penalties.scheduler_batch` violations. Returns the entries created now. Send no body.",
    response=PenaltyEntry,
    shape="list",
)
def from_events() -> Response:
    return respond(services().penalties.record_from_events(actor().id))


@operation(
    bp,
    "/cases/<case_id>/loss-charges",
    "POST",
    action="penalties.charge_loss",
    summary="Charge a closed case's loss over the responsible people's base points (PEN-5)",
    body=LossCharges,
    response=PenaltyEntry,
    shape="list",
    status=201,
    problems=(409,),
)
def charge_case_loss(case_id: str) -> Response:
    cmd = body(LossCharges)
    shares = [(s.staff_id, s.points) for s in cmd.shares] or None  # none: from CASE-10
    return respond(services().penalties.charge_case_loss(actor().id, case_id, shares), 201)


# ------------------------------------------------------- bonuses, cuts and rewards
@operation(
    bp,
    "/bonuses/<staff_id>/<month>",
    "PUT",
    action="penalties.set_bonus",
    summary="Set a person's monthly efficiency bonus, base of the PEN-6 cap",
    body=SetBonus,
    response=BonusRecord,
    problems=(409,),
)
def set_bonus(staff_id: str, month: str) -> Response:
    _check_month(month)
    cmd = body(SetBonus)
    return respond(services().penalties.set_bonus(actor().id, StaffId(staff_id), month, cmd.bonus))


@operation(
    bp,
    "/performance-cuts",
    "POST",
    action="penalties.performance_cut",
    summary="Cut the month's performance pay within the policy's band (PEN-4)",
    body=PerformanceCut,
    response=PenaltyEntry,
    status=201,
)
def performance_cut() -> Response:
    cmd = body(PerformanceCut)
    entry = services().penalties.performance_cut(
        actor().id, cmd.staff_id, cmd.month, cmd.percent, cmd.performance_pay, cmd.reason
    )
    return respond(entry, 201)


@operation(
    bp,
    "/rewards",
    "POST",
    action="penalties.reward",
    summary="Grant a reward proposed by a supervisor (PEN-11; a negative entry)",
    body=Reward,
    response=PenaltyEntry,
    status=201,
)
def grant_reward() -> Response:
    cmd = body(Reward)
    entry = services().penalties.grant_reward(
        actor().id, cmd.staff_id, cmd.proposed_by, cmd.amount, cmd.reason, cmd.month
    )
    return respond(entry, 201)


# ------------------------------------------------------------------ entries, appeals
@operation(
    bp,
    "/penalty-entries",
    "GET",
    action="penalties.read",
    summary="Ledger entries within the reader's scope (PEN-10; default: staff their own, "
    "supervisors their department's, managers all)",
    response=PenaltyEntry,
    shape="page",
    query=(
        Param("staff_id", id_schema(), "one person's entries"),
        Param("month", _MONTH, "YYYY-MM"),
        *PAGE_PARAMS,
    ),
)
def list_entries() -> Response:
    staff_id = query_id("staff_id")
    month = query_month()
    return page_of(
        services().penalties.entries(actor().id, StaffId(staff_id) if staff_id else None, month)
    )


@operation(
    bp,
    "/penalty-entries/<entry_id>/appeals",
    "POST",
    action="penalties.appeal",
    summary="Appeal one's own penalty (PEN-10)",
    body=Reason,
    response=Appeal,
    status=201,
    problems=(409,),
)
def appeal(entry_id: str) -> Response:
    cmd = body(Reason)
    return respond(services().penalties.appeal(actor().id, entry_id, cmd.reason), 201)


@operation(
    bp,
    "/appeals/<appeal_id>/decision",
    "POST",
    action="penalties.decide_appeal",
    summary="Decide an appeal: upheld, reduced or waived (PEN-10, X-3, X-7)",
    description="A reduction or waiver is a reversing entry (and for a reduction a new entry), "
    "never an edit.",
    body=DecideAppeal,
    response=Appeal,
    problems=(409,),
)
def decide_appeal(appeal_id: str) -> Response:
    cmd = body(DecideAppeal)
    return respond(
        services().penalties.decide_appeal(
            actor().id, appeal_id, cmd.decision, cmd.reason, cmd.new_amount
        )
    )


# -------------------------------------------------------------- statements, settlement
@operation(
    bp,
    "/statements/<staff_id>/<month>",
    "GET",
    action="penalties.read",
    summary="A person's statement for a month, settled or provisional (PEN-10)",
    description="Within the reader's scope of `penalties.read` (default: staff their own, "
    "supervisors their department's, managers everyone's).",
    response=StatementView,
)
def statement(staff_id: str, month: str) -> Response:
    _check_month(month)
    return respond(services().penalties.statement(actor().id, StaffId(staff_id), month))


@operation(
    bp,
    "/penalty-months/<month>/settlement",
    "POST",
    action="penalties.settle",
    summary="Settle a month and issue everyone's statement (PEN-10; `penalties.settle`)",
    description="Only after the month has ended. Settling again returns the same statements; "
    "a settled month never changes. Send no body.",
    response=Statement,
    shape="list",
    problems=(409,),
)
def settle_month(month: str) -> Response:
    _check_month(month)
    return respond(services().penalties.settle_month(actor().id, month))


def _settled_statements(month: str) -> tuple[list[Statement], dict[str, str]]:
    """The settled month's statements (``penalties.export``) and staff names."""
    statements = services().penalties.settled_statements(actor().id, month)
    names = {str(s.id): s.name for s in services().org.list_staff(actor().id)}
    return statements, names


def _download(data: str | bytes, mimetype: str, filename: str) -> Response:
    resp = Response(data, mimetype=mimetype)
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp


@operation(
    bp,
    "/penalty-months/<month>/statements.csv",
    "GET",
    action="penalties.export",
    summary="A settled month's statements for payroll, as CSV (PEN-10; `penalties.export`)",
    media_type="text/csv",
    problems=(409,),
)
def statements_as_csv(month: str) -> Response:
    statements, names = _settled_statements(month)
    return _download(statements_csv(statements, names), "text/csv", f"statements-{month}.csv")


_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@operation(
    bp,
    "/penalty-months/<month>/statements.xlsx",
    "GET",
    action="penalties.export",
    summary="A settled month's statements for payroll, as XLSX (PEN-10; `penalties.export`)",
    description="Sheet `statements` (one row per person) and sheet `lines` (every explained "
    "entry).",
    media_type=_XLSX,
    problems=(409,),
)
def statements_as_xlsx(month: str) -> Response:
    statements, names = _settled_statements(month)
    return _download(statements_xlsx(statements, names), _XLSX, f"statements-{month}.xlsx")
