"""Server-side web sessions and the persisted cookie signing key (issue 7, item 7; X-3).

The web pages' cookie is Flask's signed session, but it carries only a random session id
(and the form CSRF token), never an API token: the server keeps the SHA-256 of the id with
the staff member, created / last-seen / expiry times. Sign-out ends the row, so a copied
cookie stops working; an expired, idle, ended, unknown or unsigned session is "not signed in";
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
import weakref
from datetime import datetime, timedelta
from typing import Any, Protocol

from flask import Flask, current_app, has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface

from adapters.bootstrap import App, Storage
from adapters.settings import Settings
from csdomain.kernel.errors import NotFound, PermissionDenied
from csdomain.kernel.ids import StaffId
from csdomain.org.model import Staff

log = logging.getLogger(__name__)
SECRET_NAME = "flask.secret_key"
SESSION_KEY = "sid"  # the cookie's session-id entry
_EXTENSION = "csdomain.web_sessions"
# last-seen is written at most this often per session, so page loads are not all writes
TOUCH_EVERY = timedelta(minutes=1)


class WebSessionStore(Protocol):
    """Where sessions and the signing key live (memory: this process; SQL: the database)."""

    def secret(self, name: str, candidate: str, now: datetime) -> str:
        """The stored secret ``name``, created from ``candidate`` only if none exists yet."""
        ...

    def add(self, id_hash: str, staff_id: StaffId, now: datetime, expires_at: datetime) -> None: ...

    def find(self, id_hash: str) -> tuple[StaffId, datetime, datetime, datetime | None] | None:
        """(staff id, last seen, expires, ended) or None for an unknown session."""
        ...

    def seen(self, id_hash: str, now: datetime) -> None: ...
    def end(self, id_hash: str, now: datetime) -> None: ...
    def end_all_for(self, staff_id: StaffId, now: datetime) -> int: ...


class MemoryWebSessions:
    """The store for memory storage: a dict under a lock (memory servers run one worker)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._secrets: dict[str, str] = {}
        self._rows: dict[str, list[Any]] = {}

    def secret(self, name: str, candidate: str, now: datetime) -> str:
        with self._lock:
            return self._secrets.setdefault(name, candidate)

    def add(self, id_hash: str, staff_id: StaffId, now: datetime, expires_at: datetime) -> None:
        with self._lock:
            if id_hash in self._rows:
                raise ValueError("session id collision")
            self._rows[id_hash] = [staff_id, now, expires_at, None]

    def find(self, id_hash: str) -> tuple[StaffId, datetime, datetime, datetime | None] | None:
        with self._lock:
            row = self._rows.get(id_hash)
            return None if row is None else (row[0], row[1], row[2], row[3])

    def seen(self, id_hash: str, now: datetime) -> None:
        with self._lock:
            row = self._rows.get(id_hash)
            if row is not None and row[3] is None:
                row[1] = now

    def end(self, id_hash: str, now: datetime) -> None:
        with self._lock:
            row = self._rows.get(id_hash)
            if row is not None and row[3] is None:
                row[3] = now

    def end_all_for(self, staff_id: StaffId, now: datetime) -> int:
        with self._lock:
            live = [r for r in self._rows.values() if r[0] == staff_id and r[3] is None]
            for row in live:
                row[3] = now
            return len(live)


# one memory store per memory storage, so Flask apps over the same data share sessions
_MEMORY_STORES: weakref.WeakKeyDictionary[Storage, MemoryWebSessions] = weakref.WeakKeyDictionary()
_MEMORY_LOCK = threading.Lock()


def store_for(storage: Storage) -> WebSessionStore:
    """The session store beside ``storage``'s data (SQL tables, or this process's memory)."""
    from adapters.sql import SqlStorage  # late: the memory adapter must not need SQLAlchemy

    if isinstance(storage, SqlStorage):
        from adapters.sql.web_sessions import SqlWebSessions

        return SqlWebSessions(storage.engine)
    with _MEMORY_LOCK:
        store = _MEMORY_STORES.get(storage)
        if store is None:
            store = _MEMORY_STORES[storage] = MemoryWebSessions()
        return store


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

    def start(self, staff_id: StaffId) -> str:
        """A new session for ``staff_id``; returns the id for the cookie (not stored)."""
        session_id = secrets.token_urlsafe(32)
        now = self.now()
        self.store.add(hash_session_id(session_id), staff_id, now, now + self.lifetime)
        return session_id

    def staff_id(self, session_id: str) -> StaffId | None:
        """The staff member of a live session, or None (unknown, ended, expired or idle)."""
        id_hash = hash_session_id(session_id)
        found = self.store.find(id_hash)
        if found is None:
            return None
        staff_id, last_seen, expires_at, ended_at = found
        now = self.now()
        if ended_at is not None:
            return None
        if now >= expires_at or now - last_seen >= self.idle:
            self.store.end(id_hash, now)
            return None
        if now - last_seen >= TOUCH_EVERY:
            self.store.seen(id_hash, now)
        return staff_id

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


def sign_in(staff: Staff) -> None:
    """A fresh cookie (no fixation: whatever the browser had is dropped) for a new session."""
    session.clear()
    session[SESSION_KEY] = web_sessions().start(staff.id)


def signed_in_staff() -> Staff | None:
    """The active staff member of this request's session, or None (then the cookie is reset).

    The staff member is read through the guarded ``get_staff`` as themselves, so a
    deactivated member's session is refused by the guard and ended here (X-3).
    """
    session_id = session.get(SESSION_KEY)
    if not isinstance(session_id, str):
        return None
    sessions = web_sessions()
    staff_id = sessions.staff_id(session_id)
    if staff_id is not None:
        try:
            return sessions.app.services.org.get_staff(staff_id, staff_id)
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
    "WebSessionStore",
    "WebSessions",
    "hash_session_id",
    "install",
    "sign_in",
    "sign_out",
    "signed_in_staff",
    "store_for",
]
