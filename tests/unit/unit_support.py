"""Helpers shared by the unit tests (a uniquely named module, not a conftest, so it cannot
collide with other test directories' modules)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from adapters.bootstrap import App
from csdomain.customers.commands import RegisterCustomer
from csdomain.customers.model import Customer
from csdomain.kernel.ids import StaffId

TZ = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    """'2026-09-18 10:00' in the company time zone (same as tests/conftest.py)."""
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def d(text: str) -> date:
    return date.fromisoformat(text)


@attrs.frozen
class Snapshot:
    """Everything a refused request must leave untouched."""

    customers: tuple[Any, ...]
    files: tuple[Any, ...]
    audit: tuple[Any, ...]
    grade_changes: int
    access_log: int
    destructions: int
    destruction_requests: tuple[Any, ...]
    deregistrations: int
    staff: tuple[Any, ...]


def snapshot(app: App) -> Snapshot:
    """Read the committed state straight from storage (not through the use cases)."""
    with app.storage.unit_of_work() as uow:
        customers = tuple(uow.customers.list(limit=10_000))
        files = tuple(f for c in customers for f in uow.files.list_for_customer(c.id))
        return Snapshot(
            customers=customers,
            files=files,
            audit=tuple(uow.audit.list()),
            grade_changes=sum(len(uow.grade_changes.list_for_customer(c.id)) for c in customers),
            access_log=len(uow.access_log.list()),
            destructions=len(uow.destructions.list()),
            destruction_requests=tuple(uow.destruction_requests.list()),
            deregistrations=sum(
                len(uow.deregistrations.list_for_customer(c.id)) for c in customers
            ),
            staff=tuple(uow.staff.list()),
        )


def audit_events(app: App, subject_id: str | None = None, kind: str | None = None) -> list[Any]:
    with app.storage.unit_of_work() as uow:
        events = list(uow.audit.list(subject_id=subject_id))
    return [e for e in events if kind is None or e.kind == kind]


def register(
    app: App, actor: StaffId, name: str = "Zhang San", phone: str = "13800138000", **kw: Any
) -> Customer:
    return app.services.customers.register(actor, RegisterCustomer(name=name, phone=phone, **kw))


def deregister(app: App, org: Any, customer_id: Any, refund: str = "0.00") -> Any:
    """Run the default CUS-6 chain to the end: apply → supervisor → manager → GM → finance →
    customer signature."""
    from csdomain.kernel.money import Money

    svc = app.services.customers
    dr = svc.apply_deregistration(org.sales.id, customer_id, "customer closes the account")
    svc.advance_deregistration(org.supervisor.id, dr.id, approve=True, reason="ok")
    svc.advance_deregistration(org.manager.id, dr.id, approve=True, reason="ok")
    svc.advance_deregistration(org.gm.id, dr.id, approve=True, reason="ok")
    svc.advance_deregistration(
        org.service.id, dr.id, approve=True, reason="refunded", refund=Money(refund)
    )
    return svc.advance_deregistration(org.sales.id, dr.id, approve=True, reason="signed")
