"""Builders for the contract suite (a uniquely named module so it cannot collide with other
test directories' helpers)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from backend_fixtures import BACKENDS, SQL_BACKENDS, with_search_path  # noqa: F401
from csdomain.customers.model import (
    AccessLogEntry,
    Customer,
    CustomerFile,
    CustomerKind,
    CustomerStatus,
    Deregistration,
    LegalForm,
    Source,
)
from csdomain.kernel.events import AuditEvent
from csdomain.kernel.ids import CustomerId, StaffId
from csdomain.org.model import Staff

TIMEZONE = "Asia/Shanghai"
TZ = ZoneInfo(TIMEZONE)


def migration_chain(base: str) -> list[str]:
    """The packaged revisions after ``base`` up to the head, oldest first, so a migration
    test that upgrades "to head" checks its revision's place in the chain, not the head."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from adapters.sql.storage import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    revisions = [r.revision for r in script.iterate_revisions("heads", base)]
    return [r for r in reversed(revisions) if r != base]


def at(text: str) -> datetime:
    """'2026-09-18 10:00' in the company time zone."""
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def d(text: str) -> date:
    return date.fromisoformat(text)


def staff(name: str = "Li Lei", **kw: Any) -> Staff:
    return Staff(name=name, role=kw.pop("role", "staff"), **kw)


def customer(
    name: str = "Zhang San",
    *,
    phone: str = "13800000001",
    owner: str = "stf_owner",
    registered_at: str = "2026-09-18 10:00",
    **kw: Any,
) -> Customer:
    return Customer(
        name=name,
        kind=kw.pop("kind", CustomerKind.END_CONSUMER),
        legal_form=kw.pop("legal_form", LegalForm.INDIVIDUAL),
        phone=phone,
        owner_id=StaffId(owner),
        registered_by=StaffId(owner),
        registered_at=at(registered_at),
        source=kw.pop("source", Source.WALK_IN),
        **kw,
    )


def customer_file(
    customer_id: str = "cus_1",
    *,
    due_on: str = "2026-09-22",
    opened_at: str = "2026-09-18 10:00",
    **kw: Any,
) -> CustomerFile:
    return CustomerFile(
        customer_id=CustomerId(customer_id),
        kind=kw.pop("kind", "new_sale"),
        event_date=kw.pop("event_date", d("2026-09-18")),
        due_on=d(due_on),
        opened_at=at(opened_at),
        opened_by=StaffId(kw.pop("opened_by", "stf_owner")),
        retention_until=kw.pop("retention_until", d("2036-09-18")),
        **kw,
    )


def event(
    subject: str, kind: str = "thing.happened", when: str = "2026-09-18 10:00", **data: str
) -> AuditEvent:
    return AuditEvent(kind=kind, subject_id=subject, actor_id="stf_actor", at=at(when), data=data)


def read(
    record_id: str, when: str = "2026-09-18 10:00", reader: str = "stf_reader"
) -> AccessLogEntry:
    return AccessLogEntry(
        reader_id=StaffId(reader),
        record_kind="customer_file",
        record_id=record_id,
        level="top_secret",
        at=at(when),
    )


def deregistration(customer_id: str = "cus_1", **kw: Any) -> Deregistration:
    return Deregistration(
        customer_id=CustomerId(customer_id),
        applied_by=StaffId("stf_owner"),
        applied_at=kw.pop("applied_at", at("2026-09-18 10:00")),
        reason=kw.pop("reason", "moving abroad"),
        status_before=kw.pop("status_before", CustomerStatus.CLOSED_DEAL),
        **kw,
    )
