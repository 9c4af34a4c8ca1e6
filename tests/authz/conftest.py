"""Fixtures of the authorization suite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from authz_support import RoleWorld, make_world


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RoleWorld]:
    w = make_world(tmp_path_factory.mktemp("authz"))
    yield w
    w.app.close()
