"""Every table of the SQL adapter in one namespace (``metadata`` and the tables), for
migrations checks, tests and benchmarks. The tables themselves live with their capability
(``adapters.sql.<capability>``; shared helpers in ``adapters.sql.schema``); this module
defines nothing (issue 9).
"""

from __future__ import annotations

from adapters.sql.audit import audit_events
from adapters.sql.cases import capa_items, case_breaches, case_events, case_numbers, cases
from adapters.sql.credit import credit_accounts, credit_grades, credit_ledger, credit_shipments
from adapters.sql.customers import (
    LIVE_CUSTOMER_STATUSES,
    access_log,
    customer_files,
    customers,
    daily_registers,
    deregistrations,
    destruction_requests,
    destructions,
    file_loans,
    grade_changes,
    sales_figures,
)
from adapters.sql.org import api_tokens, departments, regions, staff
from adapters.sql.penalties import (
    appeals,
    bonus_records,
    penalty_entries,
    recommendations,
    settled_months,
    statements,
    violations,
)
from adapters.sql.policy_lab import policy_versions
from adapters.sql.replay_jobs import replay_jobs
from adapters.sql.scheduler import scheduler_runs
from adapters.sql.schema import ID, metadata
from adapters.sql.search import SEARCH_KEY, customer_search_keys
from adapters.sql.service_jobs import (
    exchange_forms,
    maintenance_contracts,
    service_jobs,
    settlements,
)
from adapters.sql.surveys import survey_recipients, survey_responses, surveys
from adapters.sql.visits import follow_ups, planned_visits, visit_plans, visits
from adapters.sql.web_sessions import app_secrets, web_sessions

__all__ = [
    "ID",
    "LIVE_CUSTOMER_STATUSES",
    "SEARCH_KEY",
    "access_log",
    "api_tokens",
    "app_secrets",
    "appeals",
    "audit_events",
    "bonus_records",
    "capa_items",
    "case_breaches",
    "case_events",
    "case_numbers",
    "cases",
    "credit_accounts",
    "credit_grades",
    "credit_ledger",
    "credit_shipments",
    "customer_files",
    "customer_search_keys",
    "customers",
    "daily_registers",
    "departments",
    "deregistrations",
    "destruction_requests",
    "destructions",
    "exchange_forms",
    "file_loans",
    "follow_ups",
    "grade_changes",
    "maintenance_contracts",
    "metadata",
    "penalty_entries",
    "planned_visits",
    "policy_versions",
    "recommendations",
    "regions",
    "replay_jobs",
    "sales_figures",
    "scheduler_runs",
    "service_jobs",
    "settled_months",
    "settlements",
    "staff",
    "statements",
    "survey_recipients",
    "survey_responses",
    "surveys",
    "violations",
    "visit_plans",
    "visits",
    "web_sessions",
]
