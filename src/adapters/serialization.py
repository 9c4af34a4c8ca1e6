"""One cattrs converter for every adapter's edge (HTTP JSON, CLI ``--json``).

Outbound: core objects → JSON-safe dicts (money as a string with 2 decimals, dates and
datetimes as ISO 8601, enums as their values). Inbound: raw JSON → command classes, refusing
unknown keys and reporting *every* bad field by its path, e.g. ``phone``, ``scores.trend``.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

import cattrs
from cattrs import transform_error
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError

from csdomain.authz import hidden_fields
from csdomain.kernel.errors import DomainError, ValidationError
from csdomain.kernel.money import Money

T = TypeVar("T")


def _strict(kind: type, label: str) -> Any:
    def hook(value: Any, _: type) -> Any:
        if kind is int and isinstance(value, bool):
            raise TypeError(f"expected {label}, got {value!r}")
        if not isinstance(value, kind):
            raise TypeError(f"expected {label}, got {type(value).__name__}")
        return value

    return hook


def _money(value: Any, _: type) -> Money:
    if isinstance(value, float | bool):
        raise TypeError("money must be a string or integer (exact decimal), not a float")
    if not isinstance(value, str | int):
        raise TypeError(f"expected a money amount, got {type(value).__name__}")
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
    return date.fromisoformat(value)


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
        # a DomainError raised by a validator names its own field
        for sub in _leaves(exc):
            if isinstance(sub, DomainError) and sub.field:
                out = [(sub.field if p == "" else p, w) for p, w in out]
        return out
    if isinstance(exc, DomainError):
        return [(exc.field or "", exc.message)]
    return [("", _describe(exc, None))]


def _leaves(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        out: list[BaseException] = []
        for sub in exc.exceptions:
            out.extend(_leaves(sub))
        return out
    return [exc]


def structure(data: Any, cls: type[T]) -> T:
    """Raw input → ``cls``, or a ValidationError whose ``field`` names the first bad field and
    whose ``errors`` attribute lists every one."""
    if not isinstance(data, dict):
        raise ValidationError("the body must be a JSON object", field="")
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
