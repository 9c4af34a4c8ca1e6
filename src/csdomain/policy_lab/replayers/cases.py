"""Case clocks under a candidate policy (CASE-7): which deadlines breach, and how far each
case escalates.

One window is the cases received in one calendar month, read a page at a time with their
events (one query per page, as the sweep reads them). Each case's clocks are computed by
``cases.clocks.case_clocks`` — the function the case use cases and the sweep use — from its
recorded events up to the replay's "now", under the policy in force and under the candidate;
each breach escalates one step of the policy's chain (``escalation_name``: CASE-6 positions
or roles, as the sweep names them).
"""

from __future__ import annotations

from decimal import Decimal

from csdomain.cases.clocks import ClockState, case_clocks, escalation_name
from csdomain.cases.model import Case, CaseEvent
from csdomain.policy.model import Policy
from csdomain.policy_lab.replay import ReplayItem, ReplayScope, Window, WindowResult

PAGE = 500
BREACHES = "clock breaches"
ESCALATIONS = "escalation steps"


def _states(
    scope: ReplayScope, policy: Policy, case: Case, events: list[CaseEvent]
) -> dict[str, ClockState]:
    states = case_clocks(
        policy,
        scope.calendar_of(policy),
        case.type,
        case.severity.value,
        case.channel,
        events,
        scope.now,
        category=case.category,
        market=case.market,
    )
    return {s.name: s for s in states}


def _words(state: ClockState | None) -> str:
    if state is None:
        return "no such clock"
    due = f" (due {state.due_at:%Y-%m-%d %H:%M})" if state.due_at is not None else ""
    return f"{state.status.value}{due}"


def _steps(policy: Policy, breaches: int) -> list[str]:
    return [escalation_name(policy, level) for level in range(breaches)]


class CaseClocksReplayer:
    capability = "cases"
    title = "Case clocks and escalations (CASE-7)"
    notes = (
        "Cases received in the period, their clocks from the recorded events up to the end "
        "of the period (or now); a case whose events depend on an earlier breach is replayed "
        "with the events it has.",
    )

    def replay(self, scope: ReplayScope, window: Window) -> WindowResult:
        result = WindowResult()
        start, end = scope.instants(window)
        offset = 0
        while True:
            cases = list(
                scope.uow.cases.list(
                    received_from=start, received_before=end, limit=PAGE, offset=offset
                )
            )
            if not cases:
                break
            offset += len(cases)
            events_of = scope.uow.case_events.list_for_cases([c.id for c in cases])
            for case in cases:
                events = [e for e in events_of.get(case.id, []) if e.at <= scope.now]
                self._case(scope, window, case, events, result)
            if len(cases) < PAGE:
                break
        return result

    def _case(
        self,
        scope: ReplayScope,
        window: Window,
        case: Case,
        events: list[CaseEvent],
        result: WindowResult,
    ) -> None:
        in_force = scope.policy_on(case.received_at.date())  # as the use cases judge it
        old = _states(scope, in_force, case, events)
        new = _states(scope, scope.candidate, case, events)
        result.compared += 1
        old_breached = sum(1 for s in old.values() if s.breached)
        new_breached = sum(1 for s in new.values() if s.breached)
        result.add(BREACHES, Decimal(old_breached), Decimal(new_breached))
        day = case.received_at.date().isoformat()
        for name in sorted(set(old) | set(new)):
            before, after = old.get(name), new.get(name)
            was = before is not None and before.breached
            now = after is not None and after.breached
            if was == now:
                continue
            shown = after if after is not None else before
            label = shown.label if shown is not None else name
            result.items.append(
                ReplayItem(
                    capability=self.capability,
                    kind="clock",
                    subject_id=case.id,
                    subject=f"{case.number} {label}",
                    period=day,
                    measure=BREACHES,
                    old_value=Decimal(int(was)),
                    new_value=Decimal(int(now)),
                    old=_words(before),
                    new=_words(after),
                    rule="CASE-7",
                    detail=f"clock {name} of a {case.severity.value} {case.type}",
                )
            )
        old_steps = _steps(in_force, old_breached)
        new_steps = _steps(scope.candidate, new_breached)
        result.add(ESCALATIONS, Decimal(len(old_steps)), Decimal(len(new_steps)))
        if old_steps != new_steps:
            result.items.append(
                ReplayItem(
                    capability=self.capability,
                    kind="escalation",
                    subject_id=case.id,
                    subject=case.number,
                    period=day,
                    measure=ESCALATIONS,
                    old_value=Decimal(len(old_steps)),
                    new_value=Decimal(len(new_steps)),
                    old=" → ".join(old_steps) or "none",
                    new=" → ".join(new_steps) or "none",
                    rule="CASE-7",
                    detail="one step of the escalation chain per breach",
                )
            )
