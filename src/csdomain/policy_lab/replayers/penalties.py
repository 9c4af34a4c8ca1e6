"""Penalties under a candidate policy (PEN-1, PEN-2, PEN-8): each recorded violation's fine
and its supervisor's joint share, per person and month.

One window is one calendar month (PEN-2 counts violations per person and month): its
violations are read in one query and walked in recording order, so each one's position in
the person's month is the one the use case saw when it recorded it. The fine is computed by
``penalties.rules.violation_fine`` (and ``joint_liability``), the functions
``PenaltyService`` records with, under the policy in force and under the candidate.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import attrs

from csdomain.kernel.ids import StaffId
from csdomain.kernel.money import Money
from csdomain.org.model import Staff
from csdomain.penalties.model import Violation
from csdomain.penalties.rules import counted_earlier, joint_liability, violation_fine
from csdomain.policy.model import Policy
from csdomain.policy_lab.replay import ReplayItem, ReplayScope, Window, WindowResult

MEASURE = "fines (元)"


@attrs.frozen
class Outcome:
    """A violation's charges under one policy: the fine, the supervisor's share, in words."""

    fine: Money
    joint: Money
    why: str
    rule: str


def outcome(
    policy: Policy, violation: Violation, staff: Staff | None, prior: list[Violation]
) -> Outcome:
    """PEN-1/PEN-2/PEN-8 for one recorded violation, given the person's violations of the
    month recorded before it."""
    zero = Money.zero()
    vt = policy.penalties.violation(violation.code)
    if vt is None:
        return Outcome(zero, zero, "not in the catalogue", "PEN-1")
    position = staff.position if staff is not None else ""
    if vt.positions and position not in vt.positions:
        return Outcome(zero, zero, f"does not apply to {position or 'no position'}", "PEN-1")
    rule = policy.penalties.repeat_rules.get(vt.repeat) if vt.repeat else None
    earlier = counted_earlier(prior, violation.occurred_on, violation.code, rule)
    fine = violation_fine(vt, rule, position, violation.units, len(earlier) + 1)
    joint = None
    if staff is not None and staff.supervisor_id is not None:
        joint = joint_liability(vt, fine.amount)
    why = f"{fine.amount.amount:.2f}"
    if fine.repeated:
        why += f" (violation {fine.nth} of the month, from {fine.threshold}: × {fine.multiplier})"
    return Outcome(fine.amount, joint or zero, why, "PEN-2" if rule is not None else "PEN-1")


@attrs.define
class _PersonMonth:
    old: Decimal = Decimal(0)
    new: Decimal = Decimal(0)
    lines: list[str] = attrs.field(factory=list)
    rules: set[str] = attrs.field(factory=set)


class PenaltiesReplayer:
    capability = "penalties"
    title = "Penalties per person and month (PEN-1, PEN-2, PEN-8)"
    notes = (
        "Fines of recorded violations and the supervisor's joint share (PEN-8), each "
        "person's position and supervisor as they are now; PEN-3 recurrences, PEN-5 losses "
        "and rewards are not replayed.",
    )

    def replay(self, scope: ReplayScope, window: Window) -> WindowResult:
        result = WindowResult()
        found = scope.uow.violations.list_between(window.start, window.end)
        if not found:
            return result
        staff = {s.id: s for s in scope.uow.staff.list()}
        # recording order (the order the use case fined them in); ties keep occurrence order
        ordered = sorted(found, key=lambda v: v.recorded_at)
        so_far: dict[str, list[Violation]] = defaultdict(list)
        people: dict[str, _PersonMonth] = defaultdict(_PersonMonth)
        for violation in ordered:
            person = staff.get(violation.staff_id)
            prior = so_far[violation.staff_id]
            # judged by the version in force on the violation's day, as it was recorded
            old = outcome(scope.policy_on(violation.occurred_on), violation, person, prior)
            new = outcome(scope.candidate, violation, person, prior)
            prior.append(violation)
            result.compared += 1
            result.add(
                MEASURE, old.fine.amount + old.joint.amount, new.fine.amount + new.joint.amount
            )
            mine = people[violation.staff_id]
            mine.old += old.fine.amount
            mine.new += new.fine.amount
            if old.fine != new.fine:
                mine.lines.append(
                    f"{violation.code} on {violation.occurred_on}: {old.why} → {new.why}"
                )
                mine.rules.update((old.rule, new.rule))
            if person is not None and person.supervisor_id is not None:
                boss = people[person.supervisor_id]
                boss.old += old.joint.amount
                boss.new += new.joint.amount
                if old.joint != new.joint:
                    boss.lines.append(
                        f"joint liability for {person.name}'s {violation.code} on "
                        f"{violation.occurred_on}: {old.joint.amount:.2f} → {new.joint.amount:.2f}"
                    )
                    boss.rules.add("PEN-8")
        for staff_id, pm in people.items():
            if pm.old == pm.new:
                continue
            person = staff.get(StaffId(staff_id))
            label = staff_id if person is None else person.name
            if person is not None and person.position:
                label += f" ({person.position})"
            result.items.append(
                ReplayItem(
                    capability=self.capability,
                    kind="fines",
                    subject_id=staff_id,
                    subject=label,
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
        result.items.sort(key=lambda i: (i.subject, i.subject_id))
        return result
