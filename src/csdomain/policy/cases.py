"""Case policy (CASE-1…CASE-15, SAT-1): clocks, approval thresholds, severity, escalation."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import attrs

from csdomain.policy import validators as v

CLOCK_UNITS = ("hours", "minutes", "calendar_days", "working_days")
CLOCK_BASES = ("24x7", "business_hours")
SEVERITIES = ("any", "general", "major")


@attrs.frozen(kw_only=True)
class ClockDefinition:
    """CASE-7: one deadline clock.

    It starts at ``start_event`` and stops at ``stop_event`` (case event kinds), runs for
    ``duration`` ``unit`` on a ``basis`` (24x7 or business hours; working/calendar days end at
    the close of business of the due date, moved forward to a working day), pauses while the
    case is in one of ``pause_states``, and may be extended at most ``max_extensions`` times by
    ``extension_role``.
    """

    name: str
    label: str
    start_event: str
    stop_event: str
    duration: int = attrs.field(validator=v.positive)
    unit: str = attrs.field(validator=v.one_of(CLOCK_UNITS))
    basis: str = attrs.field(default="24x7", validator=v.one_of(CLOCK_BASES))
    types: list[str] = attrs.field(factory=list)  # empty: every case type
    severity: str = attrs.field(default="any", validator=v.one_of(SEVERITIES))
    channels: list[str] = attrs.field(factory=list)  # empty: every channel
    # CASE-7: quality objections 7 days, quantity 24 h; domestic 13 / foreign 17 days
    categories: list[str] = attrs.field(factory=list)  # empty: every category
    markets: list[str] = attrs.field(factory=list)  # empty: every market
    pause_states: list[str] = attrs.field(factory=list)
    extension_role: str = attrs.field(validator=v.role)
    max_extensions: int = attrs.field(validator=v.non_negative)
    # a breach of this clock is a penalty event for the case owner (PEN-1 via events)
    penalise: bool = True


@attrs.frozen(kw_only=True)
class HandOffStep:
    """CASE-7 (001 2-B): one station a complaint form passes through, with its own deadline.

    The step's clock starts when the form is handed to it (event ``handoff:<name>``) and stops
    when it is handed to the next step (the last step: at the form's ``end_event``). The
    duration may differ by market (``duration_by_market``, e.g. business 5 days domestic,
    12 foreign)."""

    name: str = attrs.field(validator=attrs.validators.min_len(1))
    label: str
    duration: int = attrs.field(validator=v.positive)
    unit: str = attrs.field(validator=v.one_of(CLOCK_UNITS))
    basis: str = attrs.field(default="24x7", validator=v.one_of(CLOCK_BASES))
    duration_by_market: dict[str, int] = attrs.field(factory=dict)
    # a step's owner is a unit, not the case owner: its breach is not charged by default
    penalise: bool = False

    def duration_for(self, market: str) -> int:
        return self.duration_by_market.get(market, self.duration)


@attrs.frozen(kw_only=True)
class ComplaintFormPolicy:
    """CASE-7 (001 2-B): the complaint form's hand-off chain for ``types`` of case."""

    types: list[str] = attrs.field(factory=list)  # empty: every case type
    end_event: str = "closed"
    steps: list[HandOffStep] = attrs.field(factory=list)

    @steps.validator
    def _unique(self, _: attrs.Attribute[list[HandOffStep]], value: list[HandOffStep]) -> None:
        names = [s.name for s in value]
        if len(set(names)) != len(names):
            raise ValueError(f"hand-off step names must be unique: {names}")
        for step in value:
            if step.basis == "business_hours" and step.unit not in ("hours", "minutes"):
                raise ValueError(f"step {step.name!r}: business_hours basis needs hours/minutes")
            for market, days in step.duration_by_market.items():
                if days <= 0:
                    raise ValueError(f"step {step.name!r}: duration for {market!r} must be > 0")

    def step(self, name: str) -> HandOffStep | None:
        return next((s for s in self.steps if s.name == name), None)


@attrs.frozen(kw_only=True)
class EscalationStep:
    """CASE-6 (003 D7): one step of the escalation chain. The holder of ``position`` (in the
    case's department first) is notified and, with ``reassign``, takes the case over; when
    nobody holds the position, a holder of ``role`` stands in."""

    position: str = attrs.field(validator=attrs.validators.min_len(1))
    role: str = attrs.field(validator=v.role)
    reassign: bool = False


@attrs.frozen(kw_only=True)
class ReturnVisitPolicy:
    """CASE-9 (000 篇四 2.4): after handling (the case is closed) customer service calls the
    customer back (回访) with a satisfaction question within ``duration`` ``unit``."""

    types: list[str] = attrs.field(factory=list)  # empty: every case type
    duration: int = attrs.field(default=2, validator=v.positive)
    unit: str = attrs.field(default="working_days", validator=v.one_of(CLOCK_UNITS))
    basis: str = attrs.field(default="24x7", validator=v.one_of(CLOCK_BASES))
    satisfaction_min: int = attrs.field(default=1, validator=v.positive)
    satisfaction_max: int = attrs.field(default=5, validator=v.positive)


@attrs.frozen
class ApprovalThreshold:
    """CASE-8/X-3: remedies up to ``up_to`` (元, inclusive) need at least ``role``."""

    up_to: str = attrs.field(validator=v.amount)
    role: str = attrs.field(validator=v.role)


@attrs.frozen(kw_only=True)
class CasesPolicy:
    types: list[str]
    categories: list[str]
    channels: list[str]
    demands: list[str]
    remedies: list[str]
    urgencies: list[str]
    non_acceptance_grounds: list[str]
    causes: list[str]
    # CASE-4: reasons that make a case major; loss above major_loss_above makes it major too
    major_reasons: list[str]
    major_loss_above: str = attrs.field(validator=v.amount)
    # CASE-9: after this many customer rejections a general case becomes major
    rejections_until_major: int = attrs.field(validator=v.positive)
    # CASE-8: approval levels by amount; amounts above the last threshold need top_role
    approval_thresholds: list[ApprovalThreshold] = attrs.field()
    top_approval_role: str = attrs.field(validator=v.role)
    # CASE-11: categories that require corrective actions (major cases always do)
    capa_required_categories: list[str] = attrs.field(factory=list)
    capa_due_working_days: int = attrs.field(validator=v.positive)
    # CASE-7: a clock is "due soon" within this many hours of its due time
    due_soon_hours: int = attrs.field(validator=v.non_negative)
    # CASE-6: escalation chain of roles, one step per breach (used when no escalation_steps)
    escalation_chain: list[str] = attrs.field(factory=list)
    # CASE-6: escalation along positions (team lead → manager → regional → operations manager)
    escalation_steps: list[EscalationStep] = attrs.field(factory=list)
    # CASE-7: markets a case belongs to (domestic / foreign) and the intake default
    markets: list[str] = attrs.field(factory=lambda: ["domestic"])
    default_market: str = attrs.field(default="domestic")
    # CASE-7 (001 2-B): the complaint form's hand-offs, each with its own deadline
    complaint_form: ComplaintFormPolicy = attrs.field(factory=ComplaintFormPolicy)
    # CASE-8: the minimum role a remedy kind needs whatever its amount (replace, return…)
    remedy_approval_roles: dict[str, str] = attrs.field(factory=dict)
    # CASE-9: the return visit after handling
    return_visit: ReturnVisitPolicy = attrs.field(factory=ReturnVisitPolicy)
    # CUS-4: complaint priority by customer grade (1 first); ungraded customers get the default
    priority_by_grade: dict[str, int] = attrs.field(factory=dict)
    default_priority: int = attrs.field(default=9, validator=v.positive)
    # RPT: the case types complaint statistics count (a filter; default complaints)
    statistics_types: list[str] = attrs.field(factory=lambda: ["complaint"])
    # CASE-5: roles notified at once of a major case
    major_notify_roles: list[str] = attrs.field(factory=list)
    clocks: list[ClockDefinition] = attrs.field(factory=list)
    # who may accept (CASE-3), assign (CASE-6), judge major (CASE-4) and close (CASE-10) is
    # the permission table's (cases.accept, cases.assign, cases.mark_major, cases.close)
    # CASE-9: failed contact attempts that allow closing without the customer's confirmation
    failed_contacts_to_close: int = attrs.field(validator=v.positive)

    @approval_thresholds.validator
    def _check_thresholds(
        self, _: attrs.Attribute[list[ApprovalThreshold]], value: list[ApprovalThreshold]
    ) -> None:
        amounts = [Decimal(t.up_to) for t in value]
        if amounts != sorted(amounts) or len(set(amounts)) != len(amounts):
            raise ValueError("approval thresholds must be listed by increasing up_to, no ties")

    @clocks.validator
    def _check_clocks(
        self, _: attrs.Attribute[list[ClockDefinition]], value: list[ClockDefinition]
    ) -> None:
        names = [c.name for c in value]
        if len(set(names)) != len(names):
            raise ValueError(f"clock names must be unique: {names}")
        for c in value:
            unknown = set(c.types) - set(self.types)
            if unknown:
                raise ValueError(f"clock {c.name!r} names unknown case types {sorted(unknown)}")
            if c.basis == "business_hours" and c.unit not in ("hours", "minutes"):
                raise ValueError(f"clock {c.name!r}: business_hours basis needs unit hours/minutes")
            unknown = set(c.categories) - set(self.categories)
            if unknown:
                raise ValueError(f"clock {c.name!r} names unknown categories {sorted(unknown)}")
            unknown = set(c.markets) - set(self.markets)
            if unknown:
                raise ValueError(f"clock {c.name!r} names unknown markets {sorted(unknown)}")

    @default_market.validator
    def _check_market(self, _: attrs.Attribute[str], value: str) -> None:
        if value not in self.markets:
            raise ValueError(f"default_market {value!r} is not one of markets {self.markets}")

    @remedy_approval_roles.validator
    def _check_remedy_roles(
        self, _: attrs.Attribute[dict[str, str]], value: dict[str, str]
    ) -> None:
        unknown = set(value) - set(self.remedies)
        if unknown:
            raise ValueError(f"remedy_approval_roles names unknown remedies {sorted(unknown)}")
        for remedy, role in value.items():
            if role not in v.ROLES:
                raise ValueError(f"remedy_approval_roles.{remedy}: unknown role {role!r}")

    @priority_by_grade.validator
    def _check_priorities(self, _: attrs.Attribute[dict[str, int]], value: dict[str, int]) -> None:
        for grade, priority in value.items():
            if priority <= 0:
                raise ValueError(f"priority_by_grade.{grade} must be > 0")

    @statistics_types.validator
    def _check_statistics_types(self, _: attrs.Attribute[list[str]], value: list[str]) -> None:
        unknown = set(value) - set(self.types)
        if unknown:
            raise ValueError(f"statistics_types names unknown case types {sorted(unknown)}")

    def priority_of(self, grade: str | None) -> int:
        """CUS-4: the complaint priority of a customer's grade (lower is handled first)."""
        if grade is None:
            return self.default_priority
        return self.priority_by_grade.get(grade, self.default_priority)

    def unpenalised_clocks(self) -> set[str]:
        """PEN-1/CASE-7: the clocks whose breach is tracked and escalated but not charged to
        the case owner: ``penalise = false`` clocks and complaint-form steps (``form.<step>``)."""
        names = {c.name for c in self.clocks if not c.penalise}
        return names | {f"form.{s.name}" for s in self.complaint_form.steps if not s.penalise}

    def clock(self, name: str) -> ClockDefinition | None:
        return next((c for c in self.clocks if c.name == name), None)

    def approval_role(
        self, amount: Decimal, remedy: str = "", levels: Mapping[str, int] | None = None
    ) -> str:
        """CASE-8/X-3: the level ``amount`` needs; with ``remedy`` and the authority
        ``levels``, the higher of that and the remedy kind's own level
        (``remedy_approval_roles``: a replacement or return needs its level with no amount)."""
        by_amount = self.top_approval_role
        for threshold in self.approval_thresholds:
            if amount <= Decimal(threshold.up_to):
                by_amount = threshold.role
                break
        by_kind = self.remedy_approval_roles.get(remedy)
        if by_kind is None or levels is None:
            return by_amount
        return by_kind if levels[by_kind] > levels[by_amount] else by_amount
