"""Customers and their files (CUS-*, X-5..X-7): tables, mapping and repositories."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import sqlalchemy as sa

from adapters.sql import org as sql_org
from adapters.sql.errors import translating
from adapters.sql.mapping import MAPPED
from adapters.sql.repositories import _Repository
from adapters.sql.schema import ID, metadata, seq_column
from adapters.sql.search import matching_ids
from adapters.sql.types import (
    AwareDateTime,
    MoneyType,
    StrEnumType,
    mutable_json_dict,
    mutable_json_list,
)
from csdomain.customers.model import (
    AccessLogEntry,
    Customer,
    CustomerFile,
    CustomerKind,
    CustomerStatus,
    DailyRegister,
    Deregistration,
    DeregistrationState,
    DestructionRecord,
    DestructionRequest,
    DestructionState,
    FileLoan,
    GradeChange,
    LegalForm,
    LoanState,
    RegisterStatus,
    SalesFigure,
    Source,
)
from csdomain.kernel.ids import CustomerId, DepartmentId, DeregistrationId, FileId, StaffId

customers = sa.Table(
    "customers",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("name", sa.String(), nullable=False),
    sa.Column("kind", StrEnumType(CustomerKind), nullable=False),
    sa.Column("legal_form", StrEnumType(LegalForm), nullable=False),
    sa.Column("phone", sa.String(), nullable=False, index=True),
    sa.Column("owner_id", ID, nullable=False, index=True),
    sa.Column("registered_by", ID, nullable=False),
    sa.Column("registered_at", AwareDateTime(), nullable=False, index=True),
    sa.Column("source", StrEnumType(Source), nullable=False),
    sa.Column("id_number", sa.String(), nullable=True, index=True),
    sa.Column("contact_name", sa.String(), nullable=False),
    sa.Column("address", sa.String(), nullable=False),
    sa.Column("status", StrEnumType(CustomerStatus), nullable=False),
    sa.Column("referrer_customer_id", ID, nullable=True),
    sa.Column("intermediary", sa.Boolean(), nullable=False),
    sa.Column("intermediary_name", sa.String(), nullable=False),
    sa.Column("grade", sa.String(), nullable=True),
    sa.Column("grade_score", sa.Integer(), nullable=True),
    sa.Column("grade_provisional", sa.Boolean(), nullable=False),
    sa.Column("next_evaluation_on", sa.Date(), nullable=True),
    sa.Column("cooperation_since", sa.Date(), nullable=True),
    sa.Column("notes", sa.String(), nullable=False),
    sa.Column("duplicate_of", ID, nullable=True),
    sa.Column("version", sa.Integer(), nullable=False),
)


# CUS-1 backstop (docs/architecture.md, "Invariants"): one live customer per normalized phone
# and per ID number. Rows the 0006 migration flagged as pre-existing duplicates stay out.
LIVE_CUSTOMER_STATUSES = ("prospect", "closed_deal", "deregistering")


_LIVE_CUSTOMER = sa.and_(
    customers.c.status.in_(LIVE_CUSTOMER_STATUSES), customers.c.duplicate_of.is_(None)
)


sa.Index(
    "uq_customers_live_phone",
    customers.c.phone,
    unique=True,
    sqlite_where=_LIVE_CUSTOMER,
    postgresql_where=_LIVE_CUSTOMER,
)


_LIVE_ID_NUMBER = sa.and_(_LIVE_CUSTOMER, customers.c.id_number.is_not(None))


sa.Index(
    "uq_customers_live_id_number",
    customers.c.id_number,
    unique=True,
    sqlite_where=_LIVE_ID_NUMBER,
    postgresql_where=_LIVE_ID_NUMBER,
)


customer_files = sa.Table(
    "customer_files",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("customer_id", ID, nullable=False, index=True),
    sa.Column("kind", sa.String(), nullable=False),
    sa.Column("event_date", sa.Date(), nullable=False),
    sa.Column("due_on", sa.Date(), nullable=False, index=True),  # list_due_before (CUS-3)
    sa.Column("opened_at", AwareDateTime(), nullable=False),
    sa.Column("opened_by", ID, nullable=False),
    sa.Column("retention_until", sa.Date(), nullable=False),
    sa.Column("documents", mutable_json_dict(), nullable=False),
    sa.Column("handed_over_at", AwareDateTime(), nullable=True),
    sa.Column("handed_over_by", ID, nullable=True),
    sa.Column("received_by", ID, nullable=True),
    sa.Column("missing_at_handover", mutable_json_list(), nullable=False),
    sa.Column("destroyed_at", AwareDateTime(), nullable=True),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("destruction_request_id", ID, nullable=True),  # X-6 (0007)
    sa.Column("late_recorded", sa.Boolean(), nullable=False, server_default=sa.false()),  # 0017
)


grade_changes = sa.Table(
    "grade_changes",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("customer_id", ID, nullable=False, index=True),
    sa.Column("from_grade", sa.String(), nullable=True),
    sa.Column("to_grade", sa.String(), nullable=False),
    sa.Column("score", sa.Integer(), nullable=True),
    sa.Column("provisional", sa.Boolean(), nullable=False),
    sa.Column("reason", sa.String(), nullable=False),
    sa.Column("proposed_by", ID, nullable=False),
    sa.Column("approved_by", ID, nullable=False),
    sa.Column("at", AwareDateTime(), nullable=False),
    sa.Column("next_evaluation_on", sa.Date(), nullable=True),
)


access_log = sa.Table(
    "access_log",
    metadata,
    seq_column(),
    sa.Column("id", ID, nullable=False, unique=True),
    sa.Column("reader_id", ID, nullable=False),
    sa.Column("record_kind", sa.String(), nullable=False),
    sa.Column("record_id", ID, nullable=False, index=True),
    sa.Column("level", sa.String(), nullable=False),
    sa.Column("at", AwareDateTime(), nullable=False),
    sqlite_autoincrement=True,
)


destructions = sa.Table(
    "destructions",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("file_id", ID, nullable=False, index=True),
    sa.Column("customer_id", ID, nullable=False),
    sa.Column("reviewed_by", ID, nullable=False),
    sa.Column("approved_by", ID, nullable=False),
    sa.Column("reason", sa.String(), nullable=False),
    sa.Column("retention_until", sa.Date(), nullable=False),
    sa.Column("at", AwareDateTime(), nullable=False),
    sa.Column("requested_by", ID, nullable=True),  # X-6 flow (0007)
    sa.Column("request_id", ID, nullable=True),
)


# destruction as a flow of three signatures (0007)
destruction_requests = sa.Table(
    "destruction_requests",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("file_id", ID, nullable=False, index=True),
    sa.Column("customer_id", ID, nullable=False),
    sa.Column("requested_by", ID, nullable=False),
    sa.Column("requested_at", AwareDateTime(), nullable=False),
    sa.Column("reason", sa.String(), nullable=False),
    sa.Column("state", StrEnumType(DestructionState), nullable=False),
    sa.Column("reviewed_by", ID, nullable=True),
    sa.Column("reviewed_at", AwareDateTime(), nullable=True),
    sa.Column("approved_by", ID, nullable=True),
    sa.Column("approved_at", AwareDateTime(), nullable=True),
    sa.Column("rejected_by", ID, nullable=True),
    sa.Column("rejection_reason", sa.String(), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
)


deregistrations = sa.Table(
    "deregistrations",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("customer_id", ID, nullable=False, index=True),
    sa.Column("applied_by", ID, nullable=False),
    sa.Column("applied_at", AwareDateTime(), nullable=False),
    sa.Column("reason", sa.String(), nullable=False),
    sa.Column("status_before", StrEnumType(CustomerStatus), nullable=False),
    sa.Column("completed_steps", mutable_json_list(), nullable=False),
    sa.Column("state", StrEnumType(DeregistrationState), nullable=False),
    sa.Column("refund", MoneyType(), nullable=True),
    sa.Column("version", sa.Integer(), nullable=False),
)


# CUS-1 / CUS-7 daily registers (0017): one per person and day (the unique key holds "once")
daily_registers = sa.Table(
    "daily_registers",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("staff_id", ID, nullable=False),
    sa.Column("day", sa.Date(), nullable=False, index=True),
    sa.Column("status", StrEnumType(RegisterStatus), nullable=False),
    sa.Column("submitted_at", AwareDateTime(), nullable=True),
    sa.Column("customer_ids", mutable_json_list(), nullable=False),
    sa.Column("prospect_ids", mutable_json_list(), nullable=False),
    sa.Column("note", sa.String(), nullable=False),
    sa.Column("exception_reason", sa.String(), nullable=False),
    sa.Column("late", sa.Boolean(), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.UniqueConstraint("staff_id", "day"),
)


# CUS-7 file loans (0017): one lent loan per file (a partial unique index)
file_loans = sa.Table(
    "file_loans",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("file_id", ID, nullable=False, index=True),
    sa.Column("customer_id", ID, nullable=False),
    sa.Column("borrower_id", ID, nullable=False),
    sa.Column("purpose", sa.String(), nullable=False),
    sa.Column("requested_at", AwareDateTime(), nullable=False),
    sa.Column("state", StrEnumType(LoanState), nullable=False),
    sa.Column("decided_by", ID, nullable=True),
    sa.Column("decided_at", AwareDateTime(), nullable=True),
    sa.Column("due_back_on", sa.Date(), nullable=True),
    sa.Column("returned_at", AwareDateTime(), nullable=True),
    sa.Column("returned_to", ID, nullable=True),
    sa.Column("rejection_reason", sa.String(), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
)

_LENT = file_loans.c.state == LoanState.LENT.value

# the CUS-7 replay reads loans by the time they were lent (issue 15, migration 0021)
sa.Index("ix_file_loans_decided_at", file_loans.c.decided_at)

sa.Index(
    "uq_file_loans_lent_file_id",
    file_loans.c.file_id,
    unique=True,
    sqlite_where=_LENT,
    postgresql_where=_LENT,
)


# CUS-5 sales figures (0017): one per customer and month
sales_figures = sa.Table(
    "sales_figures",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("customer_id", ID, nullable=False),
    sa.Column("month", sa.String(7), nullable=False, index=True),
    sa.Column("sales", MoneyType(), nullable=False),
    sa.Column("margin", MoneyType(), nullable=False),
    sa.Column("recorded_by", ID, nullable=False),
    sa.Column("recorded_at", AwareDateTime(), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.UniqueConstraint("customer_id", "month"),
)


# composite indexes (issue 10, migration 0008): every list's filter + order
PERFORMANCE_INDEXES = [
    sa.Index(
        "ix_customers_owner_id_registered_at_id",
        customers.c.owner_id,
        customers.c.registered_at,
        customers.c.id,
    ),
    sa.Index(
        "ix_customers_status_registered_at_id",
        customers.c.status,
        customers.c.registered_at,
        customers.c.id,
    ),
    sa.Index(
        "ix_customer_files_customer_id_opened_at_id",
        customer_files.c.customer_id,
        customer_files.c.opened_at,
        customer_files.c.id,
    ),
    sa.Index(
        "ix_grade_changes_customer_id_at_id",
        grade_changes.c.customer_id,
        grade_changes.c.at,
        grade_changes.c.id,
    ),
    sa.Index(
        "ix_access_log_record_id_at_seq", access_log.c.record_id, access_log.c.at, access_log.c.seq
    ),
    sa.Index(
        "ix_deregistrations_customer_id_applied_at_id",
        deregistrations.c.customer_id,
        deregistrations.c.applied_at,
        deregistrations.c.id,
    ),
]


MAPPED.update(
    {
        Customer: (customers, customers.c.id),
        CustomerFile: (customer_files, customer_files.c.id),
        GradeChange: (grade_changes, grade_changes.c.id),
        AccessLogEntry: (access_log, access_log.c.id),
        DestructionRecord: (destructions, destructions.c.id),
        DestructionRequest: (destruction_requests, destruction_requests.c.id),
        Deregistration: (deregistrations, deregistrations.c.id),
        DailyRegister: (daily_registers, daily_registers.c.id),
        FileLoan: (file_loans, file_loans.c.id),
        SalesFigure: (sales_figures, sales_figures.c.id),
    }
)


_BY_PHONE = sa.select(customers.c.id).where(customers.c.phone == sa.bindparam("phone"))
_BY_IDENTITY = sa.select(customers.c.id).where(
    sa.or_(
        customers.c.phone == sa.bindparam("phone"),
        customers.c.id_number == sa.bindparam("id_number"),
    )
)


class SqlCustomers(_Repository[Customer]):
    cls = Customer
    label = "customer"

    def get(self, customer_id: CustomerId) -> Customer:  # type: ignore[override]
        return super().get(customer_id)

    def _order(self, stmt: sa.Select[Customer]) -> sa.Select[Customer]:
        c = customers.c
        return stmt.order_by(c.registered_at, self._binary(c.id))

    @translating
    def find_by_identity(self, phone: str, id_number: str | None) -> Sequence[Customer]:
        """Through the phone and id_number indexes (CUS-1 ownership check)."""
        # the common answer is "nobody": ask for ids through Core with a statement built
        # once, and load customers through the ORM only when there are some (issue 10)
        self.session.flush()  # what an ORM query's autoflush would do: see this unit's adds
        stmt, params = (
            (_BY_PHONE, {"phone": phone})
            if id_number is None
            else (_BY_IDENTITY, {"phone": phone, "id_number": id_number})
        )
        ids = list(self.session.connection().execute(stmt, params).scalars())
        if not ids:
            return []
        return self._all(self._order(self._select().where(customers.c.id.in_(ids))))

    @translating
    def list(
        self,
        *,
        owner_id: StaffId | None = None,
        status: CustomerStatus | None = None,
        grade: str | None = None,
        department_id: DepartmentId | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Sequence[Customer]:
        c = customers.c
        stmt = self._select()
        if department_id is not None:  # the department scope, before paging
            stmt = stmt.where(sql_org.in_department(c.owner_id, department_id))
        if owner_id is not None:
            stmt = stmt.where(c.owner_id == owner_id)
        if status is not None:
            stmt = stmt.where(c.status == status)
        if grade is not None:
            stmt = stmt.where(c.grade == grade)
        return self._all(self._order(stmt).limit(limit).offset(offset))

    @translating
    def search(
        self,
        text: str,
        *,
        owner_id: StaffId | None = None,
        department_id: DepartmentId | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Sequence[Customer]:
        """Through the ``customer_search_keys`` index (``adapters.sql.search``)."""
        ids = matching_ids(text)
        if ids is None:
            return []
        c = customers.c
        stmt = self._select().where(c.id.in_(ids))
        if department_id is not None:  # the department scope, before paging
            stmt = stmt.where(sql_org.in_department(c.owner_id, department_id))
        if owner_id is not None:
            stmt = stmt.where(c.owner_id == owner_id)
        return self._all(self._order(stmt).limit(limit).offset(offset))


class SqlFiles(_Repository[CustomerFile]):
    cls = CustomerFile
    label = "file"

    def get(self, file_id: FileId) -> CustomerFile:  # type: ignore[override]
        return super().get(file_id)

    @translating
    def list_for_customer(self, customer_id: CustomerId) -> Sequence[CustomerFile]:
        c = customer_files.c
        return self._all(
            self._select()
            .where(c.customer_id == customer_id)
            .order_by(c.opened_at, self._binary(c.id))
        )

    @translating
    def list_due_before(self, day: date) -> Sequence[CustomerFile]:
        """Overdue candidates (CUS-3) through the ``due_on`` index, not a full scan."""
        c = customer_files.c
        return self._all(
            self._select()
            .where(c.due_on < day, c.destroyed_at.is_(None))
            .order_by(c.due_on, self._binary(c.id))
        )

    @translating
    def list_due_between(self, start: date, end: date) -> Sequence[CustomerFile]:
        """Through the ``due_on`` index (RPT hand-over rates)."""
        c = customer_files.c
        return self._all(
            self._select()
            .where(c.due_on >= start, c.due_on <= end)
            .order_by(c.due_on, self._binary(c.id))
        )


class SqlGradeChanges(_Repository[GradeChange]):
    cls = GradeChange
    label = "grade change"

    @translating
    def list_for_customer(self, customer_id: CustomerId) -> Sequence[GradeChange]:
        c = grade_changes.c
        return self._all(
            self._select().where(c.customer_id == customer_id).order_by(c.at, self._binary(c.id))
        )

    @translating
    def list_until(self, until: datetime) -> Sequence[GradeChange]:
        c = grade_changes.c
        return self._all(self._select().where(c.at < until).order_by(c.at, self._binary(c.id)))


class SqlAccessLog(_Repository[AccessLogEntry]):
    """X-5: reads of confidential records, in the order they happened."""

    cls = AccessLogEntry
    label = "access log entry"

    @translating
    def list(self, *, record_id: str | None = None) -> Sequence[AccessLogEntry]:
        c = access_log.c
        stmt = self._select()
        if record_id is not None:
            stmt = stmt.where(c.record_id == record_id)
        return self._all(stmt.order_by(c.at, c.seq))


class SqlDestructions(_Repository[DestructionRecord]):
    cls = DestructionRecord
    label = "destruction record"

    @translating
    def list(self) -> Sequence[DestructionRecord]:
        c = destructions.c
        return self._all(self._select().order_by(c.at, self._binary(c.id)))


class SqlDestructionRequests(_Repository[DestructionRequest]):
    cls = DestructionRequest
    label = "destruction request"

    @translating
    def list(self, *, file_id: FileId | None = None) -> Sequence[DestructionRequest]:
        c = destruction_requests.c
        stmt = self._select()
        if file_id is not None:
            stmt = stmt.where(c.file_id == file_id)
        return self._all(stmt.order_by(c.requested_at, self._binary(c.id)))


class SqlDeregistrations(_Repository[Deregistration]):
    cls = Deregistration
    label = "deregistration"

    def get(self, deregistration_id: DeregistrationId) -> Deregistration:  # type: ignore[override]
        return super().get(deregistration_id)

    @translating
    def list_for_customer(self, customer_id: CustomerId) -> Sequence[Deregistration]:
        c = deregistrations.c
        return self._all(
            self._select()
            .where(c.customer_id == customer_id)
            .order_by(c.applied_at, self._binary(c.id))
        )


class SqlDailyRegisters(_Repository[DailyRegister]):
    cls = DailyRegister
    label = "daily register"

    @translating
    def find(self, staff_id: StaffId, day: date) -> DailyRegister | None:
        c = daily_registers.c
        rows = self._all(self._select().where(c.staff_id == staff_id, c.day == day))
        return rows[0] if rows else None

    @translating
    def list_between(
        self, start: date, end: date, *, staff_id: StaffId | None = None
    ) -> Sequence[DailyRegister]:
        c = daily_registers.c
        stmt = self._select().where(c.day >= start, c.day <= end)
        if staff_id is not None:
            stmt = stmt.where(c.staff_id == staff_id)
        return self._all(stmt.order_by(c.day, self._binary(c.staff_id)))


class SqlFileLoans(_Repository[FileLoan]):
    cls = FileLoan
    label = "file loan"

    @translating
    def list(
        self, *, file_id: FileId | None = None, open_only: bool = False, limit: int = 500
    ) -> Sequence[FileLoan]:
        c = file_loans.c
        stmt = self._select()
        if file_id is not None:
            stmt = stmt.where(c.file_id == file_id)
        if open_only:
            stmt = stmt.where(c.state.in_([LoanState.REQUESTED, LoanState.LENT]))
        return self._all(stmt.order_by(c.requested_at, self._binary(c.id)).limit(limit))

    @translating
    def list_lent_between(
        self, start: datetime, end: datetime, *, limit: int = 500, offset: int = 0
    ) -> Sequence[FileLoan]:
        c = file_loans.c
        stmt = self._select().where(
            c.state.in_([LoanState.LENT, LoanState.RETURNED]),
            c.decided_at >= start,
            c.decided_at < end,
        )
        return self._all(
            stmt.order_by(c.decided_at, self._binary(c.id)).limit(limit).offset(offset)
        )


class SqlSalesFigures(_Repository[SalesFigure]):
    cls = SalesFigure
    label = "sales figure"

    @translating
    def find(self, customer_id: CustomerId, month: str) -> SalesFigure | None:
        c = sales_figures.c
        rows = self._all(self._select().where(c.customer_id == customer_id, c.month == month))
        return rows[0] if rows else None

    @translating
    def list_months(self, months: Sequence[str]) -> Sequence[SalesFigure]:
        c = sales_figures.c
        return self._all(
            self._select().where(c.month.in_(list(months))).order_by(c.month, self._binary(c.id))
        )
