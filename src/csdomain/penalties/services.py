"""Penalty use cases (PEN-1…PEN-11, X-3, X-7).

Amounts are computed once, when an entry is recorded, and each entry carries the words that
explain its computation. Settled months are immutable: anything recorded for a settled month
lands in the next open month as an adjustment.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from datetime import date, timedelta
from decimal import Decimal
from typing import TypeVar

import attrs

from csdomain.authz import Grant, Resource, use_case
from csdomain.cases.model import Case
from csdomain.context import ServiceContext, authorize, record
from csdomain.kernel.bounds import MAX_MONEY, MAX_NAME, MAX_TEXT, parse_month
from csdomain.kernel.calendar import next_working_day_on_or_after
from csdomain.kernel.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from csdomain.kernel.ids import DepartmentId, StaffId
from csdomain.kernel.money import Money
from csdomain.org.model import Staff
from csdomain.penalties.model import (
    Appeal,
    AppealState,
    BonusRecord,
    EntryKind,
    PenaltyEntry,
    RecommendationState,
    SanctionRecommendation,
    SettledMonth,
    Statement,
    Violation,
)
from csdomain.penalties.rules import (
    apportion_loss,
    joint_liability,
    month_figures,
    next_month,
    previous_month,
    recommends_sanction,
    recurrence_days,
)
from csdomain.policy.penalties import PenaltiesPolicy, ViolationType
from csdomain.ports import UnitOfWork

BREACH_EVENT = "case.clock_breached"
T = TypeVar("T")
# issue 15: the day of the violation being judged, so ``PenaltyService.policy`` (used by the
# fine, the repeat rules and the joint shares) is the policy in force that day
_JUDGED_ON: ContextVar[date | None] = ContextVar("csdomain_penalty_judged_on", default=None)


def month_of(day: date) -> str:
    return day.strftime("%Y-%m")


# Unit-of-work lock keys (docs/architecture.md, "Invariants")
def month_lock(month: str) -> str:
    """Settling ``month`` and booking an entry into it (PEN-10)."""
    return f"penalty-month:{month}"


def entry_lock(entry_id: str) -> str:
    """Appeals and reversals of one entry (PEN-10: one open appeal, one reversal)."""
    return f"penalty-entry:{entry_id}"


def open_month(uow: UnitOfWork, month: str) -> str:
    """PEN-10: the month an entry for ``month`` lands in. Months are settled in order, so
    every month up to the latest settled one is closed (settled, or skipped because it had
    nothing to settle): an entry for any of them lands in the month after it."""
    latest = uow.settled_months.latest()
    if latest is not None and month <= latest.month:
        return next_month(latest.month)
    return month


def book_entry(uow: UnitOfWork, entry: PenaltyEntry) -> PenaltyEntry:
    """PEN-10: book ``entry`` in its month, or the next open one if that is closed. Every
    capability charging a person goes through here (complaint losses, CRD-4/CRD-5 credit
    liability), so a charge never lands in a settled month."""
    # settling a month locks it too, so an entry never lands in a month that is being
    # settled; it waits, then sees the month settled and moves to the next open one
    uow.lock(month_lock(entry.month))
    target = open_month(uow, entry.month)
    if target != entry.month:
        uow.lock(month_lock(target))
        target = open_month(uow, entry.month)
    if target != entry.month:
        entry.adjusts_month = entry.month
        entry.month = target
        entry.explanation += f" (for {entry.adjusts_month}, settled: booked as an adjustment)"
    uow.penalty_entries.add(entry)
    return entry


def _check_month(month: str) -> str:
    # strict YYYY-MM (issue 8): "1-01" or "2026-1" never become statement keys
    return parse_month(month, "month", "PEN-10")


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@attrs.frozen
class SettlementRow:
    """PEN-10: one month of the settlement report."""

    month: str
    due_on: date
    settled_on: date | None
    settled_by: StaffId | None
    late: bool


@attrs.frozen
class _LossGroup:
    """PEN-5: a part of a loss and the people who share it by base points."""

    label: str
    loss: Money
    people: builtins.list[tuple[Staff, int]]


@attrs.frozen
class _Extra:
    """What a hand-recorded violation may add to its fine (PEN-2, PEN-8, PEN-9)."""

    amount: Money | None = None
    issue: str = ""
    group_of: Staff | None = None
    access_log_id: str | None = None


@attrs.frozen
class StatementView:
    """A person's statement for a month, settled (stored) or provisional (computed now)."""

    statement: Statement
    settled: bool


class PenaltyService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    @property
    def policy(self) -> PenaltiesPolicy:
        """The penalty rules in force today, or, while a violation is judged, on its day."""
        day = _JUDGED_ON.get()
        return (self.ctx.policy if day is None else self.ctx.policy_at(day)).penalties

    def _person(self, uow: UnitOfWork, staff_id: StaffId, label: str) -> tuple[Staff, Resource]:
        """The penalised (or rewarded) person and the guard's view of their matter: it is
        theirs (scope ``own``), their department's, and they are its subject (X-4)."""
        staff = uow.staff.get(staff_id)
        return staff, Resource.of(
            f"{label} of {staff.name}",
            owners=[staff.id],
            departments=[staff.department_id],
            subjects=[staff.id],
        )

    def _check_as_of(self, as_of: date | None, rule: str) -> date:
        """Scheduler runs never look ahead: a future ``as_of`` would book fines that have not
        happened (and a far-future one ties the worker up)."""
        today = self.ctx.today()
        if as_of is not None and as_of > today:
            raise ValidationError(
                f"must not be later than today ({today.isoformat()})", field="as_of", rule=rule
            )
        return as_of or today

    def _type(self, code: str, day: date | None = None) -> ViolationType:
        """The catalogue entry in force today, or on ``day`` (issue 15: a violation's date)."""
        rules = self.policy if day is None else self.ctx.policy_at(day).penalties
        vt = rules.violation(code)
        if vt is None:
            raise ValidationError(
                f"no violation {code!r} in the catalogue", field="code", rule="PEN-1"
            )
        return vt

    def _add_entry(self, uow: UnitOfWork, entry: PenaltyEntry) -> PenaltyEntry:
        day = _JUDGED_ON.get()
        if day is not None and entry.policy_version is None:  # issue 15: the version used
            entry.policy_version = self.ctx.in_force(day).number
        return book_entry(uow, entry)

    # ----------------------------------------------------------- violations
    @use_case("penalties.record")
    def record_violation(
        self,
        actor_id: StaffId,
        staff_id: StaffId,
        code: str,
        occurred_on: date,
        *,
        units: int = 1,
        evidence: str = "",
        amount: Money | None = None,
        issue: str = "",
        no_culprit: bool = False,
        access_log_id: str | None = None,
    ) -> builtins.list[PenaltyEntry]:
        """PEN-1/2/8/9: record a violation by hand, with evidence, and its fine (and the
        supervisor's joint share). Nobody records their own violation (X-4).

        ``amount``: chosen within the catalogue's range (PEN-9). ``issue``: the customer issue
        a complaint concerns; a repeat of the same issue multiplies the fine (PEN-2,
        001 制度8). ``no_culprit``: no direct culprit was found in ``staff_id``'s group, so
        the group leader pays (PEN-8, 001 制度8). ``access_log_id``: the read a leak concerns
        (PEN-9). A repeat that the rule turns into a sanction (PEN-2 third CS breach) or a type
        that recommends one (PEN-9) records a recommendation (``recommendations``)."""
        vt = self._type(code, occurred_on)
        if units <= 0:
            raise ValidationError("must be > 0", field="units", rule="PEN-1")
        if not evidence.strip():
            raise ValidationError(
                "a violation recorded by hand needs evidence", field="evidence", rule="PEN-1"
            )
        issue = issue.strip()
        if len(issue) > MAX_NAME:
            raise ValidationError(f"at most {MAX_NAME} characters", field="issue", rule="PEN-2")
        if issue and vt.repeat_issue_factor == "0":
            raise ValidationError(
                f"{code} does not count repeat complaints about an issue",
                field="issue",
                rule="PEN-2",
            )
        if no_culprit and not vt.group_leader_if_no_culprit:
            raise ValidationError(
                f"{code} is charged to a culprit; the catalogue does not charge the group leader",
                field="no_culprit",
                rule="PEN-8",
            )
        self._check_chosen_amount(vt, amount)
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "penalties.record")
            member: Staff | None = None
            if no_culprit:
                member = uow.staff.get(staff_id)
                if member.group_leader_id is None:
                    raise ValidationError(
                        f"{member.name} has no group leader to charge (set it on the staff)",
                        field="staff_id",
                        rule="PEN-8",
                    )
                staff_id = member.group_leader_id
            staff, matter = self._person(uow, staff_id, "a violation")
            grant.require(matter, field="staff_id")
            self._check_access_log(uow, vt, staff, access_log_id)
            entries = self._record(
                uow,
                grant.actor.id,
                staff,
                vt,
                occurred_on,
                units,
                evidence,
                extra=_Extra(
                    amount=amount,
                    issue=issue,
                    group_of=member,
                    access_log_id=access_log_id if vt.cites_access_log else None,
                ),
            )
            uow.commit()
            return entries

    def _check_chosen_amount(self, vt: ViolationType, amount: Money | None) -> None:
        """PEN-9: a range type needs an amount within its range; a fixed type takes none."""
        if not vt.amount_max:
            if amount is not None:
                raise ValidationError(
                    f"{vt.code} has a fixed amount ({vt.amount} 元): give no amount",
                    field="amount",
                    rule="PEN-1",
                )
            return
        low, high = Money.of(vt.amount), Money.of(vt.amount_max)
        if amount is None or not low <= amount <= high:
            raise ValidationError(
                f"{vt.code}: choose an amount within {vt.amount}–{vt.amount_max} 元",
                field="amount",
                rule="PEN-9",
            )

    def _check_access_log(
        self, uow: UnitOfWork, vt: ViolationType, staff: Staff, access_log_id: str | None
    ) -> None:
        """PEN-9: a leak cites the access-log entry (X-5) of the read it concerns, a read by
        the person charged."""
        if not vt.cites_access_log:
            if access_log_id is not None:
                raise ValidationError(
                    f"{vt.code} cites no access-log entry", field="access_log_id", rule="PEN-9"
                )
            return
        if access_log_id is None:
            raise ValidationError(
                f"{vt.code} must cite the access-log entry it concerns",
                field="access_log_id",
                rule="PEN-9",
            )
        try:
            read = uow.access_log.get(access_log_id)
        except NotFound:
            raise ValidationError(
                f"no access-log entry {access_log_id}", field="access_log_id", rule="PEN-9"
            ) from None
        if read.reader_id != staff.id:
            raise ValidationError(
                f"access-log entry {access_log_id} is a read by someone else, not {staff.name}",
                field="access_log_id",
                rule="PEN-9",
            )

    def _record(
        self,
        uow: UnitOfWork,
        actor_id: StaffId,
        staff: Staff,
        vt: ViolationType,
        occurred_on: date,
        units: int,
        evidence: str,
        source_key: str | None = None,
        extra: _Extra | None = None,
    ) -> builtins.list[PenaltyEntry]:
        """The violation and its fine in ``uow`` (not committed); ``source_key`` makes an
        automatic source idempotent: the same source event never creates two. The fine and
        the repeat rules are those in force on ``occurred_on`` (issue 15), and its entries
        record that version: a later version never changes how this day is judged."""
        token = _JUDGED_ON.set(occurred_on)
        try:
            vt = self.policy.violation(vt.code) or vt
            return self._record_on(
                uow, actor_id, staff, vt, occurred_on, units, evidence, source_key, extra
            )
        finally:
            _JUDGED_ON.reset(token)

    def _record_on(
        self,
        uow: UnitOfWork,
        actor_id: StaffId,
        staff: Staff,
        vt: ViolationType,
        occurred_on: date,
        units: int,
        evidence: str,
        source_key: str | None,
        extra: _Extra | None,
    ) -> builtins.list[PenaltyEntry]:
        code = vt.code
        extra = extra or _Extra()
        # PEN-2 counts the person's earlier violations in the month (a rule across rows),
        # and a source event becomes one violation only: both under a lock
        keys = [f"penalty-staff-month:{staff.id}:{month_of(occurred_on)}"]
        if source_key is not None:
            keys.append(f"penalty-source:{source_key}")
        if extra.issue:  # PEN-2 (001 制度8): repeats of one issue are counted under a lock
            keys.append(f"penalty-issue:{code}:{extra.issue}")
        uow.lock(*keys)
        if source_key is not None and uow.violations.find_by_source(source_key) is not None:
            return []
        if extra.group_of is None and vt.positions and staff.position not in vt.positions:
            raise ValidationError(
                f"{code} applies to {', '.join(vt.positions)}, not {staff.position or 'none'}",
                field="staff_id",
                rule="PEN-1",
            )
        violation = Violation(
            staff_id=staff.id,
            code=code,
            occurred_on=occurred_on,
            units=units,
            evidence=evidence,
            recorded_by=actor_id,
            recorded_at=self.ctx.now(),
            source_key=source_key,
            issue=extra.issue,
            no_culprit_in_group_of=extra.group_of.id if extra.group_of else None,
            access_log_id=extra.access_log_id,
        )
        entries = self._fine(uow, violation, vt, staff, extra)
        uow.violations.add(violation)
        record(
            uow,
            self.ctx,
            "penalty.violation",
            violation.id,
            actor_id,
            evidence,
            code=code,
            staff_id=staff.id,
            policy_version=str(self.ctx.in_force(occurred_on).number),
        )
        return entries

    def _fine(
        self,
        uow: UnitOfWork,
        violation: Violation,
        vt: ViolationType,
        staff: Staff,
        extra: _Extra | None = None,
    ) -> builtins.list[PenaltyEntry]:
        extra = extra or _Extra()
        month = month_of(violation.occurred_on)
        earlier = [
            v
            for v in uow.violations.list_for_staff_month(staff.id, month)
            if v.occurred_on <= violation.occurred_on
        ]
        rule = self.policy.repeat_rules.get(vt.repeat) if vt.repeat else None
        if rule is not None and rule.scope == "same_code":
            earlier = [v for v in earlier if v.code == vt.code]
        nth = len(earlier) + 1
        if rule is not None and recommends_sanction(rule, nth):
            # PEN-2 (004 第11篇): the third breach of the same rule is not a third fine but a
            # sanction (dismissal) that the policy's authority decides
            self._recommend(
                uow,
                violation,
                staff,
                rule.recommends,
                "PEN-2",
                f"{_ordinal(nth)} {vt.code} in {month}; from the "
                f"{_ordinal(rule.recommend_from_nth)} the rule recommends {rule.recommends}, "
                "not a fine; earlier: "
                + ", ".join(f"{v.code} on {v.occurred_on}" for v in earlier),
            )
            return []
        chosen = extra.amount is not None
        base = extra.amount.amount if extra.amount is not None else vt.amount_for(staff.position)
        multiplier = Decimal(1)
        why = f"{vt.description}: {base:.2f} 元 × {violation.units} {vt.unit}"
        if chosen:
            why += f" (chosen within {vt.amount}–{vt.amount_max} 元, PEN-9)"
        if extra.group_of is not None:
            why += (
                f" (no direct culprit found in {extra.group_of.name}'s group: the group "
                "leader pays, PEN-8)"
            )
        caused: builtins.list[str] = []
        if rule is not None:
            threshold = rule.nth_for(staff.position)
            if threshold and nth >= threshold:
                multiplier = Decimal(rule.multiplier)
                caused = [v.id for v in earlier]
                why += (
                    f" × {rule.multiplier} ({_ordinal(nth)} violation in {month}; the fine "
                    f"multiplies from the {_ordinal(threshold)} for "
                    f"{staff.position or 'this position'}; earlier: "
                    + ", ".join(f"{v.code} on {v.occurred_on}" for v in earlier)
                    + ")"
                )
            else:
                why += f" ({_ordinal(nth)} violation in {month})"
        if extra.issue:
            # PEN-2 (001 制度8): the customer raised the same issue before: the fine doubles
            repeats = uow.violations.list_for_issue(vt.code, extra.issue)
            if repeats:
                multiplier *= Decimal(vt.repeat_issue_factor)
                caused += [v.id for v in repeats]
                why += (
                    f" × {vt.repeat_issue_factor} (the customer raised {extra.issue!r} "
                    f"before: {', '.join(str(v.occurred_on) for v in repeats)}; PEN-2)"
                )
        amount = Money.rounded(base * violation.units * multiplier)
        entry = self._add_entry(
            uow,
            PenaltyEntry(
                staff_id=staff.id,
                month=month,
                kind=EntryKind.VIOLATION,
                amount=amount,
                explanation=f"{why} = {amount.amount:.2f} 元",
                recorded_at=self.ctx.now(),
                recorded_by=violation.recorded_by,
                occurred_on=violation.occurred_on,
                violation_id=violation.id,
                source_key=f"{violation.id}:fine",
                caused_by=caused,
            ),
        )
        entries = [entry, *self._joint(uow, entry, vt, staff), *self._region(uow, entry, vt, staff)]
        if vt.recommends:
            # PEN-9: the serious leaks carry dismissal besides the fine
            self._recommend(
                uow, violation, staff, vt.recommends, "PEN-9", f"{vt.description} ({vt.code})"
            )
        return entries

    def _region(
        self, uow: UnitOfWork, entry: PenaltyEntry, vt: ViolationType, staff: Staff
    ) -> builtins.list[PenaltyEntry]:
        """PEN-2 (004 第1篇 第四条): a complaint neither resolved nor reported that the
        customer escalates penalises the responsible person *and* the regional market head."""
        factor = Decimal(vt.region_head_factor)
        if factor == 0:
            return []
        region = uow.regions.get(staff.region_id) if staff.region_id else None
        if region is None or region.head_id is None:
            raise ValidationError(
                f"{staff.name} has no regional market with a head to charge with {vt.code} "
                "(set the staff member's region and the region's head)",
                field="staff_id",
                rule="PEN-2",
            )
        if region.head_id == staff.id:
            return []  # the head is the responsible person: charged once
        head = uow.staff.get(region.head_id)
        amount = entry.amount.times(factor)
        return [
            self._add_entry(
                uow,
                PenaltyEntry(
                    staff_id=head.id,
                    month=entry.month,
                    kind=EntryKind.REGION_LIABILITY,
                    amount=amount,
                    explanation=(
                        f"regional market head of {region.name} for {staff.name}'s {vt.code}: "
                        f"{vt.region_head_factor} × {entry.amount.amount:.2f} 元 = "
                        f"{amount.amount:.2f} 元 (PEN-2)"
                    ),
                    recorded_at=entry.recorded_at,
                    recorded_by=entry.recorded_by,
                    occurred_on=entry.occurred_on,
                    violation_id=entry.violation_id,
                    source_key=f"{entry.id}:region",
                    caused_by=[entry.id],
                ),
            )
        ]

    def _recommend(
        self,
        uow: UnitOfWork,
        violation: Violation,
        staff: Staff,
        sanction: str,
        rule: str,
        reason: str,
    ) -> SanctionRecommendation:
        recommendation = SanctionRecommendation(
            staff_id=staff.id,
            violation_id=violation.id,
            sanction=sanction,
            rule=rule,
            reason=reason,
            created_at=self.ctx.now(),
        )
        uow.recommendations.add(recommendation)  # one per violation (unique key)
        record(
            uow,
            self.ctx,
            "penalty.sanction_recommended",
            recommendation.id,
            violation.recorded_by,
            reason,
            staff_id=staff.id,
            sanction=sanction,
            rule=rule,
        )
        return recommendation

    def _joint(
        self, uow: UnitOfWork, entry: PenaltyEntry, vt: ViolationType, staff: Staff
    ) -> builtins.list[PenaltyEntry]:
        """PEN-8: the supervisor is charged ``supervisor_factor`` × the subordinate's fine."""
        amount = joint_liability(vt, entry.amount)
        if amount is None or staff.supervisor_id is None:
            return []
        supervisor = uow.staff.get(staff.supervisor_id)
        joint = self._add_entry(
            uow,
            PenaltyEntry(
                staff_id=supervisor.id,
                month=entry.month,
                kind=EntryKind.JOINT_LIABILITY,
                amount=amount,
                explanation=(
                    f"joint liability for {staff.name}'s {vt.code}: {vt.supervisor_factor} "
                    f"× {entry.amount.amount:.2f} 元 = {amount.amount:.2f} 元 (PEN-8)"
                ),
                recorded_at=entry.recorded_at,
                recorded_by=entry.recorded_by,
                occurred_on=entry.occurred_on,
                violation_id=entry.violation_id,
                source_key=f"{entry.id}:joint",
                caused_by=[entry.id],
            ),
        )
        return [joint]

    @use_case("penalties.correct")
    def correct_violation(
        self, actor_id: StaffId, violation_id: str, corrected_on: date
    ) -> Violation:
        """PEN-3: corrected on this day; recurrences stop from it. The penalised person may
        not mark their own violation corrected (X-4): that would stop their own fines."""
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "penalties.correct")
            violation = uow.violations.get(violation_id)
            _, matter = self._person(uow, violation.staff_id, f"violation {violation.id}")
            grant.require(matter)
            if violation.corrected_on is not None:
                raise InvalidTransition("already corrected", rule="PEN-3")
            if corrected_on < violation.occurred_on:
                raise ValidationError(
                    "cannot be before the violation", field="corrected_on", rule="PEN-3"
                )
            violation.corrected_on = corrected_on
            record(
                uow,
                self.ctx,
                "penalty.corrected",
                violation.id,
                actor_id,
                corrected_on=corrected_on.isoformat(),
            )
            uow.commit()
            return violation

    @use_case("scheduler.recurrences")
    def accrue_recurrences(
        self, actor_id: StaffId, as_of: date | None = None
    ) -> builtins.list[PenaltyEntry]:
        """PEN-3: a violation not corrected within its working days counts again, same amount,
        every working day until corrected. Idempotent: one entry per violation and day.

        Run by the scheduler's system account only; ``as_of`` is at most today; one run creates
        at most ``penalties.scheduler_batch`` entries (the next run continues) and is audited."""
        day_limit = self._check_as_of(as_of, "PEN-3")
        batch = self.policy.scheduler_batch
        created: builtins.list[PenaltyEntry] = []
        more = False
        with self.ctx.uow() as uow:
            uow.lock("penalty-recurrences")  # one accrual at a time: each day counts once
            grant = authorize(uow, self.ctx, actor_id, "scheduler.recurrences")
            for violation in uow.violations.list_recurring_open():
                if more:
                    break
                vt = self._type(violation.code)
                if not vt.recurs_until_corrected:
                    continue
                fine = uow.penalty_entries.find_by_source(f"{violation.id}:fine")
                if fine is None:
                    continue
                # PEN-3 through the pure rule the policy replay shares (penalties.rules)
                deadline, days = recurrence_days(
                    self.ctx.calendar, vt, violation.occurred_on, violation.corrected_on, day_limit
                )
                for day in days:
                    key = f"{violation.id}:recur:{day.isoformat()}"
                    if uow.penalty_entries.find_by_source(key) is not None:
                        continue
                    if len(created) >= batch:
                        more = True
                        break
                    entry = self._add_entry(
                        uow,
                        PenaltyEntry(
                            staff_id=violation.staff_id,
                            month=month_of(day),
                            kind=EntryKind.RECURRENCE,
                            amount=fine.amount,
                            explanation=(
                                f"{vt.description} still not corrected on {day} "
                                f"(deadline {deadline}): counts again, "
                                f"{fine.amount.amount:.2f} 元 (PEN-3)"
                            ),
                            recorded_at=self.ctx.now(),
                            recorded_by=grant.actor.id,
                            occurred_on=day,
                            violation_id=violation.id,
                            source_key=key,
                            caused_by=[fine.id],
                        ),
                    )
                    created.append(entry)
            record(
                uow,
                self.ctx,
                "scheduler.recurrences_run",
                day_limit.isoformat(),
                grant.actor.id,
                created=str(len(created)),
                batch=str(batch),
                more=str(more).lower(),
            )
            uow.commit()
        return created

    @use_case("scheduler.violations_from_events")
    def record_from_events(self, actor_id: StaffId) -> builtins.list[PenaltyEntry]:
        """PEN-1 automatic sources: events whose kind a catalogue entry names as its
        ``source_event`` become violations of the event's responsible person, once.

        Run by the scheduler's system account only; one run records at most
        ``penalties.scheduler_batch`` violations (the next run continues) and is audited."""
        by_event = {v.source_event: v for v in self.policy.catalogue if v.source_event}
        batch = self.policy.scheduler_batch
        todo: builtins.list[tuple[str, StaffId, date, int, str]] = []
        with self.ctx.uow() as uow:
            system = authorize(uow, self.ctx, actor_id, "scheduler.violations_from_events").actor
            breach_type = by_event.pop(BREACH_EVENT, None)
            if breach_type is not None:
                # CASE-7 breaches, attributed to the owner at breach time; a clock the
                # policy marks ``penalise = false`` is tracked and escalated but not charged
                unpenalised = self.ctx.policy.cases.unpenalised_clocks()
                for breach in uow.case_breaches.list():
                    if breach.clock in unpenalised:
                        continue
                    key = f"breach:{breach.id}"
                    if uow.violations.find_by_source(key) is None:
                        todo.append(
                            (breach_type.code, breach.owner_id, breach.due_at.date(), 1, key)
                        )
            for kind, vt in by_event.items():
                for event in uow.audit.list(kind=kind):
                    key = f"event:{event.id}"
                    if uow.violations.find_by_source(key) is not None:
                        continue
                    staff_id = StaffId(event.data.get("owner_id") or event.actor_id)
                    units = 1
                    if vt.unit == "item" and event.data.get("missing"):
                        units = len(event.data["missing"].split(","))
                    todo.append((vt.code, staff_id, event.at.date(), units, key))
        created: builtins.list[PenaltyEntry] = []
        recorded = 0
        more = False
        for code, staff_id, day, units, key in todo:
            if recorded >= batch:
                more = True
                break
            # one transaction each, so each sees the earlier ones (PEN-2 counts them)
            with self.ctx.uow() as uow:
                try:
                    staff = uow.staff.get(staff_id)
                    entries = self._record(
                        uow, system.id, staff, self._type(code, day), day, units, f"from {key}", key
                    )
                except (NotFound, ValidationError):
                    # e.g. the event's person no longer matches the code's positions: skipped
                    # without a write, so it never takes a place in the batch
                    continue
                uow.commit()
                recorded += 1
                created.extend(entries)
        with self.ctx.uow() as uow:
            record(
                uow,
                self.ctx,
                "scheduler.violations_from_events_run",
                self.ctx.today().isoformat(),
                system.id,
                created=str(len(created)),
                batch=str(batch),
                more=str(more).lower(),
            )
            uow.commit()
        return created

    # ------------------------------------------------------ complaint losses
    @use_case("penalties.charge_loss")
    def charge_case_loss(
        self,
        actor_id: StaffId,
        case_id: str,
        shares: Sequence[tuple[StaffId, int]] | None = None,
    ) -> builtins.list[PenaltyEntry]:
        """PEN-5: a closed case's loss over the responsible people's base points.

        Without ``shares`` the split comes from the store: the case's CASE-10 responsibility
        (individual fault: 100 % to the one responsible person; joint fault: each responsible
        department's percentage, then within it the responsible people of that department or,
        none named, all its staff, by their base points — the department's total from the
        staff data). ``shares`` (person, base points) overrides it for one group."""
        if shares is not None and (not shares or any(points <= 0 for _, points in shares)):
            raise ValidationError(
                "give each responsible person's base points (> 0)", field="shares", rule="PEN-5"
            )
        with self.ctx.uow() as uow:
            uow.lock(f"penalty-case-loss:{case_id}")  # a case's loss is charged once
            actor = authorize(uow, self.ctx, actor_id, "penalties.charge_loss").actor
            case = uow.cases.get(case_id)
            if case.closed_at is None or case.loss is None:
                raise InvalidTransition(
                    "only a closed case with a recorded loss is charged", rule="PEN-5"
                )
            if shares is not None:
                groups = [_LossGroup("", case.loss, [(uow.staff.get(s), p) for s, p in shares])]
            else:
                groups = self._loss_groups(uow, case.loss, case)
            entries = []
            for group in groups:
                points = [p for _, p in group.people]
                amounts = apportion_loss(group.loss, points)
                total_points = sum(points)
                for (person, p), amount in zip(group.people, amounts, strict=True):
                    key = f"case:{case.id}:loss:{person.id}"
                    if uow.penalty_entries.find_by_source(key) is not None:
                        raise Conflict(
                            f"the loss of case {case.number} was already charged to {person.id}",
                            rule="PEN-5",
                        )
                    entries.append(
                        self._add_entry(
                            uow,
                            PenaltyEntry(
                                staff_id=person.id,
                                month=month_of(case.closed_at.date()),
                                kind=EntryKind.COMPLAINT_LOSS,
                                amount=amount,
                                explanation=(
                                    f"complaint {case.number} loss {case.loss.amount:.2f} 元"
                                    f"{group.label} ÷ {total_points} base points × {p} = "
                                    f"{amount.amount:.2f} 元 (PEN-5; rounded down to the 分, "
                                    "remaining 分 to the largest remainders)"
                                ),
                                recorded_at=self.ctx.now(),
                                recorded_by=actor.id,
                                occurred_on=case.closed_at.date(),
                                source_key=key,
                            ),
                        )
                    )
            record(
                uow, self.ctx, "penalty.case_loss", case.id, actor.id, loss=str(case.loss.amount)
            )
            uow.commit()
            return entries

    def _loss_groups(self, uow: UnitOfWork, loss: Money, case: Case) -> builtins.list[_LossGroup]:
        """PEN-5 from CASE-10: who bears the loss, in groups that each split by base points."""

        def points_of(person: Staff) -> tuple[Staff, int]:
            if person.base_points <= 0:
                raise ValidationError(
                    f"{person.name} has no base points (set them on the staff)",
                    field="base_points",
                    rule="PEN-5",
                )
            return person, person.base_points

        named = [uow.staff.get(s) for s in case.responsible_staff_ids]
        if len(named) == 1:  # individual fault: 100 % to the person (001 2-C(二))
            return [_LossGroup(" (individual fault: 100 %)", loss, [(named[0], 1)])]
        shares = [(str(r["department_id"]), int(str(r["percent"]))) for r in case.responsibilities]
        if not shares:
            if not named:
                raise InvalidTransition(
                    f"case {case.number} records no responsible department or person (CASE-10)",
                    rule="PEN-5",
                )
            return [_LossGroup(" (joint fault)", loss, [points_of(p) for p in named])]
        # joint fault: the CASE-10 percentages, then base points within each department
        everyone = uow.staff.list()
        groups = []
        for (department_id, percent), part in zip(
            shares, loss.allocate([p for _, p in shares]), strict=True
        ):
            department = uow.departments.get(DepartmentId(department_id))
            people = [p for p in named if p.department_id == department_id] or [
                p
                for p in everyone
                if p.department_id == department_id and p.active and p.base_points > 0
            ]
            if not people:
                raise ValidationError(
                    f"{department.name} has no staff with base points to bear its share",
                    field="base_points",
                    rule="PEN-5",
                )
            groups.append(
                _LossGroup(
                    f" × {percent} % ({department.name}, joint fault) = {part.amount:.2f} 元",
                    part,
                    [points_of(p) for p in people],
                )
            )
        return groups

    @use_case("penalties.set_bonus")
    def set_bonus(
        self, actor_id: StaffId, staff_id: StaffId, month: str, bonus: Money
    ) -> BonusRecord:
        """The monthly efficiency bonus, base of the PEN-6 cap; nobody sets their own (X-4)."""
        _check_month(month)
        if bonus.is_negative():
            raise ValidationError("must not be negative", field="bonus", rule="PEN-6")
        with self.ctx.uow() as uow:
            # one bonus base per person and month, and none once the month is settled
            uow.lock(f"penalty-bonus:{staff_id}:{month}", month_lock(month))
            grant = authorize(uow, self.ctx, actor_id, "penalties.set_bonus")
            actor = grant.actor
            _, matter = self._person(uow, staff_id, "the bonus")
            grant.require(matter, field="staff_id")
            latest = uow.settled_months.latest()
            if latest is not None and month <= latest.month:  # settled, or closed by a later one
                raise InvalidTransition(f"{month} is settled", rule="PEN-10")
            existing = uow.bonuses.find(staff_id, month)
            if existing is not None:
                existing.bonus = bonus
                result = existing
            else:
                result = BonusRecord(staff_id=staff_id, month=month, bonus=bonus)
                uow.bonuses.add(result)
            record(
                uow,
                self.ctx,
                "penalty.bonus",
                staff_id,
                actor.id,
                month=month,
                bonus=str(bonus.amount),
            )
            uow.commit()
            return result

    # ----------------------------------------------- PEN-4 cuts, PEN-11 rewards
    @use_case("penalties.performance_cut")
    def performance_cut(
        self,
        actor_id: StaffId,
        staff_id: StaffId,
        month: str,
        percent: int,
        performance_pay: Money,
        reason: str,
    ) -> PenaltyEntry:
        """PEN-4: on repeat offences, the month's performance pay cut within the band; nobody
        decides their own cut (X-4)."""
        p = self.policy
        if not p.performance_cut_min_percent <= percent <= p.performance_cut_max_percent:
            raise ValidationError(
                f"must be {p.performance_cut_min_percent}–{p.performance_cut_max_percent} %",
                field="percent",
                rule="PEN-4",
            )
        if not reason.strip():
            raise ValidationError("must not be empty", field="reason", rule="PEN-4")
        _check_month(month)
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "penalties.performance_cut")
            actor = grant.actor
            _, matter = self._person(uow, staff_id, "the performance pay")
            grant.require(matter, field="staff_id")
            amount = Money.rounded(performance_pay.amount * percent / Decimal(100))
            entry = self._add_entry(
                uow,
                PenaltyEntry(
                    staff_id=staff_id,
                    month=month,
                    kind=EntryKind.PERFORMANCE_CUT,
                    amount=amount,
                    explanation=(
                        f"performance pay {performance_pay.amount:.2f} 元 × {percent} % = "
                        f"{amount.amount:.2f} 元: {reason} (PEN-4, approved by {actor.name})"
                    ),
                    recorded_at=self.ctx.now(),
                    recorded_by=actor.id,
                    occurred_on=date.fromisoformat(month + "-01"),
                ),
            )
            record(
                uow,
                self.ctx,
                "penalty.performance_cut",
                staff_id,
                actor.id,
                reason,
                percent=str(percent),
            )
            uow.commit()
            return entry

    @use_case("penalties.reward")
    def grant_reward(
        self,
        actor_id: StaffId,
        staff_id: StaffId,
        proposed_by: StaffId,
        amount: Money,
        reason: str,
        month: str | None = None,
    ) -> PenaltyEntry:
        """PEN-11: proposed by a group leader (``penalties.reward_proposer_role`` or above),
        approved by the table's role; same ledger, opposite sign. Nobody approves or proposes
        a reward for themselves (X-4)."""
        if amount.is_negative() or amount == Money.zero():
            raise ValidationError("must be > 0", field="amount", rule="PEN-11")
        if not reason.strip():
            raise ValidationError("must not be empty", field="reason", rule="PEN-11")
        target = _check_month(month or month_of(self.ctx.today()))
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "penalties.reward")
            actor = grant.actor
            _, matter = self._person(uow, staff_id, "a reward")
            grant.require(matter, field="staff_id")
            self._check_proposer(grant, uow.staff.get(proposed_by), staff_id)
            entry = self._add_entry(
                uow,
                PenaltyEntry(
                    staff_id=staff_id,
                    month=target,
                    kind=EntryKind.REWARD,
                    amount=-amount,
                    explanation=f"reward {amount.amount:.2f} 元: {reason} (PEN-11)",
                    recorded_at=self.ctx.now(),
                    recorded_by=actor.id,
                    occurred_on=self.ctx.today(),
                ),
            )
            record(
                uow,
                self.ctx,
                "penalty.reward",
                staff_id,
                actor.id,
                reason,
                amount=str(amount.amount),
            )
            uow.commit()
            return entry

    def _check_proposer(self, grant: Grant, proposer: Staff, staff_id: StaffId) -> None:
        """PEN-11: the proposer is not the actor, so the table cannot test them; the policy's
        ``reward_proposer_role`` says who may propose, and nobody proposes their own (X-4)."""
        role = self.policy.reward_proposer_role
        levels = self.ctx.policy.authority.levels
        if not proposer.active or not (
            levels.get(proposer.role, 0) > 0
            and self.ctx.policy.authority.at_least(proposer.role, role)
        ):
            raise PermissionDenied(
                f"{grant.action}: rewards are proposed by {role} or above; {proposer.name} is "
                f"{proposer.role}" + ("" if proposer.active else " (inactive)"),
                rule="PEN-11",
                field="proposed_by",
                action=grant.action,
            )
        if proposer.id == staff_id:
            raise PermissionDenied(
                f"{grant.action}: {proposer.name} may not propose a reward for themselves",
                rule="X-4",
                field="proposed_by",
                action=grant.action,
            )

    # ------------------------------------------------- PEN-7 administrative sanctions
    @use_case("penalties.sanction")
    def impose_sanction(
        self,
        actor_id: StaffId,
        staff_id: StaffId,
        sanction: str,
        month: str,
        reason: str,
        amount: Money | None = None,
    ) -> PenaltyEntry:
        """PEN-7 (001 2-C(五)): an administrative sanction and the fine it carries: at least
        the level's ``min_fine`` (per base point where the level says so; default: the
        minimum), or the whole month's bonus for a level that forfeits it. Nobody sanctions
        themselves (X-4)."""
        _check_month(month)
        if not reason.strip() or len(reason) > MAX_TEXT:
            raise ValidationError(
                f"give a reason (at most {MAX_TEXT} characters)", field="reason", rule="PEN-7"
            )
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "penalties.sanction")
            staff, matter = self._person(uow, staff_id, "a sanction")
            grant.require(matter, field="staff_id")
            entry = self._sanction_entry(uow, grant.actor, staff, sanction, month, reason, amount)
            record(
                uow,
                self.ctx,
                "penalty.sanction",
                entry.id,
                grant.actor.id,
                reason,
                staff_id=staff.id,
                sanction=sanction,
            )
            uow.commit()
            return entry

    def _sanction_entry(
        self,
        uow: UnitOfWork,
        actor: Staff,
        staff: Staff,
        name: str,
        month: str,
        reason: str,
        amount: Money | None,
        source_key: str | None = None,
    ) -> PenaltyEntry:
        level = self.policy.sanction(name)
        if level is None:
            known = ", ".join(s.name for s in self.policy.sanctions)
            raise ValidationError(
                f"no sanction {name!r} in the policy (known: {known})",
                field="sanction",
                rule="PEN-7",
            )
        if level.forfeits_bonus:
            if amount is not None:
                raise ValidationError(
                    f"a {name} forfeits the whole month's bonus: give no amount",
                    field="amount",
                    rule="PEN-7",
                )
            bonus = self._bonus(uow, staff.id, month)
            fine = bonus
            why = f"{name}: the whole bonus of {month}, {bonus.amount:.2f} 元, is forfeited"
        else:
            bases = staff.base_points if level.per_base_point else 1
            if bases <= 0:
                raise ValidationError(
                    f"a {name} is at least {level.min_fine} 元 per base point and "
                    f"{staff.name} has no base points (set them on the staff, PEN-5)",
                    field="staff_id",
                    rule="PEN-7",
                )
            minimum = Money.of(level.min_fine).times(Decimal(bases))
            fine = amount if amount is not None else minimum
            if fine < minimum or fine.amount > MAX_MONEY:
                raise ValidationError(
                    f"a {name} carries a fine of at least {minimum.amount:.2f} 元"
                    + (
                        f" ({level.min_fine} 元 × {bases} base points)"
                        if level.per_base_point
                        else ""
                    ),
                    field="amount",
                    rule="PEN-7",
                )
            why = f"{name}: fine {fine.amount:.2f} 元 (at least {minimum.amount:.2f} 元"
            why += f", {level.min_fine} 元 × {bases} base points)" if level.per_base_point else ")"
        return self._add_entry(
            uow,
            PenaltyEntry(
                staff_id=staff.id,
                month=month,
                kind=EntryKind.SANCTION,
                amount=fine,
                explanation=f"{why}: {reason} (PEN-7, decided by {actor.name})",
                recorded_at=self.ctx.now(),
                recorded_by=actor.id,
                occurred_on=date.fromisoformat(month + "-01"),
                source_key=source_key,
                sanction=name,
            ),
        )

    @use_case("penalties.read")
    def recommendations(
        self, actor_id: StaffId, staff_id: StaffId | None = None, *, open_only: bool = False
    ) -> builtins.list[SanctionRecommendation]:
        """PEN-2/PEN-9 sanction recommendations within the reader's scope of
        ``penalties.read``."""
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "penalties.read")
            if staff_id is not None:
                _, person = self._person(uow, staff_id, "the recommendations")
                grant.require(person, field="staff_id")
                return builtins.list(
                    uow.recommendations.list(staff_id=staff_id, open_only=open_only)
                )
            rows = uow.recommendations.list(open_only=open_only)
            if grant.scope == "all":
                return builtins.list(rows)
            staff = {s.id: s for s in uow.staff.list()}
            return [
                r
                for r in rows
                if r.staff_id == grant.actor.id
                or (
                    grant.scope == "department"
                    and grant.actor.department_id is not None
                    and r.staff_id in staff
                    and staff[r.staff_id].department_id == grant.actor.department_id
                )
            ]

    @use_case("penalties.decide_recommendation")
    def decide_recommendation(
        self, actor_id: StaffId, recommendation_id: str, accept: bool, reason: str
    ) -> SanctionRecommendation:
        """PEN-2/PEN-9: the policy's authority (``penalties.decide_recommendation``) accepts
        or rejects a recommended sanction; accepted, the sanction's fine is booked (PEN-7).
        Decided once; nobody decides their own (X-4)."""
        if not reason.strip() or len(reason) > MAX_TEXT:
            raise ValidationError(
                f"give a reason (at most {MAX_TEXT} characters)", field="reason", rule="PEN-2"
            )
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "penalties.decide_recommendation")
            uow.lock(f"penalty-recommendation:{recommendation_id}")
            rec = uow.recommendations.get(recommendation_id)
            staff, matter = self._person(uow, rec.staff_id, f"recommendation {rec.id}")
            grant.require(matter)
            if rec.state != RecommendationState.OPEN:
                raise InvalidTransition(
                    f"the recommendation was already {rec.state.value}", rule=rec.rule
                )
            if accept:
                violation = uow.violations.get(rec.violation_id)
                self._sanction_entry(
                    uow,
                    grant.actor,
                    staff,
                    rec.sanction,
                    month_of(violation.occurred_on),
                    f"{rec.reason}; {reason}",
                    None,
                    source_key=f"{rec.id}:sanction",
                )
            rec.state = RecommendationState.ACCEPTED if accept else RecommendationState.REJECTED
            rec.decided_by = grant.actor.id
            rec.decided_at = self.ctx.now()
            rec.decision_reason = reason
            record(
                uow,
                self.ctx,
                "penalty.recommendation_decided",
                rec.id,
                grant.actor.id,
                reason,
                decision=rec.state.value,
            )
            uow.commit()
            return rec

    # ---------------------------------------------------------------- appeals
    @use_case("penalties.appeal")
    def appeal(self, actor_id: StaffId, entry_id: str, reason: str) -> Appeal:
        """PEN-10: the penalised person appeals their own entry (scope ``own``)."""
        if not reason.strip():
            raise ValidationError("must not be empty", field="reason", rule="PEN-10")
        with self.ctx.uow() as uow:
            # one open appeal per entry; the unique index is the backstop
            uow.lock(entry_lock(entry_id))
            grant = authorize(uow, self.ctx, actor_id, "penalties.appeal")
            actor = grant.actor
            entry = uow.penalty_entries.get(entry_id)
            grant.require(Resource.of(f"penalty entry {entry.id}", owners=[entry.staff_id]))
            if entry.amount.is_negative() or entry.kind == EntryKind.REVERSAL:
                raise InvalidTransition("only a penalty can be appealed", rule="PEN-10")
            open_appeal = next(
                (
                    a
                    for a in uow.appeals.list(staff_id=actor.id)
                    if a.entry_id == entry_id and a.state == AppealState.OPEN
                ),
                None,
            )
            if open_appeal is not None:
                raise Conflict(
                    f"appeal {open_appeal.id} of this entry is already open",
                    rule="PEN-10",
                    field="entry_id",
                )
            reversal = self._reversal_of(uow, entry)
            if reversal is not None:
                raise InvalidTransition(
                    f"the entry was already reversed by {reversal.id}; it cannot be appealed again",
                    rule="PEN-10",
                    field="entry_id",
                )
            appeal = Appeal(
                entry_id=entry_id, staff_id=actor.id, reason=reason, filed_at=self.ctx.now()
            )
            uow.appeals.add(appeal)
            record(uow, self.ctx, "penalty.appealed", entry_id, actor.id, reason)
            uow.commit()
            return appeal

    @use_case("penalties.decide_appeal")
    def decide_appeal(
        self,
        actor_id: StaffId,
        appeal_id: str,
        decision: AppealState,
        reason: str,
        new_amount: Money | None = None,
    ) -> Appeal:
        """Uphold, reduce or waive: a reversing entry (and for a reduction a new entry) —
        never an edit (X-7). Nobody decides their own appeal (X-4)."""
        if decision == AppealState.OPEN:
            raise ValidationError(
                "decide upheld, reduced or waived", field="decision", rule="PEN-10"
            )
        if not reason.strip():
            raise ValidationError("must not be empty", field="reason", rule="PEN-10")
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "penalties.decide_appeal")
            actor = grant.actor
            appeal = uow.appeals.get(appeal_id)
            # an entry is reversed at most once; the appeal's version refuses a second
            # decision of the same appeal, the lock and the unique index a second reversal
            uow.lock(entry_lock(appeal.entry_id))
            _, matter = self._person(uow, appeal.staff_id, f"appeal {appeal.id}")
            grant.require(matter)
            if appeal.state != AppealState.OPEN:
                raise InvalidTransition("the appeal was already decided", rule="PEN-10")
            entry = uow.penalty_entries.get(appeal.entry_id)
            reversal = self._reversal_of(uow, entry)
            if decision != AppealState.UPHELD and reversal is not None:
                raise InvalidTransition(
                    f"the entry was already reversed by {reversal.id}",
                    rule="PEN-10",
                    field="appeal_id",
                )
            bad_reduction = new_amount is None or not (Money.zero() <= new_amount < entry.amount)
            if decision == AppealState.REDUCED and bad_reduction:
                raise ValidationError(
                    "a reduction gives a new amount below the original",
                    field="new_amount",
                    rule="PEN-10",
                )
            if decision in (AppealState.REDUCED, AppealState.WAIVED):
                self._add_entry(
                    uow,
                    PenaltyEntry(
                        staff_id=entry.staff_id,
                        month=entry.month,
                        kind=EntryKind.REVERSAL,
                        amount=-entry.amount,
                        explanation=(
                            f"reverses {entry.id} after appeal ({decision.value}): {reason}"
                        ),
                        recorded_at=self.ctx.now(),
                        recorded_by=actor.id,
                        occurred_on=entry.occurred_on,
                        reverses_id=entry.id,
                        source_key=f"{appeal.id}:reversal",
                    ),
                )
            if decision == AppealState.REDUCED and new_amount is not None:
                self._add_entry(
                    uow,
                    PenaltyEntry(
                        staff_id=entry.staff_id,
                        month=entry.month,
                        kind=EntryKind.ADJUSTMENT,
                        amount=new_amount,
                        explanation=(
                            f"reduced from {entry.amount.amount:.2f} 元 to "
                            f"{new_amount.amount:.2f} 元 on appeal: {reason}"
                        ),
                        recorded_at=self.ctx.now(),
                        recorded_by=actor.id,
                        occurred_on=entry.occurred_on,
                        source_key=f"{appeal.id}:reduced",
                        caused_by=[entry.id],
                    ),
                )
            appeal.state = decision
            appeal.decided_by = actor.id
            appeal.decided_at = self.ctx.now()
            appeal.decision_reason = reason
            appeal.new_amount = new_amount
            record(
                uow,
                self.ctx,
                "penalty.appeal_decided",
                appeal.id,
                actor.id,
                reason,
                decision=decision.value,
            )
            uow.commit()
            return appeal

    @staticmethod
    def _reversal_of(uow: UnitOfWork, entry: PenaltyEntry) -> PenaltyEntry | None:
        return next(
            (
                e
                for e in uow.penalty_entries.list(staff_id=entry.staff_id)
                if e.reverses_id == entry.id and e.duplicate_of is None
            ),
            None,
        )

    # ------------------------------------------------------------- statements
    def _figures(
        self,
        staff_id: StaffId,
        month: str,
        entries: Sequence[PenaltyEntry],
        bonus: Money,
        carried_in: Money,
    ) -> Statement:
        """One person's month from its entries, bonus and PEN-6 carry: one pass, no I/O, so a
        provisional statement and a settlement of thousands of people compute alike (the
        pure ``rules.month_figures``, which the policy replay shares)."""
        return month_figures(
            staff_id, month, entries, bonus, carried_in, self.policy.complaint_cap_percent
        )

    def _bonus(self, uow: UnitOfWork, staff_id: StaffId, month: str) -> Money:
        bonus = uow.bonuses.find(staff_id, month)
        return bonus.bonus if bonus else Money.zero()

    def _carried_into(self, uow: UnitOfWork, staff_id: StaffId, month: str) -> Money:
        """PEN-6: the excess carried into ``month``, through any number of unsettled months.

        The chain starts at the latest settled month before ``month`` (its stored statement,
        or nothing when the person had none) or, when no month is settled, at the person's
        first month with entries; each unsettled month in between is computed provisionally,
        empty ones included (their bonus still pays an instalment)."""
        settled = uow.settled_months.latest(before=month)
        carry = Money.zero()
        if settled is not None:
            stored = uow.statements.list(month=settled.month, staff_id=staff_id)
            carry = stored[0].carried_over if stored else Money.zero()
            current = next_month(settled.month)
        else:
            months = uow.penalty_entries.months(staff_id=staff_id, before=month)
            if not months:
                return carry
            current = months[0]
        with_entries = set(
            uow.penalty_entries.months(
                staff_id=staff_id, after=previous_month(current), before=month
            )
        )
        while current < month:
            if current in with_entries:
                entries = uow.penalty_entries.list(staff_id=staff_id, month=current)
                carry = self._figures(
                    staff_id, current, entries, self._bonus(uow, staff_id, current), carry
                ).carried_over
            elif carry.amount != 0:
                carry = self._figures(
                    staff_id, current, (), self._bonus(uow, staff_id, current), carry
                ).carried_over
            current = next_month(current)
        return carry

    def _compute(self, uow: UnitOfWork, staff_id: StaffId, month: str) -> Statement:
        """A provisional statement: what settling ``month`` now would issue to the person."""
        entries = uow.penalty_entries.list(staff_id=staff_id, month=month)
        carried_in = self._carried_into(uow, staff_id, month)
        return self._figures(
            staff_id, month, entries, self._bonus(uow, staff_id, month), carried_in
        )

    @use_case("penalties.read")
    def statement(self, actor_id: StaffId, staff_id: StaffId, month: str) -> StatementView:
        """A person's statement, within the reader's scope of ``penalties.read`` (default: staff
        their own, supervisors their department's, managers everyone's)."""
        _check_month(month)
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "penalties.read")
            _, person = self._person(uow, staff_id, "the statement")
            grant.require(person, field="staff_id")
            stored = uow.statements.list(month=month, staff_id=staff_id)
            if stored:
                return StatementView(stored[0], True)
            return StatementView(self._compute(uow, staff_id, month), False)

    def _check_in_order(self, uow: UnitOfWork, month: str) -> None:
        """PEN-6/PEN-10: months are settled in order, so a carry is never lost. Refused: a
        month before the latest settled one, or one whose earlier unsettled months hold
        entries or an open carry (settle those first)."""
        latest = uow.settled_months.latest()
        if latest is not None and month < latest.month:
            raise InvalidTransition(
                f"{month} comes before {latest.month}, already settled: its entries are "
                f"adjustments in {next_month(latest.month)}",
                rule="PEN-10",
            )
        after = latest.month if latest is not None else None
        pending = uow.penalty_entries.months(after=after, before=month)
        if pending:
            raise InvalidTransition(
                f"{pending[0]} has entries and is not settled: settle it before {month}",
                rule="PEN-10",
            )
        if (
            latest is not None
            and next_month(latest.month) != month
            and any(s.carried_over.amount != 0 for s in uow.statements.list(month=latest.month))
        ):
            raise InvalidTransition(
                f"{next_month(latest.month)} carries PEN-6 instalments and is not settled: "
                f"settle it before {month}",
                rule="PEN-10",
            )

    @use_case("penalties.settle")
    def settle_month(self, actor_id: StaffId, month: str) -> builtins.list[Statement]:
        """PEN-10: close a month and issue each person's statement. Re-running returns the same
        statements; a settled month never changes."""
        _check_month(month)
        with self.ctx.uow() as uow:
            # a month is settled once: a concurrent second settlement waits, then returns
            # the same statements; entries being booked into the month wait too
            uow.lock(month_lock(month))
            actor = authorize(uow, self.ctx, actor_id, "penalties.settle").actor
            if uow.settled_months.find(month) is not None:
                return builtins.list(uow.statements.list(month=month))
            if month_of(self.ctx.today()) <= month:
                raise InvalidTransition(f"{month} has not ended yet", rule="PEN-10")
            self._check_in_order(uow, month)
            prev = previous_month(month)
            carries = dict(uow.statements.carried_over(prev))
            by_staff: dict[StaffId, builtins.list[PenaltyEntry]] = {}
            for entry in uow.penalty_entries.list(month=month):  # recording order
                by_staff.setdefault(entry.staff_id, []).append(entry)
            bonuses = {b.staff_id: b.bonus for b in uow.bonuses.list_for_month(month)}
            statements = []
            now = self.ctx.now()
            for staff_id in sorted(by_staff.keys() | carries.keys()):
                statement = self._figures(
                    staff_id,
                    month,
                    by_staff.get(staff_id, []),
                    bonuses.get(staff_id, Money.zero()),
                    carries.get(staff_id, Money.zero()),
                )
                statement.settled_at = now
                statements.append(statement)
            uow.statements.add_many(statements)
            uow.settled_months.add(SettledMonth(month=month, settled_at=now, settled_by=actor.id))
            record(
                uow,
                self.ctx,
                "penalty.month_settled",
                month,
                actor.id,
                statements=str(len(statements)),
            )
            uow.commit()
            return statements

    def _statements_due(self, month: str) -> date:
        """PEN-10 (001 2-B(十二)): ``month``'s statements are due on day ``settlement_day`` of
        the following month (the month's last day if shorter); a day that is not a working day
        on the calendar moves the deadline to the next working day."""
        year, mon = (int(x) for x in next_month(_check_month(month)).split("-"))
        last = (date(year + mon // 12, mon % 12 + 1, 1) - timedelta(days=1)).day
        day = date(year, mon, min(self.policy.settlement_day, last))
        return next_working_day_on_or_after(self.ctx.calendar, day)

    @use_case("penalties.settle")
    def settlement_report(self, actor_id: StaffId) -> builtins.list[SettlementRow]:
        """PEN-10: each month with entries or a settlement, up to last month: when its
        statements were due, when it was settled, and whether that was late (or is overdue
        and still open)."""
        today = self.ctx.today()
        this_month = month_of(today)
        with self.ctx.uow() as uow:
            authorize(uow, self.ctx, actor_id, "penalties.settle")
            settled = {m.month: m for m in uow.settled_months.list()}
            months = sorted(set(uow.penalty_entries.months(before=this_month)) | set(settled))
        rows = []
        for month in months:
            due = self._statements_due(month)
            done = settled.get(month)
            on = done.settled_at.date() if done is not None else None
            late = on > due if on is not None else today > due
            rows.append(SettlementRow(month, due, on, done.settled_by if done else None, late))
        return rows

    @use_case("penalties.export")
    def settled_statements(self, actor_id: StaffId, month: str) -> builtins.list[Statement]:
        """PEN-10: a settled month's statements for the payroll export."""
        _check_month(month)
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "penalties.export")
            if uow.settled_months.find(month) is None:
                raise InvalidTransition(f"{month} is not settled", rule="PEN-10")
            return self._in_scope(uow, grant, lambda **f: uow.statements.list(month=month, **f))

    @use_case("penalties.read")
    def entries(
        self, actor_id: StaffId, staff_id: StaffId | None = None, month: str | None = None
    ) -> builtins.list[PenaltyEntry]:
        """Ledger entries within the reader's scope of ``penalties.read``; one person's when
        ``staff_id`` is given (outside the scope: refused, naming the action)."""
        if month is not None:
            _check_month(month)
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "penalties.read")
            if staff_id is not None:
                _, person = self._person(uow, staff_id, "the entries")
                grant.require(person, field="staff_id")
                return builtins.list(uow.penalty_entries.list(staff_id=staff_id, month=month))
            return self._in_scope(
                uow, grant, lambda **f: uow.penalty_entries.list(month=month, **f)
            )

    def _in_scope(
        self, uow: UnitOfWork, grant: Grant, query: Callable[..., Sequence[T]]
    ) -> builtins.list[T]:
        """X-5 visibility as a repository filter (so pages stay right): ``own`` the reader's
        records, ``department`` those of the reader's department's staff, ``all`` every one."""
        if grant.scope == "all":
            return builtins.list(query())
        if grant.scope == "department" and grant.actor.department_id is not None:
            return builtins.list(query(department_id=grant.actor.department_id))
        return builtins.list(query(staff_id=grant.actor.id))
