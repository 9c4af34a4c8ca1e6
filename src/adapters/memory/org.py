"""The organisation's memory repositories (departments, staff, API tokens). Other
capabilities may ask ``staff_department``; this module imports none of theirs.
"""

from __future__ import annotations

from collections.abc import Sequence

from adapters.memory.table import UnitOfWorkState, _Table
from csdomain.kernel.ids import StaffId
from csdomain.org.model import ApiToken, Department, Region, Staff


class MemoryDepartments(_Table[Department]):
    def list(self) -> Sequence[Department]:
        return sorted(self.all(), key=lambda d: (d.name, d.id))


class MemoryRegions(_Table[Region]):
    def list(self) -> Sequence[Region]:
        return sorted(self.all(), key=lambda r: (r.name, r.id))


class MemoryStaff(_Table[Staff]):
    def list(self) -> Sequence[Staff]:
        return sorted(self.all(), key=lambda s: (s.name, s.id))

    def count(self) -> int:
        with self.uow.store.lock:
            return len(self._committed()) + sum(1 for (t, _) in self.uow.new if t == self.name)

    def get(self, k: StaffId) -> Staff:  # type: ignore[override]
        return super().get(k)


class MemoryTokens(_Table[ApiToken]):
    def find(self, token_hash: str) -> ApiToken | None:
        return self.find_key(token_hash)

    def owner(self, token_hash: str) -> Staff | None:
        token = self.find_key(token_hash)
        if token is None or token.revoked:
            return None
        return MemoryStaff(self.uow, "staff", lambda s: s.id, "staff").find_key(token.staff_id)

    def list_for(self, staff_id: StaffId) -> Sequence[ApiToken]:
        return self.all(lambda t: t.staff_id == staff_id)


def staff_department(uow: UnitOfWorkState, staff_id: str | None) -> str | None:
    if staff_id is None:
        return None
    with uow.store.lock:
        staff = uow.store.table("staff").get(staff_id)
    return None if staff is None else staff.department_id
