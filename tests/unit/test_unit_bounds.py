"""Input bounds in the core (issue 8, X-8): commands report every failing field at once,
dates and months have one spelling, the policy's date range is validated, and working-day
arithmetic near the end of the calendar is a validation error, not a crash."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from adapters.policy_file import default_policy
from csdomain.cases.commands import ProposeSolution, ReceiveCase
from csdomain.kernel.bounds import MAX_CODE, MAX_MONEY, parse_date, parse_month
from csdomain.kernel.calendar import SetCalendar, add_calendar_days, add_working_days
from csdomain.kernel.errors import ValidationError
from csdomain.kernel.money import Money
from csdomain.policy.model import BoundsPolicy
from csdomain.service_jobs.commands import OpenExchange


def test_a_command_reports_every_failing_field_with_its_rule() -> None:
    with pytest.raises(ValidationError) as err:
        ReceiveCase(
            type="x" * (MAX_CODE + 1),
            category="product_quality",
            channel="ph\x00one",
            content="  ",
            major_reasons=["r" * 100],
        )
    fields = [f for f, _ in err.value.errors]  # type: ignore[attr-defined]
    assert fields == ["type", "channel", "content", "major_reasons.0"]
    assert err.value.field == "type"


def test_one_rule_is_named_when_every_failure_is_under_it() -> None:
    with pytest.raises(ValidationError) as err:
        OpenExchange(customer_name=" ", goods="", quantity=0, reason="")
    assert err.value.rule == "CASE-14"
    assert len(err.value.errors) == 4  # type: ignore[attr-defined]


def test_money_beyond_the_domain_maximum_is_refused() -> None:
    ok = ProposeSolution(remedy="refund", solution="refund it", amount=Money(MAX_MONEY))
    assert ok.amount == Money(MAX_MONEY)
    with pytest.raises(ValidationError) as err:
        ProposeSolution(remedy="refund", solution="x", amount=Money(MAX_MONEY + Decimal("0.01")))
    assert err.value.field == "amount"
    with pytest.raises(ValidationError):
        ProposeSolution(remedy="refund", solution="x", amount=Money("-1"))


@pytest.mark.parametrize("text", ["20261201", "2026-W49-3", "2026-1-01", "2026-12-1", "2026-02-30"])
def test_dates_have_one_spelling(text: str) -> None:
    with pytest.raises(ValidationError) as err:
        parse_date(text, "day")
    assert err.value.field == "day"


def test_a_valid_date_parses() -> None:
    assert parse_date("2026-12-01", "day") == date(2026, 12, 1)


@pytest.mark.parametrize("text", ["1-01", "2026-1", "2026-13", "2026-00", "202612", "2026-12-01"])
def test_months_have_one_spelling(text: str) -> None:
    with pytest.raises(ValidationError):
        parse_month(text)


def test_the_default_policy_range_is_2000_to_2099() -> None:
    assert default_policy().bounds.date_range == (date(2000, 1, 1), date(2099, 12, 31))


@pytest.mark.parametrize(
    ("earliest", "latest"),
    [
        (date(2099, 1, 1), date(2000, 12, 31)),
        (date(2000, 3, 1), date(2099, 12, 31)),
        (date(2000, 1, 1), date(2099, 6, 30)),
        (date(2000, 1, 1), date(9999, 12, 31)),
        (date(1, 1, 1), date(2099, 12, 31)),
    ],
)
def test_the_policy_range_must_be_whole_years_with_room_for_arithmetic(
    earliest: date, latest: date
) -> None:
    with pytest.raises(ValueError):
        BoundsPolicy(earliest_date=earliest, latest_date=latest)


def test_working_day_arithmetic_at_the_end_of_the_calendar_is_refused_not_a_crash() -> None:
    calendar = SetCalendar()
    with pytest.raises(ValidationError) as err:
        add_working_days(calendar, date(9999, 12, 30), 5)
    assert err.value.rule == "X-1"
    with pytest.raises(ValidationError):
        add_calendar_days(calendar, date(9999, 12, 31), 1)
    closed = SetCalendar(holidays=frozenset({date(9999, 12, 31)}))
    with pytest.raises(ValidationError):  # the next working day would be after date.max
        add_working_days(closed, date(9999, 12, 31), 0)
