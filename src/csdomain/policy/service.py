"""Service-job policy (CASE-12, SAT-1) and settlement/exchange policy (CASE-13, CASE-14)."""

from __future__ import annotations

import attrs

from csdomain.policy import validators as v


@attrs.frozen(kw_only=True)
class ZonePolicy:
    """CASE-12: on site within ``hours`` of registration, on a 24x7 or business-hours basis."""

    label: str
    hours: int = attrs.field(validator=v.positive)
    basis: str = attrs.field()

    @basis.validator
    def _check(self, _: attrs.Attribute[str], value: str) -> None:
        if value not in ("24x7", "business_hours"):
            raise ValueError(f"basis must be '24x7' or 'business_hours', got {value!r}")


@attrs.frozen(kw_only=True)
class ServiceJobsPolicy:
    zones: dict[str, ZonePolicy] = attrs.field()
    # work type code -> meaning (A paid, B contract, C free/warranty, D internal)
    work_types: dict[str, str] = attrs.field()
    # work types that are invoiced when paid
    invoiced_work_types: list[str]
    # SAT-1: the survey of every job: items × levels (best first)
    survey_items: list[str]
    survey_levels: list[str]
    # an overdue repair goes to this role (CASE-12 "overdue repair → supervisor")
    overdue_role: str = attrs.field(validator=v.role)
    # who inspects taken-in repairs is the permission table's (jobs.inspect)
    renewal_notice_months: int = attrs.field(validator=v.positive)

    @zones.validator
    def _zones(
        self, _: attrs.Attribute[dict[str, ZonePolicy]], value: dict[str, ZonePolicy]
    ) -> None:
        if not value:
            raise ValueError("at least one zone is needed")

    @work_types.validator
    def _types(self, _: attrs.Attribute[dict[str, str]], value: dict[str, str]) -> None:
        if not value:
            raise ValueError("at least one work type is needed")


@attrs.frozen(kw_only=True)
class SignOffStep:
    name: str
    role: str = attrs.field(validator=v.role)


@attrs.frozen(kw_only=True)
class SettlementPolicy:
    """CASE-13 settlement kinds; CASE-14 the exchange/transfer form's sign-off chain."""

    kinds: list[str]
    exchange_steps: list[SignOffStep] = attrs.field()
    # CASE-13 (001 2-B(十三)): booked returns may exceed the claimed quantity by this percentage
    over_quantity_percent: int = attrs.field(default=0, validator=v.non_negative)

    def max_returned(self, claimed: int) -> int:
        """CASE-13: the most that may be booked against ``claimed`` (rounded down)."""
        return claimed * (100 + self.over_quantity_percent) // 100

    @exchange_steps.validator
    def _steps(self, _: attrs.Attribute[list[SignOffStep]], value: list[SignOffStep]) -> None:
        if not value:
            raise ValueError("the exchange form needs at least one sign-off step")
        names = [s.name for s in value]
        if len(set(names)) != len(names):
            raise ValueError(f"step names must be unique: {names}")
