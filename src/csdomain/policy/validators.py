"""attrs validators shared by the policy classes. They raise ValueError; the policy loader
reports each with the key's path."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from csdomain.kernel.roles import Role

ROLES = frozenset(r.value for r in Role)


def role(_: Any, attribute: attrs.Attribute[str], value: str) -> None:
    if value not in ROLES:
        raise ValueError(f"{attribute.name} must be one of {sorted(ROLES)}, got {value!r}")


def positive(_: Any, attribute: attrs.Attribute[int], value: int) -> None:
    if value <= 0:
        raise ValueError(f"{attribute.name} must be > 0, got {value}")


def non_negative(_: Any, attribute: attrs.Attribute[int], value: int) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must be >= 0, got {value}")


def one_of(options: tuple[str, ...]) -> Callable[[Any, attrs.Attribute[str], str], None]:
    def check(_: Any, attribute: attrs.Attribute[str], value: str) -> None:
        if value not in options:
            raise ValueError(f"{attribute.name} must be one of {list(options)}, got {value!r}")

    return check


def _parse(attribute: attrs.Attribute[str], value: str, example: str) -> Decimal:
    try:
        d = Decimal(value)
    except (InvalidOperation, TypeError):
        raise ValueError(f'{attribute.name} must be a decimal like "{example}"') from None
    if not d.is_finite() or d < 0:
        raise ValueError(f"{attribute.name} must be >= 0")
    return d


def amount(_: Any, attribute: attrs.Attribute[str], value: str) -> None:
    """A non-negative RMB amount written as a string with 2 decimals (X-2)."""
    d = _parse(attribute, value, "50.00")
    if d != d.quantize(Decimal("0.01")):
        raise ValueError(f"{attribute.name} must be an amount with at most 2 decimals")


def decimal(_: Any, attribute: attrs.Attribute[str], value: str) -> None:
    """A non-negative factor written as a string, e.g. "2"."""
    _parse(attribute, value, "2")
