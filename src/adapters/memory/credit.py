"""Customer credit (CRD-1…CRD-6): the memory repositories. Sums are exact Decimals; the
ledger order is (day, then insertion), as the SQL adapter's (day, seq)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from adapters.memory.table import _Table
from csdomain.credit.model import (
    CreditAccount,
    CreditGradeChange,
    Decision,
    LedgerEntry,
    LedgerKind,
    Shipment,
)
from csdomain.kernel.ids import CustomerId
from csdomain.kernel.money import Money, total


class MemoryCreditAccounts(_Table[CreditAccount]):
    def find(self, customer_id: CustomerId) -> CreditAccount | None:
        return self.find_key(customer_id)


class MemoryCreditGrades(_Table[CreditGradeChange]):
    def list_for_customer(self, customer_id: CustomerId) -> Sequence[CreditGradeChange]:
        return sorted(self.all(lambda g: g.customer_id == customer_id), key=lambda g: (g.at, g.id))


class MemoryCreditLedger(_Table[LedgerEntry]):
    def total(
        self,
        customer_id: CustomerId,
        kinds: Sequence[LedgerKind],
        *,
        since: date | None = None,
        until: date | None = None,
    ) -> Money:
        rows = self.all(
            lambda e: (
                e.customer_id == customer_id
                and e.kind in kinds
                and (since is None or e.on >= since)
                and (until is None or e.on <= until)
            )
        )
        return total([e.amount for e in rows])

    def balance(self, customer_id: CustomerId, *, until: date | None = None) -> Money:
        invoiced = self.total(customer_id, [LedgerKind.INVOICE], until=until)
        settling = [LedgerKind.PAYMENT, LedgerKind.WRITE_OFF]
        return invoiced - self.total(customer_id, settling, until=until)

    def _ordered(self, customer_id: CustomerId) -> list[LedgerEntry]:
        """The customer's rows in ledger order: by day, then as inserted (``all`` keeps
        insertion order and ``sorted`` is stable)."""
        return sorted(self.all(lambda e: e.customer_id == customer_id), key=lambda e: e.on)

    def invoiced_up_to(self, entry: LedgerEntry) -> Money:
        amounts = []
        for e in self._ordered(entry.customer_id):
            if e.kind == LedgerKind.INVOICE:
                amounts.append(e.amount)
            if e.id == entry.id:
                break
        return total(amounts)

    def find_for_shipment(self, shipment_id: str) -> LedgerEntry | None:
        rows = self.all(lambda e: e.shipment_id == shipment_id and e.kind == LedgerKind.INVOICE)
        return rows[0] if rows else None

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
        rows = [
            e
            for e in self._ordered(customer_id)
            if (kind is None or e.kind == kind) and (until is None or e.on <= until)
        ]
        if newest_first:
            rows.reverse()
        return rows[offset : offset + limit]

    def balances(self, until: date, *, limit: int = 500) -> Sequence[tuple[CustomerId, Money]]:
        sums: dict[CustomerId, Money] = {}
        for e in self.all(lambda e: e.on <= until):
            sign = e.amount if e.kind == LedgerKind.INVOICE else -e.amount
            sums[e.customer_id] = sums.get(e.customer_id, Money.zero()) + sign
        rows = [(c, m) for c, m in sums.items() if m != Money.zero()]
        rows.sort(key=lambda r: (-r[1].amount, r[0]))
        return rows[:limit]


class MemoryShipments(_Table[Shipment]):
    def list_for_customer(
        self, customer_id: CustomerId, *, decisions: Sequence[Decision] = ()
    ) -> Sequence[Shipment]:
        rows = self.all(
            lambda s: s.customer_id == customer_id and (not decisions or s.decision in decisions)
        )
        return sorted(rows, key=lambda s: s.on)  # stable: in the order decided

    def list_between(
        self, start: date, end: date, *, decisions: Sequence[Decision], limit: int = 500
    ) -> Sequence[Shipment]:
        rows = self.all(lambda s: start <= s.on <= end and s.decision in decisions)
        return sorted(rows, key=lambda s: s.on)[:limit]  # stable: as decided
