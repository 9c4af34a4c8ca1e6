"""Repositories for service jobs, contracts, settlements and exchange forms."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol

from csdomain.cases.ports import Reach
from csdomain.service_jobs.model import ExchangeForm, MaintenanceContract, ServiceJob, Settlement


class ServiceJobRepository(Protocol):
    def add(self, job: ServiceJob) -> None: ...
    def get(self, job_id: str) -> ServiceJob: ...
    def list_open(
        self,
        *,
        reach: Reach | None = None,
        priority: bool | None = None,
        limit: int = 500,
        offset: int = 0,
    ) -> Sequence[ServiceJob]:
        """Open jobs ``reach`` reaches (all: None), with the given ``priority`` flag (any:
        None), priority first, then by ``arrive_by``."""
        ...

    def list_late(self, when: datetime, *, limit: int = 500) -> Sequence[ServiceJob]:
        """Open jobs not yet on site whose ``arrive_by`` is before ``when`` (indexed)."""
        ...

    def list_completed_between(
        self, start: datetime, end: datetime, technician_id: str | None = None
    ) -> Sequence[ServiceJob]: ...

    def list_registered_between(
        self, start: datetime, end: datetime, *, limit: int = 500, offset: int = 0
    ) -> Sequence[ServiceJob]:
        """Jobs registered in ``[start, end)``, by registration time then id (a page at a
        time: the replay reads one month of jobs, issue 15)."""
        ...


class ContractRepository(Protocol):
    def add(self, contract: MaintenanceContract) -> None: ...
    def get(self, contract_id: str) -> MaintenanceContract: ...
    def list_ending_by(
        self, day: date, *, since: date | None = None, limit: int = 500
    ) -> Sequence[MaintenanceContract]:
        """Contracts ending on or before ``day`` (and on or after ``since``) whose renewal
        notice was not sent, soonest first, at most ``limit`` (a scheduler run is bounded)."""
        ...

    def list_ending_between(
        self, start: date, end: date, *, limit: int = 500, offset: int = 0
    ) -> Sequence[MaintenanceContract]:
        """Contracts ending in ``[start, end)``, notified or not, by ``ends_on`` then id (a
        page at a time: the replay reads one month of contracts, issue 15)."""
        ...


class SettlementRepository(Protocol):
    def add(self, settlement: Settlement) -> None: ...
    def list_for_case(self, case_id: str) -> Sequence[Settlement]: ...


class ExchangeRepository(Protocol):
    def add(self, form: ExchangeForm) -> None: ...
    def get(self, form_id: str) -> ExchangeForm: ...
    def list(self) -> Sequence[ExchangeForm]: ...
    def max_ledger_no(self) -> int: ...
