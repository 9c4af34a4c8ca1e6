"""Pure penalty arithmetic (PEN-2, PEN-5, PEN-6), kept free of storage so it can be checked
exhaustively with property tests."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal

import attrs

from csdomain.kernel.calendar import Calendar, add_working_days
from csdomain.kernel.ids import StaffId
from csdomain.kernel.money import Money
from csdomain.penalties.model import EntryKind, PenaltyEntry, Statement, Violation
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


def recommends_sanction(rule: RepeatRule | None, nth: int) -> bool:
    """PEN-2 (004 第11篇): from the rule's ``recommend_from_nth`` violation the person is not
    fined; the rule's sanction is recommended for the policy's authority to decide."""
    return rule is not None and bool(rule.recommend_from_nth) and nth >= rule.recommend_from_nth


def recurrence_days(
    calendar: Calendar,
    vt: ViolationType,
    occurred_on: date,
    corrected_on: date | None,
    until: date,
) -> tuple[date, list[date]]:
    """PEN-3: (the correction deadline, the working days after it up to ``until`` and before
    the correction on which the violation counts again). Empty unless the type
    ``recurs_until_corrected``. The sweep books these days and the policy replay counts them."""
    deadline = add_working_days(calendar, occurred_on, vt.correction_working_days)
    if not vt.recurs_until_corrected:
        return deadline, []
    last = until if corrected_on is None else min(until, corrected_on - timedelta(days=1))
    days: list[date] = []
    day = deadline
    while True:
        day = add_working_days(calendar, day, 1)
        if day > last:
            return deadline, days
        days.append(day)


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


def month_figures(
    staff_id: StaffId,
    month: str,
    entries: Iterable[PenaltyEntry],
    bonus: Money,
    carried_in: Money,
    cap_percent: int,
) -> Statement:
    """PEN-5/PEN-6/PEN-7/PEN-11: one person's month from its entries, bonus and PEN-6 carry:
    fines, complaint deductions within ``cap_percent`` % of the bonus (the excess carried),
    rewards and the sanctions imposed. One pass, no I/O: a provisional statement, a
    settlement of thousands of people and the policy replay compute alike."""
    # sums of exact 分 amounts stay exact: add Decimals, make Money once per total
    due = fine = reward = Decimal(0)
    lines = []
    kept = list(entries)
    for e in kept:
        amount = e.amount.amount
        lines.append(
            {
                "entry_id": e.id,
                "kind": e.kind.value,
                "amount": f"{amount:.2f}",
                "explanation": e.explanation,
                "occurred_on": e.occurred_on.isoformat(),
            }
        )
        if e.kind == EntryKind.COMPLAINT_LOSS:  # PenaltyEntry.capped (PEN-6)
            due += amount
        elif amount < 0 and e.kind == EntryKind.REWARD:
            reward += amount
        else:
            fine += amount
    complaint_due, fines, rewards = Money(due), Money(fine), Money(reward)
    cap_month = apply_cap([(month, complaint_due, bonus)], cap_percent, carried_in)[0]
    total = fines + cap_month.deducted + rewards
    # PEN-7: the sanctions imposed in the month (each carried its own minimum fine), not a
    # level read off the month's total
    reversed_ids = {e.reverses_id for e in kept if e.reverses_id}
    sanction = ", ".join(
        e.sanction
        for e in kept
        if e.kind == EntryKind.SANCTION and e.sanction and e.id not in reversed_ids
    )
    return Statement(
        staff_id=staff_id,
        month=month,
        lines=lines,
        fines=fines,
        complaint_due=complaint_due + carried_in,
        complaint_deducted=cap_month.deducted,
        carried_over=cap_month.carried_out,
        rewards=rewards,
        total=total,
        sanction=sanction,
    )
