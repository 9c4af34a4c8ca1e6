"""The effective policy and the API's own OpenAPI document."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify

from adapters.http.openapi import operation
from adapters.http.rest import actor, respond, services
from csdomain.policy.model import Policy

bp = Blueprint("policy", __name__)


@operation(
    bp,
    "/policy",
    "GET",
    action="policy.read",
    summary="The effective policy",
    description="Every number the rules use (deadlines, amounts, roles) as this server "
    "applies them.",
    response=Policy,
)
def get_policy() -> Response:
    return respond(services().policy.current(actor().id))


@operation(bp, "/openapi.json", "GET", summary="This OpenAPI 3.1 document", auth=False)
def openapi_document() -> Response:
    doc: dict[str, Any] = current_app.extensions["csdomain.openapi"]
    return jsonify(doc)
