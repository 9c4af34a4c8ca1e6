"""A real in-memory storage adapter (not a test double): it passes the same contract suite as
the SQL adapter, including optimistic concurrency, so unit tests and examples can trust it."""

from adapters.memory.store import MemoryStore, MemoryUnitOfWork

__all__ = ["MemoryStore", "MemoryUnitOfWork"]
