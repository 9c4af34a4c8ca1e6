"""Pure penalty arithmetic (PEN-2, PEN-5, PEN-6), kept free of storage so it can be checked
exhaustively with property tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import attrs

from csdomain.kernel.money import Money
from csdomain.penalties.model import Violation
from csdomain.policy.penalties import RepeatRule, ViolationType


def next_month(month: str) -> str:
    year, mon = (int(x) for x in month.split("-"))
    return f"{year + mon // 12}-{mon % 12 + 1:02d}"


def previous_month(month: str) -> str:
    year, mon = (int(x) for x in month.split("-"))
    return f"{year - 1}-12" if mon == 1 else f"{year}-{mon - 1:02d}"


def counted_earlier(
    recorded: Sequence[Violation], occurred_on: date, code: str, rule: RepeatRule | None
) -> list[Violation]:
    """PEN-2: the person's violations of the month recorded before this one that count
    towards its position: those that occurred on or before it (of the same code when the
    repeat rule's scope is ``same_code``). ``recorded`` is the person's month so far."""
    earlier = [v for v in recorded if v.occurred_on <= occurred_on]
    if rule is not None and rule.scope == "same_code":
        earlier = [v for v in earlier if v.code == code]
    return earlier


@attrs.frozen
class Fine:
    """PEN-1/PEN-2: a violation's fine and how it was reached."""

    amount: Money
    base: Decimal  # the catalogue amount for the person's position
    nth: int  # the violation's position in the person's month
    threshold: int  # the repeat rule's N for the position (0: no repeat rule / never)
    multiplier: Decimal  # 1 unless the repeat rule applied

    @property
    def repeated(self) -> bool:
        return bool(self.threshold) and self.nth >= self.threshold


def violation_fine(
    vt: ViolationType, rule: RepeatRule | None, position: str, units: int, nth: int
) -> Fine:
    """PEN-1/PEN-2: the catalogue amount for ``position`` × units, multiplied from the repeat
    rule's Nth violation of the month. The one computation the service records and the
    policy replay re-evaluates."""
    base = vt.amount_for(position)
    threshold = rule.nth_for(position) if rule is not None else 0
    multiplier = Decimal(1)
    if rule is not None and threshold and nth >= threshold:
        multiplier = Decimal(rule.multiplier)
    amount = Money.rounded(base * units * multiplier)
    return Fine(amount, base, nth, threshold, multiplier)


def joint_liability(vt: ViolationType, fine: Money) -> Money | None:
    """PEN-8: the supervisor's share, ``supervisor_factor`` × the fine (None: no joint
    liability for this violation type)."""
    factor = Decimal(vt.supervisor_factor)
    if factor == 0:
        return None
    return fine.times(factor)


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
