"""Customer records endpoints (issue 12): daily registers and their overdue report and
appraisal points (CUS-1, CUS-7), file lending (CUS-7), the hand-over rates report (RPT),
sales figures and the key-account lists (CUS-5), and the customers' scheduler sweeps.

Who may do what is the policy's permission table (``customers.registers.*``,
``customers.files.loans.*``, ``customers.files.handover_rates``, ``customers.sales.record``,
``customers.key_accounts.read``, ``scheduler.files_overdue``, ``scheduler.registers_overdue``).
"""

from __future__ import annotations

from datetime import date as date_t

import attrs
from flask import Blueprint, Response

from adapters.http.bodies import OptionalReason
from adapters.http.openapi import DATE_PARAM, MONTH_PARAM, PAGE_PARAMS, Param, id_schema, operation
from adapters.http.rest import (
    actor,
    body,
    optional_body,
    page_of,
    query_bool,
    query_date,
    query_id,
    query_month,
    query_str,
    respond,
    services,
)
from csdomain.customers.commands import RecordSales, RequestLoan, SubmitRegister
from csdomain.customers.model import (
    AppraisalDeduction,
    DailyRegister,
    FileLoan,
    FileStatus,
    HandoverRate,
    KeyAccountChurn,
    RankedCustomer,
    RegisterLapse,
    SalesFigure,
)
from csdomain.kernel.bounds import MAX_TEXT, bounded, text
from csdomain.kernel.errors import ValidationError
from csdomain.kernel.ids import CustomerId, FileId, StaffId

bp = Blueprint("customer_records", __name__)

_RANGE = (
    Param("start", DATE_PARAM, "the first day", required=True),
    Param("end", DATE_PARAM, "the last day (at most 92 days after start)", required=True),
)
_PERIOD = Param(
    "period",
    {"type": "string", "pattern": r"^20\d\d(-(0[1-9]|1[0-2]))?$"},
    "a month (YYYY-MM) or a year (YYYY)",
    required=True,
)


@attrs.frozen
@bounded
class LoanDecision:
    """CUS-7: lend the file, or refuse with a reason."""

    approve: bool
    reason: str = attrs.field(default="", metadata=text(max_length=MAX_TEXT, rule="CUS-7"))


def _range() -> tuple[date_t, date_t]:
    start, end = query_date("start"), query_date("end")
    if start is None:
        raise ValidationError("required", field="start")
    if end is None:
        raise ValidationError("required", field="end")
    return start, end


def _month() -> str:
    month = query_month()
    if month is None:
        raise ValidationError("required", field="month")
    return month


def _period() -> str:
    period = query_str("period")
    if period is None:
        raise ValidationError("required", field="period")
    return period


# ------------------------------------------------------------------ daily registers
@operation(
    bp,
    "/registers",
    "POST",
    action="customers.registers.submit",
    summary="Hand in one's daily customer register (CUS-1)",
    description="Due by `customers.registration.daily_register_due` on the day; with an "
    "`exception_reason` until `daily_register_exception_until` on the next working day. Later "
    "it is late: a `customers.register_late` event (violation `daily_register_late`) and "
    "appraisal points (CUS-7). One per person and day (409 for a second).",
    body=SubmitRegister,
    response=DailyRegister,
    status=201,
    problems=(409,),
)
def submit_register() -> Response:
    return respond(services().registers.submit(actor().id, body(SubmitRegister)), 201)


@operation(
    bp,
    "/registers",
    "GET",
    action="customers.registers.overdue",
    summary="Daily registers handed in (or found missing) in a range, in the caller's scope",
    response=DailyRegister,
    shape="page",
    query=(*_RANGE, Param("staff_id", id_schema(), "only this person's"), *PAGE_PARAMS),
)
def list_registers() -> Response:
    start, end = _range()
    staff = query_id("staff_id")
    rows = services().registers.registers(actor().id, start, end, StaffId(staff) if staff else None)
    return page_of(rows)


@operation(
    bp,
    "/registers/overdue",
    "GET",
    action="customers.registers.overdue",
    summary="The overdue-register report: late or missing daily registers (CUS-1)",
    response=RegisterLapse,
    shape="page",
    query=(*_RANGE, *PAGE_PARAMS),
)
def overdue_registers() -> Response:
    start, end = _range()
    return page_of(services().registers.overdue(actor().id, start, end))


@operation(
    bp,
    "/registers/appraisal",
    "GET",
    action="customers.registers.appraisal",
    summary="Appraisal points lost for late registers in a month, per person (CUS-7)",
    response=AppraisalDeduction,
    shape="page",
    query=(Param("month", MONTH_PARAM, "the month", required=True), *PAGE_PARAMS),
)
def register_appraisal() -> Response:
    return page_of(services().registers.appraisal(actor().id, _month()))


@operation(
    bp,
    "/scheduler/registers-overdue",
    "POST",
    action="scheduler.registers_overdue",
    summary="Record daily registers missing after their exception deadline, once (CUS-1)",
    description="For schedulers (the system account). Send no body.",
    response=DailyRegister,
    shape="list",
)
def sweep_registers() -> Response:
    return respond(services().registers.sweep(actor().id))


# ------------------------------------------------------------------ files
@operation(
    bp,
    "/scheduler/files-overdue",
    "POST",
    action="scheduler.files_overdue",
    summary="Record the late hand-over of files never handed over, once (CUS-3)",
    description="For schedulers (the system account). Send no body. Each file past its "
    "deadline without a hand-over becomes one `file.handover_late` event (`file_late`).",
    response=FileStatus,
    shape="list",
)
def sweep_files() -> Response:
    return respond(services().customers.sweep_unhanded_files(actor().id))


@operation(
    bp,
    "/files/handover-rates",
    "GET",
    action="customers.files.handover_rates",
    summary="File hand-over timeliness and completeness per department for a month (RPT)",
    response=HandoverRate,
    shape="page",
    query=(Param("month", MONTH_PARAM, "files due in this month", required=True), *PAGE_PARAMS),
)
def handover_rates() -> Response:
    return page_of(services().customers.handover_rates(actor().id, _month()))


@operation(
    bp,
    "/files/<file_id>/loans",
    "POST",
    action="customers.files.loans.request",
    summary="Ask to borrow a customer file (CUS-7, step 1)",
    body=RequestLoan,
    response=FileLoan,
    status=201,
    problems=(409,),
)
def request_loan(file_id: str) -> Response:
    return respond(
        services().file_loans.request(actor().id, FileId(file_id), body(RequestLoan)), 201
    )


@operation(
    bp,
    "/file-loans",
    "GET",
    action="customers.files.loans.read",
    summary="File loans in the caller's scope; `overdue=true`: lent files past due back",
    response=FileLoan,
    shape="page",
    query=(
        Param("file_id", id_schema(), "only loans of this file"),
        Param("open", {"type": "boolean"}, "only requested or lent"),
        Param("overdue", {"type": "boolean"}, "only lent files past their due-back day"),
        *PAGE_PARAMS,
    ),
)
def list_loans() -> Response:
    file_id = query_id("file_id")
    rows = services().file_loans.loans(
        actor().id,
        file_id=FileId(file_id) if file_id else None,
        open_only=query_bool("open"),
        overdue_only=query_bool("overdue"),
    )
    return page_of(rows)


@operation(
    bp,
    "/file-loans/<loan_id>/decision",
    "POST",
    action="customers.files.loans.approve",
    summary="Lend the file or refuse with a reason (CUS-7, step 2; not the borrower)",
    body=LoanDecision,
    response=FileLoan,
    problems=(409,),
)
def decide_loan(loan_id: str) -> Response:
    cmd = body(LoanDecision)
    return respond(
        services().file_loans.decide(actor().id, loan_id, approve=cmd.approve, reason=cmd.reason)
    )


@operation(
    bp,
    "/file-loans/<loan_id>/return",
    "POST",
    action="customers.files.loans.return",
    summary="Check a lent file back into the archive (CUS-7, step 3; not the borrower)",
    body=OptionalReason,
    body_required=False,
    response=FileLoan,
    problems=(409,),
)
def return_loan(loan_id: str) -> Response:
    cmd = optional_body(OptionalReason)
    return respond(services().file_loans.give_back(actor().id, loan_id, cmd.reason))


# ------------------------------------------------------------------ key accounts
@operation(
    bp,
    "/customers/<customer_id>/sales",
    "POST",
    action="customers.sales.record",
    summary="Record (or correct) a customer's sales and cost of a month (CUS-5)",
    description="One figure per customer and month; a correction names `expected_version` "
    "and a `reason`. The margin is sales − cost.",
    body=RecordSales,
    response=SalesFigure,
    status=201,
    problems=(409,),
)
def record_sales(customer_id: str) -> Response:
    figure = services().key_accounts.record_sales(
        actor().id, CustomerId(customer_id), body(RecordSales)
    )
    return respond(figure, 201)


@operation(
    bp,
    "/key-accounts/top",
    "GET",
    action="customers.key_accounts.read",
    summary="The period's top customers by sales, growth or margin (CUS-5)",
    response=RankedCustomer,
    shape="page",
    query=(
        _PERIOD,
        Param("by", {"type": "string", "enum": ["sales", "growth", "margin"]}, "default sales"),
        *PAGE_PARAMS,
    ),
)
def top_customers() -> Response:
    by = query_str("by") or "sales"
    return page_of(services().key_accounts.top(actor().id, _period(), by=by))


@operation(
    bp,
    "/key-accounts",
    "GET",
    action="customers.key_accounts.read",
    summary="Key accounts at the end of a period (graded the policy's grade or higher, CUS-5)",
    response=RankedCustomer,
    shape="page",
    query=(_PERIOD, *PAGE_PARAMS),
)
def key_accounts() -> Response:
    return page_of(services().key_accounts.key_accounts(actor().id, _period()))


@operation(
    bp,
    "/key-accounts/churn",
    "GET",
    action="customers.key_accounts.read",
    summary="Key accounts of the previous period lost in this one, and the churn rate (CUS-5)",
    response=KeyAccountChurn,
    query=(_PERIOD,),
)
def key_account_churn() -> Response:
    return respond(services().key_accounts.churn(actor().id, _period()))
