"""Departments and staff (X-3 roles, X-5 permissions)."""

from __future__ import annotations

import hashlib
from datetime import datetime

import attrs

from csdomain.kernel.ids import DepartmentId, StaffId, new_department_id, new_id, new_staff_id


@attrs.define(slots=False)
class Department:
    name: str
    head_id: StaffId | None = None
    id: DepartmentId = attrs.field(factory=new_department_id)
    version: int = 0


@attrs.define(slots=False)
class Region:
    """A regional market and its head (区域市场负责人): PEN-2 charges the head when a complaint
    neither resolved nor reported is escalated by the customer (004 第1篇 第四条)."""

    name: str
    head_id: StaffId | None = None
    id: str = attrs.field(factory=lambda: new_id(str, "reg"))
    version: int = 0


@attrs.define(slots=False)
class Staff:
    """A staff member. ``role`` ranks their authority (X-3); ``position`` is their job kind,
    e.g. ``sales_adviser`` or ``service_adviser``, which later rules (PEN-2) distinguish."""

    name: str
    role: str
    department_id: DepartmentId | None = None
    position: str = ""
    supervisor_id: StaffId | None = None
    permissions: list[str] = attrs.field(factory=list)
    active: bool = True
    # where the e-mail Notifier reaches them (CASE-5); empty: log only
    email: str = ""
    # PEN-5: the person's base points (基点数), the weight of their share of a complaint loss
    base_points: int = 0
    # PEN-8: the after-sales group leader (售后服务组长) who pays when no culprit is found
    group_leader_id: StaffId | None = None
    # PEN-2: the regional market the person works in (its head shares escalated complaints)
    region_id: str | None = None
    id: StaffId = attrs.field(factory=new_staff_id)
    version: int = 0

    def has_permission(self, permission: str) -> bool:
        return permission in self.permissions


def hash_token(token: str) -> str:
    """Tokens are stored only as hashes, so a leaked database does not leak credentials."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@attrs.define(slots=False)
class ApiToken:
    token_hash: str
    staff_id: StaffId
    label: str
    created_at: datetime
    revoked: bool = False
    version: int = 0
