"""The penalty ledger. Entries are never edited: corrections are reversing or adjusting
entries (X-7). Positive amounts are deductions, negative amounts rewards (PEN-11)."""

from __future__ import annotations

import enum
from datetime import date, datetime

import attrs

from csdomain.kernel.ids import StaffId, new_id
from csdomain.kernel.money import Money


def _id(prefix: str) -> str:
    return new_id(str, prefix)


class EntryKind(enum.StrEnum):
    VIOLATION = "violation"
    RECURRENCE = "recurrence"  # PEN-3
    JOINT_LIABILITY = "joint_liability"  # PEN-8
    COMPLAINT_LOSS = "complaint_loss"  # PEN-5 (subject to the PEN-6 cap)
    PERFORMANCE_CUT = "performance_cut"  # PEN-4
    REWARD = "reward"  # PEN-11
    REVERSAL = "reversal"  # appeal decisions (PEN-10)
    ADJUSTMENT = "adjustment"
    CREDIT_LIABILITY = "credit_liability"  # CRD-4 unpaid last over-limit shipment, CRD-5 bad debt
    REGION_LIABILITY = "region_liability"  # PEN-2 the regional head of an escalated complaint
    SANCTION = "sanction"  # PEN-7 the fine an administrative sanction carries


@attrs.define(slots=False)
class Violation:
    """PEN-1: one recorded violation with its evidence and recorder."""

    staff_id: StaffId
    code: str
    occurred_on: date
    units: int
    evidence: str
    recorded_by: str
    recorded_at: datetime
    source_key: str | None = None
    corrected_on: date | None = None
    # PEN-2 (001 制度8): the customer issue a complaint violation concerns; a repeat of the
    # same issue doubles the fine
    issue: str = ""
    # PEN-8 (001 制度8): no direct culprit was found; ``staff_id`` is then the group leader
    # who pays, and this names the person whose group it was found in
    no_culprit_in_group_of: StaffId | None = None
    # PEN-9: the access-log entry a leak violation concerns
    access_log_id: str | None = None
    id: str = attrs.field(factory=lambda: _id("vio"))
    version: int = 0


@attrs.define(slots=False)
class PenaltyEntry:
    """One line of a person's ledger, with the words that explain its amount."""

    staff_id: StaffId
    month: str
    kind: EntryKind
    amount: Money
    explanation: str
    recorded_at: datetime
    recorded_by: str
    occurred_on: date
    violation_id: str | None = None
    source_key: str | None = None
    caused_by: list[str] = attrs.field(factory=list)
    reverses_id: str | None = None
    # the month the entry belongs to when it lands later as an adjustment (PEN-10)
    adjusts_month: str | None = None
    # set only by the 0006 migration: a second reversal of the same entry found in old data,
    # kept but left out of the one-reversal-per-entry constraint (PEN-10)
    duplicate_of: str | None = None
    # PEN-7: the administrative sanction this entry's fine belongs to ("" = none)
    sanction: str = ""
    # issue 15: the policy version in force on ``occurred_on`` that decided the amount (None
    # for entries recorded before versions existed and for reversals/adjustments)
    policy_version: int | None = None
    id: str = attrs.field(factory=lambda: _id("pen"))

    @property
    def capped(self) -> bool:
        return self.kind == EntryKind.COMPLAINT_LOSS


class AppealState(enum.StrEnum):
    OPEN = "open"
    UPHELD = "upheld"
    REDUCED = "reduced"
    WAIVED = "waived"


@attrs.define(slots=False)
class Appeal:
    entry_id: str
    staff_id: StaffId
    reason: str
    filed_at: datetime
    state: AppealState = AppealState.OPEN
    decided_by: StaffId | None = None
    decided_at: datetime | None = None
    decision_reason: str = ""
    new_amount: Money | None = None
    # set only by the 0006 migration: a second open appeal of the same entry found in old
    # data, kept but left out of the one-open-appeal-per-entry constraint (PEN-10)
    duplicate_of: str | None = None
    id: str = attrs.field(factory=lambda: _id("apl"))
    version: int = 0


class RecommendationState(enum.StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


@attrs.define(slots=False)
class SanctionRecommendation:
    """PEN-2/PEN-9: a violation whose rule calls for a sanction beyond a fine (dismissal) is
    recorded as a recommendation that the policy's authority decides
    (``penalties.decide_recommendation``); at most one per violation."""

    staff_id: StaffId
    violation_id: str
    sanction: str
    rule: str
    reason: str
    created_at: datetime
    state: RecommendationState = RecommendationState.OPEN
    decided_by: StaffId | None = None
    decided_at: datetime | None = None
    decision_reason: str = ""
    id: str = attrs.field(factory=lambda: _id("rec"))
    version: int = 0


@attrs.define(slots=False)
class BonusRecord:
    """The person's monthly efficiency bonus, the base of the PEN-6 cap."""

    staff_id: StaffId
    month: str
    bonus: Money
    id: str = attrs.field(factory=lambda: _id("bon"))
    version: int = 0


@attrs.define(slots=False)
class Statement:
    """PEN-10: a person's settled statement for a month (immutable once stored)."""

    staff_id: StaffId
    month: str
    lines: list[dict[str, str]]
    fines: Money
    complaint_due: Money
    complaint_deducted: Money
    carried_over: Money
    rewards: Money
    total: Money
    sanction: str
    settled_at: datetime | None = None
    id: str = attrs.field(factory=lambda: _id("stm"))


@attrs.define(slots=False)
class SettledMonth:
    month: str
    settled_at: datetime
    settled_by: StaffId
