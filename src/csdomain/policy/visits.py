"""Visit policy (VIS-1…VIS-6): when plans and reports are due, how often each customer grade
must be visited, the coverage target, the record's catalogues and the care calendar. Every
number here is the company's to change (docs/visits.md)."""

from __future__ import annotations

from typing import Any

import attrs

from csdomain.policy import validators as v

PERIODS = (1, 2, 3, 4, 6, 12)  # months; periods are aligned to the calendar year


def _non_empty(_: Any, attribute: attrs.Attribute[list[str]], value: list[str]) -> None:
    if not value or any(not isinstance(x, str) or not x.strip() for x in value):
        raise ValueError(f"{attribute.name}: list at least one non-empty code")
    if len(set(value)) != len(value):
        raise ValueError(f"{attribute.name}: codes must be unique")


def _percent(_: Any, attribute: attrs.Attribute[int], value: int) -> None:
    if not isinstance(value, int) or not 0 < value <= 100:
        raise ValueError(f"{attribute.name} must be a whole percentage in 1…100, got {value!r}")


@attrs.frozen(kw_only=True)
class VisitFrequency:
    """VIS-3: at least ``visits`` visits in every period of ``months`` months (periods start in
    January: 3 = quarters, 6 = half-years, 12 = the year)."""

    visits: int = attrs.field(validator=v.positive)
    months: int = attrs.field()

    @months.validator
    def _check(self, _: attrs.Attribute[int], value: int) -> None:
        if value not in PERIODS:
            raise ValueError(f"months must be one of {list(PERIODS)} (it divides the year)")


def _frequencies(
    _: Any, attribute: attrs.Attribute[dict[str, VisitFrequency]], value: dict[str, Any]
) -> None:
    bad = [g for g, f in value.items() if not isinstance(f, VisitFrequency)]
    if bad:
        raise ValueError(f"{attribute.name}: give {{ visits, months }} for grades {bad}")


@attrs.frozen(kw_only=True)
class CarePolicy:
    """VIS-6: greetings ``remind_days_before`` days ahead of the calendar's holidays named
    in ``holidays`` (to customers whose status is in ``greet_statuses``), birthday calls
    (from a natural person's resident ID number), special-weather reminders on request."""

    holidays: list[str] = attrs.field(
        factory=lambda: [
            "New Year's Day",
            "Chinese New Year (Spring Festival)",
            "Dragon Boat Festival",
            "Mid-Autumn Festival",
            "National Day",
        ],
        validator=_non_empty,
    )
    remind_days_before: int = attrs.field(default=3, validator=v.non_negative)
    greet_statuses: list[str] = attrs.field(factory=lambda: ["closed_deal"], validator=_non_empty)
    birthdays: bool = True


@attrs.frozen(kw_only=True)
class VisitsPolicy:
    """VIS-1 a month's plan is due by the last day of the previous month, less
    ``plan_due_days_before_month`` days; VIS-2 the report within
    ``report_due_working_days`` working days of the visit; VIS-4 ``coverage_target_percent``
    of customers visited a year; VIS-5 the record's catalogues."""

    plan_due_days_before_month: int = attrs.field(default=0, validator=v.non_negative)
    report_due_working_days: int = attrs.field(default=2, validator=v.positive)
    coverage_target_percent: int = attrs.field(default=100, validator=_percent)
    # VIS-4: the customers coverage counts (deregistered ones are no longer served)
    coverage_statuses: list[str] = attrs.field(
        factory=lambda: ["prospect", "closed_deal"], validator=_non_empty
    )
    frequency: dict[str, VisitFrequency] = attrs.field(
        factory=lambda: {
            "A": VisitFrequency(visits=1, months=1),
            "B": VisitFrequency(visits=1, months=3),
            "C": VisitFrequency(visits=1, months=6),
        },
        validator=_frequencies,
    )
    purposes: list[str] = attrs.field(
        factory=lambda: ["first_visit", "handle_problem", "build_relationship"],
        validator=_non_empty,
    )
    outcomes: list[str] = attrs.field(
        factory=lambda: ["deal_done", "promising", "visit_again", "hopeless", "keep_watching"],
        validator=_non_empty,
    )
    follow_up_working_days: int = attrs.field(default=5, validator=v.positive)
    care: CarePolicy = attrs.field(factory=CarePolicy)
