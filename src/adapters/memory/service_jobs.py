"""Service jobs, contracts, settlements and exchange forms (CASE-12..14):
the memory repositories.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from adapters.memory.org import staff_department
from adapters.memory.table import _Table
from csdomain.cases.ports import Reach
from csdomain.service_jobs.model import (
    ExchangeForm,
    MaintenanceContract,
    ServiceJob,
    Settlement,
)


class MemoryServiceJobs(_Table[ServiceJob]):
    def _reaches(self, reach: Reach, j: ServiceJob) -> bool:
        """The same rule as the SQL filter (cases.ports.Reach)."""
        people = (j.technician_id, j.registered_by)
        if reach.staff_id in people:
            return True
        return reach.department_id is not None and any(
            staff_department(self.uow, p) == reach.department_id for p in people if p
        )

    def list_open(
        self,
        *,
        reach: Reach | None = None,
        priority: bool | None = None,
        limit: int = 500,
        offset: int = 0,
    ) -> Sequence[ServiceJob]:
        rows = self.all(lambda j: j.is_open and (priority is None or j.priority == priority))
        if reach is not None:
            rows = [j for j in rows if self._reaches(reach, j)]
        rows.sort(key=lambda j: (not j.priority, j.arrive_by, j.id))
        return rows[offset : offset + limit]

    def list_late(self, when: datetime, *, limit: int = 500) -> Sequence[ServiceJob]:
        rows = self.all(lambda j: j.is_open and j.arrived_at is None and j.arrive_by < when)
        rows.sort(key=lambda j: (j.arrive_by, j.id))
        return rows[:limit]

    def list_completed_between(
        self, start: datetime, end: datetime, technician_id: str | None = None
    ) -> Sequence[ServiceJob]:
        rows = self.all(
            lambda j: (
                j.completed_at is not None
                and start <= j.completed_at < end
                and (technician_id is None or j.technician_id == technician_id)
            )
        )
        return sorted(rows, key=lambda j: (j.completed_at, j.id))

    def list_registered_between(
        self, start: datetime, end: datetime, *, limit: int = 500, offset: int = 0
    ) -> Sequence[ServiceJob]:
        rows = self.all(lambda j: start <= j.registered_at < end)
        rows.sort(key=lambda j: (j.registered_at, j.id))
        return rows[offset : offset + limit]


class MemoryContracts(_Table[MaintenanceContract]):
    def list_ending_by(
        self, day: date, *, since: date | None = None, limit: int = 500
    ) -> Sequence[MaintenanceContract]:
        rows = self.all(
            lambda c: (
                c.ends_on <= day
                and (since is None or c.ends_on >= since)
                and c.renewal_notified_at is None
            )
        )
        return sorted(rows, key=lambda c: (c.ends_on, c.id))[:limit]

    def list_ending_between(
        self, start: date, end: date, *, limit: int = 500, offset: int = 0
    ) -> Sequence[MaintenanceContract]:
        rows = sorted(self.all(lambda c: start <= c.ends_on < end), key=lambda c: (c.ends_on, c.id))
        return rows[offset : offset + limit]


class MemorySettlements(_Table[Settlement]):
    def list_for_case(self, case_id: str) -> Sequence[Settlement]:
        return sorted(self.all(lambda s: s.case_id == case_id), key=lambda s: s.created_at)


class MemoryExchanges(_Table[ExchangeForm]):
    def list(self) -> Sequence[ExchangeForm]:
        return sorted(self.all(), key=lambda f: (f.created_at, f.id))

    def max_ledger_no(self) -> int:
        return max((f.ledger_no or 0 for f in self.all()), default=0)
