"""Periodic satisfaction surveys (SAT-2) and what they lead to (SAT-3). Nothing is deleted
(X-7): a response is never edited, the public reply and the corrective case are recorded once.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import attrs

from csdomain.kernel.ids import CustomerId, DepartmentId, StaffId, new_id


def _id(prefix: str) -> str:
    return new_id(str, prefix)


@attrs.define(slots=False)
class Survey:
    """SAT-2: one periodic survey: the period it covers, its collection window
    (``opens_on``…``closes_on``), when the statistics and the public reply are due, how many
    active customers it could have reached (``population``). ``department_id`` is the
    department whose customers it covers (None: the whole company). Closing compiles the
    statistics (``closed_on``); ``reply_on``/``reply_text`` is the public reply; ``case_id`` /
    ``capa_id`` the SAT-3 corrective action, raised once."""

    title: str
    period_start: date
    period_end: date
    opens_on: date
    closes_on: date
    statistics_due: date
    reply_due: date
    population: int
    created_by: StaffId
    created_at: datetime
    department_id: DepartmentId | None = None
    closed_by: StaffId | None = None
    closed_on: date | None = None
    reply_on: date | None = None
    reply_text: str | None = None
    reply_by: StaffId | None = None
    case_id: str | None = None
    capa_id: str | None = None
    id: str = attrs.field(factory=lambda: _id("svy"))
    version: int = 0

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None


@attrs.define(slots=False)
class SurveyRecipient:
    """SAT-2: a customer the survey was distributed to (once per survey)."""

    survey_id: str
    customer_id: CustomerId
    id: str = attrs.field(factory=lambda: _id("svr"))


@attrs.define(slots=False)
class SurveyResponse:
    """SAT-2: one customer's answer on the 5-level scale (one per customer and survey)."""

    survey_id: str
    customer_id: CustomerId
    level: str
    comment: str
    on: date
    recorded_by: StaffId
    recorded_at: datetime
    id: str = attrs.field(factory=lambda: _id("sva"))


@attrs.frozen
class SurveyResults:
    """SAT-2/SAT-3: the survey's statistics and each rule check. Percentages are exact
    Decimals with one decimal place (rounded half-up for display); every check compares the
    exact fractions, so 74.99 % is below a 75 % rule."""

    survey: Survey
    population: int
    distributed: int
    returned: int
    counts: dict[str, int]
    satisfied: int
    distribution_percent: Decimal
    return_rate_percent: Decimal
    satisfaction_percent: Decimal
    distribution_below_minimum: bool
    return_rate_below_minimum: bool
    below_target: bool
    collection_open: bool
    statistics_late: bool
    reply_late: bool
    reply_on_time: bool | None
    findings: list[str]


@attrs.frozen
class CorrectiveAction:
    """SAT-3: the internal case opened for a survey below target and its CAPA item
    (CASE-11). ``created`` is False when an earlier call had already raised it."""

    survey_id: str
    case_id: str
    case_number: str
    capa_id: str
    created: bool


@attrs.frozen
class JobSatisfactionRow:
    """SAT-1 reporting: satisfaction of the per-job surveys for one period (``YYYY-MM``),
    department or technician: every rated item counts, the share in the policy's
    ``job_satisfied_levels`` is the rate."""

    key: str
    name: str
    jobs: int
    surveyed: int
    ratings: int
    satisfied: int
    satisfaction_percent: Decimal


@attrs.frozen
class SurveyYear:
    """SAT-2: whether a year had the policy's ``surveys_per_year`` periodic surveys — those
    whose period starts in the year, of a department or the whole company. ``status``:
    ``met``; ``open`` while the year still runs short of them; ``missed`` once it ended."""

    year: int
    required: int
    held: int
    survey_ids: list[str]
    status: str
