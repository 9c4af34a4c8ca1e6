"""The one place where database errors become domain errors.

Callers of the ports only ever see DomainError subclasses, whatever the backend, so the HTTP
and CLI adapters map one error hierarchy: a stale write is a ConcurrencyConflict (as in the
memory adapter), a duplicate key a Conflict, anything else a StorageError naming the problem.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import exc as orm_exc

from csdomain.kernel.errors import ConcurrencyConflict, Conflict, DomainError

P = ParamSpec("P")
R = TypeVar("R")

_UNDEFINED_TABLE = "42P01"  # PostgreSQL SQLSTATE
# PostgreSQL SQLSTATEs for "another transaction got in the way": deadlock detected,
# serialization failure, lock not available. Retryable, like a stale version.
_CONTENTION = {"40P01", "40001", "55P03"}
_TABLE_IN_STATEMENT = re.compile(r"^\s*(?:INSERT\s+INTO|UPDATE)\s+\"?(\w+)", re.IGNORECASE)

_TABLE_IN_STALE = re.compile(r"on table '(\w+)'")

# Unique indexes that back a domain invariant (docs/architecture.md, "Invariants"): the
# PostgreSQL index name or SQLite's "table.column" → (what a clash means, rule, field).
_INVARIANTS: tuple[tuple[tuple[str, str], str, str, str], ...] = (
    (
        ("uq_customers_live_phone", "customers.phone"),
        "another live customer already has this phone",
        "CUS-1",
        "phone",
    ),
    (
        ("uq_customers_live_id_number", "customers.id_number"),
        "another live customer already has this ID number",
        "CUS-1",
        "id_number",
    ),
    (
        ("uq_appeals_one_open_per_entry", "appeals.entry_id"),
        "an appeal of this entry is already open",
        "PEN-10",
        "entry_id",
    ),
    (
        ("uq_penalty_entries_one_reversal", "penalty_entries.reverses_id"),
        "this entry was already reversed",
        "PEN-10",
        "entry_id",
    ),
    (
        (
            "uq_sanction_recommendations_violation_id",
            "sanction_recommendations.violation_id",
        ),
        "this violation already has a recommendation",
        "PEN-2",
        "violation_id",
    ),
    (
        ("uq_visit_plans_staff_month", "visit_plans.staff_id"),
        "this person already has a visit plan for the month",
        "VIS-1",
        "month",
    ),
    (
        ("uq_visits_planned", "visits.planned_visit_id"),
        "this planned visit is already reported",
        "VIS-2",
        "planned_visit_id",
    ),
    (
        ("uq_survey_responses_survey_customer", "survey_responses.survey_id"),
        "this customer has already answered the survey",
        "SAT-2",
        "customer_id",
    ),
    (
        ("uq_survey_recipients_survey_customer", "survey_recipients.survey_id"),
        "the survey is already distributed to this customer",
        "SAT-2",
        "customer_ids",
    ),
    (
        ("uq_daily_registers_staff_id_day", "daily_registers.staff_id"),
        "this person's register of this day is already recorded",
        "CUS-1",
        "day",
    ),
    (
        ("uq_file_loans_lent_file_id", "file_loans.file_id"),
        "the file is already on loan",
        "CUS-7",
        "file_id",
    ),
    (
        ("uq_sales_figures_customer_id_month", "sales_figures.customer_id"),
        "this customer's sales of this month are already recorded",
        "CUS-5",
        "month",
    ),
)

SCHEMA_HINT = "run the schema upgrade (SqlStorage.upgrade(), or `csdomain db upgrade`)"


class StorageError(DomainError):
    """The database could not do what was asked (unreachable, locked, schema missing, ...)."""

    code = "storage"


def _table(exc: sa_exc.StatementError) -> str:
    match = _TABLE_IN_STATEMENT.match(exc.statement or "")
    return match.group(1) if match else "record"


def _detail(exc: sa_exc.SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig) if orig is not None else str(exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


def translate(exc: sa_exc.SQLAlchemyError) -> DomainError:
    """The domain error for a SQLAlchemy/driver error."""
    if isinstance(exc, orm_exc.StaleDataError):
        match = _TABLE_IN_STALE.search(str(exc))
        what = f"a {match.group(1)} record" if match else "a record"
        return ConcurrencyConflict(
            f"{what} was changed by someone else since it was read; reload and try again"
        )
    if isinstance(exc, sa_exc.IntegrityError):
        detail = _detail(exc)
        for names, message, rule, field in _INVARIANTS:
            if any(name in detail for name in names):
                return Conflict(message, rule=rule, field=field)
        return Conflict(f"{_table(exc)} with the same key already exists ({detail})")
    orig = getattr(exc, "orig", None)
    detail = _detail(exc)
    if getattr(orig, "sqlstate", None) in _CONTENTION:
        return ConcurrencyConflict(f"a concurrent transaction got in the way ({detail}); try again")
    if getattr(orig, "sqlstate", None) == _UNDEFINED_TABLE or "no such table" in detail:
        return StorageError(
            f"the database schema is missing or out of date ({detail}); {SCHEMA_HINT}"
        )
    if isinstance(exc, sa_exc.OperationalError):
        return StorageError(f"the database is unavailable or busy: {detail}")
    if isinstance(exc, sa_exc.DataError):
        return StorageError(f"the database refused a value: {detail}")
    return StorageError(f"the database refused the operation ({type(exc).__name__}): {detail}")


@contextmanager
def translated() -> Iterator[None]:
    """Re-raise SQLAlchemy errors as domain errors (domain errors pass through unchanged)."""
    try:
        yield
    except sa_exc.SQLAlchemyError as exc:
        raise translate(exc) from exc


def translating(func: Callable[P, R]) -> Callable[P, R]:
    """Decorator form of ``translated`` for repository and unit-of-work methods."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with translated():
            return func(*args, **kwargs)

    return wrapper


__all__ = ["SCHEMA_HINT", "StorageError", "translate", "translated", "translating"]
