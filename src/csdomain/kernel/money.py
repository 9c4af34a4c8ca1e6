"""Exact RMB money (rule X-2): two decimal places, never floats."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import attrs

from csdomain.kernel.errors import ValidationError

CENT = Decimal("0.01")


def _to_decimal(value: object) -> Decimal:
    if isinstance(value, bool | float):
        raise ValidationError(
            f"money must be an exact decimal, not {type(value).__name__}", rule="X-2"
        )
    if isinstance(value, Decimal):
        dec = value
    elif isinstance(value, int | str):
        try:
            dec = Decimal(value)
        except InvalidOperation as exc:
            raise ValidationError(f"not a money amount: {value!r}", rule="X-2") from exc
    else:
        raise ValidationError(f"not a money amount: {value!r}", rule="X-2")
    if not dec.is_finite():
        raise ValidationError(f"not a money amount: {value!r}", rule="X-2")
    try:
        exact = dec.quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:  # more digits than exact decimal arithmetic can hold
        raise ValidationError(f"not a money amount: {value!r}", rule="X-2") from exc
    if dec != exact:
        raise ValidationError(
            f"money has at most 2 decimal places (元.角分): {value!r}", rule="X-2"
        )
    return exact


@attrs.frozen(order=True)
class Money:
    """An RMB amount in 元, exact to the 分. Construction refuses floats and sub-分 digits."""

    amount: Decimal = attrs.field(converter=_to_decimal)

    @classmethod
    def zero(cls) -> Money:
        return cls(Decimal("0.00"))

    @classmethod
    def of(cls, value: str | int | Decimal) -> Money:
        return cls(value)

    @classmethod
    def rounded(cls, value: Decimal) -> Money:
        """Round a computed Decimal half-up to the 分 (the documented rounding rule)."""
        return cls(value.quantize(CENT, rounding=ROUND_HALF_UP))

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self.amount + other.amount)

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self.amount - other.amount)

    def __neg__(self) -> Money:
        return Money(-self.amount)

    def times(self, factor: int | Decimal) -> Money:
        """Multiply by a count or factor, rounding half-up to the 分."""
        if isinstance(factor, bool | float):
            raise ValidationError("money factors must be int or Decimal", rule="X-2")
        return Money.rounded(self.amount * Decimal(factor))

    def allocate(self, weights: Sequence[int | Decimal]) -> list[Money]:
        """Split into parts proportional to ``weights`` that always sum exactly to self.

        Rule: each share is rounded down to the 分, then the remaining 分 go one each to the
        shares with the largest remainders (ties: the earlier share). Used by PEN-5.
        """
        if not weights:
            raise ValidationError("allocation needs at least one weight", rule="X-2")
        ws = [Decimal(w) for w in weights]
        if any(w < 0 for w in ws) or sum(ws) == 0:
            raise ValidationError(
                "allocation weights must be non-negative, not all zero", rule="X-2"
            )
        total = sum(ws)
        sign = -1 if self.amount < 0 else 1
        cents = int(abs(self.amount) / CENT)
        exact = [Decimal(cents) * w / total for w in ws]
        floors = [int(e) for e in exact]
        left = cents - sum(floors)
        order = sorted(range(len(ws)), key=lambda i: (-(exact[i] - floors[i]), i))
        for i in order[:left]:
            floors[i] += 1
        return [Money(Decimal(sign * c) * CENT) for c in floors]

    def is_negative(self) -> bool:
        return self.amount < 0

    def __str__(self) -> str:
        return f"{self.amount} 元"


def total(items: Sequence[Money]) -> Money:
    result = Money.zero()
    for item in items:
        result = result + item
    return result
