"""Customer-file endpoints: documents, hand-over (CUS-3), the overdue report, confidential
reads with their access log (X-5) and destruction after retention as a three-signature
flow: request → department-head review → GM approval (X-6)."""

from __future__ import annotations

from flask import Blueprint, Response

from adapters.http.bodies import AddDocuments, DestructionDecision, HandOver, Reason
from adapters.http.openapi import DATE_PARAM, PAGE_PARAMS, Param, id_schema, operation
from adapters.http.rest import (
    actor,
    body,
    page_of,
    query_date,
    query_id,
    query_str,
    respond,
    services,
)
from csdomain.customers.model import (
    AccessLogEntry,
    CustomerFile,
    DestructionRecord,
    DestructionRequest,
    FileStatus,
)
from csdomain.kernel.ids import FileId

bp = Blueprint("files", __name__)


@operation(
    bp,
    "/files/overdue",
    "GET",
    action="customers.files.overdue",
    summary="Files not complete after their hand-over deadline (CUS-3)",
    response=FileStatus,
    shape="page",
    query=(Param("as_of", DATE_PARAM, "default: today"), *PAGE_PARAMS),
)
def overdue_files() -> Response:
    return page_of(services().customers.overdue_files(actor().id, query_date("as_of")))


@operation(
    bp,
    "/files/<file_id>",
    "GET",
    action="customers.files.read",
    summary="Read a confidential customer file (X-5)",
    description="Needs the read permission for the file's confidentiality level, "
    "granted by the GM; every read is written to the access log.",
    response=CustomerFile,
)
def read_file(file_id: str) -> Response:
    return respond(services().customers.read_file(actor().id, FileId(file_id)))


@operation(
    bp,
    "/files/<file_id>/documents",
    "POST",
    action="customers.files.add_documents",
    summary="Record where checklist documents are (CUS-3)",
    body=AddDocuments,
    response=FileStatus,
    problems=(409,),
)
def add_documents(file_id: str) -> Response:
    cmd = body(AddDocuments)
    return respond(services().customers.add_documents(actor().id, FileId(file_id), cmd.documents))


@operation(
    bp,
    "/files/<file_id>/handover",
    "POST",
    action="customers.files.hand_over",
    summary="Hand a file over; both sides sign, missing items noted (CUS-3)",
    body=HandOver,
    response=FileStatus,
    problems=(409,),
)
def hand_over(file_id: str) -> Response:
    cmd = body(HandOver)
    return respond(
        services().customers.hand_over_file(actor().id, FileId(file_id), cmd.received_by, cmd.note)
    )


@operation(
    bp,
    "/files/<file_id>/destruction-requests",
    "POST",
    action="customers.destruction.request",
    summary="Request the destruction of a file after its retention period (X-6, step 1)",
    body=Reason,
    response=DestructionRequest,
    status=201,
    problems=(409,),
)
def request_destruction(file_id: str) -> Response:
    cmd = body(Reason)
    return respond(
        services().customers.request_destruction(actor().id, FileId(file_id), cmd.reason), 201
    )


@operation(
    bp,
    "/destruction-requests",
    "GET",
    action="customers.destruction.list",
    summary="Destruction requests and their signatures (X-6)",
    response=DestructionRequest,
    shape="page",
    query=(Param("file_id", {"type": "string"}, "only requests for this file"), *PAGE_PARAMS),
)
def destruction_requests() -> Response:
    file_id = query_str("file_id")
    return page_of(
        services().customers.destruction_requests(actor().id, FileId(file_id) if file_id else None)
    )


@operation(
    bp,
    "/destruction-requests/<request_id>/review",
    "POST",
    action="customers.destruction.review",
    summary="Review a destruction request: the head of the owner's department (X-6, step 2)",
    body=DestructionDecision,
    response=DestructionRequest,
    problems=(409,),
)
def review_destruction(request_id: str) -> Response:
    cmd = body(DestructionDecision)
    return respond(
        services().customers.review_destruction(
            actor().id, request_id, approve=cmd.approve, reason=cmd.reason
        )
    )


@operation(
    bp,
    "/destruction-requests/<request_id>/approval",
    "POST",
    action="customers.destruction.approve",
    summary="Approve a reviewed destruction request: the GM; the file is destroyed (X-6, step 3)",
    body=DestructionDecision,
    response=DestructionRequest,
    problems=(409,),
)
def approve_destruction(request_id: str) -> Response:
    cmd = body(DestructionDecision)
    return respond(
        services().customers.approve_destruction(
            actor().id, request_id, approve=cmd.approve, reason=cmd.reason
        )
    )


@operation(
    bp,
    "/destructions",
    "GET",
    action="customers.destruction.list",
    summary="Destruction records (X-6)",
    response=DestructionRecord,
    shape="page",
    query=PAGE_PARAMS,
)
def destructions() -> Response:
    return page_of(services().customers.destructions(actor().id))


@operation(
    bp,
    "/access-log",
    "GET",
    action="customers.access_log.read",
    summary="Reads of confidential records (X-5)",
    response=AccessLogEntry,
    shape="page",
    query=(Param("record_id", id_schema(), "only reads of this record"), *PAGE_PARAMS),
)
def access_log() -> Response:
    return page_of(services().customers.access_log(actor().id, query_id("record_id")))
