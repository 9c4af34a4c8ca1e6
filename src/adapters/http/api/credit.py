"""Customer credit endpoints (CRD-1…CRD-6): credit accounts and grades, the ledger, the
credit position, shipment authorization, month-end collection, write-offs and reports.

Who may do what is the policy's permission table (``credit.*``), checked by the use cases;
signing an over-limit shipment needs the role ``[credit.over_limit]`` names (403 otherwise).
A shipment the rules refuse is still a 201: the decision is recorded with its numbers, and
``allowed`` says whether the goods may go.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from adapters.http.openapi import DATE_PARAM, MONTH_PARAM, PAGE_PARAMS, Param, operation
from adapters.http.rest import (
    actor,
    body,
    check_month,
    page_of,
    query_date,
    respond,
    services,
)
from csdomain.credit.commands import (
    AuthorizeShipment,
    CreditMonthEnd,
    OpenCreditAccount,
    RecordLedgerEntry,
    SetCreditGrade,
    WriteOff,
)
from csdomain.credit.model import (
    AgeingRow,
    CreditAccount,
    CreditGradeChange,
    CreditPosition,
    Eligibility,
    Exposure,
    LedgerEntry,
    OverLimitStatus,
    Shipment,
    ShipmentDecision,
)
from csdomain.kernel.errors import ValidationError
from csdomain.kernel.ids import CustomerId
from csdomain.penalties.model import PenaltyEntry

bp = Blueprint("credit", __name__)

_ON = (Param("on", DATE_PARAM, "the day (default today)"),)


@operation(
    bp,
    "/credit/accounts",
    "POST",
    action="credit.accounts.open",
    summary="Open a customer's credit account (CRD-1)",
    description="Refused (422) naming every failing condition: no customer file with the "
    "ID copy, a contract type without credit, no settlement agreement, last year's balance "
    "not cleared.",
    body=OpenCreditAccount,
    response=CreditAccount,
    status=201,
    problems=(409,),
)
def open_account() -> Response:
    return respond(services().credit.open_account(actor().id, body(OpenCreditAccount)), 201)


@operation(
    bp,
    "/customers/<customer_id>/credit",
    "GET",
    action="credit.accounts.read",
    summary="A customer's credit account: contract, grade and score (CRD-1, CRD-6)",
    response=CreditAccount,
)
def get_account(customer_id: str) -> Response:
    return respond(services().credit.account(actor().id, CustomerId(customer_id)))


@operation(
    bp,
    "/customers/<customer_id>/credit/eligibility",
    "GET",
    action="credit.accounts.read",
    summary="May the customer have credit, and if not, which conditions fail (CRD-1)",
    response=Eligibility,
    query=_ON,
)
def eligibility(customer_id: str) -> Response:
    found = services().credit.eligibility(actor().id, CustomerId(customer_id), query_date("on"))
    return respond(found)


@operation(
    bp,
    "/customers/<customer_id>/credit/position",
    "GET",
    action="credit.accounts.read",
    summary="The credit line, balance and what is available on a day (CRD-2)",
    description="The line is the amount invoiced in the policy's window before the day "
    "(`credit.window_days`, default 30), or the grade's fixed line (`credit.line_rule`).",
    response=CreditPosition,
    query=_ON,
)
def position(customer_id: str) -> Response:
    return respond(
        services().credit.position(actor().id, CustomerId(customer_id), query_date("on"))
    )


@operation(
    bp,
    "/customers/<customer_id>/credit/grade",
    "POST",
    action="credit.grade",
    summary="Set the credit grade and score, with a reason; the caller approves (CRD-6)",
    body=SetCreditGrade,
    response=CreditGradeChange,
    status=201,
)
def set_grade(customer_id: str) -> Response:
    change = services().credit.set_grade(actor().id, CustomerId(customer_id), body(SetCreditGrade))
    return respond(change, 201)


@operation(
    bp,
    "/customers/<customer_id>/credit/grades",
    "GET",
    action="credit.accounts.read",
    summary="The credit grade history with reasons and approvers (CRD-6)",
    response=CreditGradeChange,
    shape="list",
)
def grade_history(customer_id: str) -> Response:
    return respond(services().credit.grade_history(actor().id, CustomerId(customer_id)))


@operation(
    bp,
    "/customers/<customer_id>/credit/ledger",
    "GET",
    action="credit.accounts.read",
    summary="The customer's invoices, payments and write-offs, oldest first",
    response=LedgerEntry,
    shape="page",
    query=PAGE_PARAMS,
)
def ledger(customer_id: str) -> Response:
    return page_of(services().credit.ledger(actor().id, CustomerId(customer_id), limit=500))


@operation(
    bp,
    "/customers/<customer_id>/credit/shipments",
    "GET",
    action="credit.accounts.read",
    summary="The customer's shipment decisions with their numbers (CRD-3)",
    response=Shipment,
    shape="page",
    query=PAGE_PARAMS,
)
def customer_shipments(customer_id: str) -> Response:
    return page_of(services().credit.shipments(actor().id, CustomerId(customer_id)))


@operation(
    bp,
    "/credit/invoices",
    "POST",
    action="credit.ledger.record",
    summary="Record an invoice made outside shipment authorization (a manual invoice)",
    body=RecordLedgerEntry,
    response=LedgerEntry,
    status=201,
)
def record_invoice() -> Response:
    return respond(services().credit.record_invoice(actor().id, body(RecordLedgerEntry)), 201)


@operation(
    bp,
    "/credit/payments",
    "POST",
    action="credit.ledger.record",
    summary="Record a payment received (it settles the oldest invoices first)",
    body=RecordLedgerEntry,
    response=LedgerEntry,
    status=201,
)
def record_payment() -> Response:
    return respond(services().credit.record_payment(actor().id, body(RecordLedgerEntry)), 201)


@operation(
    bp,
    "/credit/shipments",
    "POST",
    action="credit.ship",
    summary="Authorize a shipment: within line, first/last over-limit, prepaid, cash only "
    "or refused (CRD-3)",
    description="Decided under the customer's lock, so two simultaneous requests never both "
    "use the same line. An allowed shipment is invoiced at once. `over_limit` (`first` / "
    "`last`) asks the caller to sign an over-limit shipment below 1/3 of the line; it needs "
    "the role `credit.over_limit` names, and a reason.",
    body=AuthorizeShipment,
    response=ShipmentDecision,
    status=201,
)
def authorize_shipment() -> Response:
    cmd = body(AuthorizeShipment)
    return respond(services().credit.authorize_shipment(actor().id, cmd), 201)


@operation(
    bp,
    "/credit/month-end",
    "POST",
    action="credit.month_end",
    summary="Charge the signers of last over-limit shipments unpaid at month end (CRD-4)",
    description="Idempotent: a shipment is charged once however often this runs. The month "
    "must be over. Returns the penalty-ledger entries made now.",
    body=CreditMonthEnd,
    response=PenaltyEntry,
    shape="list",
)
def month_end() -> Response:
    cmd = body(CreditMonthEnd)
    return respond(services().credit.month_end(actor().id, check_month(cmd.month)))


@operation(
    bp,
    "/credit/month-end/scheduled",
    "POST",
    action="scheduler.credit_month_end",
    summary="CRD-4 for last month, as the scheduler's system account",
    description="Send no body. Returns the entries made now.",
    response=PenaltyEntry,
    shape="list",
)
def scheduled_month_end() -> Response:
    return respond(services().credit.scheduled_month_end(actor().id))


@operation(
    bp,
    "/credit/write-offs",
    "POST",
    action="credit.write_off",
    summary="Write off a bad debt and charge who bears it (CRD-5)",
    description="`basis`: `within_line` (the policy's positions share it), `last_over_limit` "
    "(its signer), `unapproved` (logistics, warehouse, market department head). `liable` "
    "maps each position to the staff member holding it.",
    body=WriteOff,
    response=PenaltyEntry,
    shape="list",
    status=201,
)
def write_off() -> Response:
    return respond(services().credit.write_off(actor().id, body(WriteOff)), 201)


@operation(
    bp,
    "/credit/reports/exposure",
    "GET",
    action="credit.reports",
    summary="Balances against lines per customer or per owner (largest first)",
    response=Exposure,
    shape="page",
    query=(*_ON, Param("by", {"type": "string", "enum": ["customer", "owner"]}, "grouping")),
)
def exposure() -> Response:
    by = request.args.get("by", "customer")
    if by not in ("customer", "owner"):
        raise ValidationError("must be customer or owner", field="by")
    return page_of(services().credit.exposure(actor().id, query_date("on"), by=by))


@operation(
    bp,
    "/credit/reports/over-limit",
    "GET",
    action="credit.reports",
    summary="A month's over-limit shipments and what is still unpaid of each (CRD-3, CRD-4)",
    response=OverLimitStatus,
    shape="page",
    query=(Param("month", MONTH_PARAM, "YYYY-MM", required=True),),
)
def over_limit() -> Response:
    month = check_month(request.args.get("month", ""))
    return page_of(services().credit.over_limit_shipments(actor().id, month))


@operation(
    bp,
    "/credit/reports/ageing",
    "GET",
    action="credit.reports",
    summary="Unpaid invoices by age (payments settle the oldest first)",
    response=AgeingRow,
    shape="page",
    query=_ON,
)
def ageing() -> Response:
    return page_of(services().credit.ageing(actor().id, query_date("on")))


__all__ = ["bp"]
