"""Inputs of the survey use cases, bounded at construction (X-8): texts have lengths, the
scale's levels are the policy's catalogue, percentages are whole numbers 1…100."""

from __future__ import annotations

from datetime import date

import attrs

from csdomain.kernel.bounds import MAX_CODE, MAX_ID, MAX_NAME, bounded, items, number, text
from csdomain.kernel.ids import CustomerId, StaffId

# a survey names at most this many customers explicitly (larger ones use distribute_percent)
MAX_RECIPIENTS = 5000


@attrs.frozen
@bounded
class CreateSurvey:
    """SAT-2: a periodic survey of ``period_start``…``period_end``, opened for answers on
    ``opens_on`` (default today). It goes to ``customer_ids`` when given, else to
    ``distribute_percent`` % (default the policy's minimum) of the active customers in the
    creator's scope, chosen deterministically for the survey."""

    title: str = attrs.field(metadata=text(min_length=1, max_length=MAX_NAME, rule="SAT-2"))
    period_start: date
    period_end: date
    opens_on: date | None = None
    customer_ids: list[CustomerId] = attrs.field(
        factory=list, metadata=items(max_items=MAX_RECIPIENTS, max_length=MAX_ID, rule="SAT-2")
    )
    distribute_percent: int | None = attrs.field(
        default=None, metadata=number(minimum=1, maximum=100, rule="SAT-2")
    )


@attrs.frozen
@bounded
class RecordResponse:
    """SAT-2: one customer's answer on the policy's scale, received on ``on`` (default
    today)."""

    customer_id: CustomerId
    level: str = attrs.field(
        metadata=text(
            min_length=1, max_length=MAX_CODE, catalogue="satisfaction_levels", rule="SAT-2"
        )
    )
    comment: str = attrs.field(default="", metadata=text(rule="SAT-2"))
    on: date | None = None


@attrs.frozen
@bounded
class PublishReply:
    """SAT-2: the public reply to the survey's findings, published on ``on`` (default today)."""

    text: str = attrs.field(metadata=text(min_length=1, rule="SAT-2"))
    on: date | None = None


@attrs.frozen
@bounded
class RaiseCorrectiveAction:
    """SAT-3 / CASE-11: the corrective action's owner and what is to be done."""

    owner_id: StaffId
    description: str = attrs.field(metadata=text(min_length=1, rule="SAT-3"))
