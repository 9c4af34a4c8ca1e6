"""Pure penalty arithmetic (PEN-2, PEN-5, PEN-6), kept free of storage so it can be checked
exhaustively with property tests."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import attrs

from csdomain.kernel.money import Money


def next_month(month: str) -> str:
    year, mon = (int(x) for x in month.split("-"))
    return f"{year + mon // 12}-{mon % 12 + 1:02d}"


def previous_month(month: str) -> str:
    year, mon = (int(x) for x in month.split("-"))
    return f"{year - 1}-12" if mon == 1 else f"{year}-{mon - 1:02d}"


def apportion_loss(loss: Money, base_points: Sequence[int | Decimal]) -> list[Money]:
    """PEN-5: share = loss ÷ total base points × the person's base points.

    Rounding rule: each share is rounded down to the 分 and the remaining 分 go, one each, to
    the largest remainders (ties: the earlier person), so the shares always sum to the loss.
    """
    return loss.allocate(base_points)


@attrs.frozen
class CapMonth:
    month: str
    due: Money  # complaint deductions arising this month
    carried_in: Money  # instalments carried from earlier months
    cap: Money
    deducted: Money
    carried_out: Money


def apply_cap(
    months: Sequence[tuple[str, Money, Money]], percent: int, carried_in: Money | None = None
) -> list[CapMonth]:
    """PEN-6: complaint deductions in a month never exceed ``percent`` % of that month's bonus;
    the excess is deducted in instalments in the following months (again within each month's
    cap) until paid. ``months`` is (month, complaint deductions of the month, bonus), in order.
    """
    carry = carried_in or Money.zero()
    out: list[CapMonth] = []
    for month, due, bonus in months:
        cap = Money.rounded(bonus.amount * Decimal(percent) / Decimal(100))
        owed = due + carry
        deducted = min(owed, cap) if owed.amount > 0 else owed
        if deducted.is_negative():  # a net credit (reversal) is paid back at once
            deducted = owed
        out.append(CapMonth(month, due, carry, cap, deducted, owed - deducted))
        carry = owed - deducted
    return out
