"""Migration 0006 on a database at 0005 holding rows that collide once normalized (issue 8):
identities are normalized (E.164, NFKC), collisions are flagged and reported instead of
failing the upgrade (the earliest row keeps the identity, CUS-1), and the new unique indexes
hold from then on. SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from contract_support import SQL_BACKENDS, at, migration_chain, with_search_path

from adapters.sql import SqlStorage
from adapters.sql import tables as t
from csdomain.customers.model import Customer, CustomerStatus
from csdomain.kernel.errors import Conflict
from csdomain.kernel.ids import CustomerId, StaffId
from csdomain.kernel.money import Money
from csdomain.penalties.model import AppealState, EntryKind

TIMEZONE = "Asia/Shanghai"


@pytest.fixture
def at_0005(request: pytest.FixtureRequest, backend: str, tmp_path: Any) -> Iterator[SqlStorage]:
    """A fresh database migrated to 0005 only."""
    admin = None
    schema = ""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
    else:
        postgres_url = request.getfixturevalue("postgres_url")
        schema = f"csd_mig_{uuid.uuid4().hex[:12]}"
        admin = sa.create_engine(postgres_url)
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        url = with_search_path(postgres_url, schema)
    storage = SqlStorage(url, TIMEZONE)
    storage.upgrade("0005")
    try:
        yield storage
    finally:
        storage.close()
        if admin is not None:
            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


def _customer(cid: str, phone: str, registered: str, **kw: Any) -> dict[str, Any]:
    return {
        "id": cid,
        "name": kw.pop("name", cid),
        "kind": "end_consumer",
        "legal_form": "individual",
        "phone": phone,
        "owner_id": kw.pop("owner_id", f"stf_{cid}"),
        "registered_by": "stf_x",
        "registered_at": at(registered),
        "source": "walk_in",
        "contact_name": kw.pop("contact_name", ""),
        "address": "",
        "status": kw.pop("status", "prospect"),
        "intermediary": False,
        "intermediary_name": "",
        "grade_provisional": False,
        "notes": "",
        "id_number": kw.pop("id_number", None),
        "version": 1,
        **kw,
    }


def _entry(eid: str, **kw: Any) -> dict[str, Any]:
    return {
        "id": eid,
        "staff_id": "stf_x",
        "month": "2026-10",
        "kind": kw.pop("kind", EntryKind.VIOLATION),
        "amount": kw.pop("amount", Money.of("50.00")),
        "explanation": "x",
        "recorded_at": at("2026-10-05 10:00"),
        "recorded_by": "stf_m",
        "occurred_on": date(2026, 10, 5),
        "caused_by": [],
        "reverses_id": kw.pop("reverses_id", None),
        **kw,
    }


def _appeal(aid: str, filed: str) -> dict[str, Any]:
    return {
        "id": aid,
        "entry_id": "pen_fine",
        "staff_id": "stf_x",
        "reason": "r",
        "filed_at": at(filed),
        "state": AppealState.OPEN,
        "decision_reason": "",
        "version": 1,
    }


OLD_ROWS = [
    _customer("cus_first", "13900139000", "2026-09-01 09:00"),
    _customer("cus_later", "+86 139-0013-9000", "2026-09-02 09:00"),
    _customer("cus_gone", "１３９００１３９０００", "2026-08-01 09:00", status="deregistered"),
    _customer("cus_bad", "call the shop", "2026-09-03 09:00"),
    _customer("cus_id_a", "13800000001", "2026-09-04 09:00", id_number="11010519491231002x"),
    _customer("cus_id_b", "13800000002", "2026-09-05 09:00", id_number="11010519491231002X"),
    _customer(
        "cus_wide", "13800000003", "2026-09-06 09:00", name="ＡＢＣ　商贸", contact_name="Ｌｉ"
    ),
]


# every row names the same columns: an executemany takes its columns from the first row
def test_0006_normalizes_flags_and_reports_collisions_instead_of_failing(
    at_0005: SqlStorage, caplog: pytest.LogCaptureFixture, backend: str
) -> None:
    with at_0005.engine.begin() as conn:
        conn.execute(sa.insert(t.customers), OLD_ROWS)
        conn.execute(
            sa.insert(t.penalty_entries),
            [
                _entry("pen_fine"),
                _entry(
                    "pen_rev1",
                    kind=EntryKind.REVERSAL,
                    amount=Money.of("-50.00"),
                    reverses_id="pen_fine",
                ),
                _entry(
                    "pen_rev2",
                    kind=EntryKind.REVERSAL,
                    amount=Money.of("-50.00"),
                    reverses_id="pen_fine",
                ),
            ],
        )
        conn.execute(
            sa.insert(t.appeals),
            [_appeal("apl_1", "2026-10-06 09:00"), _appeal("apl_2", "2026-10-07 09:00")],
        )
    with caplog.at_level(logging.WARNING, logger="csdomain.migrations"):
        at_0005.upgrade()  # to head: the mapping read below is the head's schema
    chain = migration_chain("0005")
    assert chain[0] == "0006"  # 0006 runs first on a 0005 database, the rest follow it
    assert at_0005.schema_revision() == chain[-1]

    with at_0005.unit_of_work() as uow:
        by_id = {c.id: c for c in uow.customers.list(limit=100)}
        assert by_id[CustomerId("cus_first")].phone == "+8613900139000"
        assert by_id[CustomerId("cus_first")].duplicate_of is None
        assert by_id[CustomerId("cus_later")].phone == "+8613900139000"
        assert by_id[CustomerId("cus_later")].duplicate_of == "cus_first"
        assert by_id[CustomerId("cus_gone")].phone == "+8613900139000"
        assert by_id[CustomerId("cus_gone")].duplicate_of is None  # not live: no collision
        assert by_id[CustomerId("cus_bad")].phone == "call the shop"
        assert by_id[CustomerId("cus_id_a")].id_number == "11010519491231002X"
        assert by_id[CustomerId("cus_id_b")].duplicate_of == "cus_id_a"
        wide = by_id[CustomerId("cus_wide")]
        assert (wide.name, wide.contact_name) == ("ABC 商贸", "Li")
        appeals = {a.id: a for a in uow.appeals.list()}
        assert (appeals["apl_1"].duplicate_of, appeals["apl_2"].duplicate_of) == (None, "apl_1")
        entries = {e.id: e for e in uow.penalty_entries.list()}
        assert entries["pen_rev2"].duplicate_of == "pen_rev1"
        assert entries["pen_rev1"].duplicate_of is None

    reported = "\n".join(r.getMessage() for r in caplog.records)
    for row, other in [
        ("cus_later", "cus_first"),
        ("cus_id_b", "cus_id_a"),
        ("apl_2", "apl_1"),
        ("pen_rev2", "pen_rev1"),
    ]:
        assert f"{row}:" in reported and other in reported
    assert "cus_bad" in reported and "does not parse" in reported

    # from now on the constraint holds: a third live owner of the phone is refused…
    with pytest.raises(Conflict) as info, at_0005.unit_of_work() as uow:
        uow.customers.add(Customer(**{**_model(OLD_ROWS[0]), "id": CustomerId("cus_third")}))
        uow.commit()
    assert (info.value.rule, info.value.field) == ("CUS-1", "phone")

    # …and a flagged duplicate given its own phone rejoins the constraint (CUS-1)
    with at_0005.unit_of_work() as uow:
        later = uow.customers.get(CustomerId("cus_later"))
        later.phone = "+8613900139999"
        later.duplicate_of = None
        uow.commit()

    at_0005.downgrade("0005")
    assert at_0005.schema_revision() == "0005"
    columns = {c["name"] for c in sa.inspect(at_0005.engine).get_columns("customers")}
    assert "duplicate_of" not in columns


def _model(row: dict[str, Any]) -> dict[str, Any]:
    from csdomain.customers.model import CustomerKind, LegalForm, Source

    return {
        **row,
        "phone": "+8613900139000",
        "kind": CustomerKind(row["kind"]),
        "legal_form": LegalForm(row["legal_form"]),
        "source": Source(row["source"]),
        "status": CustomerStatus(row["status"]),
        "owner_id": StaffId(row["owner_id"]),
        "registered_by": StaffId(row["registered_by"]),
        "version": 0,
    }


pytestmark = pytest.mark.parametrize("backend", SQL_BACKENDS)
