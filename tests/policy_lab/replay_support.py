"""Shared by the replay tests: the candidate policy of the acceptance test, a recorded
October, and a fingerprint of everything a store holds (to prove a replay wrote nothing)."""

from __future__ import annotations

import hashlib
import tomllib
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from adapters.bootstrap import App, MemoryStorage
from adapters.policy_file import DEFAULT_POLICY_PATH, parse_policy
from adapters.sql import SqlStorage
from adapters.sql.tables import metadata
from csd_support import Org
from csdomain.credit.commands import OpenCreditAccount, RecordLedgerEntry
from csdomain.customers.commands import RegisterCustomer
from csdomain.customers.model import Customer
from csdomain.kernel.money import Money
from csdomain.org.model import Staff
from csdomain.policy.model import Policy

IN_FORCE_RULE = "from_nth = { sales_adviser = 2, service_adviser = 3 }"
FROM_SECOND = "from_nth = { sales_adviser = 2, service_adviser = 2 }"


def policy_text(*changes: tuple[str, str]) -> str:
    """The default policy's text with each (old, new) replaced (each old must be there)."""
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new)
    return text.replace('version = "2026.1-default"', 'version = "2026.2-candidate"')


def doubling_from_second_text() -> str:
    """PEN-2 candidate: service advisers' file fines double from the 2nd violation of the
    month (the default policy doubles them from the 3rd)."""
    return policy_text((IN_FORCE_RULE, FROM_SECOND))


def doubling_from_second() -> Policy:
    return parse_policy(tomllib.loads(doubling_from_second_text()), "candidate")


def record_october(app: App, org: Org) -> dict[str, Staff]:
    """A recorded October (and a September outside the replayed period) of late file
    hand-overs (``file_late``, 50 元 a vehicle; PEN-2 ``file_rules``):

    - Zhou Service (service adviser): 3 in October, the 2nd for 2 vehicles — 50 + 100 + 100
      = 250 now, 50 + 200 + 100 = 350 from the 2nd: +100;
    - Gao Service (service adviser): 2 in October — 50 + 50 = 100 now, 150 from the 2nd: +50;
    - Ma Service (service adviser): 1 in October, 2 in September — unaffected (1st only);
    - Li Lei (sales adviser): 3 in October — doubles from the 2nd either way: unaffected.
    """
    o = app.services.org
    gao = o.add_staff(
        org.admin.id,
        name="Gao Service",
        role="staff",
        department_id=org.sales.department_id,
        position="service_adviser",
        supervisor_id=org.supervisor.id,
    )
    ma = o.add_staff(
        org.admin.id,
        name="Ma Service",
        role="staff",
        department_id=org.sales.department_id,
        position="service_adviser",
        supervisor_id=org.supervisor.id,
    )
    ps = app.services.penalties

    def late(staff: Staff, day: str, units: int = 1) -> None:
        ps.record_violation(
            org.supervisor.id,
            staff.id,
            "file_late",
            date.fromisoformat(day),
            units=units,
            evidence=f"file handed over late on {day}",
        )

    late(ma, "2026-09-03")
    late(ma, "2026-09-10")
    late(org.service, "2026-10-05")
    late(org.service, "2026-10-12", units=2)
    late(org.service, "2026-10-20")
    late(gao, "2026-10-08")
    late(gao, "2026-10-09")
    late(ma, "2026-10-14")
    for day in ("2026-10-06", "2026-10-07", "2026-10-21"):
        late(org.sales, day)
    return {"zhou": org.service, "gao": gao, "ma": ma, "li": org.sales}


def fingerprint(app: App) -> bytes:
    """Everything the store holds, as bytes. SQLite: the database file and its WAL, byte for
    byte (the WAL checkpointed first, so a later write would show in either); PostgreSQL:
    every row of every table; memory: the committed tables."""
    storage = app.storage
    if isinstance(storage, MemoryStorage):
        store = storage.store
        # reading a table creates its (empty) dict: an empty table holds nothing
        held = sorted((name, rows) for name, rows in store.tables.items() if rows)
        return repr((store.sequence, held)).encode()
    assert isinstance(storage, SqlStorage)
    engine = storage.engine
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        path = Path(str(engine.url.database))
        wal = path.with_name(path.name + "-wal")
        return path.read_bytes() + b"|wal|" + (wal.read_bytes() if wal.exists() else b"")
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            rows = conn.execute(sa.select(table)).all()
            digest.update(table.name.encode() + repr(sorted(map(repr, rows))).encode())
    return digest.digest()


def sqlite_bytes(app: App) -> bytes:
    """The SQLite file and WAL as they are, without checkpointing (after a replay)."""
    storage = app.storage
    assert isinstance(storage, SqlStorage)
    path = Path(str(storage.engine.url.database))
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + b"|wal|" + (wal.read_bytes() if wal.exists() else b"")


def credit_customer(app: App, org: Org, phone: str = "13800000001") -> Customer:
    """A customer with credit (CRD-1: the ID copy on file, a distribution contract with a
    settlement agreement, nothing owed from last year)."""
    s = app.services
    customer = s.customers.register(org.sales.id, RegisterCustomer(name="Dalian", phone=phone))
    f = s.customers.open_file(org.sales.id, customer.id, "new_sale", date(2026, 8, 3))
    s.customers.add_documents(org.sales.id, f.id, {"id_copy": "box 7"})
    s.credit.open_account(
        org.manager.id,
        OpenCreditAccount(
            customer_id=customer.id,
            contract_type="distribution",
            contract_no="D-2026-01",
            contract_signed_on=date(2026, 8, 1),
            settlement_agreement=True,
        ),
    )
    return customer


def ledger(app: App, org: Org, customer: Customer, kind: str, amount: str, day: str) -> None:
    """An ERP invoice or a payment (CRD-2) of ``amount`` on ``day``."""
    record = (
        app.services.credit.record_invoice
        if kind == "invoice"
        else app.services.credit.record_payment
    )
    record(
        org.sales.id,
        RecordLedgerEntry(
            customer_id=customer.id,
            amount=Money.of(amount),
            on=date.fromisoformat(day),
            reference=f"{kind}-{day}-{amount}",
        ),
    )
