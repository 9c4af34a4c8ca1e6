"""Column types that make core values round-trip exactly through SQLite and PostgreSQL.

* ``AwareDateTime``: the core compares instants and calls ``.date()`` on stored datetimes, so
  they must come back timezone-aware, equal to what was stored, and expressed in the company
  time zone (a UTC value would give the wrong local date). SQLite has no time zones: values
  are stored there as naive UTC.
* ``MoneyType``: exact 2-place decimals (rule X-2), never floats. PostgreSQL stores
  ``NUMERIC(14, 2)``; SQLite has no decimal type and would coerce NUMERIC text to a binary
  REAL, so there the exact decimal text is stored instead.
* ``StrEnumType``: enums are stored as their string values, so the database stays readable
  and renaming a Python member never rewrites data.
"""

from __future__ import annotations

import enum
import weakref
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.mutable import MutableDict, MutableList
from sqlalchemy.types import TypeDecorator, TypeEngine

from csdomain.kernel.money import Money

E = TypeVar("E", bound=enum.Enum)

# Each engine has its own dialect instance, so the time zone a SqlStorage was built with is
# attached to its dialect: result processors are cached per dialect, and two storages with
# different time zones in one process never see each other's setting.
_DIALECT_TIMEZONES: weakref.WeakKeyDictionary[Dialect, tzinfo] = weakref.WeakKeyDictionary()


def register_timezone(dialect: Dialect, tz: tzinfo) -> None:
    """Datetimes read through ``dialect`` are expressed in ``tz``."""
    _DIALECT_TIMEZONES[dialect] = tz


def _timezone_of(dialect: Dialect) -> tzinfo:
    return _DIALECT_TIMEZONES.get(dialect, UTC)


class AwareDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes in, timezone-aware datetimes (in the storage's zone) out."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(
                f"naive datetime {value.isoformat()} cannot be stored: "
                "the core works with timezone-aware datetimes only"
            )
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime from the database, got {value!r}")
        if value.tzinfo is None:  # SQLite: stored as naive UTC
            value = value.replace(tzinfo=UTC)
        return value.astimezone(_timezone_of(dialect))


class MoneyType(TypeDecorator[Money]):
    """RMB amounts as exact decimals (X-2): NUMERIC(14, 2), or decimal text on SQLite."""

    impl = sa.Numeric(14, 2, asdecimal=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.Text())
        return dialect.type_descriptor(sa.Numeric(14, 2, asdecimal=True))

    def process_bind_param(self, value: Money | None, dialect: Dialect) -> Decimal | str | None:
        if value is None:
            return None
        if not isinstance(value, Money):
            raise TypeError(f"expected Money, got {type(value).__name__} (rule X-2)")
        return str(value.amount) if dialect.name == "sqlite" else value.amount

    def process_result_value(self, value: Any | None, dialect: Dialect) -> Money | None:
        if value is None:
            return None
        if isinstance(value, float):  # never expected; refuse rather than round silently
            raise TypeError("money came back from the database as a float (rule X-2)")
        return Money(Decimal(value))


class CentsType(TypeDecorator[Money]):
    """RMB amounts as whole 分 in a BIGINT, for the tables the database sums (the credit
    ledger, CRD-2): ``SUM`` over integers is exact on SQLite too, where NUMERIC is not."""

    impl = sa.BigInteger()
    cache_ok = True

    def process_bind_param(self, value: Money | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if not isinstance(value, Money):
            raise TypeError(f"expected Money, got {type(value).__name__} (rule X-2)")
        return int(value.amount * 100)

    def process_result_value(self, value: Any | None, dialect: Dialect) -> Money | None:
        if value is None:
            return None
        return cents_to_money(value)


def cents_to_money(value: Any) -> Money:
    """A sum of ``CentsType`` values as Money: SQLAlchemy hands ``SUM(column)`` back through
    the column's type (Money already); an expression over it comes back as whole 分."""
    if isinstance(value, Money):
        return value
    return Money(Decimal(int(value)) / 100)


class StrEnumType(TypeDecorator[E], Generic[E]):
    """An enum stored as its string value and loaded back as the enum member."""

    impl = sa.String(32)
    cache_ok = True

    def __init__(self, enum_class: type[E]) -> None:
        super().__init__()
        self.enum_class = enum_class

    def process_bind_param(self, value: E | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return str(self.enum_class(value).value)

    def process_result_value(self, value: Any | None, dialect: Dialect) -> E | None:
        if value is None:
            return None
        return self.enum_class(value)


def mutable_json_dict() -> TypeEngine[Any]:
    """A JSON object whose in-place changes are noticed (and so stored and versioned)."""
    return MutableDict.as_mutable(sa.JSON())


def mutable_json_list() -> TypeEngine[Any]:
    """A JSON array whose in-place changes are noticed (and so stored and versioned)."""
    return MutableList.as_mutable(sa.JSON())


__all__ = [
    "AwareDateTime",
    "MoneyType",
    "StrEnumType",
    "mutable_json_dict",
    "mutable_json_list",
    "register_timezone",
]
