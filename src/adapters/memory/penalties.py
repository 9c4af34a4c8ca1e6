"""Staff penalties (PEN-*): the memory repositories."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from adapters.memory.table import UnitOfWorkState, _Table
from csdomain.kernel.errors import Conflict
from csdomain.kernel.ids import StaffId
from csdomain.kernel.money import Money
from csdomain.penalties.model import (
    Appeal,
    AppealState,
    BonusRecord,
    PenaltyEntry,
    RecommendationState,
    SanctionRecommendation,
    SettledMonth,
    Statement,
    Violation,
)


def _open_appeal(a: Appeal) -> object:
    return a.entry_id if a.state == AppealState.OPEN and a.duplicate_of is None else None


def _reversal(e: PenaltyEntry) -> object:
    return e.reverses_id if e.duplicate_of is None else None


# memory twins of this capability's unique (partial) indexes (see store.UNIQUE)
UNIQUE: dict[str, list[tuple[Callable[[Any], object], str, str, str]]] = {
    "appeals": [(_open_appeal, "an appeal of this entry is already open", "PEN-10", "entry_id")],
    "penalty_entries": [
        (_reversal, "this entry was already reversed", "PEN-10", "entry_id"),
    ],
    "recommendations": [
        (
            lambda r: r.violation_id,
            "this violation already has a recommendation",
            "PEN-2",
            "violation_id",
        ),
    ],
}


class MemoryViolations(_Table[Violation]):
    def find_by_source(self, source_key: str) -> Violation | None:
        found = self.all(lambda v: v.source_key == source_key)
        return found[0] if found else None

    def list_for_staff_month(self, staff_id: str, month: str) -> Sequence[Violation]:
        rows = self.all(
            lambda v: v.staff_id == staff_id and v.occurred_on.strftime("%Y-%m") == month
        )
        return sorted(rows, key=lambda v: (v.occurred_on, v.recorded_at))

    def list_recurring_open(self) -> Sequence[Violation]:
        return sorted(self.all(), key=lambda v: (v.occurred_on, v.id))

    def list_for_issue(self, code: str, issue: str) -> Sequence[Violation]:
        rows = self.all(lambda v: v.code == code and v.issue == issue)
        return sorted(rows, key=lambda v: (v.occurred_on, v.recorded_at))

    def list_between(self, start: date, end: date) -> Sequence[Violation]:
        rows = self.all(lambda v: start <= v.occurred_on < end)
        return sorted(rows, key=lambda v: (v.occurred_on, v.recorded_at))


class MemoryPenaltyEntries(_Table[PenaltyEntry]):
    def add(self, obj: PenaltyEntry) -> None:
        if obj.source_key is not None and self.find_by_source(obj.source_key) is not None:
            raise Conflict(f"penalty entry for {obj.source_key} already exists")
        super().add(obj)

    def find_by_source(self, source_key: str) -> PenaltyEntry | None:
        found = self.all(lambda e: e.source_key == source_key)
        return found[0] if found else None

    def list(
        self,
        *,
        staff_id: str | None = None,
        month: str | None = None,
        department_id: str | None = None,
    ) -> Sequence[PenaltyEntry]:
        members = _members(self.uow, department_id)
        return sorted(
            self.all(
                lambda e: (
                    (staff_id is None or e.staff_id == staff_id)
                    and (month is None or e.month == month)
                    and (members is None or e.staff_id in members)
                )
            ),
            key=lambda e: e.recorded_at,
        )

    def months(
        self, *, staff_id: str | None = None, after: str | None = None, before: str | None = None
    ) -> Sequence[str]:
        found = {
            e.month
            for e in self.all(lambda e: staff_id is None or e.staff_id == staff_id)
            if (after is None or e.month > after) and (before is None or e.month < before)
        }
        return sorted(found)


class MemoryAppeals(_Table[Appeal]):
    def list(self, *, staff_id: str | None = None) -> Sequence[Appeal]:
        return sorted(
            self.all(lambda a: staff_id is None or a.staff_id == staff_id),
            key=lambda a: (a.filed_at, a.id),
        )


class MemoryRecommendations(_Table[SanctionRecommendation]):
    def add(self, obj: SanctionRecommendation) -> None:
        if self.all(lambda r: r.violation_id == obj.violation_id):
            raise Conflict(
                "this violation already has a recommendation", rule="PEN-2", field="violation_id"
            )
        super().add(obj)

    def list(
        self, *, staff_id: str | None = None, open_only: bool = False
    ) -> Sequence[SanctionRecommendation]:
        return sorted(
            self.all(
                lambda r: (
                    (staff_id is None or r.staff_id == staff_id)
                    and (not open_only or r.state == RecommendationState.OPEN)
                )
            ),
            key=lambda r: (r.created_at, r.id),
        )


class MemoryBonuses(_Table[BonusRecord]):
    def find(self, staff_id: str, month: str) -> BonusRecord | None:
        found = self.all(lambda b: b.staff_id == staff_id and b.month == month)
        return found[0] if found else None

    def list_for_month(self, month: str) -> Sequence[BonusRecord]:
        return sorted(self.all(lambda b: b.month == month), key=lambda b: b.staff_id)


def _members(uow: UnitOfWorkState, department_id: str | None) -> set[str] | None:
    """The staff of a department (None: no department filter)."""
    if department_id is None:
        return None
    return {s.id for s in uow.staff.list() if s.department_id == department_id}


class MemoryStatements(_Table[Statement]):
    def carried_over(self, month: str) -> dict[StaffId, Money]:
        return {
            s.staff_id: s.carried_over for s in self.list(month=month) if s.carried_over.amount != 0
        }

    def add_many(self, statements: Sequence[Statement]) -> None:
        for statement in statements:
            self.add(statement)

    def list(
        self,
        *,
        month: str | None = None,
        staff_id: str | None = None,
        department_id: str | None = None,
    ) -> Sequence[Statement]:
        members = _members(self.uow, department_id)
        return sorted(
            self.all(
                lambda s: (
                    (month is None or s.month == month)
                    and (staff_id is None or s.staff_id == staff_id)
                    and (members is None or s.staff_id in members)
                )
            ),
            key=lambda s: (s.month, s.staff_id),
        )


class MemorySettledMonths(_Table[SettledMonth]):
    def find(self, month: str) -> SettledMonth | None:
        return self.find_key(month)

    def list(self) -> Sequence[SettledMonth]:
        return sorted(self.all(), key=lambda m: m.month)

    def latest(self, *, before: str | None = None) -> SettledMonth | None:
        found = self.all(lambda m: before is None or m.month < before)
        return max(found, key=lambda m: m.month) if found else None
