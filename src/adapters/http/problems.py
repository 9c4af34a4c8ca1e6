"""Errors → RFC 9457 problem details, mapped once for the whole HTTP adapter.

The domain raises its own small hierarchy (``csdomain.kernel.errors``); this module is the only
place that decides the HTTP status and problem ``type`` for each class. API requests get
``application/problem+json``; the web pages render the same :class:`Problem` as HTML. A stack
trace is never sent: unexpected exceptions are logged and answered with a bare 500.
"""

from __future__ import annotations

import logging
from typing import Any

import attrs
from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from adapters.problem_types import TYPE_PREFIX
from csdomain.kernel.errors import (
    ConcurrencyConflict,
    Conflict,
    DomainError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    PolicyError,
    ValidationError,
)

PROBLEM_MIMETYPE = "application/problem+json"
log = logging.getLogger("adapters.http")


@attrs.frozen
class Problem:
    status: int
    type: str
    title: str
    detail: str
    field: str | None = None
    rule: str | None = None
    errors: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    # the permission table's action a 403 refused (docs/permissions.md)
    action: str | None = None

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": self.type,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if self.field is not None:
            out["field"] = self.field
        if self.rule is not None:
            out["rule"] = self.rule
        if self.action is not None:
            out["action"] = self.action
        if self.errors:
            out["errors"] = [{"field": f, "detail": d} for f, d in self.errors]
        return out


class HttpProblem(Exception):
    """Raised by adapter code for what only HTTP knows: a bad token, malformed JSON, …"""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.detail)
        self.problem = problem


def http_problem(
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    field: str | None = None,
    headers: dict[str, str] | None = None,
) -> HttpProblem:
    return HttpProblem(
        Problem(
            status=status,
            type=TYPE_PREFIX + code,
            title=title,
            detail=detail,
            field=field,
            headers=tuple((headers or {}).items()),
        )
    )


# The one table: domain error class → (HTTP status, title). Looked up along the MRO, so a
# subclass (ConcurrencyConflict) is matched before its base (Conflict).
DOMAIN_STATUS: dict[type[DomainError], tuple[int, str]] = {
    ValidationError: (422, "Invalid input"),
    NotFound: (404, "Not found"),
    PermissionDenied: (403, "Permission denied"),
    ConcurrencyConflict: (409, "Changed by someone else"),
    Conflict: (409, "Conflicts with the stored state"),
    InvalidTransition: (409, "Not allowed in the current state"),
    # The effective policy is server configuration: a broken one is the server's fault.
    PolicyError: (500, "The effective policy is invalid"),
    DomainError: (400, "Request refused"),
}


def _unknown_fields(errors: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Name each unknown field on its own (the shared converter reports them as one entry
    at the parent path, e.g. ``("", "unknown field(s): a, b")``)."""
    prefix = "unknown field(s): "
    out: list[tuple[str, str]] = []
    for path, why in errors:
        if why.startswith(prefix):
            for name in why.removeprefix(prefix).split(", "):
                out.append((f"{path}.{name}" if path else name, "unknown field"))
        else:
            out.append((path, why))
    return out


def problem_for(exc: BaseException) -> Problem:
    """The problem describing ``exc`` (never its traceback)."""
    if isinstance(exc, HttpProblem):
        return exc.problem
    if isinstance(exc, DomainError):
        status, title = next(DOMAIN_STATUS[c] for c in type(exc).__mro__ if c in DOMAIN_STATUS)
        errors: list[tuple[str, str]] = list(getattr(exc, "errors", None) or [])
        if isinstance(exc, PolicyError):
            errors = list(exc.problems)
        errors = _unknown_fields(errors)
        if not errors and isinstance(exc, ValidationError) and exc.field:
            errors = [(exc.field, exc.message)]
        field = exc.field
        if field == "" or (errors and field is None):
            field = errors[0][0] if errors else None
        detail = exc.message
        if errors and isinstance(exc, ValidationError):
            detail = "; ".join(f"{f or 'body'}: {d}" for f, d in errors)
        return Problem(
            status=status,
            type=TYPE_PREFIX + exc.code,
            title=title,
            detail=detail,
            field=field or None,
            rule=exc.rule,
            errors=tuple(errors),
            action=exc.action if isinstance(exc, PermissionDenied) else None,
        )
    if isinstance(exc, HTTPException):
        code = exc.code or 500
        headers: list[tuple[str, str]] = []
        allowed = getattr(exc, "valid_methods", None)
        if allowed:
            headers.append(("Allow", ", ".join(allowed)))
        # RFC 9457 §4.2.1: "about:blank" means the status code says it all
        return Problem(
            status=code,
            type="about:blank",
            title=exc.name,
            detail=exc.description or exc.name,
            headers=tuple(headers),
        )
    return Problem(
        status=500,
        type=TYPE_PREFIX + "internal",
        title="Internal Server Error",
        detail="an unexpected error occurred; it has been logged",
    )


def problem_response(problem: Problem) -> Response:
    resp = jsonify(problem.body())
    resp.status_code = problem.status
    resp.mimetype = PROBLEM_MIMETYPE
    for name, value in problem.headers:
        resp.headers[name] = value
    return resp


def _is_api_request() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def handle_exception(exc: Exception) -> Response:
    """The app-wide error handler: problem+json for the API, an HTML page for the web UI."""
    problem = problem_for(exc)
    if problem.status >= 500:
        log.error("request %s %s failed", request.method, request.path, exc_info=exc)
    if _is_api_request():
        return problem_response(problem)
    html = render_template("error.html", problem=problem)
    resp = Response(html, status=problem.status, mimetype="text/html")
    for name, value in problem.headers:
        resp.headers[name] = value
    return resp


def register(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_exception)
    app.register_error_handler(Exception, handle_exception)
