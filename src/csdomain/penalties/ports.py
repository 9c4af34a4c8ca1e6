"""Repositories of the penalty ledger."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Protocol

from csdomain.kernel.ids import StaffId
from csdomain.kernel.money import Money
from csdomain.penalties.model import (
    Appeal,
    BonusRecord,
    PenaltyEntry,
    SanctionRecommendation,
    SettledMonth,
    Statement,
    Violation,
)


class ViolationRepository(Protocol):
    def add(self, violation: Violation) -> None: ...
    def get(self, violation_id: str) -> Violation: ...
    def find_by_source(self, source_key: str) -> Violation | None: ...
    def list_for_staff_month(self, staff_id: str, month: str) -> Sequence[Violation]:
        """Violations that occurred in ``month`` (YYYY-MM), by occurrence then recording."""
        ...

    def list_recurring_open(self) -> Sequence[Violation]:
        """Violations of recurring codes not yet corrected, plus those corrected recently."""
        ...

    def list_between(self, start: date, end: date) -> Sequence[Violation]:
        """Everyone's violations that occurred in [``start``, ``end``), by occurrence then
        recording: one query per batch of the policy replay (issue 15)."""
        ...

    def list_for_issue(self, code: str, issue: str) -> Sequence[Violation]:
        """PEN-2 (001 制度8): earlier violations of ``code`` about the same customer issue."""
        ...


class PenaltyEntryRepository(Protocol):
    def add(self, entry: PenaltyEntry) -> None:
        """Raises Conflict if an entry with the same ``source_key`` exists (idempotence)."""
        ...

    def get(self, entry_id: str) -> PenaltyEntry: ...
    def find_by_source(self, source_key: str) -> PenaltyEntry | None: ...
    def list(
        self,
        *,
        staff_id: str | None = None,
        month: str | None = None,
        department_id: str | None = None,
    ) -> Sequence[PenaltyEntry]:
        """In recording order; ``department_id``: entries of that department's staff (the
        scope filter of ``penalties.read``)."""
        ...

    def months(
        self, *, staff_id: str | None = None, after: str | None = None, before: str | None = None
    ) -> Sequence[str]:
        """PEN-10: the distinct months (YYYY-MM) holding entries, strictly between ``after``
        and ``before`` when given, in order (one indexed query, not the entries)."""
        ...


class AppealRepository(Protocol):
    def add(self, appeal: Appeal) -> None: ...
    def get(self, appeal_id: str) -> Appeal: ...
    def list(self, *, staff_id: str | None = None) -> Sequence[Appeal]: ...


class RecommendationRepository(Protocol):
    def add(self, recommendation: SanctionRecommendation) -> None:
        """Raises Conflict if the violation already has a recommendation (PEN-2, PEN-9)."""
        ...

    def get(self, recommendation_id: str) -> SanctionRecommendation: ...
    def list(
        self, *, staff_id: str | None = None, open_only: bool = False
    ) -> Sequence[SanctionRecommendation]:
        """By creation time."""
        ...


class BonusRepository(Protocol):
    def add(self, record: BonusRecord) -> None: ...
    def find(self, staff_id: str, month: str) -> BonusRecord | None: ...
    def list_for_month(self, month: str) -> Sequence[BonusRecord]:
        """Every person's bonus of ``month`` (settlement reads them in one query)."""
        ...


class StatementRepository(Protocol):
    def add(self, statement: Statement) -> None: ...
    def add_many(self, statements: Sequence[Statement]) -> None:
        """One bulk insert of a month's new statements. No per-row existence check: they are
        written with the month's SettledMonth row, whose key makes a settlement happen once."""
        ...

    def list(
        self,
        *,
        month: str | None = None,
        staff_id: str | None = None,
        department_id: str | None = None,
    ) -> Sequence[Statement]:
        """By month and person; ``department_id``: statements of that department's staff."""
        ...

    def carried_over(self, month: str) -> Mapping[StaffId, Money]:
        """PEN-6: each person's non-zero excess carried out of ``month`` (one narrow query,
        not the statements with their lines)."""
        ...


class SettledMonthRepository(Protocol):
    def add(self, settled: SettledMonth) -> None:
        """Raises Conflict if the month is already settled (two settlements never race)."""
        ...

    def find(self, month: str) -> SettledMonth | None: ...
    def list(self) -> Sequence[SettledMonth]:
        """Every settled month, in order (PEN-10 settlement report)."""
        ...

    def latest(self, *, before: str | None = None) -> SettledMonth | None:
        """PEN-10: the latest settled month (strictly before ``before`` when given)."""
        ...
