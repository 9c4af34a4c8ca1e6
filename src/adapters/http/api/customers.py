"""Customer endpoints: registration and ownership (CUS-1), details with optimistic versions,
transfer, grading (CUS-4), files per customer (CUS-3), deregistration (CUS-6), audit (X-7).

Visibility is the use cases' business: staff see only their own customers, supervisors and
above everyone's (CUS-1).
"""

from __future__ import annotations

from flask import Blueprint, Response, request, url_for

from adapters.http.bodies import (
    AdvanceDeregistration,
    ApplyDeregistration,
    GradeChangeRequest,
    GradeEvaluation,
    OpenFile,
    Transfer,
)
from adapters.http.openapi import DATE_PARAM, PAGE_PARAMS, Param, id_schema, operation, query_text
from adapters.http.rest import (
    actor,
    body,
    json_object,
    page,
    page_of,
    query_date,
    query_enum,
    query_id,
    query_str,
    respond,
    services,
    with_version,
)
from csdomain.customers.commands import RegisterCustomer, UpdateCustomer
from csdomain.customers.model import (
    Customer,
    CustomerFile,
    CustomerStatus,
    Deregistration,
    FileStatus,
    GradeChange,
)
from csdomain.kernel.bounds import MAX_CODE
from csdomain.kernel.errors import ValidationError
from csdomain.kernel.events import AuditEvent
from csdomain.kernel.ids import CustomerId, DeregistrationId, StaffId

bp = Blueprint("customers", __name__)

_STATUS_SCHEMA = {"type": "string", "enum": [s.value for s in CustomerStatus]}


@operation(
    bp,
    "/customers",
    "GET",
    action="customers.read",
    summary="List customers",
    description="Staff see their own customers; supervisors and above everyone's (CUS-1). "
    "Ordered by registration time. With `q`, finds customers by name (substring, pinyin or "
    "pinyin initials: `zs` finds 张三), phone (any spelling, or its first digits) or ID number, "
    "through an index; `q` is not combined with the other filters.",
    response=Customer,
    shape="page",
    query=(
        Param(
            "q",
            query_text(64) | {"minLength": 1},
            "search text: name, pinyin, initials, phone or ID number",
        ),
        Param("owner_id", id_schema(), "only this owner's customers"),
        Param("status", _STATUS_SCHEMA),
        Param("grade", query_text(MAX_CODE)),
        *PAGE_PARAMS,
    ),
)
def list_customers() -> Response:
    owner = query_id("owner_id")
    status = query_enum("status", CustomerStatus)
    grade = query_str("grade")
    me = actor().id
    q = request.args.get("q")
    if q is not None:
        if owner or status or grade:
            raise ValidationError(
                "search (q) is not combined with owner_id, status or grade", field="q"
            )
        return page(
            lambda limit, offset: services().customers.search(me, q, limit=limit, offset=offset)
        )
    return page(
        lambda limit, offset: services().customers.list(
            me,
            owner_id=StaffId(owner) if owner else None,
            status=status,
            grade=grade,
            limit=limit,
            offset=offset,
        )
    )


@operation(
    bp,
    "/customers",
    "POST",
    action="customers.register",
    summary="Register a customer (CUS-1)",
    description="The earliest registration owns the customer: registering a customer "
    "someone already registered (same phone or ID number) is a 409 naming "
    "the owner and the registration time.",
    body=RegisterCustomer,
    response=Customer,
    status=201,
    problems=(409,),
)
def register_customer() -> Response:
    customer = services().customers.register(actor().id, body(RegisterCustomer))
    return respond(customer, 201, location=url_for(".get_customer", customer_id=customer.id))


@operation(
    bp,
    "/customers/due-for-evaluation",
    "GET",
    action="customers.grades.read",
    summary="Customers whose grade evaluation date has come (CUS-4)",
    response=Customer,
    shape="page",
    query=(Param("as_of", DATE_PARAM, "default: today"), *PAGE_PARAMS),
)
def due_for_evaluation() -> Response:
    return page_of(services().customers.due_for_evaluation(actor().id, query_date("as_of")))


@operation(
    bp,
    "/customers/<customer_id>",
    "GET",
    action="customers.read",
    summary="A customer",
    response=Customer,
)
def get_customer(customer_id: str) -> Response:
    return respond(services().customers.get(actor().id, CustomerId(customer_id)))


@operation(
    bp,
    "/customers/<customer_id>",
    "PATCH",
    action="customers.update",
    summary="Change a customer's details",
    description="Send the version you read as `expected_version` or `If-Match`; a stale "
    "version is a 409 (concurrency-conflict). Status may only go "
    "prospect → closed_deal here.",
    body=UpdateCustomer,
    response=Customer,
    if_match=True,
    problems=(409,),
)
def update_customer(customer_id: str) -> Response:
    cmd = body(UpdateCustomer, with_version(json_object()))
    return respond(services().customers.update(actor().id, CustomerId(customer_id), cmd))


@operation(
    bp,
    "/customers/<customer_id>/transfer",
    "POST",
    action="customers.transfer",
    summary="Transfer a customer to another owner (CUS-1, X-3)",
    body=Transfer,
    response=Customer,
    if_match=True,
    problems=(409,),
)
def transfer_customer(customer_id: str) -> Response:
    cmd = body(Transfer, with_version(json_object()))
    return respond(
        services().customers.transfer(
            actor().id, CustomerId(customer_id), cmd.new_owner_id, cmd.reason, cmd.expected_version
        )
    )


@operation(
    bp,
    "/customers/<customer_id>/grade-evaluations",
    "POST",
    action="customers.grades.evaluate",
    summary="Grade a customer from weighted scores (CUS-4)",
    body=GradeEvaluation,
    response=GradeChange,
    status=201,
    problems=(409,),
)
def evaluate_grade(customer_id: str) -> Response:
    cmd = body(GradeEvaluation)
    change = services().customers.evaluate_grade(
        actor().id, CustomerId(customer_id), cmd.scores, cmd.reason, cmd.proposed_by
    )
    return respond(change, 201)


@operation(
    bp,
    "/customers/<customer_id>/grade-changes",
    "POST",
    action="customers.grades.change",
    summary="Change a customer's grade out of cycle, with a reason (CUS-4)",
    body=GradeChangeRequest,
    response=GradeChange,
    status=201,
    if_match=True,
    problems=(409,),
)
def change_grade(customer_id: str) -> Response:
    cmd = body(GradeChangeRequest, with_version(json_object()))
    change = services().customers.change_grade(
        actor().id,
        CustomerId(customer_id),
        cmd.grade,
        cmd.reason,
        cmd.proposed_by,
        cmd.expected_version,
    )
    return respond(change, 201)


@operation(
    bp,
    "/customers/<customer_id>/grade-history",
    "GET",
    action="customers.grades.read",
    summary="Every grade decision of a customer (CUS-4)",
    response=GradeChange,
    shape="page",
    query=PAGE_PARAMS,
)
def grade_history(customer_id: str) -> Response:
    return page_of(services().customers.grade_history(actor().id, CustomerId(customer_id)))


@operation(
    bp,
    "/customers/<customer_id>/files",
    "GET",
    action="customers.files.status",
    summary="Hand-over status of a customer's files (CUS-3)",
    description="The hand-over register view: deadline, missing items, overdue. Not "
    "confidential; the documents themselves are read at /files/{file_id}.",
    response=FileStatus,
    shape="page",
    query=PAGE_PARAMS,
)
def file_statuses(customer_id: str) -> Response:
    return page_of(services().customers.file_statuses(actor().id, CustomerId(customer_id)))


@operation(
    bp,
    "/customers/<customer_id>/files",
    "POST",
    action="customers.files.open",
    summary="Open a customer file (CUS-3)",
    description="The hand-over deadline is the kind's working days after event_date (X-1).",
    body=OpenFile,
    response=CustomerFile,
    status=201,
    problems=(409,),
)
def open_file(customer_id: str) -> Response:
    cmd = body(OpenFile)
    opened = services().customers.open_file(
        actor().id, CustomerId(customer_id), cmd.kind, cmd.event_date
    )
    return respond(opened, 201)


@operation(
    bp,
    "/customers/<customer_id>/deregistrations",
    "GET",
    action="customers.deregistration.read",
    summary="A customer's deregistration applications (CUS-6)",
    response=Deregistration,
    shape="page",
    query=PAGE_PARAMS,
)
def list_deregistrations(customer_id: str) -> Response:
    return page_of(services().customers.deregistrations(actor().id, CustomerId(customer_id)))


@operation(
    bp,
    "/customers/<customer_id>/deregistrations",
    "POST",
    action="customers.deregistration.apply",
    summary="Apply for deregistration (CUS-6)",
    body=ApplyDeregistration,
    response=Deregistration,
    status=201,
    problems=(409,),
)
def apply_deregistration(customer_id: str) -> Response:
    cmd = body(ApplyDeregistration)
    dereg = services().customers.apply_deregistration(
        actor().id, CustomerId(customer_id), cmd.reason
    )
    return respond(dereg, 201)


@operation(
    bp,
    "/deregistrations/<deregistration_id>/steps",
    "POST",
    action="customers.deregistration.advance",
    summary="Approve or reject the next deregistration step (CUS-6, X-3)",
    body=AdvanceDeregistration,
    response=Deregistration,
    problems=(409,),
)
def advance_deregistration(deregistration_id: str) -> Response:
    cmd = body(AdvanceDeregistration)
    return respond(
        services().customers.advance_deregistration(
            actor().id,
            DeregistrationId(deregistration_id),
            approve=cmd.approve,
            reason=cmd.reason,
            refund=cmd.refund,
        )
    )


@operation(
    bp,
    "/history/<subject_id>",
    "GET",
    action="customers.history",
    summary="The audit trail of one record (X-7; supervisors and above)",
    response=AuditEvent,
    shape="page",
    query=PAGE_PARAMS,
)
def history(subject_id: str) -> Response:
    return page_of(services().customers.history(actor().id, subject_id))
