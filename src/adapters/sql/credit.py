"""Customer credit (CRD-1…CRD-6): tables, mapping and repositories.

The credit line and the balance are ``SUM`` aggregates over the ledger's
``(customer_id, kind, on)`` index; amounts are stored as whole 分 (``CentsType``) so the sums
are exact on SQLite as on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa

from adapters.sql.errors import translating
from adapters.sql.mapping import MAPPED
from adapters.sql.repositories import _Repository
from adapters.sql.schema import ID, metadata, seq_column
from adapters.sql.types import AwareDateTime, CentsType, StrEnumType, cents_to_money
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

credit_accounts = sa.Table(
    "credit_accounts",
    metadata,
    sa.Column("customer_id", ID, primary_key=True),  # one account per customer (CRD-1)
    sa.Column("contract_type", sa.String(), nullable=False),
    sa.Column("contract_no", sa.String(), nullable=False),
    sa.Column("contract_signed_on", sa.Date(), nullable=False),
    sa.Column("settlement_agreement", sa.Boolean(), nullable=False),
    sa.Column("opened_by", ID, nullable=False),
    sa.Column("opened_at", AwareDateTime(), nullable=False),
    sa.Column("grade", sa.String(), nullable=False),
    sa.Column("score", sa.Integer(), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
)

credit_grades = sa.Table(
    "credit_grades",
    metadata,
    seq_column(),
    sa.Column("id", ID, nullable=False, unique=True),
    sa.Column("customer_id", ID, nullable=False, index=True),
    sa.Column("from_grade", sa.String(), nullable=True),
    sa.Column("to_grade", sa.String(), nullable=False),
    sa.Column("score", sa.Integer(), nullable=False),
    sa.Column("reason", sa.String(), nullable=False),
    sa.Column("approved_by", ID, nullable=False),
    sa.Column("at", AwareDateTime(), nullable=False),
    sqlite_autoincrement=True,
)

credit_ledger = sa.Table(
    "credit_ledger",
    metadata,
    seq_column(),
    sa.Column("id", ID, nullable=False, unique=True),
    sa.Column("customer_id", ID, nullable=False),
    sa.Column("kind", StrEnumType(LedgerKind), nullable=False),
    sa.Column("amount", CentsType(), nullable=False),
    sa.Column("on", sa.Date(), nullable=False),
    sa.Column("reference", sa.String(), nullable=False),
    sa.Column("recorded_by", ID, nullable=False),
    sa.Column("recorded_at", AwareDateTime(), nullable=False),
    # an authorized shipment's invoice: at most one per shipment (CRD-3)
    sa.Column("shipment_id", ID, nullable=True),
    sqlite_autoincrement=True,
)

credit_shipments = sa.Table(
    "credit_shipments",
    metadata,
    seq_column(),  # decisions listed in the order they were made
    sa.Column("id", ID, nullable=False, unique=True),
    sa.Column("customer_id", ID, nullable=False),
    sa.Column("amount", CentsType(), nullable=False),
    sa.Column("on", sa.Date(), nullable=False),
    sa.Column("reference", sa.String(), nullable=False),
    sa.Column("decision", StrEnumType(Decision), nullable=False),
    sa.Column("why", sa.String(), nullable=False),
    sa.Column("line", CentsType(), nullable=False),
    sa.Column("balance", CentsType(), nullable=False),
    sa.Column("available", CentsType(), nullable=False),
    sa.Column("bound", CentsType(), nullable=False),
    sa.Column("requested_by", ID, nullable=False),
    sa.Column("requested_at", AwareDateTime(), nullable=False),
    sa.Column("signed_by", ID, nullable=True),
    sa.Column("authority", sa.String(), nullable=False),
    sa.Column("reason", sa.String(), nullable=False),
    sa.Column("charged", sa.Boolean(), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sqlite_autoincrement=True,
)

_INVOICE_OF_SHIPMENT = sa.text("shipment_id IS NOT NULL AND kind = 'invoice'")

INDEXES = [
    # CRD-2: the line (invoices in a window) and the balance (sums up to a day), each read
    # from an index holding the amount too, so neither SUM visits the table (migration 0015)
    sa.Index(
        "ix_credit_ledger_customer_kind_on",
        credit_ledger.c.customer_id,
        credit_ledger.c.kind,
        credit_ledger.c.on,
        credit_ledger.c.amount,
    ),
    sa.Index(
        "ix_credit_ledger_customer_on",
        credit_ledger.c.customer_id,
        credit_ledger.c.on,
        credit_ledger.c.kind,
        credit_ledger.c.amount,
    ),
    sa.Index("ix_credit_ledger_on", credit_ledger.c.on),
    sa.Index(
        "uq_credit_ledger_shipment_invoice",
        credit_ledger.c.shipment_id,
        unique=True,
        sqlite_where=_INVOICE_OF_SHIPMENT,
        postgresql_where=_INVOICE_OF_SHIPMENT,
    ),
    sa.Index(
        "ix_credit_shipments_customer_on", credit_shipments.c.customer_id, credit_shipments.c.on
    ),
    sa.Index("ix_credit_shipments_decision_on", credit_shipments.c.decision, credit_shipments.c.on),
]

MAPPED.update(
    {
        CreditAccount: (credit_accounts, credit_accounts.c.customer_id),
        CreditGradeChange: (credit_grades, credit_grades.c.id),
        LedgerEntry: (credit_ledger, credit_ledger.c.id),
        Shipment: (credit_shipments, credit_shipments.c.id),
    }
)


# invoices raise the balance, payments and write-offs lower it (whole 分)
_SIGNED = sa.case(
    (credit_ledger.c.kind == LedgerKind.INVOICE.value, credit_ledger.c.amount),
    else_=-credit_ledger.c.amount,
)


class SqlCreditAccounts(_Repository[CreditAccount]):
    cls = CreditAccount
    label = "credit account"

    @translating
    def find(self, customer_id: CustomerId) -> CreditAccount | None:
        return self._find_key(customer_id)


class SqlCreditGrades(_Repository[CreditGradeChange]):
    cls = CreditGradeChange
    label = "credit grade change"

    @translating
    def list_for_customer(self, customer_id: CustomerId) -> Sequence[CreditGradeChange]:
        c = credit_grades.c
        return self._all(self._select().where(c.customer_id == customer_id).order_by(c.seq))


class SqlCreditLedger(_Repository[LedgerEntry]):
    cls = LedgerEntry
    label = "ledger entry"

    def _sum(self, *where: sa.ColumnElement[bool]) -> Money:
        self.session.flush()  # this unit of work's own rows count too
        c = credit_ledger.c
        value = self.session.execute(sa.select(sa.func.sum(c.amount)).where(*where)).scalar()
        return Money.zero() if value is None else cents_to_money(value)

    @translating
    def total(
        self,
        customer_id: CustomerId,
        kinds: Sequence[LedgerKind],
        *,
        since: date | None = None,
        until: date | None = None,
    ) -> Money:
        c = credit_ledger.c
        where = [c.customer_id == customer_id, c.kind.in_([k.value for k in kinds])]
        if since is not None:
            where.append(c.on >= since)
        if until is not None:
            where.append(c.on <= until)
        return self._sum(*where)

    @translating
    def balance(self, customer_id: CustomerId, *, until: date | None = None) -> Money:
        c = credit_ledger.c
        where = [c.customer_id == customer_id]
        if until is not None:
            where.append(c.on <= until)
        self.session.flush()
        value = self.session.execute(sa.select(sa.func.sum(_SIGNED)).where(*where)).scalar()
        return Money.zero() if value is None else cents_to_money(value)

    @translating
    def invoiced_up_to(self, entry: LedgerEntry) -> Money:
        self.session.flush()
        c = credit_ledger.c
        seq = sa.select(c.seq).where(c.id == entry.id).scalar_subquery()
        return self._sum(
            c.customer_id == entry.customer_id,
            c.kind == LedgerKind.INVOICE.value,
            sa.or_(c.on < entry.on, sa.and_(c.on == entry.on, c.seq <= seq)),
        )

    @translating
    def find_for_shipment(self, shipment_id: str) -> LedgerEntry | None:
        c = credit_ledger.c
        return self._first(
            self._select().where(c.shipment_id == shipment_id, c.kind == LedgerKind.INVOICE.value)
        )

    @translating
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
        c = credit_ledger.c
        stmt = self._select().where(c.customer_id == customer_id)
        if kind is not None:
            stmt = stmt.where(c.kind == kind.value)
        if until is not None:
            stmt = stmt.where(c.on <= until)
        order = (c.on.desc(), c.seq.desc()) if newest_first else (c.on, c.seq)
        return self._all(stmt.order_by(*order).limit(limit).offset(offset))

    @translating
    def balances(self, until: date, *, limit: int = 500) -> Sequence[tuple[CustomerId, Money]]:
        self.session.flush()
        c = credit_ledger.c
        signed = _SIGNED
        balance = sa.func.sum(signed).label("balance")
        stmt = (
            sa.select(c.customer_id, balance)
            .where(c.on <= until)
            .group_by(c.customer_id)
            # compared as a plain integer: the SUM carries the cents column's Money type
            .having(sa.type_coerce(sa.func.sum(signed), sa.BigInteger) != 0)
            .order_by(balance.desc(), self._binary(c.customer_id))
            .limit(limit)
        )
        return [
            (CustomerId(row.customer_id), cents_to_money(row.balance))
            for row in self.session.execute(stmt)
        ]


class SqlShipments(_Repository[Shipment]):
    cls = Shipment
    label = "shipment"

    @translating
    def list_for_customer(
        self, customer_id: CustomerId, *, decisions: Sequence[Decision] = ()
    ) -> Sequence[Shipment]:
        c = credit_shipments.c
        stmt = self._select().where(c.customer_id == customer_id)
        if decisions:
            stmt = stmt.where(c.decision.in_([d.value for d in decisions]))
        return self._all(stmt.order_by(c.on, c.seq))

    @translating
    def list_between(
        self, start: date, end: date, *, decisions: Sequence[Decision], limit: int = 500
    ) -> Sequence[Shipment]:
        c = credit_shipments.c
        stmt = self._select().where(
            c.on >= start, c.on <= end, c.decision.in_([d.value for d in decisions])
        )
        return self._all(stmt.order_by(c.on, c.seq).limit(limit))
