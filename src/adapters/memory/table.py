"""The generic memory table every capability's repositories build on: copy-on-read,
tracking of what a unit of work read and added (``adapters.memory.store`` commits it).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, Generic, Protocol, TypeVar

from csdomain.kernel.errors import Conflict, NotFound
from csdomain.org.ports import StaffRepository

T = TypeVar("T")


class StoreState(Protocol):
    """The committed state a table reads (``adapters.memory.store.MemoryStore``)."""

    @property
    def lock(self) -> AbstractContextManager[Any]: ...
    def table(self, name: str) -> dict[str, Any]: ...


class UnitOfWorkState(Protocol):
    """What the tables use of their unit of work (``adapters.memory.store.MemoryUnitOfWork``):
    a protocol, so capability modules need not import the store, which imports them all."""

    new: dict[tuple[str, str], Any]
    seen: dict[tuple[str, str], tuple[Any, int | None, Any]]
    drawn: list[tuple[str, int]]

    @property
    def store(self) -> StoreState: ...
    @property
    def staff(self) -> StaffRepository: ...


class _Table(Generic[T]):
    def __init__(
        self, uow: UnitOfWorkState, name: str, key: Callable[[T], str], label: str
    ) -> None:
        self.uow = uow
        self.name = name
        self.key = key
        self.label = label

    def _committed(self) -> dict[str, T]:
        return self.uow.store.table(self.name)

    def add(self, obj: T) -> None:
        k = self.key(obj)
        if k in self._committed() or (self.name, k) in self.uow.new:
            raise Conflict(f"{self.label} {k} already exists")
        self.uow.new[(self.name, k)] = obj

    def _track(self, k: str, stored: T) -> T:
        tracked = self.uow.seen.get((self.name, k))
        if tracked is not None:
            return tracked[0]  # type: ignore[no-any-return]
        obj = copy.deepcopy(stored)
        # committed objects are never mutated in place (commit stores fresh copies), so
        # ``stored`` is the state as read: commit compares against it to see what changed
        self.uow.seen[(self.name, k)] = (obj, getattr(stored, "version", None), stored)
        return obj

    def get(self, k: str) -> T:
        if (self.name, k) in self.uow.new:
            return self.uow.new[(self.name, k)]  # type: ignore[no-any-return]
        with self.uow.store.lock:
            stored = self._committed().get(k)
        if stored is None:
            raise NotFound(
                f"{self.label} {k} not found", field=f"{self.label.replace(' ', '_')}_id"
            )
        return self._track(k, stored)

    def find_key(self, k: str) -> T | None:
        try:
            return self.get(k)
        except NotFound:
            return None

    def all(self, predicate: Callable[[T], bool] = lambda _: True) -> list[T]:
        with self.uow.store.lock:
            committed = list(self._committed().items())
        out = [self._track(k, v) for k, v in committed if predicate(v)]
        out.extend(v for (t, _), v in self.uow.new.items() if t == self.name and predicate(v))
        return out
