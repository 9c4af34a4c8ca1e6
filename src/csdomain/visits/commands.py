"""Inputs of the visit use cases, bounded at construction (X-8): every text a length, every
amount an exact RMB amount, every list a size. Catalogue codes (purposes, outcomes) are
checked against the policy by the use case, which names the field and the rule."""

from __future__ import annotations

from datetime import date

import attrs

from csdomain.kernel.bounds import MAX_CODE, MAX_NAME, MAX_TEXT, bounded, items, money, text
from csdomain.kernel.bounds import month as month_text
from csdomain.kernel.ids import CustomerId, StaffId
from csdomain.kernel.money import Money


@attrs.frozen
@bounded
class PlanVisit:
    """VIS-1: a visit to put in a plan, with what must be applied for beforehand."""

    customer_id: CustomerId
    on: date
    purpose: str = attrs.field(
        metadata=text(min_length=1, max_length=MAX_CODE, catalogue="visit_purposes", rule="VIS-5")
    )
    expense: Money = attrs.field(factory=Money.zero, metadata=money(rule="VIS-1"))
    gift: str = attrs.field(default="", metadata=text(max_length=MAX_NAME, rule="VIS-1"))
    entertainment: str = attrs.field(default="", metadata=text(max_length=MAX_NAME, rule="VIS-1"))


@attrs.frozen
@bounded
class FollowUpItem:
    """VIS-2: an item promised to the customer; ``due_on`` defaults to the policy's days."""

    text: str = attrs.field(metadata=text(min_length=1, max_length=MAX_TEXT, rule="VIS-2"))
    due_on: date | None = None


@attrs.frozen
@bounded
class ReportVisit:
    """VIS-5: the visit record. ``planned_visit_id`` links it to its plan (its expenses
    were applied for there, VIS-1)."""

    customer_id: CustomerId
    on: date
    purpose: str = attrs.field(
        metadata=text(min_length=1, max_length=MAX_CODE, catalogue="visit_purposes", rule="VIS-5")
    )
    people_met: str = attrs.field(metadata=text(min_length=1, max_length=MAX_NAME, rule="VIS-5"))
    summary: str = attrs.field(metadata=text(min_length=1, max_length=MAX_TEXT, rule="VIS-5"))
    outcome: str = attrs.field(
        metadata=text(min_length=1, max_length=MAX_CODE, catalogue="visit_outcomes", rule="VIS-5")
    )
    problems_solved: str = attrs.field(default="", metadata=text(rule="VIS-5"))
    watch_items: str = attrs.field(default="", metadata=text(rule="VIS-5"))
    expenses: Money = attrs.field(factory=Money.zero, metadata=money(rule="VIS-5"))
    planned_visit_id: str | None = None
    follow_ups: list[FollowUpItem] = attrs.field(factory=list, metadata=items(max_items=20))


@attrs.frozen
@bounded
class CreatePlan:
    """VIS-1: a plan for ``month`` (``YYYY-MM``), the caller's own unless ``staff_id``."""

    month: str = attrs.field(metadata=month_text(rule="VIS-1"))
    staff_id: StaffId | None = None


@attrs.frozen
@bounded
class DecidePlan:
    """VIS-1: approve, or return with the reason in ``note``."""

    approve: bool
    note: str = attrs.field(default="", metadata=text(max_length=MAX_TEXT, rule="VIS-1"))


@attrs.frozen
@bounded
class VisitNote:
    """A review of a report, or how a follow-up item was done (VIS-2)."""

    note: str = attrs.field(default="", metadata=text(max_length=MAX_TEXT, rule="VIS-2"))


@attrs.frozen
@bounded
class WeatherAlert:
    """VIS-6: a special-weather warning for the customers whose address names ``region``."""

    region: str = attrs.field(metadata=text(min_length=1, max_length=MAX_NAME, rule="VIS-6"))
    alert: str = attrs.field(metadata=text(min_length=1, max_length=MAX_NAME, rule="VIS-6"))
    on: date | None = None
