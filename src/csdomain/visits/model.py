"""Visit records (VIS-1…VIS-6). A visit record is *secret* (X-5: ``visit_record``): the
visitor and the customer's owner read it; anyone else needs the level's permission and the
read is logged. Visits keep who visited and who owned the customer then, so coverage and
history survive a change of owner (VIS-4)."""

from __future__ import annotations

import enum
from datetime import date, datetime

import attrs

from csdomain.kernel.ids import CustomerId, StaffId, new_id
from csdomain.kernel.money import Money

VISIT_RECORD = "visit_record"  # the confidential record kind (policy confidentiality.levels)


def _id(prefix: str) -> str:
    return new_id(str, prefix)


class PlanStatus(enum.StrEnum):
    """VIS-1: drafted by the salesperson, submitted, approved or returned by the supervisor."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"


@attrs.define(slots=False)
class VisitPlan:
    """VIS-1: one salesperson's visits for one month (``YYYY-MM``), one plan per person and
    month; ``due_on`` is the last day it may be submitted on time."""

    staff_id: StaffId
    month: str
    due_on: date
    created_at: datetime
    status: PlanStatus = PlanStatus.DRAFT
    submitted_at: datetime | None = None
    late: bool = False
    decided_by: StaffId | None = None
    decided_at: datetime | None = None
    decision_note: str = ""
    id: str = attrs.field(factory=lambda: _id("vpl"))
    version: int = 0


@attrs.define(slots=False)
class PlannedVisit:
    """A visit in a plan. ``on`` is a working day: one asked for on a rest day is proposed on
    the next working day (``asked_on`` keeps the day asked for). Expenses, gifts and
    entertainment are applied for here and approved with the plan (VIS-1)."""

    plan_id: str
    staff_id: StaffId
    customer_id: CustomerId
    on: date
    asked_on: date
    purpose: str
    expense: Money = attrs.field(factory=Money.zero)
    gift: str = ""
    entertainment: str = ""
    approved: bool = False
    visit_id: str | None = None
    report_late: bool = False  # VIS-2: flagged once when the report's deadline passed
    removed: bool = False  # taken out of a draft or returned plan (kept: X-7)
    id: str = attrs.field(factory=lambda: _id("vpv"))
    version: int = 0


@attrs.define(slots=False)
class Visit:
    """VIS-5: the visit record; VIS-2: its report is due ``report_due_on`` and ``late`` when
    it came after. ``owner_id`` is the customer's owner on the day of the visit."""

    customer_id: CustomerId
    staff_id: StaffId
    owner_id: StaffId
    on: date
    purpose: str
    people_met: str
    summary: str
    outcome: str
    report_due_on: date
    reported_at: datetime
    problems_solved: str = ""
    watch_items: str = ""
    expenses: Money = attrs.field(factory=Money.zero)
    expenses_approved: bool = True
    planned_visit_id: str | None = None
    late: bool = False
    reviewed_by: StaffId | None = None
    reviewed_at: datetime | None = None
    review_note: str = ""
    id: str = attrs.field(factory=lambda: _id("vis"))
    version: int = 0


@attrs.define(slots=False)
class FollowUp:
    """VIS-2: an item promised during a visit, tracked until done (it counts in appraisal)."""

    visit_id: str
    customer_id: CustomerId
    staff_id: StaffId
    text: str
    due_on: date
    created_at: datetime
    done_at: datetime | None = None
    done_note: str = ""
    id: str = attrs.field(factory=lambda: _id("vfu"))
    version: int = 0


@attrs.frozen
class MissingVisit:
    """VIS-3: a customer the plan leaves short of the visits its grade requires in the
    period; ``last_month`` when the plan's month is the last chance in that period."""

    customer_id: CustomerId
    name: str
    grade: str
    required: int
    done: int
    planned: int
    period_start: date
    period_end: date
    last_month: bool


@attrs.frozen
class PlanCheck:
    """A plan with what it lacks (VIS-3) and the visits moved off rest days (X-1)."""

    plan: VisitPlan
    visits: list[PlannedVisit]
    missing: list[MissingVisit]
    moved: list[PlannedVisit]


@attrs.frozen
class Coverage:
    """VIS-4: customers (in ``coverage_statuses``) of an owner, a department or the company,
    and how many were visited in the period — by anyone, before or after an owner change;
    ``required`` / ``required_met``: the visits their grades require in the period."""

    key: str
    name: str
    customers: int
    visited: int
    percent: float
    target_percent: int
    meets_target: bool
    required: int
    required_met: int


@attrs.frozen
class CareReminder:
    """VIS-6: a holiday greeting, a birthday call or a special-weather reminder."""

    on: date
    kind: str  # holiday | birthday | weather
    customer_id: CustomerId
    customer_name: str
    owner_id: StaffId
    text: str
