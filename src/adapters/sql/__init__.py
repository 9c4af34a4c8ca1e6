"""SQL storage adapter (SQLite by default, PostgreSQL by URL).

The core's attrs classes are mapped imperatively (``mapping``), the schema is built by the
packaged Alembic migrations (``SqlStorage.upgrade()``), and every database error reaches the
core as a DomainError (``errors``).
"""

from adapters.sql.errors import StorageError
from adapters.sql.mapping import map_core
from adapters.sql.scheduler import SqlRunLedger
from adapters.sql.storage import SqlStorage, SqlUnitOfWork

# Map on import, so core objects built from here on are instrumented from birth (objects
# built earlier are adopted when added).
map_core()

__all__ = ["SqlRunLedger", "SqlStorage", "SqlUnitOfWork", "StorageError"]
