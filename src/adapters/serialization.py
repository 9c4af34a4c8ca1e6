"""One cattrs converter for every adapter's edge (HTTP JSON, CLI ``--json``).

Outbound: core objects → JSON-safe dicts (money as a string with 2 decimals, dates and
datetimes as ISO 8601, enums as their values). Inbound: raw JSON → command classes, refusing
unknown keys and reporting *every* bad field by its path, e.g. ``phone``, ``scores.trend``.

Inbound bounds (issue 8): strings with NUL or lone surrogates are refused wherever they occur
(even as mapping keys), dates are ``YYYY-MM-DD`` only and must fall into the policy's date
range (``[bounds]``); the commands' own bounds (``csdomain.kernel.bounds``) are reported
field by field like any structuring error.
"""

from __future__ import annotations

import enum
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs import transform_error
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError

from csdomain.authz import hidden_fields
from csdomain.kernel.bounds import (
    MAX_MONEY,
    MONEY_PATTERN,
    MONTH_PATTERN,
    parse_date,
    string_problem,
)
from csdomain.kernel.errors import DomainError, ValidationError
from csdomain.kernel.money import Money

T = TypeVar("T")
_MONEY = re.compile(MONEY_PATTERN)


def _strict(kind: type, label: str) -> Any:
    def hook(value: Any, _: type) -> Any:
        if kind is int and isinstance(value, bool):
            raise TypeError(f"expected {label}, got {value!r}")
        if kind is int and isinstance(value, float) and value.is_integer():
            return int(value)  # JSON (and JSON Schema) 2.0 is the whole number 2
        if not isinstance(value, kind):
            raise TypeError(f"expected {label}, got {type(value).__name__}")
        if isinstance(value, str) and (bad := string_problem(value)):
            raise ValueError(bad)
        return value

    return hook


def _money(value: Any, _: type) -> Money:
    if isinstance(value, float) and value.is_integer() and abs(value) <= MAX_MONEY:
        value = int(value)  # 2.0 is exactly 2; any other float would be inexact
    if isinstance(value, float | bool):
        raise TypeError("money must be a string or integer (exact decimal), not a float")
    if not isinstance(value, str | int):
        raise TypeError(f"expected a money amount, got {type(value).__name__}")
    if isinstance(value, str) and not _MONEY.match(value):
        # one spelling, as the OpenAPI document says: no sign, exponent or spaces
        raise ValueError(
            f"must be an amount like 1234.50 (at most 2 decimals, at most {MAX_MONEY}), "
            f"got {value[:40]!r}"
        )
    return Money(value)


def _enum(value: Any, cls: type[enum.Enum]) -> enum.Enum:
    try:
        return cls(value)
    except ValueError:
        allowed = ", ".join(str(m.value) for m in cls)
        raise ValueError(f"must be one of: {allowed}; got {value!r}") from None


def _date(value: Any, _: type) -> date:
    if not isinstance(value, str):
        raise TypeError("expected a date as YYYY-MM-DD")
    try:
        return parse_date(value, "")
    except ValidationError as exc:
        raise ValueError(exc.message) from None


def make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    conv.register_structure_hook(str, _strict(str, "a string"))
    conv.register_structure_hook(int, _strict(int, "a whole number"))
    conv.register_structure_hook(bool, _strict(bool, "true or false"))
    # StrEnum/IntEnum are str/int subclasses: register them explicitly so they win dispatch
    conv.register_structure_hook(enum.StrEnum, _enum)
    conv.register_structure_hook(enum.IntEnum, _enum)
    conv.register_structure_hook(enum.Enum, _enum)
    for enum_base in (enum.StrEnum, enum.IntEnum, enum.Enum):
        conv.register_unstructure_hook(enum_base, lambda e: e.value)
    conv.register_structure_hook(Money, _money)
    conv.register_structure_hook(date, _date)
    conv.register_unstructure_hook(Money, lambda m: f"{m.amount:.2f}")
    conv.register_unstructure_hook(Decimal, lambda d: str(d))
    conv.register_unstructure_hook(datetime, lambda d: d.isoformat())
    conv.register_unstructure_hook(date, lambda d: d.isoformat())
    return conv


CONVERTER = make_converter()


def to_json(obj: Any) -> Any:
    """A core object (or list of them) as JSON-safe data; fields the reader may not see
    (``redact``, X-5) are left out rather than shown blank."""
    if isinstance(obj, list | tuple):
        return [to_json(o) for o in obj]
    data = CONVERTER.unstructure(obj)
    hidden = hidden_fields(obj)
    if hidden and isinstance(data, dict):
        return {k: v for k, v in data.items() if k not in hidden}
    return data


def _describe(exc: BaseException, _type: Any) -> str:
    if isinstance(exc, KeyError):
        return "required field is missing"
    if isinstance(exc, ForbiddenExtraKeysError):
        return "unknown field(s): " + ", ".join(sorted(exc.extra_fields))
    if isinstance(exc, DomainError):
        return exc.message
    return str(exc) or type(exc).__name__


def _clean_path(path: str) -> str:
    # "$.scores['trend']" -> "scores.trend"; "$" -> ""
    p = path.removeprefix("$").removeprefix(".")
    return p.replace("['", ".").replace("']", "").replace("[", ".").replace("]", "").lstrip(".")


def field_errors(exc: BaseException) -> list[tuple[str, str]]:
    """(field path, why) for every problem in a structuring failure."""
    if isinstance(exc, ClassValidationError | IterableValidationError):
        out: list[tuple[str, str]] = []
        for line in transform_error(exc, format_exception=_describe):
            why, _, path = line.rpartition(" @ ")
            out.append((_clean_path(path), why or line))
        # a DomainError raised by a validator names its own field(s)
        for sub in _leaves(exc):
            if isinstance(sub, DomainError) and getattr(sub, "errors", None):
                out = _expand(out, sub)
            elif isinstance(sub, DomainError) and sub.field:
                out = [(sub.field if p == "" else p, w) for p, w in out]
        return out
    if isinstance(exc, DomainError):
        many: list[tuple[str, str]] = list(getattr(exc, "errors", None) or [])
        return many or [(exc.field or "", exc.message)]
    return [("", _describe(exc, None))]


def _expand(out: list[tuple[str, str]], sub: DomainError) -> list[tuple[str, str]]:
    """Replace the one line a multi-field ValidationError became with its fields (at the
    path of the object that raised it)."""
    many: list[tuple[str, str]] = list(sub.errors)  # type: ignore[attr-defined]
    result: list[tuple[str, str]] = []
    for path, why in out:
        if why == sub.message:
            result += [(f"{path}.{f}" if path else f, w) for f, w in many]
        else:
            result.append((path, why))
    return result


def _leaves(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        out: list[BaseException] = []
        for sub in exc.exceptions:
            out.extend(_leaves(sub))
        return out
    return [exc]


def dates_outside(obj: Any, earliest: date, latest: date, path: str = "") -> list[tuple[str, str]]:
    """(field, why) for every date or datetime in ``obj`` (attrs instances, lists, mappings)
    outside ``earliest``…``latest`` (the policy's ``[bounds]``)."""
    out: list[tuple[str, str]] = []
    if isinstance(obj, date):
        day = obj.date() if isinstance(obj, datetime) else obj
        if not earliest <= day <= latest:
            out.append((path, f"must be between {earliest} and {latest}, got {obj.isoformat()}"))
    elif attrs.has(type(obj)):
        for f in attrs.fields(type(obj)):
            value, sub = getattr(obj, f.name), _join(path, f.name)
            if f.metadata.get("pattern") == MONTH_PATTERN and isinstance(value, str):
                if not f"{earliest:%Y-%m}" <= value <= f"{latest:%Y-%m}":
                    out.append((sub, f"must be between {earliest:%Y-%m} and {latest:%Y-%m}"))
                continue
            out += dates_outside(value, earliest, latest, sub)
    elif isinstance(obj, list | tuple):
        for i, item in enumerate(obj):
            out += dates_outside(item, earliest, latest, _join(path, str(i)))
    elif isinstance(obj, dict):
        for key, item in obj.items():
            out += dates_outside(item, earliest, latest, _join(path, str(key)))
    return out


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def structure(data: Any, cls: type[T], *, date_range: tuple[date, date] | None = None) -> T:
    """Raw input → ``cls``, or a ValidationError whose ``field`` names the first bad field and
    whose ``errors`` attribute lists every one. With ``date_range`` every date in the result
    must fall into it (the policy's ``[bounds]``)."""
    if not isinstance(data, dict):
        raise ValidationError("the body must be a JSON object", field="")
    result = _structure(data, cls)
    if date_range is not None:
        outside = dates_outside(result, *date_range)
        if outside:
            err = ValidationError(
                "; ".join(f"{f}: {w}" for f, w in outside), field=outside[0][0], rule="X-8"
            )
            err.errors = outside  # type: ignore[attr-defined]
            raise err
    return result


def _structure(data: Any, cls: type[T]) -> T:
    try:
        return CONVERTER.structure(data, cls)
    except (
        ClassValidationError,
        IterableValidationError,
        DomainError,
        ValueError,
        TypeError,
    ) as exc:
        errors = field_errors(exc)
        rule = next((s.rule for s in _leaves(exc) if isinstance(s, DomainError) and s.rule), None)
        first_field = errors[0][0] if errors else ""
        err = ValidationError(
            "; ".join(f"{f or 'body'}: {w}" for f, w in errors), field=first_field, rule=rule
        )
        err.errors = errors  # type: ignore[attr-defined]
        raise err from exc
