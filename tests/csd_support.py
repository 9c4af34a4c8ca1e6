"""Shared test helpers: the company time zone, ``at()`` and a small organisation.

A uniquely named module (not ``conftest``) so every test folder can import it unambiguously.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import attrs

from adapters.bootstrap import App
from csdomain.org.model import Staff

TZ = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    """'2026-09-18 10:00' in the company time zone."""
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


@attrs.define
class Org:
    """A small organisation: one sales department with a head, staff, a supervisor, a GM."""

    admin: Staff
    admin_token: str
    gm: Staff
    deputy: Staff
    manager: Staff
    supervisor: Staff
    sales: Staff
    sales2: Staff
    service: Staff


def make_org(app: App) -> Org:
    org = app.services.org
    admin, token = org.bootstrap_admin("Admin")
    dept = org.add_department(admin.id, "Sales")
    gm = org.add_staff(admin.id, name="Wang GM", role="gm")
    deputy = org.add_staff(admin.id, name="Zhao Deputy", role="deputy_gm")
    manager = org.add_staff(admin.id, name="Qian Manager", role="manager", department_id=dept.id)
    org.set_department_head(admin.id, dept.id, manager.id)
    supervisor = org.add_staff(
        admin.id,
        name="Sun Supervisor",
        role="supervisor",
        department_id=dept.id,
        supervisor_id=manager.id,
    )
    sales = org.add_staff(
        admin.id,
        name="Li Lei",
        role="staff",
        department_id=dept.id,
        position="sales_adviser",
        supervisor_id=supervisor.id,
    )
    sales2 = org.add_staff(
        admin.id,
        name="Han Meimei",
        role="staff",
        department_id=dept.id,
        position="sales_adviser",
        supervisor_id=supervisor.id,
    )
    service = org.add_staff(
        admin.id,
        name="Zhou Service",
        role="staff",
        department_id=dept.id,
        position="service_adviser",
        supervisor_id=supervisor.id,
    )
    return Org(admin, token, gm, deputy, manager, supervisor, sales, sales2, service)
