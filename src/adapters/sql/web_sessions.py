"""SQL storage of the HTTP adapter's web sessions and its signing key (issue 7, item 7).

Web sessions are an adapter concern (the core knows API tokens, not browsers), so they are
not part of the core's UnitOfWork: ``adapters.http.sessions`` talks to this store directly,
each call its own short transaction on the storage's engine. Rows are ended, never deleted.
"""

from __future__ import annotations

from datetime import datetime

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from adapters.sql.errors import translated
from adapters.sql.schema import ID, metadata
from adapters.sql.types import AwareDateTime
from adapters.web_sessions import WebSessionRow
from csdomain.kernel.ids import StaffId

# --- web sessions (issue 7, item 7): adapter state of the HTTP layer, not core classes ---

app_secrets = sa.Table(
    "app_secrets",
    metadata,
    # one value per name, created once: the primary key is what makes every worker agree
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.String(256), nullable=False),
    sa.Column("created_at", AwareDateTime(), nullable=False),
)


web_sessions = sa.Table(
    "web_sessions",
    metadata,
    # SHA-256 of the random session id in the cookie; the id itself is never stored
    sa.Column("id_hash", sa.String(64), primary_key=True),
    sa.Column("staff_id", ID, nullable=False, index=True),
    sa.Column("token_hash", sa.String(64), nullable=False),  # the api_tokens hash
    sa.Column("created_at", AwareDateTime(), nullable=False),
    sa.Column("last_seen_at", AwareDateTime(), nullable=False),
    sa.Column("expires_at", AwareDateTime(), nullable=False),
    sa.Column("ended_at", AwareDateTime(), nullable=True),
)


class SqlWebSessions:
    """``adapters.web_sessions.WebSessionStore`` on the application's SQL database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def secret(self, name: str, candidate: str, now: datetime) -> str:
        """The stored secret ``name``; ``candidate`` becomes it if there is none yet.

        Workers starting together all try the insert; the primary key lets exactly one win
        and the others read the winner's value, so every worker signs with the same key.
        """
        with translated():
            try:
                with self.engine.begin() as conn:
                    conn.execute(
                        app_secrets.insert().values(name=name, value=candidate, created_at=now)
                    )
            except sa.exc.IntegrityError:
                pass  # another worker (or an earlier start) created it
            with self.engine.connect() as conn:
                value = conn.execute(
                    sa.select(app_secrets.c.value).where(app_secrets.c.name == name)
                ).scalar_one()
        return str(value)

    def add(self, row: WebSessionRow) -> None:
        with translated(), self.engine.begin() as conn:
            conn.execute(web_sessions.insert().values(**attrs.asdict(row)))

    def find(self, id_hash: str) -> WebSessionRow | None:
        with translated(), self.engine.connect() as conn:
            row = (
                conn.execute(sa.select(web_sessions).where(web_sessions.c.id_hash == id_hash))
                .mappings()
                .one_or_none()
            )
        if row is None:
            return None
        return WebSessionRow(**{**row, "staff_id": StaffId(row["staff_id"])})

    def seen(self, id_hash: str, now: datetime) -> None:
        c = web_sessions.c
        with translated(), self.engine.begin() as conn:
            conn.execute(
                web_sessions.update()
                .where(c.id_hash == id_hash, c.ended_at.is_(None))
                .values(last_seen_at=now)
            )

    def end(self, id_hash: str, now: datetime) -> None:
        c = web_sessions.c
        with translated(), self.engine.begin() as conn:
            conn.execute(
                web_sessions.update()
                .where(c.id_hash == id_hash, c.ended_at.is_(None))
                .values(ended_at=now)
            )

    def end_all_for(self, staff_id: StaffId, now: datetime) -> int:
        c = web_sessions.c
        with translated(), self.engine.begin() as conn:
            result = conn.execute(
                web_sessions.update()
                .where(c.staff_id == staff_id, c.ended_at.is_(None))
                .values(ended_at=now)
            )
        return int(result.rowcount)


__all__ = ["SqlWebSessions"]
