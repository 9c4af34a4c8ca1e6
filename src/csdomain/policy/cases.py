"""Case policy (CASE-1…CASE-15, SAT-1): clocks, approval thresholds, severity, escalation."""

from __future__ import annotations

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
    pause_states: list[str] = attrs.field(factory=list)
    extension_role: str = attrs.field(validator=v.role)
    max_extensions: int = attrs.field(validator=v.non_negative)
    # a breach of this clock is a penalty event for the case owner (PEN-1 via events)
    penalise: bool = True


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
    # CASE-6: escalation chain, one step per breach
    escalation_chain: list[str] = attrs.field(factory=list)
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

    def clock(self, name: str) -> ClockDefinition | None:
        return next((c for c in self.clocks if c.name == name), None)

    def approval_role(self, amount: Decimal) -> str:
        for threshold in self.approval_thresholds:
            if amount <= Decimal(threshold.up_to):
                return threshold.role
        return self.top_approval_role
