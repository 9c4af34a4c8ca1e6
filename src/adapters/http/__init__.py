"""The HTTP adapter: a Flask app factory over the composed application.

``create_app(app)`` serves an ``App`` built by ``adapters.bootstrap`` (tests pass one on the
memory adapter with a fixed clock); without one it bootstraps from the environment. Views
only parse, call the same use cases as the CLI, and serialize; every error becomes an
RFC 9457 problem through ``adapters.http.problems``. Served by gunicorn via
``adapters.http.wsgi:create_wsgi_app()``.

| path | what |
| --- | --- |
| ``/api/v1/...`` | the JSON API (bearer token); ``/api/v1/openapi.json`` describes it |
| ``/healthz`` | liveness + storage reachability, no authentication |
| ``/`` … | small server-rendered pages for teams (token sign-in → server-side session) |
"""

from __future__ import annotations

from flask import Flask, Response
from flask.json.provider import DefaultJSONProvider

from adapters.bootstrap import App, bootstrap
from adapters.http import problems, sessions
from adapters.http.api import api
from adapters.http.openapi import CaseRefConverter, IdConverter, build_document
from adapters.http.rest import EXTENSION, app_state
from adapters.http.web import web

# how often a serving process looks for policy versions activated elsewhere (issue 15)
POLICY_REFRESH_SECONDS = 30.0


def create_app(app: App | None = None) -> Flask:
    """A Flask application serving ``app`` (default: ``bootstrap()`` from the environment).

    The web pages' cookie holds a server-side session id (``adapters.http.sessions``) and is
    signed with ``CSDOMAIN_SECRET_KEY`` or, without it, with a key generated once and stored
    with the data, so every gunicorn worker (and every host on the same database) agrees.
    """
    state = app if app is not None else bootstrap()
    flask_app = Flask(__name__, static_folder=None)
    flask_app.config.update(MAX_CONTENT_LENGTH=1024 * 1024)
    sessions.install(flask_app, state)
    if isinstance(flask_app.json, DefaultJSONProvider):
        flask_app.json.sort_keys = False  # keep the models' field order
        flask_app.json.ensure_ascii = False  # names are often Chinese
    flask_app.extensions[EXTENSION] = state
    flask_app.extensions["csdomain.openapi"] = build_document(policy=state.policy)
    flask_app.url_map.converters["id"] = IdConverter
    flask_app.url_map.converters["case_ref"] = CaseRefConverter
    problems.register(flask_app)

    @flask_app.before_request
    def _policy_versions() -> None:
        # issue 15: a version another worker activated is in force here within the interval
        state.refresh_policy(POLICY_REFRESH_SECONDS)

    flask_app.register_blueprint(api)
    flask_app.register_blueprint(web)
    flask_app.add_url_rule("/healthz", "healthz", healthz, methods=["GET"])
    return flask_app


def healthz() -> Response:
    """200 when the storage answers a trivial query; a 503 problem otherwise (no auth)."""
    try:
        with app_state().storage.unit_of_work() as uow:
            uow.staff.count()
    except Exception as exc:
        problems.log.error("health check: storage unreachable", exc_info=exc)
        raise problems.http_problem(
            503, "storage-unavailable", "Service Unavailable", "the storage is not reachable"
        ) from None
    return Response('{"status": "ok"}', mimetype="application/json")


__all__ = ["create_app"]
