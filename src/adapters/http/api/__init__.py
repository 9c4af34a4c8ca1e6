"""The JSON API under ``/api/v1``: one blueprint per area, all behind bearer authentication."""

from __future__ import annotations

from flask import Blueprint, request

from adapters.http.api import (
    cases,
    credit,
    customer_records,
    customers,
    files,
    org,
    penalties,
    policy,
    policy_lab,
    policy_replay,
    service_jobs,
    surveys,
    visits,
)
from adapters.http.auth import authenticate_request, end_request_scope
from adapters.http.openapi import API_PREFIX
from adapters.http.rest import actor, refuse_unknown_query, services
from csdomain.cases.numbers import is_case_number

api = Blueprint("api", __name__, url_prefix=API_PREFIX)
api.before_request(authenticate_request)
api.teardown_request(end_request_scope)
api.before_request(refuse_unknown_query)


@api.before_request
def resolve_case_number() -> None:
    """``/cases/202612-0001/…`` means the case numbered 202612-0001: after authentication
    (so an anonymous caller learns nothing), the number in the path becomes the case's id."""
    args = request.view_args
    ref = args.get("case_id") if args else None
    if args is not None and isinstance(ref, str) and is_case_number(ref):
        args["case_id"] = services().cases.resolve(actor().id, ref)


_AREAS = (
    org.bp,
    customers.bp,
    files.bp,
    customer_records.bp,
    policy.bp,
    policy_lab.bp,
    policy_replay.bp,
    cases.bp,
    service_jobs.bp,
    penalties.bp,
    credit.bp,
    visits.bp,
    surveys.bp,
)
for _area in _AREAS:
    api.register_blueprint(_area)

__all__ = ["api"]
