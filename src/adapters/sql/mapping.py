"""Imperative SQLAlchemy mapping of the core's own attrs classes, and the versioning rules.

The core stays free of SQLAlchemy: its ``@attrs.define(slots=False)`` classes are mapped
here, from the outside, with ``registry.map_imperatively`` (the documented way to map
existing attrs classes), so no second set of ORM model classes has to be kept in sync.

Versions (optimistic concurrency) follow the memory adapter exactly: an added object is at
version 1 after commit, and every transaction that changes an object bumps it by exactly one,
however often the session flushes in between. The ``version`` column is the mapper's
``version_id_col``, so every UPDATE says ``WHERE version = <the version read>`` and a stale
write fails with StaleDataError (translated to ConcurrencyConflict in ``errors``). SQLAlchemy's
own counter would bump once per flush, so the counter is set here, once per transaction.
"""

from __future__ import annotations

import threading
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import InstanceState, Mapper, Session, UOWTransaction, registry

from adapters.sql.schema import metadata

mapper_registry = registry(metadata=metadata)
_lock = threading.Lock()

# core class → (table, the column identifying an object). Classes with a ``version``
# attribute are versioned; tables with a ``seq`` column keep it hidden. Each capability's
# module (``adapters.sql.<capability>``) adds its own classes when imported (issue 9).
MAPPED: dict[type[Any], tuple[sa.Table, sa.Column[Any]]] = {}


def map_core() -> None:
    """Map every core class once per process; later calls (more storages, re-imports) are no-ops."""
    with _lock:
        for cls, (table, pk) in MAPPED.items():
            if sa.inspect(cls, raiseerr=False) is not None:
                continue
            kwargs: dict[str, Any] = {"primary_key": [pk]}
            if "seq" in table.c:  # hidden insertion-order column, not a core attribute
                kwargs["exclude_properties"] = ["seq"]
            if "version" in table.c:
                kwargs["version_id_col"] = table.c.version
                kwargs["version_id_generator"] = False  # set per transaction below
            mapper_registry.map_imperatively(cls, table, **kwargs)
        mapper_registry.configure()


class VersionedSession(Session):
    """The session of one unit of work: stamps versions once per transaction, and holds every
    object it loaded strongly (SQLAlchemy's identity map is weak), so a change made through a
    temporary reference, e.g. ``uow.staff.get(i).permissions.append(p)``, is not lost before
    commit; the memory adapter tracks what it hands out the same way."""


_REFS = "csdomain.refs"


@event.listens_for(VersionedSession, "pending_to_persistent")
@event.listens_for(VersionedSession, "loaded_as_persistent")
@event.listens_for(VersionedSession, "detached_to_persistent")
def _hold(session: Session, instance: object) -> None:
    session.info.setdefault(_REFS, {})[id(instance)] = instance


@event.listens_for(VersionedSession, "persistent_to_detached")
@event.listens_for(VersionedSession, "persistent_to_transient")
def _release(session: Session, instance: object) -> None:
    session.info.get(_REFS, {}).pop(id(instance), None)


_STAMPED = "csdomain.stamped"


def _is_versioned(obj: object) -> bool:
    mapper: Mapper[Any] = sa.inspect(obj).mapper
    return mapper.version_id_col is not None


@event.listens_for(VersionedSession, "before_flush")
def _stamp_versions(session: Session, flush_context: UOWTransaction, instances: Any) -> None:
    transaction = session.get_transaction()
    marker = session.info.get(_STAMPED)
    if marker is None or marker[0] is not transaction:
        marker = (transaction, set())
        session.info[_STAMPED] = marker
    stamped: set[InstanceState[Any]] = marker[1]
    for obj in session.new:
        if _is_versioned(obj):
            obj.version = 1
            stamped.add(sa.inspect(obj))
    for obj in session.dirty:
        state: InstanceState[Any] = sa.inspect(obj)
        if state in stamped or not _is_versioned(obj):
            continue
        if session.is_modified(obj, include_collections=False):
            obj.version = obj.version + 1
            stamped.add(state)


__all__ = ["MAPPED", "VersionedSession", "map_core", "mapper_registry"]
