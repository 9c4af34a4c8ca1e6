"""Policy versions over HTTP (issue 15, deliverable 5): validate and upload a draft, list
the versions, see the diff of two, and activate one with the GM's approval.

Who may do what is the permission table (``policy.upload``, ``policy.versions``,
``policy.activate``), checked by the use cases. An invalid draft is a 422 whose ``errors``
name every bad key by its path (``$.penalties.catalogue[0].amount``). The replay is
``adapters.http.api.policy_replay``.
"""

from __future__ import annotations

import attrs
from flask import Blueprint, Response

from adapters.http.openapi import Param, operation
from adapters.http.rest import actor, body, query_int, respond, services
from csdomain.kernel.bounds import MAX_INT
from csdomain.kernel.errors import NotFound
from csdomain.policy_lab.commands import UploadPolicy, ValidatePolicy
from csdomain.policy_lab.diff import PolicyDiff
from csdomain.policy_lab.model import PolicyVersion

bp = Blueprint("policy_lab", __name__)


@attrs.frozen
class DraftProblem:
    path: str
    why: str


@attrs.frozen
class DraftCheck:
    """Whether a draft is a valid policy, and every bad key's path and why when not."""

    valid: bool
    problems: list[DraftProblem]


def _number(raw: str) -> int:
    if not raw.isdigit() or len(raw) > 9 or int(raw) < 1:
        raise NotFound(f"policy version {raw!r} not found", field="number")
    return int(raw)


@operation(
    bp,
    "/policy/drafts/validate",
    "POST",
    action="policy.upload",
    summary="Check a policy draft without storing it (issue 15)",
    description="Every problem of the TOML document, each as its key's path and why; "
    "`valid` is true when there is none.",
    body=ValidatePolicy,
    response=DraftCheck,
)
def validate_draft() -> Response:
    cmd = body(ValidatePolicy)
    problems = services().policy_lab.validate(actor().id, cmd.document)
    return respond(DraftCheck(not problems, [DraftProblem(p, w) for p, w in problems]))


@operation(
    bp,
    "/policy/versions",
    "POST",
    action="policy.upload",
    summary="Upload a policy draft with the day it takes effect (issue 15)",
    description="Stored as the next version number, state `draft`; the GM activates it. "
    "An invalid document is a 422 whose `errors` name every bad key's path.",
    body=UploadPolicy,
    response=PolicyVersion,
    status=201,
)
def upload() -> Response:
    version = services().policy_lab.upload(actor().id, body(UploadPolicy))
    return respond(version, 201, location=f"/api/v1/policy/versions/{version.number}")


@operation(
    bp,
    "/policy/versions",
    "GET",
    action="policy.versions",
    summary="The policy versions by number (issue 15)",
    description="Version 1 is the policy the server started with, in force from "
    "`bounds.earliest_date` until a later active version.",
    response=PolicyVersion,
    shape="list",
)
def list_versions() -> Response:
    return respond(services().policy_lab.list(actor().id))


@operation(
    bp,
    "/policy/versions/<number>",
    "GET",
    action="policy.versions",
    summary="One policy version with its document (issue 15)",
    response=PolicyVersion,
)
def get_version(number: str) -> Response:
    return respond(services().policy_lab.get(actor().id, _number(number)))


@operation(
    bp,
    "/policy/diff",
    "GET",
    action="policy.versions",
    summary="Every changed key between two policy versions, with its rule IDs (issue 15)",
    description="Lists of tables compare entry by entry by their code or name, e.g. "
    "`penalties.catalogue[file_late].amount`; `kind` is changed, added or removed.",
    response=PolicyDiff,
    problems=(404,),
    query=(
        Param("old", {"type": "integer", "minimum": 1, "maximum": MAX_INT}, "version", True),
        Param("new", {"type": "integer", "minimum": 1, "maximum": MAX_INT}, "version", True),
    ),
)
def diff() -> Response:
    old = query_int("old", 1, minimum=1)
    new = query_int("new", 1, minimum=1)
    changes = services().policy_lab.diff(actor().id, old, new)
    return respond(PolicyDiff.of(old, new, changes))


@operation(
    bp,
    "/policy/versions/<number>/activate",
    "POST",
    action="policy.activate",
    summary="Activate a draft from its effective date: the GM, never its uploader (issue 15)",
    description="A version active for the same day becomes `superseded`. The effective date "
    "must not be before today: decisions already taken keep the version they used (X-7).",
    response=PolicyVersion,
    problems=(404, 409),
)
def activate(number: str) -> Response:
    return respond(services().policy_lab.activate(actor().id, _number(number)))
