"""The organisation's storage (departments, staff, API tokens): tables, mapping and
repositories. Every capability names staff and departments, so the other capability
modules may read these tables (``in_department``); this module imports none of theirs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from adapters.sql.errors import translating
from adapters.sql.mapping import MAPPED
from adapters.sql.repositories import _Repository
from adapters.sql.schema import ID, metadata, seq_column
from adapters.sql.types import (
    AwareDateTime,
    mutable_json_list,
)
from csdomain.kernel.ids import DepartmentId, StaffId
from csdomain.org.model import ApiToken, Department, Region, Staff

departments = sa.Table(
    "departments",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("name", sa.String(), nullable=False),
    sa.Column("head_id", ID, nullable=True),
    sa.Column("version", sa.Integer(), nullable=False),
)


staff = sa.Table(
    "staff",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("name", sa.String(), nullable=False),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("department_id", ID, nullable=True),
    sa.Column("position", sa.String(), nullable=False),
    sa.Column("supervisor_id", ID, nullable=True),
    sa.Column("permissions", mutable_json_list(), nullable=False),
    sa.Column("active", sa.Boolean(), nullable=False),
    sa.Column("email", sa.String(), nullable=False, server_default=""),
    # PEN-5 base points, PEN-8 group leader, PEN-2 regional market (migration 0016)
    sa.Column("base_points", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("group_leader_id", ID, nullable=True),
    sa.Column("region_id", ID, nullable=True),
    sa.Column("version", sa.Integer(), nullable=False),
)


# PEN-2: regional markets and their heads (migration 0016)
regions = sa.Table(
    "regions",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("name", sa.String(), nullable=False),
    sa.Column("head_id", ID, nullable=True),
    sa.Column("version", sa.Integer(), nullable=False),
)


api_tokens = sa.Table(
    "api_tokens",
    metadata,
    seq_column(),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("staff_id", ID, nullable=False, index=True),
    sa.Column("label", sa.String(), nullable=False),
    sa.Column("created_at", AwareDateTime(), nullable=False),
    sa.Column("revoked", sa.Boolean(), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sqlite_autoincrement=True,
)


# composite indexes (issue 10, migration 0008): every list's filter + order
PERFORMANCE_INDEXES = [
    sa.Index("ix_api_tokens_staff_id_seq", api_tokens.c.staff_id, api_tokens.c.seq),
]


MAPPED.update(
    {
        Department: (departments, departments.c.id),
        Staff: (staff, staff.c.id),
        Region: (regions, regions.c.id),
        ApiToken: (api_tokens, api_tokens.c.token_hash),
    }
)


class SqlDepartments(_Repository[Department]):
    cls = Department
    label = "department"

    def get(self, department_id: DepartmentId) -> Department:  # type: ignore[override]
        return super().get(department_id)

    @translating
    def list(self) -> Sequence[Department]:
        c = departments.c
        return self._all(self._select().order_by(self._binary(c.name), self._binary(c.id)))


class SqlRegions(_Repository[Region]):
    cls = Region
    label = "region"

    @translating
    def list(self) -> Sequence[Region]:
        c = regions.c
        return self._all(self._select().order_by(self._binary(c.name), self._binary(c.id)))


class SqlStaff(_Repository[Staff]):
    cls = Staff
    label = "staff"

    def get(self, staff_id: StaffId) -> Staff:  # type: ignore[override]
        return super().get(staff_id)

    @translating
    def list(self) -> Sequence[Staff]:
        c = staff.c
        return self._all(self._select().order_by(self._binary(c.name), self._binary(c.id)))

    @translating
    def count(self) -> int:
        return int(self.session.scalar(sa.select(sa.func.count()).select_from(staff)) or 0)


_OWNER = (
    sa.select(*staff.columns)
    .join(api_tokens, api_tokens.c.staff_id == staff.c.id)
    .where(api_tokens.c.token_hash == sa.bindparam("token_hash"), sa.not_(api_tokens.c.revoked))
)


class SqlTokens(_Repository[ApiToken]):
    cls = ApiToken
    label = "token"

    @translating
    def find(self, token_hash: str) -> ApiToken | None:
        return self.session.get(ApiToken, token_hash)

    @translating
    def owner(self, token_hash: str) -> Staff | None:
        """The token's owner, for authenticating a request: one Core statement built once,
        and a plain copy of the row rather than an ORM load (issue 10: this runs on every
        API request). The copy belongs to no session: a use case that changes the person
        loads them in its own unit of work."""
        row = self.session.connection().execute(_OWNER, {"token_hash": token_hash}).first()
        if row is None:
            return None
        values = dict(row._mapping)
        values["permissions"] = list(values["permissions"])  # a plain list, not tracked
        return Staff(**values)

    @translating
    def list_for(self, staff_id: StaffId) -> Sequence[ApiToken]:
        c = api_tokens.c
        return self._all(self._select().where(c.staff_id == staff_id).order_by(c.seq))


def in_department(staff_column: sa.ColumnElement[Any], department: str) -> sa.ColumnElement[bool]:
    """``staff_column`` names a member of ``department``: the department scope (X-5) that
    every capability's scoped queries share (customers, cases, jobs, penalties)."""
    s = staff.c
    return staff_column.in_(sa.select(s.id).where(s.department_id == department))
