"""Penalty policy (PEN-1…PEN-11, CRD-4): the violation catalogue and the ledger's rules."""

from __future__ import annotations

from decimal import Decimal

import attrs

from csdomain.policy import validators as v

UNITS = ("occurrence", "item", "vehicle_instance", "piece")


@attrs.frozen(kw_only=True)
class RepeatRule:
    """PEN-2: from the Nth violation of a person in a calendar month the fine is multiplied.

    ``from_nth`` maps a position (e.g. ``sales_adviser``) to N; ``default_from_nth`` applies to
    other positions (0 = never). ``scope`` counts ``any`` violation of the person or only the
    ``same_code``."""

    from_nth: dict[str, int] = attrs.field(factory=dict)
    default_from_nth: int = 0
    multiplier: str = attrs.field(validator=v.decimal)
    scope: str = attrs.field(default="any")
    # PEN-2 (004 第11篇): from this Nth violation (0 = never) no fine is charged; the sanction
    # ``recommends`` names is recommended instead, for the policy's authority to decide
    recommend_from_nth: int = attrs.field(default=0, validator=v.non_negative)
    recommends: str = "dismissal"

    @scope.validator
    def _check(self, _: attrs.Attribute[str], value: str) -> None:
        if value not in ("any", "same_code"):
            raise ValueError("scope must be 'any' or 'same_code'")

    def nth_for(self, position: str) -> int:
        return self.from_nth.get(position, self.default_from_nth)


def _factor(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    v.decimal(_, attribute, value)
    if Decimal(value) < 0:
        raise ValueError(f"{attribute.name} must be >= 0, got {value!r}")


@attrs.frozen(kw_only=True)
class ViolationType:
    """PEN-1 one catalogue entry; PEN-3 correction and recurrence; PEN-8 joint liability."""

    code: str
    description: str
    amount: str = attrs.field(validator=v.amount)
    unit: str = attrs.field()
    # positions it applies to (empty: everyone); amount overrides per position
    positions: list[str] = attrs.field(factory=list)
    amount_by_position: dict[str, str] = attrs.field(factory=dict)
    repeat: str = ""  # name of a repeat rule, "" = none
    # PEN-3: not corrected within this many working days it counts again every working day
    correction_working_days: int = 0
    recurs_until_corrected: bool = False
    # PEN-8: the supervisor is charged this factor of the fine ("0" = no joint liability)
    supervisor_factor: str = attrs.field(default="0", validator=v.decimal)
    # the event kind that records it automatically ("" = recorded by hand only)
    source_event: str = ""
    # PEN-9: with ``amount_max`` the amount is a range [amount, amount_max] and the recorder
    # chooses the amount within it ("" = a fixed amount)
    amount_max: str = attrs.field(default="")
    # PEN-9: every violation of this type also recommends this sanction (e.g. "dismissal")
    recommends: str = ""
    # PEN-9: the violation must cite the access-log entry it concerns
    cites_access_log: bool = False
    # PEN-2 (001 制度8): a repeat complaint about the same issue multiplies the fine by this
    # factor ("0" = not counted)
    repeat_issue_factor: str = attrs.field(default="0", validator=_factor)
    # PEN-2 (004 第1篇 第四条): the regional market head of the person is charged this factor
    # × the fine ("0" = nobody else)
    region_head_factor: str = attrs.field(default="0", validator=_factor)
    # PEN-8 (001 制度8): recorded with no direct culprit, the group leader pays
    group_leader_if_no_culprit: bool = False

    @unit.validator
    def _check_unit(self, _: attrs.Attribute[str], value: str) -> None:
        if value not in UNITS:
            raise ValueError(f"unit must be one of {list(UNITS)}, got {value!r}")

    @amount_max.validator
    def _check_range(self, _: attrs.Attribute[str], value: str) -> None:
        if value == "":
            return
        v.amount(self, _, value)
        if Decimal(value) < Decimal(self.amount):
            raise ValueError(f"amount_max {value} is below amount {self.amount}")
        if self.amount_by_position or self.repeat:
            raise ValueError("an amount range takes no amount_by_position or repeat rule")

    def amount_for(self, position: str) -> Decimal:
        return Decimal(self.amount_by_position.get(position, self.amount))


@attrs.frozen(kw_only=True)
class SanctionLevel:
    """PEN-7 (001 2-C(五)): an administrative sanction and the fine it carries: at least
    ``min_fine`` (× the person's base points when ``per_base_point``), or the whole month's
    bonus when ``forfeits_bonus``."""

    name: str
    min_fine: str = attrs.field(default="0.00", validator=v.amount)
    per_base_point: bool = False
    forfeits_bonus: bool = False


@attrs.frozen(kw_only=True)
class PenaltiesPolicy:
    catalogue: list[ViolationType] = attrs.field()
    repeat_rules: dict[str, RepeatRule]
    # PEN-6: complaint deductions per month at most this percent of the monthly bonus
    complaint_cap_percent: int
    # PEN-4: performance-pay cut band in percent
    performance_cut_min_percent: int
    performance_cut_max_percent: int
    # PEN-10: statements by this day of the following month
    settlement_day: int
    # PEN-11: rewards are proposed by this role or above (the proposer is not the acting
    # person, so the permission table cannot say it; who approves is `penalties.reward`)
    reward_proposer_role: str = attrs.field(validator=v.role)
    # one scheduler run (PEN-3 recurrences, PEN-1 violations from events) creates at most
    # this many entries / violations; the next run continues where it stopped
    scheduler_batch: int = attrs.field(validator=v.positive)
    sanctions: list[SanctionLevel] = attrs.field(factory=list)

    @sanctions.validator
    def _check_sanctions(
        self, _: attrs.Attribute[list[SanctionLevel]], value: list[SanctionLevel]
    ) -> None:
        names = [s.name for s in value]
        if len(set(names)) != len(names):
            raise ValueError(f"sanction names must be unique: {names}")
        known = set(names)
        wanted = [
            (f"repeat rule {k!r}", r.recommends)
            for k, r in self.repeat_rules.items()
            if r.recommend_from_nth
        ]
        wanted += [(f"violation {c.code!r}", c.recommends) for c in self.catalogue]
        for where, name in wanted:
            if name and name not in known:
                raise ValueError(f"{where} recommends {name!r}, not a sanction: {sorted(known)}")

    def sanction(self, name: str) -> SanctionLevel | None:
        return next((s for s in self.sanctions if s.name == name), None)

    @catalogue.validator
    def _check(self, _: attrs.Attribute[list[ViolationType]], value: list[ViolationType]) -> None:
        codes = [v.code for v in value]
        if len(set(codes)) != len(codes):
            raise ValueError(f"violation codes must be unique: {codes}")
        for entry in value:
            if entry.repeat and entry.repeat not in self.repeat_rules:
                raise ValueError(
                    f"violation {entry.code!r} names unknown repeat rule {entry.repeat!r}"
                )

    def violation(self, code: str) -> ViolationType | None:
        return next((v for v in self.catalogue if v.code == code), None)
