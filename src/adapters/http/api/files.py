"""Customer-file endpoints: documents, hand-over (CUS-3), the overdue report, confidential
reads with their access log (X-5) and destruction after retention (X-6)."""

from __future__ import annotations

from flask import Blueprint, Response

from adapters.http.bodies import AddDocuments, Destroy, HandOver
from adapters.http.openapi import DATE_PARAM, PAGE_PARAMS, Param, id_schema, operation
from adapters.http.rest import actor, body, page_of, query_date, query_id, respond, services
from csdomain.customers.model import AccessLogEntry, CustomerFile, DestructionRecord, FileStatus
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
    "/files/<file_id>/destruction",
    "POST",
    action="customers.destruction.request",
    summary="Destroy a file after its retention period (X-6)",
    body=Destroy,
    response=DestructionRecord,
    status=201,
    problems=(409,),
)
def destroy_file(file_id: str) -> Response:
    cmd = body(Destroy)
    record = services().customers.destroy_file(
        actor().id,
        FileId(file_id),
        reviewed_by=cmd.reviewed_by,
        approved_by=cmd.approved_by,
        reason=cmd.reason,
    )
    return respond(record, 201)


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
