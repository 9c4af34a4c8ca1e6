"""What every table shares: the one ``metadata`` (with its naming convention) and the
column helpers. The tables themselves live with their capability (``adapters.sql.<area>``,
issue 9) and together are the schema the code expects; ``migrations/versions`` builds the
same schema step by step (a contract test compares the two). There are no foreign keys on
purpose: the use cases check every reference before storing it, the memory adapter enforces
none either (one contract suite runs against both), and nothing is ever deleted (X-7).

Tables whose listings keep insertion order for equal times (audit events, access log, API
tokens, case events, breaches, CAPA items, settlements, violations, penalty entries,
statements) get a hidden ``seq`` primary key that the database fills in insertion order; it
is not an attribute of the core class and exists only so listings come back in the order
things happened, as in the memory adapter.
"""

from __future__ import annotations

import sqlalchemy as sa

ID = sa.String(64)


# Predictable constraint/index names, so later migrations can refer to them on every backend.
metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def seq_column() -> sa.Column[int]:
    """Insertion order for append-only tables; INTEGER so SQLite makes it the rowid."""
    return sa.Column(
        "seq",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
    )
