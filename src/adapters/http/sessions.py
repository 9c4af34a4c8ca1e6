"""Server-side web sessions and the persisted cookie signing key (issue 7, item 7; X-3).

The web pages' cookie is Flask's signed session, but it carries only a random session id
(and the form CSRF token), never an API token: the server keeps the SHA-256 of the id with
the staff member, the hash of the token they signed in with, created / last-seen / expiry
times. Sign-out ends the row, so a copied cookie stops working; an expired, idle, ended,
unknown or unsigned session, or one whose token was revoked, is "not signed in";
a session whose staff member was deactivated stops working because every page resolves the
staff member through the guarded ``get_staff`` (the guard refuses inactive staff).

The signing key is ``CSDOMAIN_SECRET_KEY`` when set, else generated once and stored with the
data (``app_secrets`` on SQL), so every gunicorn worker and every host agrees on it. Sessions
live beside the data too: memory storage keeps them in the process (one worker), SQL storage
in the ``web_sessions`` table. They are an adapter concern, so they are not in the core's
UnitOfWork; the times come from the application's Clock.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app, has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface

from adapters.bootstrap import App, Storage, beside
from adapters.settings import Settings
from adapters.web_sessions import MemoryWebSessions, WebSessionRow, WebSessionStore
from csdomain.kernel.errors import NotFound, PermissionDenied
from csdomain.kernel.ids import StaffId
from csdomain.org.model import Staff, hash_token

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)
SECRET_NAME = "flask.secret_key"
SESSION_KEY = "sid"  # the cookie's session-id entry
_EXTENSION = "csdomain.web_sessions"
# last-seen is written at most this often per session, so page loads are not all writes
TOUCH_EVERY = timedelta(minutes=1)


def store_for(storage: Storage) -> WebSessionStore:
    """The session store beside ``storage``'s data (SQL tables, or this process's memory)."""

    def sql(engine: Engine) -> WebSessionStore:
        from adapters.sql.web_sessions import SqlWebSessions

        return SqlWebSessions(engine)

    return beside(storage, sql, MemoryWebSessions)


def hash_session_id(session_id: str) -> str:
    """What is stored: a stolen database does not yield cookies that work."""
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


class WebSessions:
    """Starts, resolves and ends sessions with the lifetimes from the settings."""

    def __init__(self, app: App, store: WebSessionStore) -> None:
        self.app = app
        self.store = store
        settings: Settings = app.settings
        self.lifetime = timedelta(hours=settings.web_session_hours)
        self.idle = timedelta(minutes=settings.web_session_idle_minutes)

    def now(self) -> datetime:
        return self.app.services.ctx.now()

    def signing_key(self) -> str:
        """``CSDOMAIN_SECRET_KEY``, else the key stored once for every worker."""
        configured = self.app.settings.secret_key
        if configured:
            return configured
        return self.store.secret(SECRET_NAME, secrets.token_hex(32), self.now())

    def start(self, staff_id: StaffId, token: str) -> str:
        """A new session for ``staff_id``, signed in with ``token``; returns the id for the
        cookie (only its hash is stored)."""
        session_id = secrets.token_urlsafe(32)
        now = self.now()
        self.store.add(
            WebSessionRow(
                id_hash=hash_session_id(session_id),
                staff_id=staff_id,
                token_hash=hash_token(token),
                created_at=now,
                last_seen_at=now,
                expires_at=now + self.lifetime,
            )
        )
        return session_id

    def live(self, session_id: str) -> WebSessionRow | None:
        """The session if it is live, else None (unknown, ended, expired, idle, or its token
        was revoked — a lost laptop's browser stops working with the token, X-3)."""
        row = self.store.find(hash_session_id(session_id))
        if row is None or row.ended_at is not None:
            return None
        now = self.now()
        if (
            now >= row.expires_at
            or now - row.last_seen_at >= self.idle
            or not self._token_valid(row.token_hash)
        ):
            self.store.end(row.id_hash, now)
            return None
        if now - row.last_seen_at >= TOUCH_EVERY:
            self.store.seen(row.id_hash, now)
        return row

    def _token_valid(self, token_hash: str) -> bool:
        # authentication, like OrgService.authenticate (no actor yet): the token table only
        with self.app.storage.unit_of_work() as uow:
            token = uow.tokens.find(token_hash)
        return token is not None and not token.revoked

    def end(self, session_id: str) -> None:
        self.store.end(hash_session_id(session_id), self.now())

    def end_all_for(self, staff_id: StaffId) -> int:
        """End every session of ``staff_id`` (e.g. after revoking their tokens)."""
        return self.store.end_all_for(staff_id, self.now())


class CookieSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, marked Secure whenever the request came over https (gunicorn
    honours ``X-Forwarded-Proto`` from its trusted proxies), HttpOnly and SameSite=Lax.

    The signing key is fetched on the first request that needs it, not at start-up, so an
    unreachable database still lets ``/healthz`` answer 503 (the cookie is then ignored).
    """

    def __init__(self, sessions: WebSessions) -> None:
        self.sessions = sessions
        self._lock = threading.Lock()

    def get_signing_serializer(self, app: Flask) -> Any:
        if not app.secret_key:
            with self._lock:
                if not app.secret_key:
                    try:
                        app.secret_key = self.sessions.signing_key()
                    except Exception as exc:
                        log.error("web sessions: the signing key is unavailable", exc_info=exc)
                        return None
        return super().get_signing_serializer(app)

    def get_cookie_secure(self, app: Flask) -> bool:
        if app.config["SESSION_COOKIE_SECURE"]:
            return True
        return has_request_context() and request.is_secure


def install(flask_app: Flask, app: App) -> WebSessions:
    """Wire sessions into ``flask_app``: the signing key, the cookie flags, the store."""
    sessions = WebSessions(app, store_for(app.storage))
    flask_app.extensions[_EXTENSION] = sessions
    flask_app.session_interface = CookieSessionInterface(sessions)
    flask_app.config.update(
        SECRET_KEY=None,  # fetched on first use (see CookieSessionInterface)
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    return sessions


def web_sessions() -> WebSessions:
    found: WebSessions = current_app.extensions[_EXTENSION]
    return found


def sign_in(staff: Staff, token: str) -> None:
    """A fresh cookie (no fixation: whatever the browser had is dropped) for a new session of
    ``staff``, who signed in with ``token`` (already authenticated by the caller)."""
    session.clear()
    session[SESSION_KEY] = web_sessions().start(staff.id, token)


def signed_in_staff() -> Staff | None:
    """The active staff member of this request's session, or None (then the cookie is reset).

    The staff member is read through the guarded ``get_staff`` as themselves, so a
    deactivated member's session is refused by the guard and ended here (X-3).
    """
    session_id = session.get(SESSION_KEY)
    if not isinstance(session_id, str):
        return None
    sessions = web_sessions()
    row = sessions.live(session_id)
    if row is not None:
        try:
            return sessions.app.services.org.get_staff(row.staff_id, row.staff_id)
        except (NotFound, PermissionDenied):
            sessions.end(session_id)
    session.clear()
    return None


def sign_out() -> None:
    """End the session server-side (a copy of the cookie stops working) and clear it."""
    session_id = session.get(SESSION_KEY)
    if isinstance(session_id, str):
        web_sessions().end(session_id)
    session.clear()


__all__ = [
    "CookieSessionInterface",
    "MemoryWebSessions",
    "WebSessionRow",
    "WebSessionStore",
    "WebSessions",
    "hash_session_id",
    "install",
    "sign_in",
    "sign_out",
    "signed_in_staff",
    "store_for",
]
