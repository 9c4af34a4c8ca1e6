"""Alembic environment for the SQL adapter.

SqlStorage.upgrade() passes its own open connection in ``config.attributes["connection"]``,
so migrations run on the application's engine and no ini file or logging setup is needed.
From the alembic command line, the URL comes from ``-x url=...`` or CSDOMAIN_DATABASE_URL.
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from alembic import context

from adapters.sql.tables import metadata

config = context.config
target_metadata = metadata


def _run(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode rebuilds the table instead
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = (
        context.get_x_argument(as_dictionary=True).get("url")
        or os.environ.get("CSDOMAIN_DATABASE_URL")
        or "sqlite:///./csdomain.db"
    )
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            _run(conn)
            conn.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; connect to a database")
run_migrations_online()
