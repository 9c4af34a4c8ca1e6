"""Bearer-token authentication (RFC 6750) for the JSON API.

The token is resolved by the core (``OrgService.authenticate``), which knows only hashes of
tokens; the resulting staff member's role and permissions are what the use cases check
(X-3, X-5). Authentication failures are 401 with ``WWW-Authenticate: Bearer`` — never 404 or
403 — so a client can tell "who are you?" from "you may not".
"""

from __future__ import annotations

from contextlib import ExitStack

from flask import g, request

from adapters.http.openapi import ENDPOINT_ACTIONS, PUBLIC_ENDPOINTS
from adapters.http.problems import HttpProblem, http_problem
from adapters.http.rest import app_state, services
from csdomain.authz.guard import guard
from csdomain.context import authenticated
from csdomain.kernel.errors import NotFound, PermissionDenied
from csdomain.org.model import Staff

REALM = "csdomain"


def unauthenticated(detail: str, error: str | None = None) -> HttpProblem:
    challenge = f'Bearer realm="{REALM}"'
    if error is not None:
        challenge += f', error="{error}", error_description="{detail}"'
    return http_problem(
        401,
        "unauthenticated",
        "Unauthenticated",
        detail,
        field="Authorization",
        headers={"WWW-Authenticate": challenge},
    )


def staff_for_token(token: str) -> Staff:
    """The active staff member owning ``token``; 401 for an unknown, revoked or inactive one."""
    try:
        return services().org.authenticate(token)
    except (NotFound, PermissionDenied):
        raise unauthenticated(
            "the token is unknown, revoked or its owner is inactive", "invalid_token"
        ) from None


def authenticate_request() -> None:
    """``before_request`` of the API blueprint: sets ``g.actor`` or answers 401."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    header = request.headers.get("Authorization", "").strip()
    if not header:
        raise unauthenticated("send 'Authorization: Bearer <token>'")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthenticated(
            "the Authorization header must be 'Bearer <token>'", "invalid_request"
        )
    g.actor = staff_for_token(token.strip())
    # the use cases of this request take g.actor as their actor: one load per request
    scope = ExitStack()
    scope.enter_context(authenticated(g.actor))
    g.actor_scope = scope
    action = ENDPOINT_ACTIONS.get(request.endpoint or "")
    if action is not None:
        # the role test of the one guard, before the body is read: a role that may never
        # take the action gets 403 naming it, not a 422 about a body it may not send
        guard(app_state().policy, g.actor, action)


def end_request_scope(_exc: BaseException | None = None) -> None:
    """``teardown_request``: leave the scope ``authenticate_request`` entered."""
    scope = g.pop("actor_scope", None)
    if scope is not None:
        scope.close()
