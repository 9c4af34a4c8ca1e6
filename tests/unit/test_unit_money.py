"""X-2 Money: exact RMB decimals with two places, never floats; allocation sums exactly."""

from __future__ import annotations

from decimal import Decimal

import pytest

from csdomain.kernel.errors import ValidationError
from csdomain.kernel.money import Money, total


def test_x2_money_is_exact_decimal_with_two_places() -> None:
    m = Money("12.3")
    assert m.amount == Decimal("12.30")
    assert str(m.amount) == "12.30"
    assert Money(5).amount == Decimal("5.00")
    assert Money(Decimal("0.1")) + Money(Decimal("0.2")) == Money("0.30")


@pytest.mark.parametrize("value", [0.1, 1.0, 12.5, float("nan")])
def test_x2_money_refuses_floats(value: float) -> None:
    with pytest.raises(ValidationError) as info:
        Money(value)  # type: ignore[arg-type]
    assert info.value.rule == "X-2"


def test_x2_money_refuses_bool_and_other_types() -> None:
    with pytest.raises(ValidationError):
        Money(True)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        Money([1])  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        Money(None)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["0.001", "1.005", Decimal("12.345"), "-0.009"])
def test_x2_money_refuses_sub_fen_amounts(value: str | Decimal) -> None:
    with pytest.raises(ValidationError) as info:
        Money(value)
    assert info.value.rule == "X-2"


@pytest.mark.parametrize("value", ["abc", "", "1,00", "NaN", "Infinity", "-inf", "1e30"])
def test_x2_money_refuses_non_amounts_with_a_domain_error(value: str) -> None:
    """Garbage (and amounts beyond exact decimal precision) is a ValidationError, never a
    raw decimal exception that an adapter would turn into a server error."""
    with pytest.raises(ValidationError):
        Money(value)


def test_x2_trailing_zeros_beyond_two_places_are_still_exact() -> None:
    assert Money("1.2300").amount == Decimal("1.23")
    assert Money(Decimal("7.000")) == Money(7)


def test_x2_arithmetic_stays_exact() -> None:
    assert Money("0.10") + Money("0.20") == Money("0.30")
    assert Money("100.00") - Money("0.01") == Money("99.99")
    assert -Money("5.50") == Money("-5.50")
    assert Money("-5.50").is_negative()
    assert not Money.zero().is_negative()
    assert total([Money("0.10")] * 10) == Money("1.00")
    assert total([]) == Money.zero()


def test_x2_money_does_not_mix_with_plain_numbers() -> None:
    with pytest.raises(TypeError):
        Money("1.00") + 1  # type: ignore[operator]
    with pytest.raises(TypeError):
        Money("1.00") - Decimal("1")  # type: ignore[operator]


def test_x2_times_rounds_half_up_to_the_fen_and_refuses_floats() -> None:
    assert Money("20.00").times(3) == Money("60.00")
    assert Money("10.00").times(Decimal("0.3333")) == Money("3.33")
    assert Money("0.05").times(Decimal("0.5")) == Money("0.03")  # 0.025 -> 0.03 half-up
    assert Money("-0.05").times(Decimal("0.5")) == Money("-0.03")
    with pytest.raises(ValidationError):
        Money("1.00").times(1.5)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        Money("1.00").times(True)


def test_x2_rounded_rounds_half_up() -> None:
    assert Money.rounded(Decimal("2.345")) == Money("2.35")
    assert Money.rounded(Decimal("2.344999")) == Money("2.34")


def test_x2_allocate_1000_over_3_3_1() -> None:
    shares = Money("1000.00").allocate([3, 3, 1])
    assert shares == [Money("428.57"), Money("428.57"), Money("142.86")]
    assert total(shares) == Money("1000.00")


def test_x2_allocate_negative_total_mirrors_positive() -> None:
    shares = Money("-1000.00").allocate([3, 3, 1])
    assert shares == [Money("-428.57"), Money("-428.57"), Money("-142.86")]
    assert total(shares) == Money("-1000.00")


def test_x2_allocate_leftover_fen_go_to_largest_remainders_then_earliest() -> None:
    # 0.10 over 1,1,1: 3.33 fen each; one fen left over goes to the first share
    assert Money("0.10").allocate([1, 1, 1]) == [Money("0.04"), Money("0.03"), Money("0.03")]
    # 1.00 over 1,2: 33.33 / 66.67 fen -> the larger remainder (second share) gets the fen
    assert Money("1.00").allocate([1, 2]) == [Money("0.33"), Money("0.67")]


def test_x2_allocate_with_zero_weight_and_decimal_weights() -> None:
    assert Money("10.00").allocate([0, 1]) == [Money("0.00"), Money("10.00")]
    shares = Money("99.99").allocate([Decimal("0.5"), Decimal("0.25"), Decimal("0.25")])
    assert total(shares) == Money("99.99")
    # 9999 fen -> 4999.5 / 2499.75 / 2499.75: the two .75 remainders get the 2 spare fen
    assert shares == [Money("49.99"), Money("25.00"), Money("25.00")]


@pytest.mark.parametrize("weights", [[], [0, 0], [1, -1]])
def test_x2_allocate_refuses_bad_weights(weights: list[int]) -> None:
    with pytest.raises(ValidationError):
        Money("10.00").allocate(weights)


def test_x2_money_orders_by_amount() -> None:
    assert Money("1.00") < Money("1.01")
    assert max(Money("3"), Money("-4"), Money("2.99")) == Money("3.00")
