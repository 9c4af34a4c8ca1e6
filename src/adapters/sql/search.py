"""Keeps ``customer_search_keys`` in step with ``customers``, and answers customer searches.

After every flush that inserted a customer or changed its name, phone or ID number, the
customer's keys are replaced in the same transaction, so the key table never disagrees with
a committed customer (and a rolled-back change leaves both untouched).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, UOWTransaction

from adapters import search_keys
from adapters.sql.mapping import VersionedSession
from adapters.sql.schema import ID, metadata
from csdomain.customers.model import Customer

# Customer search (issue 11): one row per search key of a customer (``adapters.search_keys``),
# kept in step with ``customers`` by ``adapters.sql.search`` on every flush. The primary key
# leads with ``key``, so a prefix query is a range scan of that index; on PostgreSQL the key
# compares bytewise ("C") so the range is exact whatever the database's locale.
SEARCH_KEY = sa.String(64).with_variant(sa.String(64, collation="C"), "postgresql")


customer_search_keys = sa.Table(
    "customer_search_keys",
    metadata,
    sa.Column("key", SEARCH_KEY, primary_key=True),
    sa.Column("customer_id", ID, primary_key=True, index=True),
)


_SEARCHED = ("name", "phone", "id_number")


def _needs_keys(session: Session, obj: Customer) -> bool:
    if obj in session.new:
        return True
    attrs = sa.inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in _SEARCHED)


@event.listens_for(VersionedSession, "after_flush")
def _refresh_search_keys(session: Session, flush_context: UOWTransaction) -> None:
    # after_flush still sees the pre-flush new/dirty sets and attribute histories
    changed = [
        obj
        for obj in (*session.new, *session.dirty)
        if isinstance(obj, Customer) and _needs_keys(session, obj)
    ]
    if not changed:
        return
    k = customer_search_keys
    connection = session.connection()
    # a customer inserted by this flush has no keys yet: delete only the changed ones'
    stale = [c.id for c in changed if c not in session.new]
    if stale:
        connection.execute(sa.delete(k).where(k.c.customer_id.in_(stale)))
    rows = keys_rows(changed)
    if rows:
        connection.execute(sa.insert(k), rows)


def keys_rows(customers: Sequence[Any]) -> list[dict[str, str]]:
    """The ``customer_search_keys`` rows of customers (anything with id, name, phone and
    id_number: also the migration's plain rows)."""
    return [
        {"key": key, "customer_id": c.id}
        for c in customers
        for key in sorted(search_keys.customer_keys(c.name, c.phone, c.id_number))
    ]


def matching_ids(text: str) -> sa.Select[tuple[str]] | None:
    """The ids of customers with a key starting with one of the query's prefixes: one index
    range per prefix (``key >= q AND key < q⁺``); None when the query has no prefix."""
    prefixes = search_keys.query_keys(text)
    if not prefixes:
        return None
    k = customer_search_keys.c
    ranges = [sa.and_(k.key >= q, k.key < search_keys.upper_bound(q)) for q in prefixes]
    return sa.select(k.customer_id).where(sa.or_(*ranges)).distinct()
