"""X-2 Money properties: exact arithmetic (associativity, identity, inverse) and allocation
that always sums exactly to the total with every share within 1 分 of its exact proportion."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from csdomain.kernel.money import CENT, Money, total

SETTINGS = settings(deadline=None, max_examples=200)

# amounts in 分 up to ±100 million 元: far beyond any policy amount, well inside Decimal precision
cents = st.integers(min_value=-10_000_000_000, max_value=10_000_000_000)
money = cents.map(lambda c: Money(Decimal(c) * CENT))
weights = st.lists(st.integers(min_value=0, max_value=1_000), min_size=1, max_size=12).filter(
    lambda ws: sum(ws) > 0
)


@SETTINGS
@given(money, money, money)
def test_x2_addition_is_associative_and_commutative(a: Money, b: Money, c: Money) -> None:
    assert (a + b) + c == a + (b + c)
    assert a + b == b + a


@SETTINGS
@given(money)
def test_x2_zero_is_the_identity_and_negation_the_inverse(a: Money) -> None:
    assert a + Money.zero() == a
    assert a - Money.zero() == a
    assert a - a == Money.zero()
    assert a + (-a) == Money.zero()
    assert Money.zero() - (-a) == a


@SETTINGS
@given(money, money)
def test_x2_subtraction_undoes_addition(a: Money, b: Money) -> None:
    assert (a + b) - b == a
    assert a - b == -(b - a)


@SETTINGS
@given(money, money, money)
def test_x2_subtraction_associates_with_addition(a: Money, b: Money, c: Money) -> None:
    assert (a - b) - c == a - (b + c)


@SETTINGS
@given(money)
def test_x2_amounts_always_have_exactly_two_places(a: Money) -> None:
    assert a.amount.as_tuple().exponent == -2
    assert Money(str(a.amount)) == a


@SETTINGS
@given(st.lists(money, max_size=20))
def test_x2_total_is_the_exact_sum(items: list[Money]) -> None:
    assert total(items).amount == sum((m.amount for m in items), Decimal("0.00"))


@SETTINGS
@given(money, weights)
def test_x2_allocate_sums_exactly_and_each_share_is_within_one_fen(
    amount: Money, ws: list[int]
) -> None:
    shares = amount.allocate(ws)
    assert len(shares) == len(ws)
    assert total(shares) == amount
    whole = sum(ws)
    for share, w in zip(shares, ws, strict=True):
        exact = amount.amount * Decimal(w) / Decimal(whole)
        assert abs(share.amount - exact) <= CENT
        assert share.amount.as_tuple().exponent == -2
        if w == 0:
            assert share == Money.zero()


@SETTINGS
@given(money, weights)
def test_x2_allocate_of_a_negative_total_mirrors_the_positive_one(
    amount: Money, ws: list[int]
) -> None:
    assert (-amount).allocate(ws) == [-s for s in amount.allocate(ws)]
    shares = amount.allocate(ws)
    if amount.is_negative():
        assert all(s.amount <= 0 for s in shares)
    else:
        assert all(not s.is_negative() for s in shares)


@SETTINGS
@given(money, st.lists(st.integers(min_value=1, max_value=50), min_size=1, max_size=8))
def test_x2_allocate_with_equal_weights_differs_by_at_most_one_fen(
    amount: Money, ns: list[int]
) -> None:
    shares = amount.allocate([1] * len(ns))
    amounts = [s.amount for s in shares]
    assert max(amounts) - min(amounts) <= CENT
    assert total(shares) == amount


@SETTINGS
@given(money, st.integers(min_value=0, max_value=1000))
def test_x2_times_an_integer_is_exact(a: Money, n: int) -> None:
    assert a.times(n).amount == a.amount * n
    if n <= 50:
        assert a.times(n) == total([a] * n)
