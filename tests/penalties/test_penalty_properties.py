"""Property tests for penalty arithmetic (PEN-5, PEN-6, X-2)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from csdomain.kernel.money import Money
from csdomain.penalties.rules import apply_cap, apportion_loss

cents = st.integers(min_value=0, max_value=10_000_000)
money = cents.map(lambda c: Money(Decimal(c) / 100))


@settings(max_examples=200, deadline=None)
@given(loss=money, points=st.lists(st.integers(min_value=1, max_value=50), min_size=1, max_size=12))
def test_pen5_shares_always_sum_to_the_loss(loss: Money, points: list[int]) -> None:
    shares = apportion_loss(loss, points)
    assert sum((s.amount for s in shares), Decimal(0)) == loss.amount
    total = sum(points)
    for share, p in zip(shares, points, strict=True):
        exact = loss.amount * p / total
        assert abs(share.amount - exact) < Decimal("0.01")


@settings(max_examples=200, deadline=None)
@given(
    months=st.lists(st.tuples(money, money), min_size=1, max_size=12),
    percent=st.integers(min_value=1, max_value=100),
)
def test_pen6_cap_never_exceeded_and_totals_conserved(
    months: list[tuple[Money, Money]], percent: int
) -> None:
    rows = [(f"2026-{i + 1:02d}", due, bonus) for i, (due, bonus) in enumerate(months)]
    result = apply_cap(rows, percent)
    deducted = sum((r.deducted.amount for r in result), Decimal(0))
    assert deducted + result[-1].carried_out.amount == sum(
        (due.amount for _, due, _ in rows), Decimal(0)
    )
    for r in result:
        assert r.deducted <= r.cap
        assert not r.carried_out.is_negative()
