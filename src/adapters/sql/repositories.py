"""The generic repository over one SQLAlchemy session (one unit of work), which every
capability's repositories (``adapters.sql.<area>``, issue 9) subclass.

Each method returns the core objects themselves (they are mapped); orderings, errors and
messages are those of the memory adapter, so the contract suite holds for both.
"""

from __future__ import annotations

import copy
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session, instrumentation
from sqlalchemy.orm.util import identity_key

from adapters.sql.errors import translating
from adapters.sql.mapping import MAPPED
from csdomain.kernel.errors import Conflict, NotFound

T = TypeVar("T")


_PENDING = "csdomain.pending"


def pending_keys(session: Session) -> set[tuple[Any, str]]:
    """Keys added in this session's current transaction (cleared by the unit of work when it
    commits or rolls back): a set, so checking a unit of work's additions is O(1), where
    scanning ``session.new`` (a copy each time) made a big unit of work quadratic."""
    found: set[tuple[Any, str]] = session.info.setdefault(_PENDING, set())
    return found


def adopt(obj: object) -> None:
    """Give an object built before the mapping was loaded (so without SQLAlchemy state) its
    instrumentation, then set its column attributes again so JSON lists and maps are
    change-tracked like those of objects built later."""
    if sa.inspect(obj, raiseerr=False) is not None:
        return
    manager = instrumentation.manager_of_class(type(obj))
    if manager is None:
        return  # not a mapped class: session.add reports it
    manager._new_state_if_none(obj)  # what SQLAlchemy's own __init__ hook does
    for attr in sa.inspect(type(obj)).column_attrs:
        if attr.key in obj.__dict__:
            # a copy: setting the very same list would not be wrapped for change tracking
            setattr(obj, attr.key, copy.copy(obj.__dict__[attr.key]))


class _Repository(Generic[T]):
    cls: type[T]
    label: str

    def __init__(self, session: Session) -> None:
        self.session = session
        table, pk = MAPPED[self.cls]
        self.table = table
        self.pk = pk

    def _key(self, obj: T) -> str:
        return str(getattr(obj, self.pk.key))

    def _binary(self, column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
        """Order text by code point on every backend, as Python (the memory adapter) does;
        PostgreSQL would otherwise use the database's locale collation."""
        if self.session.get_bind().dialect.name == "postgresql":
            return column.collate("C")
        return column

    def _select(self) -> sa.Select[T]:
        return sa.select(self.cls)

    def _all(self, stmt: sa.Select[T]) -> list[T]:
        return list(self.session.scalars(stmt))

    @translating
    def add(self, obj: T) -> None:
        """Stage ``obj`` for insertion. No query: a key already stored is refused by the
        primary key when the unit of work flushes (a Conflict then); a key added or loaded in
        this unit of work is refused here, from the session's own bookkeeping (issue 10)."""
        key = self._key(obj)
        added = pending_keys(self.session)
        if (self.cls, key) in added or (identity_key(self.cls, key) in self.session.identity_map):
            raise Conflict(f"{self.label} {key} already exists")
        added.add((self.cls, key))
        adopt(obj)
        self.session.add(obj)

    def _find_key(self, key: str) -> T | None:
        return self.session.get(self.cls, key)

    def _first(self, stmt: sa.Select[T]) -> T | None:
        return self.session.scalars(stmt.limit(1)).first()

    @translating
    def get(self, key: str) -> T:
        obj = self.session.get(self.cls, key)
        if obj is None:
            field = f"{self.label.replace(' ', '_')}_id"
            raise NotFound(f"{self.label} {key} not found", field=field)
        return obj


_APPENDED = "csdomain.appended"


def appended(session: Session) -> dict[sa.Table, list[Any]]:
    """Records the append-only repositories staged in this session's transaction, per table."""
    staged: dict[sa.Table, list[Any]] = session.info.setdefault(_APPENDED, {})
    return staged


def _columns(table: sa.Table) -> list[str]:
    return [c.name for c in table.columns if c.name != "seq"]


def write_appended(session: Session) -> None:
    """Insert the staged append-only records, one ``executemany`` per table, after the ORM's
    own flush (their rows may refer to objects it inserts). Called before the commit and
    before any read of an append-only table, so a unit of work reads its own writes. Rows
    are taken from the records now, not when they were added, so a record completed after
    ``add`` (as the ORM would) is stored as it is at the commit."""
    staged = session.info.get(_APPENDED)
    if not staged:
        return
    session.flush()
    connection = session.connection()
    for table, records in staged.items():
        if records:
            names = _columns(table)
            rows = [{name: getattr(obj, name) for name in names} for obj in records]
            connection.execute(table.insert(), rows)
    staged.clear()


class _AppendOnly(Generic[T]):
    """A repository of append-only records (X-7: audit events, case events, penalty entries)
    written and read through SQLAlchemy Core instead of the ORM. They are never changed
    once stored, so they need neither the identity map, change tracking nor versions — which
    cost more per row than the row's INSERT, and held ~2 KiB per entry in a month's
    settlement (issue 10). ``add`` stages the record; the unit of work inserts the staged
    rows in one statement per table before it commits; a duplicate id is refused at once
    within the unit of work, and by the unique key against stored ones (Conflict)."""

    cls: type[T]
    table: sa.Table
    label: str

    def __init__(self, session: Session) -> None:
        self.session = session
        self._columns = _columns(self.table)

    @translating
    def add(self, obj: T) -> None:
        key = str(getattr(obj, "id"))  # noqa: B009 - T is any record with an id
        added = pending_keys(self.session)
        if (self.cls, key) in added:  # the same record twice in one unit of work
            raise Conflict(f"{self.label} {key} already exists")
        added.add((self.cls, key))
        appended(self.session).setdefault(self.table, []).append(obj)

    @translating
    def get(self, key: str) -> T:
        found = self._all(self._select().where(self.table.c.id == key))
        if not found:
            field = f"{self.label.replace(' ', '_')}_id"
            raise NotFound(f"{self.label} {key} not found", field=field)
        return found[0]

    def _select(self) -> sa.Select[Any]:
        return sa.select(*(self.table.c[name] for name in self._columns))

    def _execute(self, stmt: sa.Select[Any]) -> sa.CursorResult[Any]:
        """Run a query after writing what this unit of work staged (it reads its own writes)."""
        write_appended(self.session)
        return self.session.connection().execute(stmt)

    def _all(self, stmt: sa.Select[Any]) -> list[T]:
        return [self.cls(**row._mapping) for row in self._execute(stmt)]
