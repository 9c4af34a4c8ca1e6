"""Web-session storage shared by the adapters (issue 7, item 7): the row, the store port, and
the memory store. No Flask here, so the SQL adapter can implement the port without depending
on the HTTP adapter; ``adapters.http.sessions`` holds the session logic and the cookie.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Protocol

import attrs

from csdomain.kernel.ids import StaffId


@attrs.frozen
class WebSessionRow:
    """What the server keeps of a session: never the id itself, nor the API token (only the
    hash the token table keeps too, so revoking the token ends the session)."""

    id_hash: str
    staff_id: StaffId
    token_hash: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    ended_at: datetime | None = None


class WebSessionStore(Protocol):
    """Where sessions and the signing key live (memory: this process; SQL: the database)."""

    def secret(self, name: str, candidate: str, now: datetime) -> str:
        """The stored secret ``name``, created from ``candidate`` only if none exists yet."""
        ...

    def add(self, row: WebSessionRow) -> None: ...
    def find(self, id_hash: str) -> WebSessionRow | None: ...
    def seen(self, id_hash: str, now: datetime) -> None: ...
    def end(self, id_hash: str, now: datetime) -> None: ...
    def end_all_for(self, staff_id: StaffId, now: datetime) -> int: ...


class MemoryWebSessions:
    """The store for memory storage: a dict under a lock (memory servers run one worker)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._secrets: dict[str, str] = {}
        self._rows: dict[str, WebSessionRow] = {}

    def secret(self, name: str, candidate: str, now: datetime) -> str:
        with self._lock:
            return self._secrets.setdefault(name, candidate)

    def add(self, row: WebSessionRow) -> None:
        with self._lock:
            if row.id_hash in self._rows:
                raise ValueError("session id collision")
            self._rows[row.id_hash] = row

    def find(self, id_hash: str) -> WebSessionRow | None:
        with self._lock:
            return self._rows.get(id_hash)

    def seen(self, id_hash: str, now: datetime) -> None:
        with self._lock:
            row = self._rows.get(id_hash)
            if row is not None and row.ended_at is None:
                self._rows[id_hash] = attrs.evolve(row, last_seen_at=now)

    def end(self, id_hash: str, now: datetime) -> None:
        with self._lock:
            row = self._rows.get(id_hash)
            if row is not None and row.ended_at is None:
                self._rows[id_hash] = attrs.evolve(row, ended_at=now)

    def end_all_for(self, staff_id: StaffId, now: datetime) -> int:
        with self._lock:
            live = [r for r in self._rows.values() if r.staff_id == staff_id and r.ended_at is None]
            for row in live:
                self._rows[row.id_hash] = attrs.evolve(row, ended_at=now)
            return len(live)


__all__ = ["MemoryWebSessions", "WebSessionRow", "WebSessionStore"]
