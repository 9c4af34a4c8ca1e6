"""Policy classes. Each field cites the rule it expresses (see docs/policy.md)."""

from __future__ import annotations

import re
from datetime import date, time
from typing import Any

import attrs

from csdomain.customers.identity import is_region
from csdomain.kernel.calendar import BusinessHours
from csdomain.kernel.errors import PermissionDenied
from csdomain.policy import validators as v
from csdomain.policy.cases import CasesPolicy
from csdomain.policy.credit import CreditPolicy
from csdomain.policy.customers import KeyAccountsPolicy, LendingPolicy, RegistersPolicy
from csdomain.policy.penalties import PenaltiesPolicy
from csdomain.policy.permissions import PermissionsPolicy
from csdomain.policy.scheduler import SchedulerPolicy
from csdomain.policy.service import ServiceJobsPolicy, SettlementPolicy
from csdomain.policy.surveys import SurveysPolicy
from csdomain.policy.visits import VisitsPolicy

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_MMDD = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")


def _hhmm(_: Any, attribute: attrs.Attribute[str], value: str) -> None:
    if not _HHMM.match(value):
        raise ValueError(f"{attribute.name} must be HH:MM, got {value!r}")


def _mmdd(_: Any, attribute: attrs.Attribute[str], value: str) -> None:
    if not _MMDD.match(value):
        raise ValueError(f"{attribute.name} must be MM-DD, got {value!r}")
    try:  # a day every year has (no 02-30, 04-31 or 02-29)
        date(2001, int(value[:2]), int(value[3:]))
    except ValueError:
        raise ValueError(f"{attribute.name} must be a day every year has, got {value!r}") from None


def _region(_: Any, attribute: attrs.Attribute[str], value: str) -> None:
    if not is_region(value):
        raise ValueError(
            f"{attribute.name} must be a region code libphonenumber knows (e.g. CN), got {value!r}"
        )


def _time(text: str) -> time:
    hh, mm = text.split(":")
    return time(int(hh), int(mm))


@attrs.frozen
class AuthorityPolicy:
    """X-3: the rank of each role; a decision needs a rank at least the policy's minimum."""

    levels: dict[str, int] = attrs.field()

    @levels.validator
    def _check(self, _: attrs.Attribute[dict[str, int]], value: dict[str, int]) -> None:
        unknown = set(value) - v.ROLES
        if unknown:
            raise ValueError(f"unknown roles {sorted(unknown)}; known: {sorted(v.ROLES)}")
        missing = v.ROLES - set(value)
        if missing:
            raise ValueError(f"every role needs a level; missing {sorted(missing)}")

    def level(self, role: str) -> int:
        return self.levels[role]

    def at_least(self, role: str, minimum: str) -> bool:
        return self.levels[role] >= self.levels[minimum]

    def require(self, role: str, minimum: str, *, decision: str, rule: str = "X-3") -> None:
        """Refuse a decision made by a role below ``minimum`` (X-3)."""
        if not self.at_least(role, minimum):
            raise PermissionDenied(
                f"{decision} needs the authority of {minimum} or above; {role} is not enough",
                rule=rule,
            )


@attrs.frozen
class CalendarPolicy:
    """X-1: the company time zone, business hours and company-specific closures."""

    timezone: str
    business_day_start: str = attrs.field(validator=_hhmm)
    business_day_end: str = attrs.field(validator=_hhmm)
    extra_closed_days: list[date] = attrs.field(factory=list)
    extra_working_days: list[date] = attrs.field(factory=list)

    def __attrs_post_init__(self) -> None:
        if _time(self.business_day_end) <= _time(self.business_day_start):
            raise ValueError("business_day_end must be after business_day_start")

    @property
    def business_hours(self) -> BusinessHours:
        return BusinessHours(_time(self.business_day_start), _time(self.business_day_end))


@attrs.frozen
class ConfidentialityPolicy:
    """X-5: which records are confidential at which level, and who may grant reading them."""

    grant_role: str = attrs.field(validator=v.role)
    # record kind -> "top_secret" | "secret"
    levels: dict[str, str] = attrs.field()

    @levels.validator
    def _check(self, _: attrs.Attribute[dict[str, str]], value: dict[str, str]) -> None:
        bad = {k: v for k, v in value.items() if v not in ("top_secret", "secret")}
        if bad:
            raise ValueError(f"levels must be 'top_secret' or 'secret': {bad}")


@attrs.frozen
class RegistrationPolicy:
    """CUS-1: who may register customers and when daily registers are due."""

    daily_register_due: str = attrs.field(validator=_hhmm)
    daily_register_exception_until: str = attrs.field(validator=_hhmm)
    # CUS-1: the region a phone without a +country code is read in (E.164 identity). The
    # default keeps policy files written before this key loading unchanged.
    phone_region: str = attrs.field(default="CN", validator=_region)


@attrs.frozen
class FileItem:
    code: str
    label: str


@attrs.frozen
class FileKindPolicy:
    """CUS-3: a customer file kind's checklist and its hand-over deadline in working days."""

    label: str
    handover_working_days: int = attrs.field(validator=v.non_negative)
    items: list[FileItem] = attrs.field()

    @items.validator
    def _check(self, _: attrs.Attribute[list[FileItem]], value: list[FileItem]) -> None:
        if not value:
            raise ValueError("a file kind needs at least one checklist item")
        codes = [i.code for i in value]
        if len(set(codes)) != len(codes):
            raise ValueError(f"checklist item codes must be unique: {codes}")

    def item_codes(self) -> list[str]:
        return [i.code for i in self.items]


@attrs.frozen
class GradeBand:
    grade: str
    min_score: int = attrs.field(validator=v.non_negative)


@attrs.frozen
class GradingPolicy:
    """CUS-4: weighted score → grade bands, provisional grades, the annual window, approvers."""

    # criterion -> weight (percent points; they must add up to 100)
    weights: dict[str, int] = attrs.field()
    # highest band first; a score gets the first band whose min_score it reaches
    bands: list[GradeBand] = attrs.field()
    provisional_months: int = attrs.field(validator=v.positive)
    window_start: str = attrs.field(validator=_mmdd)
    window_end: str = attrs.field(validator=_mmdd)
    max_score: int = attrs.field(validator=v.positive)

    @weights.validator
    def _check_weights(self, _: attrs.Attribute[dict[str, int]], value: dict[str, int]) -> None:
        if not value:
            raise ValueError("grading needs at least one weighted criterion")
        if any(w < 0 for w in value.values()):
            raise ValueError("weights must be >= 0")
        if sum(value.values()) != 100:
            raise ValueError(f"weights must add up to 100, they add up to {sum(value.values())}")

    @bands.validator
    def _check_bands(self, _: attrs.Attribute[list[GradeBand]], value: list[GradeBand]) -> None:
        if not value:
            raise ValueError("grading needs at least one band")
        mins = [b.min_score for b in value]
        if mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins):
            raise ValueError("bands must be listed from the highest min_score down, no ties")
        if mins[-1] != 0:
            raise ValueError("the lowest band must start at min_score 0")
        grades = [b.grade for b in value]
        if len(set(grades)) != len(grades):
            raise ValueError("grades must be unique")

    def __attrs_post_init__(self) -> None:
        if self.window_end < self.window_start:
            raise ValueError("window_end must not be before window_start (within one year)")

    def grades(self) -> list[str]:
        return [b.grade for b in self.bands]


@attrs.frozen
class RetentionPolicy:
    """X-6: how long customer files are kept (who requests, reviews and approves a
    destruction is the permission table's ``customers.destruction.*``)."""

    customer_file_years: int = attrs.field(validator=v.positive)


@attrs.frozen
class DeregistrationStep:
    name: str
    role: str = attrs.field(validator=v.role)
    # the step records money settled (finance refunds the balance)
    settles_balance: bool = False
    # the step is the customer's signature (recorded by staff, not approved by rank)
    customer_signature: bool = False


@attrs.frozen
class DeregistrationPolicy:
    """CUS-6: the ordered steps from application to closing the account."""

    steps: list[DeregistrationStep] = attrs.field()

    @steps.validator
    def _check(
        self, _: attrs.Attribute[list[DeregistrationStep]], value: list[DeregistrationStep]
    ) -> None:
        if not value:
            raise ValueError("deregistration needs at least one step")
        names = [s.name for s in value]
        if len(set(names)) != len(names):
            raise ValueError(f"step names must be unique: {names}")


@attrs.frozen
class CustomersPolicy:
    registration: RegistrationPolicy
    files: dict[str, FileKindPolicy] = attrs.field()
    grading: GradingPolicy
    retention: RetentionPolicy
    deregistration: DeregistrationPolicy
    # issue 12: daily registers (CUS-1, CUS-7), file lending (CUS-7), key accounts (CUS-5);
    # optional in a policy file (the defaults are docs/policy.md's)
    registers: RegistersPolicy = attrs.field(factory=RegistersPolicy)
    lending: LendingPolicy = attrs.field(factory=LendingPolicy)
    key_accounts: KeyAccountsPolicy = attrs.field(factory=KeyAccountsPolicy)

    @files.validator
    def _check(
        self, _: attrs.Attribute[dict[str, FileKindPolicy]], value: dict[str, FileKindPolicy]
    ) -> None:
        if not value:
            raise ValueError("at least one customer file kind is needed")

    def __attrs_post_init__(self) -> None:
        grades = self.grading.grades()
        if self.key_accounts.min_grade not in grades:
            raise ValueError(
                f"key_accounts.min_grade {self.key_accounts.min_grade!r} is not a grade of "
                f"customers.grading.bands ({', '.join(grades)})"
            )

    def key_grades(self) -> list[str]:
        """CUS-5: the grades that make a key account, the highest first."""
        grades = self.grading.grades()
        return grades[: grades.index(self.key_accounts.min_grade) + 1]


def _default_earliest() -> date:
    return date(2000, 1, 1)


def _default_latest() -> date:
    return date(2099, 12, 31)


@attrs.frozen
class BoundsPolicy:
    """X-8: the range every date given as input must fall into (sale dates, violation days,
    contract terms, report months…). It keeps working-day arithmetic, months and reports
    inside the years the company's calendar and records cover."""

    earliest_date: date = attrs.field(factory=_default_earliest)
    latest_date: date = attrs.field(factory=_default_latest)

    def __attrs_post_init__(self) -> None:
        if self.latest_date <= self.earliest_date:
            raise ValueError("latest_date must be after earliest_date")
        if self.earliest_date.year < 1000:
            raise ValueError("earliest_date must have a four-digit year (YYYY-MM months)")
        if self.latest_date.year > 9998:
            raise ValueError("latest_date must leave room for date arithmetic (year ≤ 9998)")
        # whole years, so months and the published (OpenAPI) date patterns stay exact
        if (self.earliest_date.month, self.earliest_date.day) != (1, 1):
            raise ValueError("earliest_date must be a 1 January")
        if (self.latest_date.month, self.latest_date.day) != (12, 31):
            raise ValueError("latest_date must be a 31 December")

    @property
    def date_range(self) -> tuple[date, date]:
        return (self.earliest_date, self.latest_date)


@attrs.frozen
class Policy:
    """The whole effective policy. ``version`` is the company's label for this edition."""

    schema: int
    version: str
    name: str
    authority: AuthorityPolicy
    calendar: CalendarPolicy
    confidentiality: ConfidentialityPolicy
    customers: CustomersPolicy
    cases: CasesPolicy
    service_jobs: ServiceJobsPolicy
    settlement: SettlementPolicy
    penalties: PenaltiesPolicy
    # who may do what: every use case's action, roles, scope and separation
    permissions: PermissionsPolicy
    # when the built-in worker runs the periodic actions (issue 11)
    scheduler: SchedulerPolicy
    # issue 8: optional in a policy file (the defaults are the documented range)
    bounds: BoundsPolicy = attrs.field(factory=BoundsPolicy)
    # issue 13: customer credit (CRD-1…CRD-6); the defaults are the seed's numbers
    credit: CreditPolicy = attrs.field(factory=CreditPolicy)
    # issue 14: visits and relationship care (VIS-1…VIS-6)
    visits: VisitsPolicy = attrs.field(factory=VisitsPolicy)
    # issue 14: periodic satisfaction surveys (SAT-2, SAT-3) and SAT-1 reporting
    surveys: SurveysPolicy = attrs.field(factory=SurveysPolicy)
