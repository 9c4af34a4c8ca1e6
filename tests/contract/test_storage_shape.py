"""Issue 9: storage is sliced like the core, one module per capability in every layer.

Every repository of the ``UnitOfWork`` is built, in both adapters, from the module named
after the capability whose ``ports.py`` declares it; every mapped table lives in that
capability's SQL module; ``adapters.sql.tables`` re-exports every table of the metadata.
(The Alembic comparison of the tables with the migrations is
``test_sql_adapter.py::test_migrations_build_exactly_the_mapped_schema``.)
"""

from __future__ import annotations

import importlib
import inspect
import typing
from pathlib import Path

import pytest
import sqlalchemy as sa

from adapters.memory import MemoryStore
from adapters.sql import SqlStorage, tables
from adapters.sql.mapping import MAPPED
from adapters.sql.schema import metadata
from csdomain.ports import UnitOfWork

CAPABILITIES = (
    "org",
    "customers",
    "cases",
    "service_jobs",
    "penalties",
    "credit",
    "visits",
    "surveys",
    "policy_lab",
    "audit",
)
SRC = Path(__file__).resolve().parents[2] / "src"


def capability_of_port(port: type) -> str:
    """``csdomain.<area>.ports`` → ``<area>``; the shared ``csdomain.ports`` → audit."""
    module = port.__module__
    if module == "csdomain.ports":
        return "audit"
    head, area, tail = module.split(".")
    assert (head, tail) == ("csdomain", "ports"), module
    return area


def repository_ports() -> dict[str, type]:
    members = inspect.getmembers(UnitOfWork, lambda m: isinstance(m, property))
    return {name: typing.get_type_hints(prop.fget)["return"] for name, prop in members}


def test_every_capability_has_a_ports_module_and_a_module_in_each_storage_layer() -> None:
    for area in CAPABILITIES:
        assert (SRC / "adapters" / "sql" / f"{area}.py").is_file(), area
        assert (SRC / "adapters" / "memory" / f"{area}.py").is_file(), area
        if area != "audit":
            assert (SRC / "csdomain" / area / "ports.py").is_file(), area
    assert {capability_of_port(p) for p in repository_ports().values()} == set(CAPABILITIES)


@pytest.mark.parametrize("adapter", ["sql", "memory"])
def test_each_repository_comes_from_its_capabilitys_module(adapter: str) -> None:
    if adapter == "sql":
        storage = SqlStorage("sqlite://")
        uow: object = storage.unit_of_work()
    else:
        uow = MemoryStore().unit_of_work()
    try:
        wrong = {
            name: type(getattr(uow, name)).__module__
            for name, port in repository_ports().items()
            if type(getattr(uow, name)).__module__
            != f"adapters.{adapter}.{capability_of_port(port)}"
        }
        assert wrong == {}
    finally:
        if adapter == "sql":
            storage.close()


def test_each_mapped_table_lives_in_its_capabilitys_sql_module() -> None:
    tables_by_module = {
        area: {
            value.name
            for value in vars(importlib.import_module(f"adapters.sql.{area}")).values()
            if isinstance(value, sa.Table)
        }
        for area in CAPABILITIES
    }
    for cls, (table, _) in MAPPED.items():
        area = cls.__module__.split(".")[1]
        if cls.__module__ == "csdomain.kernel.events":
            area = "audit"
        assert table.name in tables_by_module[area], (cls, table.name)


def test_the_tables_module_reexports_every_table_and_defines_none() -> None:
    exported = {v.name for v in vars(tables).values() if isinstance(v, sa.Table)}
    assert exported == set(metadata.tables)
    source = (SRC / "adapters" / "sql" / "tables.py").read_text()
    assert "sa.Table(" not in source and "class " not in source
