"""Penalties under a candidate policy (PEN-1, PEN-2, PEN-3, PEN-5…PEN-9, PEN-11): each recorded
violation's fine, its supervisor's joint share, the sanction a repeat recommends instead, its
recurrences until corrected, and each person's statement of the month.

One window is one calendar month (PEN-2 counts violations per person and month): its
violations are read in one query and walked in recording order, so each one's position in
the person's month is the one the use case saw when it recorded it. Everything is computed by
the functions the use cases record with, under the policy in force and under the candidate:
``penalties.rules.violation_fine``, ``joint_liability`` and ``recommends_sanction``
(``PenaltyService.record_violation``), ``recurrence_days`` (the PEN-3 sweep) and
``month_figures`` (statements and settlement). The statement of a month starts from the
entries recorded in it and replaces what the policy decides: the replayed fines and shares
(as a difference), the replayed recurrences (in place of the recorded ones, under both
policies), PEN-7 sanction fines at the candidate's minimum, then the PEN-6 cap; the excess
carried out of a month is carried into the next window of the same replay (state kept per
replay, keyed by its scope).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time
from decimal import Decimal

import attrs

from csdomain.kernel.calendar import Calendar
from csdomain.kernel.ids import StaffId
from csdomain.kernel.money import Money
from csdomain.org.model import Staff
from csdomain.penalties.model import EntryKind, PenaltyEntry, Statement, Violation
from csdomain.penalties.rules import (
    counted_earlier,
    joint_liability,
    month_figures,
    previous_month,
    recommends_sanction,
    recurrence_days,
    violation_fine,
)
from csdomain.policy.model import Policy
from csdomain.policy_lab.replay import ReplayItem, ReplayScope, Window, WindowResult

MEASURE = "fines (元)"
RECURRENCES = "recurrences (元)"
RECOMMENDATIONS = "sanction recommendations"
STATEMENTS = "statement net (元)"
_KIND_ORDER = {"fines": 0, "recommendation": 1, "recurrence": 2, "statement": 3}


@attrs.frozen
class Outcome:
    """A violation's charges under one policy: the fine, the supervisor's share, the sanction
    recommended (PEN-2 instead of the fine, PEN-9 besides it; "" = none), in words."""

    fine: Money
    joint: Money
    why: str
    rule: str
    recommended: str = ""


def outcome(
    policy: Policy,
    violation: Violation,
    staff: Staff | None,
    prior: list[Violation],
    chosen: Money | None = None,
) -> Outcome:
    """PEN-1/PEN-2/PEN-8/PEN-9 for one recorded violation, given the person's violations of
    the month recorded before it; ``chosen``: the amount recorded for a range type (PEN-9)."""
    zero = Money.zero()
    vt = policy.penalties.violation(violation.code)
    if vt is None:
        return Outcome(zero, zero, "not in the catalogue", "PEN-1")
    position = staff.position if staff is not None else ""
    if vt.positions and position not in vt.positions:
        return Outcome(zero, zero, f"does not apply to {position or 'no position'}", "PEN-1")
    rule = policy.penalties.repeat_rules.get(vt.repeat) if vt.repeat else None
    earlier = counted_earlier(prior, violation.occurred_on, violation.code, rule)
    nth = len(earlier) + 1
    if rule is not None and recommends_sanction(rule, nth):
        why = f"no fine: violation {nth} of the month recommends {rule.recommends}"
        return Outcome(zero, zero, why, "PEN-2", rule.recommends)
    if vt.amount_max and chosen is not None:
        low, high = Money.of(vt.amount), Money.of(vt.amount_max)
        amount = min(max(chosen, low), high)
        why = f"{amount.amount:.2f}"
        if amount != chosen:
            why += f" (chosen {chosen.amount:.2f} is outside {vt.amount}–{vt.amount_max})"
        fine, rule_id = amount, "PEN-9"
    else:
        computed = violation_fine(vt, rule, position, violation.units, nth)
        fine, rule_id = computed.amount, "PEN-2" if rule is not None else "PEN-1"
        why = f"{fine.amount:.2f}"
        if computed.repeated:
            why += (
                f" (violation {computed.nth} of the month, from {computed.threshold}: "
                f"× {computed.multiplier})"
            )
    joint = None
    if staff is not None and staff.supervisor_id is not None:
        joint = joint_liability(vt, fine)
    return Outcome(fine, joint or zero, why, rule_id, vt.recommends)


@attrs.frozen
class Recurrences:
    """PEN-3 under one policy: the days a violation counts again, each at its fine."""

    deadline: date | None
    days: list[date]
    fine: Money

    @property
    def amount(self) -> Decimal:
        return self.fine.amount * len(self.days)

    def words(self) -> str:
        if not self.days:
            return "none" if self.deadline is None else f"none (deadline {self.deadline})"
        return (
            f"{len(self.days)} × {self.fine.amount:.2f} = {self.amount:.2f} "
            f"(deadline {self.deadline})"
        )


def recurrences(
    policy: Policy, calendar: Calendar, violation: Violation, fine: Outcome, until: date
) -> Recurrences:
    """PEN-3: what the sweep books for ``violation`` up to ``until`` under ``policy``: each
    working day after the correction deadline until corrected, at the fine (none without a
    fine: the sweep counts a violation again only when it was fined)."""
    vt = policy.penalties.violation(violation.code)
    if vt is None or not vt.recurs_until_corrected or fine.fine == Money.zero():
        return Recurrences(None, [], fine.fine)
    deadline, days = recurrence_days(
        calendar, vt, violation.occurred_on, violation.corrected_on, until
    )
    return Recurrences(deadline, days, fine.fine)


@attrs.define
class _PersonMonth:
    old: Decimal = Decimal(0)
    new: Decimal = Decimal(0)
    lines: list[str] = attrs.field(factory=list)
    rules: set[str] = attrs.field(factory=set)


@attrs.define
class _Run:
    """One replay's state across its windows: the PEN-6 excess each person carries under
    each policy, the difference of the replayed fines per person and month, and the PEN-3
    recurrences replayed under each policy per person and month (they land in later months)
    with the violations they replace the recorded recurrences of."""

    scope: ReplayScope
    carry_old: dict[StaffId, Money] = attrs.field(factory=dict)
    carry_new: dict[StaffId, Money] = attrs.field(factory=dict)
    pending: dict[tuple[StaffId, str], Decimal] = attrs.field(factory=dict)
    recur_old: dict[tuple[StaffId, str], Decimal] = attrs.field(factory=dict)
    recur_new: dict[tuple[StaffId, str], Decimal] = attrs.field(factory=dict)
    replayed: set[str] = attrs.field(factory=set)
    started: bool = False


def _sanction_fine(
    policy: Policy, in_force: Policy, entry: PenaltyEntry, staff: Staff | None, bonus: Money
) -> Money:
    """PEN-7: a recorded sanction's fine under ``policy``: the whole bonus for a level that
    forfeits it; the candidate's minimum when the in-force minimum was taken; else at least
    the candidate's minimum (a level the candidate lacks keeps the recorded fine)."""
    level = policy.penalties.sanction(entry.sanction)
    if level is None:
        return entry.amount
    if level.forfeits_bonus:
        return bonus

    def minimum(of: Policy) -> Money | None:
        found = of.penalties.sanction(entry.sanction)
        if found is None or found.forfeits_bonus:
            return None
        bases = (staff.base_points if staff is not None else 0) if found.per_base_point else 1
        return Money.of(found.min_fine).times(Decimal(bases))

    new_min = minimum(policy) or Money.zero()
    if minimum(in_force) == entry.amount:
        return new_min
    return max(entry.amount, new_min)


def _statement_words(s: Statement, cap: int) -> str:
    words = (
        f"net {s.total.amount:.2f}: fines {s.fines.amount:.2f}, complaint deducted "
        f"{s.complaint_deducted.amount:.2f} of {s.complaint_due.amount:.2f} (cap {cap} %, "
        f"carried {s.carried_over.amount:.2f})"
    )
    if s.rewards != Money.zero():
        words += f", rewards {s.rewards.amount:.2f}"
    return words + (f", sanctions: {s.sanction}" if s.sanction else "")


class PenaltiesReplayer:
    capability = "penalties"
    title = "Penalties per person and month (PEN-1…PEN-3, PEN-5…PEN-9, PEN-11)"
    notes = (
        "Fines of recorded violations (a range type's recorded amount kept within the "
        "candidate's range, PEN-9), the supervisor's joint share (PEN-8), the sanction a "
        "repeat recommends instead of a fine (PEN-2), and PEN-3 recurrences up to the end of "
        "the period from each violation's correction as recorded; each person's position and "
        "supervisor as they are now.",
        "Each person's month statement from the entries recorded in it: the replayed fines "
        "and shares as a difference (in the month of the violation), the replayed PEN-3 "
        "recurrences in place of those recorded, PEN-7 sanction fines at the candidate's "
        "minimum, PEN-5 loss shares (by base points: no policy number) and PEN-11 rewards as "
        "recorded, then the PEN-6 cap with the excess carried month to month (from the "
        "settled statement before the period); a month is listed when its net differs by "
        "more than the person's fines item shows. Repeat-issue and regional-head charges, "
        "PEN-4 cuts and reversals are kept as recorded.",
    )

    def __init__(self) -> None:
        # one entry per replay in progress (a registered replayer serves every replay)
        self._runs: dict[int, _Run] = {}

    def _run(self, scope: ReplayScope, window: Window) -> _Run:
        run = self._runs.get(id(scope))
        if run is None or run.scope is not scope or window.start <= scope.start:
            run = _Run(scope)
            self._runs[id(scope)] = run
        return run

    def replay(self, scope: ReplayScope, window: Window) -> WindowResult:
        run = self._run(scope, window)
        over = window.end > scope.end  # the last window: the run is over
        try:
            return self._replay(scope, window, run)
        except BaseException:
            over = True  # a failed replay is over too: never keep its unit of work
            raise
        finally:
            if over:
                self._runs.pop(id(scope), None)

    def _replay(self, scope: ReplayScope, window: Window, run: _Run) -> WindowResult:
        result = WindowResult()
        found = scope.uow.violations.list_between(window.start, window.end)
        staff = {s.id: s for s in scope.uow.staff.list()}
        until = min(scope.end, scope.now.date())
        # recording order (the order the use case fined them in); ties keep occurrence order
        ordered = sorted(found, key=lambda v: v.recorded_at)
        so_far: dict[str, list[Violation]] = defaultdict(list)
        people: dict[str, _PersonMonth] = defaultdict(_PersonMonth)
        delta: dict[tuple[StaffId, str], Decimal] = defaultdict(Decimal)
        for violation in ordered:
            person = staff.get(violation.staff_id)
            prior = so_far[violation.staff_id]
            # judged by the version in force on the violation's day, as it was recorded
            in_force = scope.policy_on(violation.occurred_on)
            chosen = self._chosen(scope, in_force, violation)
            old = outcome(in_force, violation, person, prior, chosen)
            new = outcome(scope.candidate, violation, person, prior, chosen)
            prior.append(violation)
            result.compared += 1
            result.add(
                MEASURE, old.fine.amount + old.joint.amount, new.fine.amount + new.joint.amount
            )
            month = window.month
            delta[(violation.staff_id, month)] += new.fine.amount - old.fine.amount
            mine = people[violation.staff_id]
            mine.old += old.fine.amount
            mine.new += new.fine.amount
            if old.fine != new.fine:
                mine.lines.append(
                    f"{violation.code} on {violation.occurred_on}: {old.why} → {new.why}"
                )
                mine.rules.update((old.rule, new.rule))
            if person is not None and person.supervisor_id is not None:
                delta[(person.supervisor_id, month)] += new.joint.amount - old.joint.amount
                boss = people[person.supervisor_id]
                boss.old += old.joint.amount
                boss.new += new.joint.amount
                if old.joint != new.joint:
                    boss.lines.append(
                        f"joint liability for {person.name}'s {violation.code} on "
                        f"{violation.occurred_on}: {old.joint.amount:.2f} → {new.joint.amount:.2f}"
                    )
                    boss.rules.add("PEN-8")
            self._recommendation(result, violation, person, old, new)
            self._recurrences(scope, result, run, violation, person, (in_force, old, new), until)
        for key, amount in delta.items():
            run.pending[key] = run.pending.get(key, Decimal(0)) + amount
        for staff_id, pm in people.items():
            if pm.old == pm.new:
                continue
            result.items.append(
                ReplayItem(
                    capability=self.capability,
                    kind="fines",
                    subject_id=staff_id,
                    subject=_label(staff, staff_id),
                    period=window.month,
                    measure=MEASURE,
                    old_value=pm.old,
                    new_value=pm.new,
                    old=f"{pm.old:.2f}",
                    new=f"{pm.new:.2f}",
                    rule=", ".join(sorted(pm.rules)),
                    detail="; ".join(pm.lines),
                )
            )
        shown = {StaffId(k): pm.new - pm.old for k, pm in people.items()}
        self._statements(scope, window, run, staff, result, shown)
        result.items.sort(key=lambda i: (i.subject, i.subject_id, _KIND_ORDER.get(i.kind, 9)))
        return result

    @staticmethod
    def _chosen(scope: ReplayScope, in_force: Policy, violation: Violation) -> Money | None:
        """PEN-9: the amount recorded for a range type (chosen within its range)."""
        vt = in_force.penalties.violation(violation.code)
        if vt is None or not vt.amount_max:
            return None
        entry = scope.uow.penalty_entries.find_by_source(f"{violation.id}:fine")
        return entry.amount if entry is not None else None

    def _recommendation(
        self,
        result: WindowResult,
        violation: Violation,
        person: Staff | None,
        old: Outcome,
        new: Outcome,
    ) -> None:
        """PEN-2/PEN-9: a sanction recommendation that appears or disappears."""
        if old.recommended or new.recommended:
            result.add(
                RECOMMENDATIONS, Decimal(bool(old.recommended)), Decimal(bool(new.recommended))
            )
        if old.recommended == new.recommended:
            return
        result.items.append(
            ReplayItem(
                capability=self.capability,
                kind="recommendation",
                subject_id=violation.staff_id,
                subject=_label({} if person is None else {person.id: person}, violation.staff_id),
                period=violation.occurred_on.isoformat(),
                measure=RECOMMENDATIONS,
                old_value=Decimal(bool(old.recommended)),
                new_value=Decimal(bool(new.recommended)),
                old=old.recommended or "none",
                new=new.recommended or "none",
                rule=new.rule if new.recommended else old.rule,
                detail=f"{violation.code} on {violation.occurred_on}: {old.why} → {new.why}",
            )
        )

    def _recurrences(
        self,
        scope: ReplayScope,
        result: WindowResult,
        run: _Run,
        violation: Violation,
        person: Staff | None,
        judged: tuple[Policy, Outcome, Outcome],
        until: date,
    ) -> None:
        """PEN-3: the recurrences under both policies; their difference lands in each
        recurrence day's month (a later window's statement)."""
        in_force, old_fine, new_fine = judged
        old = recurrences(in_force, scope.calendar_of(in_force), violation, old_fine, until)
        new = recurrences(
            scope.candidate, scope.calendar_of(scope.candidate), violation, new_fine, until
        )
        run.replayed.add(violation.id)  # its recorded recurrences are replaced by these
        if not old.days and not new.days:
            return
        result.add(RECURRENCES, old.amount, new.amount)
        for days, fine, into in (
            (old.days, old.fine, run.recur_old),
            (new.days, new.fine, run.recur_new),
        ):
            for day in days:
                key = (violation.staff_id, day.strftime("%Y-%m"))
                into[key] = into.get(key, Decimal(0)) + fine.amount
        if old.days == new.days and old.amount == new.amount:
            return
        result.items.append(
            ReplayItem(
                capability=self.capability,
                kind="recurrence",
                subject_id=violation.staff_id,
                subject=_label({} if person is None else {person.id: person}, violation.staff_id),
                period=violation.occurred_on.isoformat(),
                measure=RECURRENCES,
                old_value=old.amount,
                new_value=new.amount,
                old=old.words(),
                new=new.words(),
                rule="PEN-3",
                detail=(
                    f"{violation.code} on {violation.occurred_on}, "
                    + (
                        f"corrected on {violation.corrected_on}"
                        if violation.corrected_on
                        else f"not corrected by {until}"
                    )
                ),
            )
        )

    def _statements(
        self,
        scope: ReplayScope,
        window: Window,
        run: _Run,
        staff: dict[StaffId, Staff],
        result: WindowResult,
        shown: dict[StaffId, Decimal],
    ) -> None:
        """PEN-5/6/7/11: each person's month under both policies, with ``month_figures``.
        A month is listed when its net differs by more than the person's ``fines`` item of
        the window already shows (``shown``), or its PEN-6 carry or PEN-7 sanctions differ."""
        month = window.month
        uow = scope.uow
        if not run.started:
            run.started = True
            carried = dict(uow.statements.carried_over(previous_month(month)))
            run.carry_old, run.carry_new = dict(carried), dict(carried)
        by_staff: dict[StaffId, list[PenaltyEntry]] = defaultdict(list)
        for entry in uow.penalty_entries.list(month=month):
            by_staff[entry.staff_id].append(entry)
        bonuses = {b.staff_id: b.bonus for b in uow.bonuses.list_for_month(month)}
        extra = _take(run.pending, month)
        recur_old, recur_new = _take(run.recur_old, month), _take(run.recur_new, month)
        in_force = scope.policy_on(window.start)
        old_cap = in_force.penalties.complaint_cap_percent
        new_cap = scope.candidate.penalties.complaint_cap_percent
        everyone = (
            by_staff.keys()
            | extra.keys()
            | recur_old.keys()
            | recur_new.keys()
            | run.carry_old.keys()
            | run.carry_new.keys()
        )
        for staff_id in sorted(everyone):
            recorded = by_staff.get(staff_id, [])
            bonus = bonuses.get(staff_id, Money.zero())
            person = staff.get(staff_id)
            # PEN-3: the recurrences of replayed violations, as the sweep would book them
            entries = [
                e
                for e in recorded
                if e.kind != EntryKind.RECURRENCE or e.violation_id not in run.replayed
            ]
            changed: list[PenaltyEntry] = []
            for entry in entries:
                if entry.kind == EntryKind.SANCTION and entry.sanction:
                    fine = _sanction_fine(scope.candidate, in_force, entry, person, bonus)
                    entry = attrs.evolve(entry, amount=fine)
                changed.append(entry)
            sanctioned = any(a.amount != b.amount for a, b in zip(entries, changed, strict=True))
            base = recorded[0] if recorded else _blank(staff_id, month)
            entries += _extra(base, recur_old.get(staff_id), EntryKind.RECURRENCE)
            changed += _extra(base, recur_new.get(staff_id), EntryKind.RECURRENCE)
            changed += _extra(base, extra.get(staff_id), EntryKind.ADJUSTMENT)
            old = month_figures(
                staff_id, month, entries, bonus, run.carry_old.get(staff_id, Money.zero()), old_cap
            )
            new = month_figures(
                staff_id, month, changed, bonus, run.carry_new.get(staff_id, Money.zero()), new_cap
            )
            run.carry_old[staff_id] = old.carried_over
            run.carry_new[staff_id] = new.carried_over
            if old.carried_over == Money.zero():
                del run.carry_old[staff_id]
            if new.carried_over == Money.zero():
                del run.carry_new[staff_id]
            net = new.total.amount - old.total.amount
            if (old.carried_over, old.sanction) == (new.carried_over, new.sanction) and (
                net == shown.get(staff_id, Decimal(0))
            ):
                continue  # the same, or only the fines the window's items list
            rules = ["PEN-6"] if old.complaint_deducted != new.complaint_deducted else []
            if extra.get(staff_id):
                rules.append("PEN-2")
            if recur_old.get(staff_id) != recur_new.get(staff_id):
                rules.append("PEN-3")
            if sanctioned:
                rules.append("PEN-7")
            result.items.append(
                ReplayItem(
                    capability=self.capability,
                    kind="statement",
                    subject_id=staff_id,
                    subject=_label(staff, staff_id),
                    period=month,
                    measure=STATEMENTS,
                    old_value=old.total.amount,
                    new_value=new.total.amount,
                    old=_statement_words(old, old_cap),
                    new=_statement_words(new, new_cap),
                    rule=", ".join(rules) or "PEN-6",
                    detail=f"bonus {bonus.amount:.2f}",
                )
            )


def _take(pending: dict[tuple[StaffId, str], Decimal], month: str) -> dict[StaffId, Decimal]:
    """The amounts of ``month`` per person, removed from ``pending``."""
    found = {who: amount for (who, m), amount in pending.items() if m == month}
    for who in found:
        del pending[(who, month)]
    return found


def _extra(base: PenaltyEntry, amount: Decimal | None, kind: EntryKind) -> list[PenaltyEntry]:
    """A replayed charge of the month as a ledger line (none when it is nothing)."""
    if not amount:
        return []
    return [
        attrs.evolve(
            base,
            kind=kind,
            amount=Money(amount),
            explanation=f"replayed {kind.value} (policy replay)",
            sanction="",
            reverses_id=None,
            id=f"replay-{kind.value}",
        )
    ]


def _blank(staff_id: StaffId, month: str) -> PenaltyEntry:
    day = date.fromisoformat(month + "-01")
    return PenaltyEntry(
        staff_id=staff_id,
        month=month,
        kind=EntryKind.ADJUSTMENT,
        amount=Money.zero(),
        explanation="",
        recorded_at=datetime.combine(day, time(0)),
        recorded_by="policy-replay",
        occurred_on=day,
    )


def _label(staff: dict[StaffId, Staff], staff_id: StaffId | str) -> str:
    person = staff.get(StaffId(staff_id))
    label = str(staff_id) if person is None else person.name
    if person is not None and person.position:
        label += f" ({person.position})"
    return label
