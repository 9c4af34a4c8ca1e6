"""The visit rules run on memory, SQLite and PostgreSQL (backend fixtures in
tests/backend_fixtures.py)."""

from __future__ import annotations

import pytest

from adapters.bootstrap import App, Storage
from backend_fixtures import backend_app
from csdomain.kernel.clock import FixedClock


@pytest.fixture
def app(storage: Storage, clock: FixedClock) -> App:
    """Overrides the root ``app``: the application over the parametrized backend."""
    return backend_app(storage, clock)
