"""Customer satisfaction survey policy (SAT-1 reporting, SAT-2 periodic surveys, SAT-3
corrective actions). Every number here is the company's to change (docs/surveys.md)."""

from __future__ import annotations

from typing import Any

import attrs

from csdomain.policy import validators as v

DAY_UNITS = ("calendar_days", "working_days")


def _codes(_: Any, attribute: attrs.Attribute[list[str]], value: list[str]) -> None:
    if not value or any(not isinstance(x, str) or not x.strip() for x in value):
        raise ValueError(f"{attribute.name}: list at least one non-empty code")
    if len(set(value)) != len(value):
        raise ValueError(f"{attribute.name}: codes must be unique")


def _percent(_: Any, attribute: attrs.Attribute[int], value: int) -> None:
    if not isinstance(value, int) or not 0 < value <= 100:
        raise ValueError(f"{attribute.name} must be a whole percentage in 1…100, got {value!r}")


@attrs.frozen(kw_only=True)
class SurveysPolicy:
    """SAT-2: at least ``surveys_per_year`` full surveys a year on the ``levels`` scale, sent
    to at least ``distribution_min_percent`` of the active customers, collected within
    ``collection_days`` of opening, returned by at least ``return_rate_min_percent`` of those
    asked; the statistics within ``statistics_days`` and the public reply within
    ``reply_days`` of the collection's close, counted in ``day_unit`` (calendar days by default:
    the seed says "10 days", "3 days", "2 weeks"). SAT-3: a satisfaction rate (the share of
    answers in ``satisfied_levels``) below ``target_percent`` raises a corrective action on an
    internal case of ``case_type`` / ``case_category`` / ``case_channel``."""

    levels: list[str] = attrs.field(
        factory=lambda: [
            "very_satisfied",
            "satisfied",
            "neutral",
            "dissatisfied",
            "very_dissatisfied",
        ],
        validator=_codes,
    )
    satisfied_levels: list[str] = attrs.field(
        factory=lambda: ["very_satisfied", "satisfied"], validator=_codes
    )
    surveys_per_year: int = attrs.field(default=1, validator=v.positive)
    distribution_min_percent: int = attrs.field(default=30, validator=_percent)
    collection_days: int = attrs.field(default=10, validator=v.positive)
    return_rate_min_percent: int = attrs.field(default=75, validator=_percent)
    statistics_days: int = attrs.field(default=3, validator=v.positive)
    reply_days: int = attrs.field(default=14, validator=v.positive)
    day_unit: str = attrs.field(default="calendar_days", validator=v.one_of(DAY_UNITS))
    target_percent: int = attrs.field(default=90, validator=_percent)
    case_type: str = "suggestion"
    case_category: str = "service_quality"
    case_channel: str = "revisit"
    # SAT-1 reporting: the per-job survey levels (``[service_jobs] survey_levels``) counted
    # as satisfied
    job_satisfied_levels: list[str] = attrs.field(
        factory=lambda: ["very_satisfied", "satisfied"], validator=_codes
    )

    def __attrs_post_init__(self) -> None:
        unknown = [x for x in self.satisfied_levels if x not in self.levels]
        if unknown:
            raise ValueError(
                f"satisfied_levels: {unknown} are not on the scale (levels: {self.levels})"
            )
