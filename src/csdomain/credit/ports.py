"""Credit storage. The line and the balance are aggregates the database computes over an
index (customer, kind, day) — never a customer's whole history loaded into memory (CRD-2)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from csdomain.credit.model import (
    CreditAccount,
    CreditGradeChange,
    Decision,
    LedgerEntry,
    LedgerKind,
    Shipment,
)
from csdomain.kernel.ids import CustomerId
from csdomain.kernel.money import Money


class CreditAccountRepository(Protocol):
    def add(self, account: CreditAccount) -> None: ...
    def get(self, customer_id: CustomerId) -> CreditAccount: ...
    def find(self, customer_id: CustomerId) -> CreditAccount | None: ...


class CreditGradeRepository(Protocol):
    def add(self, change: CreditGradeChange) -> None: ...
    def list_for_customer(self, customer_id: CustomerId) -> Sequence[CreditGradeChange]:
        """Oldest first."""
        ...


class CreditLedgerRepository(Protocol):
    def add(self, entry: LedgerEntry) -> None: ...
    def total(
        self,
        customer_id: CustomerId,
        kinds: Sequence[LedgerKind],
        *,
        since: date | None = None,
        until: date | None = None,
    ) -> Money:
        """Sum of the customer's rows of ``kinds`` dated ``since``…``until`` (inclusive)."""
        ...

    def balance(self, customer_id: CustomerId, *, until: date | None = None) -> Money:
        """Invoices − payments − write-offs dated up to ``until`` (all: None), one query."""
        ...

    def invoiced_up_to(self, entry: LedgerEntry) -> Money:
        """Invoices of the entry's customer up to and including ``entry`` in ledger order
        (day, then as recorded): what payments must cover to settle it."""
        ...

    def find_for_shipment(self, shipment_id: str) -> LedgerEntry | None: ...
    def list_for_customer(
        self,
        customer_id: CustomerId,
        *,
        kind: LedgerKind | None = None,
        until: date | None = None,
        newest_first: bool = False,
        limit: int = 500,
        offset: int = 0,
    ) -> Sequence[LedgerEntry]:
        """In ledger order (day, then as recorded), or the reverse."""
        ...

    def balances(self, until: date, *, limit: int = 500) -> Sequence[tuple[CustomerId, Money]]:
        """Customers whose balance on ``until`` is not zero, largest balance first."""
        ...


class ShipmentRepository(Protocol):
    def add(self, shipment: Shipment) -> None: ...
    def get(self, shipment_id: str) -> Shipment: ...
    def list_for_customer(
        self, customer_id: CustomerId, *, decisions: Sequence[Decision] = ()
    ) -> Sequence[Shipment]:
        """Oldest first; only ``decisions`` when given."""
        ...

    def list_between(
        self, start: date, end: date, *, decisions: Sequence[Decision], limit: int = 500
    ) -> Sequence[Shipment]:
        """Shipments dated ``start``…``end`` with one of ``decisions``, oldest first
        (indexed by decision and day)."""
        ...
