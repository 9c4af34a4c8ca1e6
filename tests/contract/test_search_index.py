"""Customer search uses an index, not a table scan; migration 0009 gives existing customers
their keys (issue 11)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from adapters.bootstrap import bootstrap
from adapters.settings import Settings
from adapters.sql import SqlStorage
from adapters.sql.search import matching_ids
from adapters.sql.tables import customers
from csdomain.customers.commands import RegisterCustomer


def _plan(storage: SqlStorage, stmt: Any) -> str:
    compiled = stmt.compile(storage.engine, compile_kwargs={"literal_binds": True})
    with storage.engine.connect() as conn:
        rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}").all()
    return "\n".join(str(r[-1]) for r in rows)


def test_search_is_an_index_range_scan_on_sqlite(tmp_path: Path) -> None:
    storage = SqlStorage(f"sqlite:///{tmp_path}/s.db")
    storage.upgrade()
    ids = matching_ids("zs")
    assert ids is not None
    stmt = sa.select(customers.c.id).where(customers.c.id.in_(ids))
    plan = _plan(storage, stmt)
    assert "SEARCH customer_search_keys USING" in plan and "INDEX" in plan, plan
    assert "(key>? AND key<?)" in plan, plan  # a range of the key index
    assert "SCAN customers" not in plan and "SCAN customer_search_keys" not in plan, plan
    storage.close()


def test_migration_0009_backfills_keys_of_existing_customers(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/m.db"
    app = bootstrap(Settings(database_url=url), create_schema=True)
    admin, _ = app.services.org.bootstrap_admin("Admin")
    # customers are registered by sales staff (CUS-1), not by the system administrator
    adviser = app.services.org.add_staff(
        admin.id, name="Li Lei", role="staff", position="sales_adviser"
    )
    app.services.customers.register(adviser.id, RegisterCustomer(name="张三", phone="13800138000"))
    storage = app.storage
    assert isinstance(storage, SqlStorage)
    storage.downgrade("0005")  # as if the customer had been registered before search existed
    storage.upgrade()
    assert [c.name for c in app.services.customers.search(adviser.id, "zs")] == ["张三"]
    app.close()


def test_search_can_use_the_key_index_on_postgres(sql_storage_factory: Any) -> None:
    """On PostgreSQL the key column collates "C", so the prefix range is an index range
    (with sequential scans disabled the planner must be able to use the primary key)."""
    storage: SqlStorage = sql_storage_factory("postgres")
    ids = matching_ids("zs")
    assert ids is not None
    stmt = sa.select(customers.c.id).where(customers.c.id.in_(ids))
    compiled = stmt.compile(storage.engine, compile_kwargs={"literal_binds": True})
    with storage.engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")
        plan = "\n".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN {compiled}"))
    assert "pk_customer_search_keys" in plan, plan
    assert "Seq Scan on customer_search_keys" not in plan, plan
