"""The tables the core classes are mapped onto.

This module is the schema the code expects; ``migrations/versions`` builds the same schema
step by step (a contract test compares the two). There are no foreign keys on purpose: the
use cases check every reference before storing it, the memory adapter enforces none either
(one contract suite runs against both), and nothing is ever deleted (X-7).

Tables whose listings keep insertion order for equal times (audit events, access log, API
tokens, case events, breaches, CAPA items, settlements, violations, penalty entries,
statements) get a hidden ``seq`` primary key that the database fills in insertion order; it
is not an attribute of the core class and exists only so listings come back in the order
things happened, as in the memory adapter.
"""

from __future__ import annotations

import sqlalchemy as sa

from adapters.sql.types import (
    AwareDateTime,
    MoneyType,
    StrEnumType,
    mutable_json_dict,
    mutable_json_list,
)
from csdomain.cases.model import CaseState, Severity
from csdomain.customers.model import (
    CustomerKind,
    CustomerStatus,
    DeregistrationState,
    DestructionState,
    LegalForm,
    Source,
)
from csdomain.penalties.model import AppealState, EntryKind
from csdomain.service_jobs.model import ExchangeState, JobState

ID = sa.String(64)

# Predictable constraint/index names, so later migrations can refer to them on every backend.
metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _seq() -> sa.Column[int]:
    """Insertion order for append-only tables; INTEGER so SQLite makes it the rowid."""
    return sa.Column(
        "seq",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
    )


departments = sa.Table(
    "departments",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("name", sa.String(), nullable=False),
    sa.Column("head_id", ID, nullable=True),
    sa.Column("version", sa.Integer(), nullable=False),
)

staff = sa.Table(
    "staff",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("name", sa.String(), nullable=False),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("department_id", ID, nullable=True),
    sa.Column("position", sa.String(), nullable=False),
    sa.Column("supervisor_id", ID, nullable=True),
    sa.Column("permissions", mutable_json_list(), nullable=False),
    sa.Column("active", sa.Boolean(), nullable=False),
    sa.Column("email", sa.String(), nullable=False, server_default=""),
    sa.Column("version", sa.Integer(), nullable=False),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    _seq(),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("staff_id", ID, nullable=False, index=True),
    sa.Column("label", sa.String(), nullable=False),
    sa.Column("created_at", AwareDateTime(), nullable=False),
    sa.Column("revoked", sa.Boolean(), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sqlite_autoincrement=True,
)

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
    _seq(),
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

audit_events = sa.Table(
    "audit_events",
    metadata,
    _seq(),
    sa.Column("id", ID, nullable=False, unique=True),
    sa.Column("kind", sa.String(), nullable=False, index=True),  # penalty sweeps (0004)
    sa.Column("subject_id", ID, nullable=False, index=True),
    sa.Column("actor_id", ID, nullable=False),
    sa.Column("at", AwareDateTime(), nullable=False),
    sa.Column("reason", sa.String(), nullable=False),
    sa.Column("data", sa.JSON(), nullable=False),  # append-only: never updated
    sqlite_autoincrement=True,
)


# ------------------------------------------------------------------------- cases (CASE-*)

cases = sa.Table(
    "cases",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("number", sa.String(32), nullable=False, unique=True),  # YYYYMM-NNNN (CASE-1)
    sa.Column("type", sa.String(), nullable=False),
    sa.Column("category", sa.String(), nullable=False),
    sa.Column("channel", sa.String(), nullable=False),
    sa.Column("content", sa.String(), nullable=False),
    sa.Column("received_at", AwareDateTime(), nullable=False, index=True),
    sa.Column("received_by", ID, nullable=False),
    sa.Column("customer_id", ID, nullable=True, index=True),
    sa.Column("customer_name", sa.String(), nullable=False),
    sa.Column("contact", sa.String(), nullable=False),
    sa.Column("product", sa.String(), nullable=False),
    sa.Column("purchase_date", sa.Date(), nullable=True),
    sa.Column("demand", sa.String(), nullable=False),
    sa.Column("urgency", sa.String(), nullable=False),
    sa.Column("severity", StrEnumType(Severity), nullable=False),
    sa.Column("major_reasons", mutable_json_list(), nullable=False),
    sa.Column("state", StrEnumType(CaseState), nullable=False, index=True),
    sa.Column("subject_staff_ids", mutable_json_list(), nullable=False),
    sa.Column("department_id", ID, nullable=True),
    sa.Column("handler_id", ID, nullable=True),
    sa.Column("rejections", sa.Integer(), nullable=False),
    sa.Column("escalation_level", sa.Integer(), nullable=False),
    sa.Column("remedy", sa.String(), nullable=False),
    sa.Column("remedy_amount", MoneyType(), nullable=True),
    sa.Column("solution", sa.String(), nullable=False),
    sa.Column("approved_by", ID, nullable=True),
    sa.Column("cause", sa.String(), nullable=False),
    sa.Column("responsibilities", mutable_json_list(), nullable=False),
    sa.Column("responsible_staff_ids", mutable_json_list(), nullable=False),
    sa.Column("loss", MoneyType(), nullable=True),
    sa.Column("improvement_tracked", sa.Boolean(), nullable=False),
    sa.Column("closed_at", AwareDateTime(), nullable=True),
    sa.Column("related_case_id", ID, nullable=True),
    sa.Column("next_due_at", AwareDateTime(), nullable=True, index=True),  # the clock sweep
    sa.Column("version", sa.Integer(), nullable=False),
)

case_numbers = sa.Table(
    "case_numbers",
    metadata,  # per-month counters (CASE-1), not a core class
    sa.Column("month", sa.String(6), primary_key=True),
    sa.Column("last", sa.Integer(), nullable=False),
)

case_events = sa.Table(
    "case_events",
    metadata,
    _seq(),
    sa.Column("id", ID, nullable=False, unique=True),
    sa.Column("case_id", ID, nullable=False, index=True),
    sa.Column("kind", sa.String(), nullable=False),
    sa.Column("at", AwareDateTime(), nullable=False),
    sa.Column("actor_id", ID, nullable=False),
    sa.Column("state_after", StrEnumType(CaseState), nullable=False),
    sa.Column("owner_id", ID, nullable=False),
    sa.Column("reason", sa.String(), nullable=False),
    sa.Column("data", sa.JSON(), nullable=False),  # append-only
    sqlite_autoincrement=True,
)

case_breaches = sa.Table(
    "case_breaches",
    metadata,
    _seq(),
    sa.Column("id", ID, nullable=False, unique=True),
    sa.Column("case_id", ID, nullable=False),
    sa.Column("clock", sa.String(64), nullable=False),
    sa.Column("due_at", AwareDateTime(), nullable=False),
    sa.Column("owner_id", ID, nullable=False),
    sa.Column("recorded_at", AwareDateTime(), nullable=False, index=True),
    sa.Column("escalated_to", sa.String(), nullable=False),
    sa.UniqueConstraint("case_id", "clock"),  # one breach per case and clock (CASE-7)
    sqlite_autoincrement=True,
)

capa_items = sa.Table(
    "capa_items",
    metadata,
    _seq(),
    sa.Column("id", ID, nullable=False, unique=True),
    sa.Column("case_id", ID, nullable=False, index=True),
    sa.Column("description", sa.String(), nullable=False),
    sa.Column("owner_id", ID, nullable=False),
    sa.Column("due_on", sa.Date(), nullable=False),
    sa.Column("created_at", AwareDateTime(), nullable=False),
    sa.Column("done_at", AwareDateTime(), nullable=True),
    sa.Column("verified_by", ID, nullable=True),
    sa.Column("verified_at", AwareDateTime(), nullable=True),
    sa.Column("effective", sa.Boolean(), nullable=True),
    sa.Column("version", sa.Integer(), nullable=False),
    sqlite_autoincrement=True,
)

# ----------------------------------------------------------- service jobs (CASE-12..14)

service_jobs = sa.Table(
    "service_jobs",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("customer_name", sa.String(), nullable=False),
    sa.Column("address", sa.String(), nullable=False),
    sa.Column("zone", sa.String(), nullable=False),
    sa.Column("work_type", sa.String(), nullable=False),
    sa.Column("description", sa.String(), nullable=False),
    sa.Column("registered_at", AwareDateTime(), nullable=False),
    sa.Column("registered_by", ID, nullable=False),
    sa.Column("arrive_by", AwareDateTime(), nullable=False, index=True),  # late-arrival sweep
    sa.Column("customer_id", ID, nullable=True),
    sa.Column("case_id", ID, nullable=True),
    sa.Column("state", StrEnumType(JobState), nullable=False, index=True),
    sa.Column("priority", sa.Boolean(), nullable=False),
    sa.Column("technician_id", ID, nullable=True),
    sa.Column("dispatched_at", AwareDateTime(), nullable=True),
    sa.Column("arrived_at", AwareDateTime(), nullable=True),
    sa.Column("completed_at", AwareDateTime(), nullable=True, index=True),
    sa.Column("customer_signed", sa.Boolean(), nullable=False),
    sa.Column("receipt_no", sa.String(), nullable=False),
    sa.Column("repair_card_no", sa.String(), nullable=False),
    sa.Column("inspected_by", ID, nullable=True),
    sa.Column("returned_at", AwareDateTime(), nullable=True),
    sa.Column("invoice_no", sa.String(), nullable=False),
    sa.Column("amount", MoneyType(), nullable=True),
    sa.Column("survey", mutable_json_dict(), nullable=False),  # SAT-1
    sa.Column("overdue_reported_at", AwareDateTime(), nullable=True),
    sa.Column("version", sa.Integer(), nullable=False),
)

maintenance_contracts = sa.Table(
    "maintenance_contracts",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("customer_id", ID, nullable=False),
    sa.Column("number", sa.String(), nullable=False),
    sa.Column("starts_on", sa.Date(), nullable=False),
    sa.Column("ends_on", sa.Date(), nullable=False, index=True),  # renewal notices
    sa.Column("renewal_notified_at", AwareDateTime(), nullable=True),
    sa.Column("version", sa.Integer(), nullable=False),
)

settlements = sa.Table(
    "settlements",
    metadata,
    _seq(),
    sa.Column("id", ID, nullable=False, unique=True),
    sa.Column("case_id", ID, nullable=False, index=True),
    sa.Column("kind", sa.String(), nullable=False),
    sa.Column("amount", MoneyType(), nullable=False),
    sa.Column("quantity_claimed", sa.Integer(), nullable=False),
    sa.Column("quantity_returned", sa.Integer(), nullable=False),
    sa.Column("created_by", ID, nullable=False),
    sa.Column("created_at", AwareDateTime(), nullable=False),
    sa.Column("note", sa.String(), nullable=False),
    sqlite_autoincrement=True,
)

exchange_forms = sa.Table(
    "exchange_forms",
    metadata,
    sa.Column("id", ID, primary_key=True),
    sa.Column("salesperson_id", ID, nullable=False),
    sa.Column("customer_name", sa.String(), nullable=False),
    sa.Column("goods", sa.String(), nullable=False),
    sa.Column("quantity", sa.Integer(), nullable=False),
    sa.Column("reason", sa.String(), nullable=False),
    sa.Column("created_at", AwareDateTime(), nullable=False),
    sa.Column("case_id", ID, nullable=True),
    sa.Column("sign_offs", mutable_json_list(), nullable=False),
    sa.Column("state", StrEnumType(ExchangeState), nullable=False),
    sa.Column("ledger_no", sa.Integer(), nullable=True),
    sa.Column("ledger_signed_by", ID, nullable=True),
    sa.Column("version", sa.Integer(), nullable=False),
)

# ------------------------------------------------------------------ penalties (PEN-*)

violations = sa.Table(
    "violations",
    metadata,
    _seq(),
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
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Index(None, "staff_id", "occurred_on"),
    sqlite_autoincrement=True,
)

penalty_entries = sa.Table(
    "penalty_entries",
    metadata,
    _seq(),
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
    _seq(),
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

# --- web sessions (issue 7, item 7): adapter state of the HTTP layer, not core classes ---

app_secrets = sa.Table(
    "app_secrets",
    metadata,
    # one value per name, created once: the primary key is what makes every worker agree
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.String(256), nullable=False),
    sa.Column("created_at", AwareDateTime(), nullable=False),
)

web_sessions = sa.Table(
    "web_sessions",
    metadata,
    # SHA-256 of the random session id in the cookie; the id itself is never stored
    sa.Column("id_hash", sa.String(64), primary_key=True),
    sa.Column("staff_id", ID, nullable=False, index=True),
    sa.Column("token_hash", sa.String(64), nullable=False),  # the api_tokens hash
    sa.Column("created_at", AwareDateTime(), nullable=False),
    sa.Column("last_seen_at", AwareDateTime(), nullable=False),
    sa.Column("expires_at", AwareDateTime(), nullable=False),
    sa.Column("ended_at", AwareDateTime(), nullable=True),
)

# Customer search (issue 11): one row per search key of a customer (``adapters.search_keys``),
# kept in step with ``customers`` by ``adapters.sql.search`` on every flush. The primary key
# leads with ``key``, so a prefix query is a range scan of that index; on PostgreSQL the key
# compares bytewise ("C") so the range is exact whatever the database's locale.
SEARCH_KEY = sa.String(64).with_variant(sa.String(64, collation="C"), "postgresql")

customer_search_keys = sa.Table(
    "customer_search_keys",
    metadata,
    sa.Column("key", SEARCH_KEY, primary_key=True),
    sa.Column("customer_id", ID, primary_key=True, index=True),
)

# ------------------------------------------------------- composite indexes (issue 10, 0008)
# Every list's filter + order, and settlement's per-month / per-person reads; declared here
# (not inside the tables above) so they stay one block, matching migration 0008.
PERFORMANCE_INDEXES = [
    sa.Index("ix_api_tokens_staff_id_seq", api_tokens.c.staff_id, api_tokens.c.seq),
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
    sa.Index(
        "ix_audit_events_subject_id_at_seq",
        audit_events.c.subject_id,
        audit_events.c.at,
        audit_events.c.seq,
    ),
    sa.Index(
        "ix_audit_events_kind_at_seq", audit_events.c.kind, audit_events.c.at, audit_events.c.seq
    ),
    sa.Index("ix_cases_state_received_at_id", cases.c.state, cases.c.received_at, cases.c.id),
    sa.Index(
        "ix_case_events_case_id_at_seq", case_events.c.case_id, case_events.c.at, case_events.c.seq
    ),
    sa.Index(
        "ix_capa_items_case_id_created_at_seq",
        capa_items.c.case_id,
        capa_items.c.created_at,
        capa_items.c.seq,
    ),
    sa.Index(
        "ix_settlements_case_id_created_at_seq",
        settlements.c.case_id,
        settlements.c.created_at,
        settlements.c.seq,
    ),
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
