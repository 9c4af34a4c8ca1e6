"""WSGI entry point for gunicorn (and ``csdomain serve``)::

    gunicorn 'adapters.http.wsgi:create_wsgi_app()'

or, equivalently, ``gunicorn adapters.http.wsgi:app`` (the app is built lazily on first
access). Configuration comes from the environment: ``CSDOMAIN_STORAGE``,
``CSDOMAIN_DATABASE_URL``, ``CSDOMAIN_POLICY_FILE`` (see ``adapters.settings``) and
``CSDOMAIN_SECRET_KEY`` (signs the web cookie; without it a key generated once and stored in
the database is used, so all workers agree — see ``adapters.http.sessions``).

First administrator: with ``CSDOMAIN_BOOTSTRAP_ADMIN=<name>`` and
``CSDOMAIN_BOOTSTRAP_TOKEN_FILE=<path>``, a server whose storage has no staff yet creates the
first admin and writes its token to that file (mode 0600, never logged). This is how a
``CSDOMAIN_STORAGE=memory`` server — whose data lives only inside its one worker process —
can be used at all (demos, the smoke test); on SQL storage, prefer ``csdomain`` CLI
bootstrapping. A store that already has staff is left alone. Memory storage needs
``--workers 1``: each worker process would otherwise have its own separate store.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from adapters.bootstrap import App, bootstrap
from adapters.http import create_app
from csdomain.kernel.errors import Conflict

BOOTSTRAP_ADMIN_ENV = "CSDOMAIN_BOOTSTRAP_ADMIN"
BOOTSTRAP_TOKEN_FILE_ENV = "CSDOMAIN_BOOTSTRAP_TOKEN_FILE"


def bootstrap_admin_from_env(app: App) -> bool:
    """Create the first admin if asked to by the environment; True if one was created."""
    name = os.environ.get(BOOTSTRAP_ADMIN_ENV, "").strip()
    token_file = os.environ.get(BOOTSTRAP_TOKEN_FILE_ENV, "").strip()
    if not name:
        return False
    if not token_file:
        raise RuntimeError(
            f"{BOOTSTRAP_ADMIN_ENV} needs {BOOTSTRAP_TOKEN_FILE_ENV}: the "
            "token is written there, never logged"
        )
    try:
        _, token = app.services.org.bootstrap_admin(name)
    except Conflict:
        return False  # already bootstrapped
    path = Path(token_file)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(token + "\n")
    return True


def create_wsgi_app() -> Flask:
    """The production application: settings from the environment, optional first admin."""
    app = bootstrap()
    bootstrap_admin_from_env(app)
    return create_app(app)


_app: Flask | None = None


def __getattr__(name: str) -> Flask:
    """``adapters.http.wsgi:app`` — built on first access, not at import."""
    global _app
    if name != "app":
        raise AttributeError(name)
    if _app is None:
        _app = create_wsgi_app()
    return _app
