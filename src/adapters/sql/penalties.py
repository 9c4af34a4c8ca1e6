"""Staff penalties (PEN-*): tables, mapping and repositories."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa

from adapters.sql import org as sql_org
from adapters.sql.errors import translating
from adapters.sql.mapping import MAPPED
from adapters.sql.repositories import (
    _AppendOnly,
    _Repository,
    adopt,
    pending_keys,
)
from adapters.sql.schema import ID, metadata, seq_column
from adapters.sql.types import (
    AwareDateTime,
    MoneyType,
    StrEnumType,
)
from csdomain.kernel.errors import Conflict
from csdomain.kernel.ids import StaffId
from csdomain.kernel.money import Money
from csdomain.penalties.model import (
    Appeal,
    AppealState,
    BonusRecord,
    EntryKind,
    PenaltyEntry,
    RecommendationState,
    SanctionRecommendation,
    SettledMonth,
    Statement,
    Violation,
)

# ------------------------------------------------------------------ penalties (PEN-*)

violations = sa.Table(
    "violations",
    metadata,
    seq_column(),
    sa.Column("id", ID, nullable=False, unique=True),
    sa.Column("staff_id", ID, nullable=False),
    sa.Column("code", sa.String(), nullable=False),
    sa.Column("occurred_on", sa.Date(), nullable=False),
    sa.Column("units", sa.Integer(), nullable=False),
    sa.Column("evidence", sa.String(), nullable=False),
    sa.Column("recorded_by", ID, nullable=False),
    sa.Column("recorded_at", AwareDateTime(), nullable=False),
    # the idempotence key of automatic violations: each source counts once, even when two
    # sweeps race (NULL for violations recorded by hand)
    sa.Column("source_key", sa.String(), nullable=True, unique=True),
    sa.Column("corrected_on", sa.Date(), nullable=True),
    # PEN-2 repeat complaints, PEN-8 no culprit, PEN-9 the cited read (migration 0016)
    sa.Column("issue", sa.String(), nullable=False, server_default=""),
    sa.Column("no_culprit_in_group_of", ID, nullable=True),
    sa.Column("access_log_id", ID, nullable=True),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Index(None, "staff_id", "occurred_on"),
    sa.Index("ix_violations_code_issue", "code", "issue"),
    sqlite_autoincrement=True,
)


penalty_entries = sa.Table(
    "penalty_entries",
    metadata,
    seq_column(),
    sa.Column("id", ID, nullable=False, unique=True),
    sa.Column("staff_id", ID, nullable=False, index=True),
    sa.Column("month", sa.String(7), nullable=False, index=True),
    sa.Column("kind", StrEnumType(EntryKind), nullable=False),
    sa.Column("amount", MoneyType(), nullable=False),
    sa.Column("explanation", sa.String(), nullable=False),
    sa.Column("recorded_at", AwareDateTime(), nullable=False),
    sa.Column("recorded_by", ID, nullable=False),
    sa.Column("occurred_on", sa.Date(), nullable=False),
    sa.Column("violation_id", ID, nullable=True),
    sa.Column("source_key", sa.String(), nullable=True, unique=True),  # idempotence
    sa.Column("caused_by", sa.JSON(), nullable=False),  # entries are never edited
    sa.Column("reverses_id", ID, nullable=True),
    sa.Column("adjusts_month", sa.String(7), nullable=True),
    sa.Column("duplicate_of", ID, nullable=True),
    # PEN-7: the sanction the entry's fine belongs to (migration 0016)
    sa.Column("sanction", sa.String(), nullable=False, server_default=""),
    # issue 15: the policy version that decided the amount (migration 0019)
    sa.Column("policy_version", sa.Integer(), nullable=True),
    sqlite_autoincrement=True,
)


# PEN-10: an entry is reversed at most once
_REVERSAL = sa.and_(
    penalty_entries.c.reverses_id.is_not(None), penalty_entries.c.duplicate_of.is_(None)
)


sa.Index(
    "uq_penalty_entries_one_reversal",
    penalty_entries.c.reverses_id,
    unique=True,
    sqlite_where=_REVERSAL,
    postgresql_where=_REVERSAL,
)


appeals = sa.Table(
    "appeals",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("entry_id", ID, nullable=False),
    sa.Column("staff_id", ID, nullable=False, index=True),
    sa.Column("reason", sa.String(), nullable=False),
    sa.Column("filed_at", AwareDateTime(), nullable=False),
    sa.Column("state", StrEnumType(AppealState), nullable=False),
    sa.Column("decided_by", ID, nullable=True),
    sa.Column("decided_at", AwareDateTime(), nullable=True),
    sa.Column("decision_reason", sa.String(), nullable=False),
    sa.Column("new_amount", MoneyType(), nullable=True),
    sa.Column("duplicate_of", ID, nullable=True),
    sa.Column("version", sa.Integer(), nullable=False),
)


# PEN-10: at most one open appeal per penalty entry
_OPEN_APPEAL = sa.and_(appeals.c.state == "open", appeals.c.duplicate_of.is_(None))


sa.Index(
    "uq_appeals_one_open_per_entry",
    appeals.c.entry_id,
    unique=True,
    sqlite_where=_OPEN_APPEAL,
    postgresql_where=_OPEN_APPEAL,
)


# PEN-2/PEN-9: sanction recommendations, at most one per violation (migration 0016)
recommendations = sa.Table(
    "sanction_recommendations",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("staff_id", ID, nullable=False, index=True),
    sa.Column("violation_id", ID, nullable=False, unique=True),
    sa.Column("sanction", sa.String(), nullable=False),
    sa.Column("rule", sa.String(16), nullable=False),
    sa.Column("reason", sa.String(), nullable=False),
    sa.Column("created_at", AwareDateTime(), nullable=False),
    sa.Column("state", StrEnumType(RecommendationState), nullable=False),
    sa.Column("decided_by", ID, nullable=True),
    sa.Column("decided_at", AwareDateTime(), nullable=True),
    sa.Column("decision_reason", sa.String(), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
)


bonus_records = sa.Table(
    "bonus_records",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("staff_id", ID, nullable=False),
    sa.Column("month", sa.String(7), nullable=False),
    sa.Column("bonus", MoneyType(), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.UniqueConstraint("staff_id", "month"),  # one bonus base per person and month (PEN-6)
)


statements = sa.Table(
    "statements",
    metadata,
    seq_column(),
    sa.Column("id", ID, nullable=False, unique=True),
    sa.Column("staff_id", ID, nullable=False),
    sa.Column("month", sa.String(7), nullable=False, index=True),
    sa.Column("lines", sa.JSON(), nullable=False),  # immutable once stored (PEN-10)
    sa.Column("fines", MoneyType(), nullable=False),
    sa.Column("complaint_due", MoneyType(), nullable=False),
    sa.Column("complaint_deducted", MoneyType(), nullable=False),
    sa.Column("carried_over", MoneyType(), nullable=False),
    sa.Column("rewards", MoneyType(), nullable=False),
    sa.Column("total", MoneyType(), nullable=False),
    sa.Column("sanction", sa.String(), nullable=False),
    sa.Column("settled_at", AwareDateTime(), nullable=True),
    sqlite_autoincrement=True,
)


settled_months = sa.Table(
    "settled_months",
    metadata,
    sa.Column("month", sa.String(7), primary_key=True),  # a month is settled once (PEN-10)
    sa.Column("settled_at", AwareDateTime(), nullable=False),
    sa.Column("settled_by", ID, nullable=False),
)


# composite indexes (issue 10, migration 0008): every list's filter + order
PERFORMANCE_INDEXES = [
    sa.Index(
        "ix_penalty_entries_staff_id_month_recorded_at_seq",
        penalty_entries.c.staff_id,
        penalty_entries.c.month,
        penalty_entries.c.recorded_at,
        penalty_entries.c.seq,
    ),
    sa.Index(
        "ix_penalty_entries_month_recorded_at_seq",
        penalty_entries.c.month,
        penalty_entries.c.recorded_at,
        penalty_entries.c.seq,
    ),
    sa.Index("ix_statements_month_staff_id", statements.c.month, statements.c.staff_id),
    sa.Index("ix_statements_staff_id_month", statements.c.staff_id, statements.c.month),
    sa.Index("ix_bonus_records_month_staff_id", bonus_records.c.month, bonus_records.c.staff_id),
    sa.Index(
        "ix_appeals_staff_id_filed_at_id", appeals.c.staff_id, appeals.c.filed_at, appeals.c.id
    ),
]


MAPPED.update(
    {
        Violation: (violations, violations.c.id),
        Appeal: (appeals, appeals.c.id),
        SanctionRecommendation: (recommendations, recommendations.c.id),
        BonusRecord: (bonus_records, bonus_records.c.id),
        Statement: (statements, statements.c.id),
        SettledMonth: (settled_months, settled_months.c.month),
    }
)


def _month_bounds(month: str) -> tuple[date, date]:
    """``YYYY-MM`` → [first day, first day of the next month), so the index can be used."""
    year, mm = (int(part) for part in month.split("-"))
    start = date(year, mm, 1)
    return start, date(year + mm // 12, mm % 12 + 1, 1)


class SqlViolations(_Repository[Violation]):
    cls = Violation
    label = "violation"

    @translating
    def find_by_source(self, source_key: str) -> Violation | None:
        c = violations.c
        return self._first(self._select().where(c.source_key == source_key).order_by(c.seq))

    @translating
    def list_for_staff_month(self, staff_id: str, month: str) -> Sequence[Violation]:
        c = violations.c
        start, end = _month_bounds(month)
        return self._all(
            self._select()
            .where(c.staff_id == staff_id, c.occurred_on >= start, c.occurred_on < end)
            .order_by(c.occurred_on, c.recorded_at, c.seq)
        )

    @translating
    def list_recurring_open(self) -> Sequence[Violation]:
        c = violations.c
        return self._all(self._select().order_by(c.occurred_on, self._binary(c.id)))

    @translating
    def list_for_issue(self, code: str, issue: str) -> Sequence[Violation]:
        c = violations.c
        return self._all(
            self._select()
            .where(c.code == code, c.issue == issue)
            .order_by(c.occurred_on, c.recorded_at, c.seq)
        )

    @translating
    def list_between(self, start: date, end: date) -> Sequence[Violation]:
        c = violations.c
        return self._all(
            self._select()
            .where(c.occurred_on >= start, c.occurred_on < end)
            .order_by(c.occurred_on, c.recorded_at, c.seq)
        )


class SqlPenaltyEntries(_AppendOnly[PenaltyEntry]):
    """A person's ledger (PEN-10): entries are never edited (X-7), so they are written and
    read through Core, not mapped — a month's settlement reads every entry of the month."""

    cls = PenaltyEntry
    table = penalty_entries
    label = "penalty entry"

    @translating
    def add(self, obj: PenaltyEntry) -> None:
        """Idempotent by ``source_key`` (the unique index settles races)."""
        pending = pending_keys(self.session)
        if obj.source_key is not None and (
            (PenaltyEntry, "source\x00" + obj.source_key) in pending
            or self._stored_source(obj.source_key)
        ):
            raise Conflict(f"penalty entry for {obj.source_key} already exists")
        super().add(obj)
        if obj.source_key is not None:
            pending.add((PenaltyEntry, "source\x00" + obj.source_key))

    def _stored_source(self, source_key: str) -> bool:
        """Stored ones only: this unit of work's own are in ``pending_keys``."""
        c = penalty_entries.c
        stmt = (
            sa.select(sa.literal(1)).select_from(penalty_entries).where(c.source_key == source_key)
        )
        return self.session.connection().execute(stmt).first() is not None

    @translating
    def find_by_source(self, source_key: str) -> PenaltyEntry | None:
        c = penalty_entries.c
        found = self._all(self._select().where(c.source_key == source_key).limit(1))
        return found[0] if found else None

    @translating
    def list(
        self,
        *,
        staff_id: str | None = None,
        month: str | None = None,
        department_id: str | None = None,
    ) -> Sequence[PenaltyEntry]:
        """In recording order."""
        c = penalty_entries.c
        stmt = self._select()
        if staff_id is not None:
            stmt = stmt.where(c.staff_id == staff_id)
        if month is not None:
            stmt = stmt.where(c.month == month)
        if department_id is not None:
            stmt = stmt.where(sql_org.in_department(c.staff_id, department_id))
        return self._all(stmt.order_by(c.recorded_at, c.seq))

    @translating
    def months(
        self, *, staff_id: str | None = None, after: str | None = None, before: str | None = None
    ) -> Sequence[str]:
        c = penalty_entries.c
        stmt = sa.select(c.month).distinct()
        if staff_id is not None:
            stmt = stmt.where(c.staff_id == staff_id)
        if after is not None:
            stmt = stmt.where(c.month > after)
        if before is not None:
            stmt = stmt.where(c.month < before)
        return [str(m) for m in self._execute(stmt.order_by(c.month)).scalars()]


class SqlAppeals(_Repository[Appeal]):
    cls = Appeal
    label = "appeal"

    @translating
    def list(self, *, staff_id: str | None = None) -> Sequence[Appeal]:
        c = appeals.c
        stmt = self._select()
        if staff_id is not None:
            stmt = stmt.where(c.staff_id == staff_id)
        return self._all(stmt.order_by(c.filed_at, self._binary(c.id)))


class SqlRecommendations(_Repository[SanctionRecommendation]):
    cls = SanctionRecommendation
    label = "recommendation"

    @translating
    def add(self, obj: SanctionRecommendation) -> None:
        """One per violation: the unique key settles races (PEN-2, PEN-9)."""
        c = recommendations.c
        with self.session.no_autoflush:
            taken = self.session.scalar(
                sa.select(sa.literal(1))
                .select_from(recommendations)
                .where(c.violation_id == obj.violation_id)
            )
        if taken is not None:
            raise Conflict(
                "this violation already has a recommendation", rule="PEN-2", field="violation_id"
            )
        super().add(obj)

    @translating
    def list(
        self, *, staff_id: str | None = None, open_only: bool = False
    ) -> Sequence[SanctionRecommendation]:
        c = recommendations.c
        stmt = self._select()
        if staff_id is not None:
            stmt = stmt.where(c.staff_id == staff_id)
        if open_only:
            stmt = stmt.where(c.state == RecommendationState.OPEN)
        return self._all(stmt.order_by(c.created_at, self._binary(c.id)))


class SqlBonuses(_Repository[BonusRecord]):
    cls = BonusRecord
    label = "bonus record"

    @translating
    def find(self, staff_id: str, month: str) -> BonusRecord | None:
        c = bonus_records.c
        return self._first(self._select().where(c.staff_id == staff_id, c.month == month))

    @translating
    def list_for_month(self, month: str) -> Sequence[BonusRecord]:
        c = bonus_records.c
        return self._all(self._select().where(c.month == month).order_by(self._binary(c.staff_id)))


class SqlStatements(_Repository[Statement]):
    cls = Statement
    label = "statement"

    @translating
    def carried_over(self, month: str) -> dict[StaffId, Money]:
        c = statements.c
        rows = self.session.execute(
            sa.select(c.staff_id, c.carried_over).where(c.month == month)
        ).all()
        return {StaffId(sid): amount for sid, amount in rows if amount.amount != 0}

    @translating
    def add_many(self, statements: Sequence[Statement]) -> None:
        for statement in statements:
            adopt(statement)
        self.session.add_all(statements)

    @translating
    def list(
        self,
        *,
        month: str | None = None,
        staff_id: str | None = None,
        department_id: str | None = None,
    ) -> Sequence[Statement]:
        c = statements.c
        stmt = self._select()
        if month is not None:
            stmt = stmt.where(c.month == month)
        if staff_id is not None:
            stmt = stmt.where(c.staff_id == staff_id)
        if department_id is not None:
            stmt = stmt.where(sql_org.in_department(c.staff_id, department_id))
        return self._all(stmt.order_by(c.month, self._binary(c.staff_id), c.seq))


class SqlSettledMonths(_Repository[SettledMonth]):
    cls = SettledMonth
    label = "month"

    @translating
    def find(self, month: str) -> SettledMonth | None:
        return self._find_key(month)

    @translating
    def list(self) -> Sequence[SettledMonth]:
        return self._all(self._select().order_by(settled_months.c.month))

    @translating
    def latest(self, *, before: str | None = None) -> SettledMonth | None:
        c = settled_months.c
        stmt = self._select()
        if before is not None:
            stmt = stmt.where(c.month < before)
        return self._first(stmt.order_by(c.month.desc()))
