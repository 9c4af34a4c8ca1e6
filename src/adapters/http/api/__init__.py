"""The JSON API under ``/api/v1``: one blueprint per area, all behind bearer authentication."""

from __future__ import annotations

from flask import Blueprint

from adapters.http.api import cases, customers, files, org, penalties, policy, service_jobs
from adapters.http.auth import authenticate_request, end_request_scope
from adapters.http.openapi import API_PREFIX

api = Blueprint("api", __name__, url_prefix=API_PREFIX)
api.before_request(authenticate_request)
api.teardown_request(end_request_scope)
for _area in (org.bp, customers.bp, files.bp, policy.bp, cases.bp, service_jobs.bp, penalties.bp):
    api.register_blueprint(_area)

__all__ = ["api"]
