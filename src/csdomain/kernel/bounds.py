"""Input bounds, in one place (rule X-8: bounded input).

Every text, number, amount and list a command accepts has a bound here, so the core, the
HTTP adapter, the CLI and the OpenAPI document agree, and every storage backend can hold what
the core accepts: SQLite stores integers up to 2^63 and any text, PostgreSQL refuses NUL
characters, integers beyond its ``INTEGER`` (2^31 - 1) and amounts beyond ``NUMERIC(14, 2)``.
These are technical limits, not business numbers (those live in the policy); the date range
every date must fall into is a policy key (``[bounds]``, see ``docs/policy.md``).

A command class opts in with :func:`bounded` (under ``@attrs.frozen``); its fields may carry
``metadata=text(...)``/``number(...)`` for bounds other than the defaults. Validation reports
*every* failing field at once as one :class:`ValidationError` whose ``errors`` lists
``(field, why)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

import attrs

from csdomain.kernel.errors import ValidationError
from csdomain.kernel.money import Money

RULE = "X-8"

# ---------------------------------------------------------------------- text (characters)
MAX_ID = 64  # identifiers: the ID column is VARCHAR(64)
MAX_CODE = 64  # catalogue codes, kinds, roles, methods, document numbers
MAX_NAME = 200  # names of people, companies, products, labels
MAX_TEXT = 4000  # content, reasons, notes, messages, reports, minutes
MAX_ITEMS = 100  # entries of a list or a mapping in one request
# ------------------------------------------------------------------------------ numbers
MAX_INT = 2**31 - 1  # PostgreSQL INTEGER; SQLite would take more, so the core refuses it
MAX_QUANTITY = 1_000_000  # pieces returned, exchanged, units of a violation
# NUMERIC(14, 2) holds 999 999 999 999.99; the domain maximum leaves room for sums of many
# amounts (statements, case totals) without reaching the column's limit.
MAX_MONEY = Decimal("100000000.00")  # 一亿元
# identifiers are "<3-letter kind>_<token>" (csdomain.kernel.ids.new_id)
ID_REGEX = r"[a-z]{3}_[0-9A-Za-z]{1,60}"
# -------------------------------------------------------------------------- date shapes
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
# the money strings the adapters accept: no sign, no exponent, at most 2 decimals
MONEY_PATTERN = r"^(?:[0-9]{1,8}(?:\.[0-9]{1,2})?|100000000(?:\.00?)?)$"
_DATE = re.compile(DATE_PATTERN)
_MONTH = re.compile(MONTH_PATTERN)
_BAD_CHARS = re.compile("[\x00\ud800-\udfff]")

T = TypeVar("T")
Problems = list[tuple[str, str]]


def text(
    *,
    max_length: int = MAX_TEXT,
    min_length: int = 0,
    pattern: str | None = None,
    what: str = "",
    catalogue: str | None = None,
    rule: str | None = None,
) -> Any:
    """Field metadata: a string of ``min_length``…``max_length`` characters (``min_length=1``
    also refuses blank text), matching ``pattern`` (described as ``what``) when given.
    ``catalogue`` names the policy list the use case checks the value against (so adapters
    can describe it, e.g. as an OpenAPI ``enum``); the check itself stays in the use case."""
    return {
        "max_length": max_length,
        "min_length": min_length,
        "pattern": pattern,
        "what": what,
        "catalogue": catalogue,
        "rule": rule,
    }


def month(*, rule: str | None = None) -> Any:
    """Field metadata: a month as ``YYYY-MM``."""
    return text(max_length=7, pattern=MONTH_PATTERN, what="a month as YYYY-MM", rule=rule)


def checked(check: Callable[[str], str | None], **bounds: Any) -> Any:
    """Field metadata: a string within ``bounds`` (see :func:`text`) for which ``check``
    returns no complaint (a shape rule of the field, e.g. a phone number's digits)."""
    return {**text(**bounds), "check": check}


def number(*, minimum: int = 0, maximum: int = MAX_INT, rule: str | None = None) -> Any:
    """Field metadata: a whole number (or each item of a list of them) in a range."""
    return {"minimum": minimum, "maximum": maximum, "rule": rule}


def money(*, minimum: Decimal = Decimal(0), rule: str | None = None) -> Any:
    """Field metadata: an amount between ``minimum`` and :data:`MAX_MONEY`."""
    return {"money_minimum": minimum, "rule": rule}


def items(
    *, max_items: int = MAX_ITEMS, min_items: int = 0, keys: str | None = None, **inner: Any
) -> Any:
    """Field metadata for lists and mappings; ``inner`` bounds each item (see :func:`text`);
    ``keys`` names the policy catalogue a mapping's keys come from (all of them required)."""
    return {"max_items": max_items, "min_items": min_items, "keys": keys, **inner}


def string_problem(value: str) -> str | None:
    """Why a string can never be stored (NUL, lone surrogate), or ``None``."""
    bad = _BAD_CHARS.search(value)
    if bad is None:
        return None
    what = "a NUL character" if bad.group() == "\x00" else "a lone surrogate (not Unicode text)"
    return f"must not contain {what} (at position {bad.start()})"


def check_text(value: str, field: str, meta: Mapping[str, Any], out: Problems) -> None:
    bad = string_problem(value)
    if bad:
        out.append((field, bad))
        return
    maximum = int(meta.get("max_length", MAX_TEXT))
    minimum = int(meta.get("min_length", 0))
    if len(value) > maximum:
        out.append((field, f"must be at most {maximum} characters, got {len(value)}"))
    elif minimum and not value.strip():
        out.append((field, "must not be empty"))
    elif len(value) < minimum:
        out.append((field, f"must be at least {minimum} characters"))
    elif meta.get("pattern") and not re.search(meta["pattern"], value):
        out.append((field, f"must be {meta.get('what') or 'of the form ' + meta['pattern']}"))
    elif meta.get("check") and (why := meta["check"](value)):
        out.append((field, why))


def check_int(value: int, field: str, meta: Mapping[str, Any], out: Problems) -> None:
    low, high = int(meta.get("minimum", 0)), int(meta.get("maximum", MAX_INT))
    if not low <= value <= high:
        out.append((field, f"must be between {low} and {high}, got {value}"))


def check_money(value: Money, field: str, meta: Mapping[str, Any], out: Problems) -> None:
    low = Decimal(meta.get("money_minimum", 0))
    if not low <= value.amount <= MAX_MONEY:
        out.append((field, f"must be between {low:.2f} and {MAX_MONEY:.2f} 元 (X-2)"))


def _check_value(value: Any, field: str, meta: Mapping[str, Any], out: Problems) -> None:
    if value is None or isinstance(value, bool | date | datetime):
        return
    if isinstance(value, str):
        check_text(value, field, meta, out)
    elif isinstance(value, int):
        check_int(value, field, meta, out)
    elif isinstance(value, Money):
        check_money(value, field, meta, out)
    elif attrs.has(type(value)):
        for sub, why in problems_of(value):
            out.append((f"{field}.{sub}", why))
    elif isinstance(value, list | tuple | Mapping):
        n, most = len(value), int(meta.get("max_items", MAX_ITEMS))
        if n > most:
            out.append((field, f"must have at most {most} entries, got {n}"))
            return
        if n < int(meta.get("min_items", 0)):
            out.append((field, f"must have at least {meta['min_items']} entries"))
        if isinstance(value, Mapping):
            for key, item in value.items():
                key_text = str(key)
                check_text(
                    key_text, f"{field}.{key_text[:MAX_CODE]}", text(max_length=MAX_CODE), out
                )
                _check_value(item, f"{field}.{key_text[:MAX_CODE]}", meta, out)
        else:
            for i, item in enumerate(value):
                _check_value(item, f"{field}.{i}", meta, out)


def problems_of(obj: Any) -> Problems:
    """Every bound ``obj`` (an attrs instance) breaks, as (field path, why)."""
    out: Problems = []
    for field in attrs.fields(type(obj)):
        meta = dict(field.metadata)
        if "max_length" not in meta and is_id_field(field.name):
            meta.update(id_text())
        _check_value(getattr(obj, field.name), field.name, meta, out)
    return out


_ID_FIELDS = frozenset({"proposed_by", "received_by", "reviewed_by", "approved_by", "attendees"})


def is_id_field(name: str) -> bool:
    """Fields holding identifiers (shaped like ``ID_REGEX`` unless they say otherwise)."""
    return name.endswith(("_id", "_ids")) or name in _ID_FIELDS


def id_text() -> Any:
    """Field metadata of an identifier: ``<kind>_<token>`` (``ID_REGEX``)."""
    return text(max_length=MAX_ID, pattern=f"^{ID_REGEX}$", what="an identifier like stf_…")


def raise_problems(problems: Problems, rule: str | None = None) -> None:
    """One ValidationError for all ``problems`` (nothing when there are none)."""
    if not problems:
        return
    err = ValidationError(
        "; ".join(f"{f}: {w}" for f, w in problems), field=problems[0][0], rule=rule or RULE
    )
    err.errors = problems  # type: ignore[attr-defined]
    raise err


def bounded(cls: type[T]) -> type[T]:
    """Class decorator (put it *under* ``@attrs.frozen``): construction checks every field's
    bounds and reports all failing fields at once."""
    previous: Callable[[Any], None] | None = getattr(cls, "__attrs_post_init__", None)

    def __attrs_post_init__(self: Any) -> None:
        problems = problems_of(self)
        rules = {
            attrs.fields_dict(type(self))[f.split(".")[0]].metadata.get("rule") for f, _ in problems
        }
        raise_problems(problems, next(iter(rules)) if len(rules) == 1 else None)
        if previous is not None:
            previous(self)

    setattr(cls, "__attrs_post_init__", __attrs_post_init__)  # noqa: B010
    return cls


# ------------------------------------------------------------------ strict ISO 8601 shapes
def parse_date(value: str, field: str, rule: str | None = None) -> date:
    """``YYYY-MM-DD`` only: ``20261201`` and ``2026-W49-3`` (accepted by ``fromisoformat``
    since Python 3.11) are refused, so every adapter accepts exactly one spelling."""
    if not isinstance(value, str) or not _DATE.match(value):
        raise ValidationError(
            f"must be a date as YYYY-MM-DD, got {value!r}", field=field, rule=rule
        )
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"no such day: {value!r}", field=field, rule=rule) from None


def parse_month(value: str, field: str = "month", rule: str | None = None) -> str:
    """``YYYY-MM`` only (months are keys of statements and reports); returns it unchanged."""
    if not isinstance(value, str) or not _MONTH.match(value):
        raise ValidationError(f"must be a month as YYYY-MM, got {value!r}", field=field, rule=rule)
    return value
