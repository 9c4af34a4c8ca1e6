"""What-if replay (issue 15, deliverable 3): the recorded history of a period re-evaluated
under a candidate policy, beside the policy in force, without writing anything.

The replay is a plug-in frame. Each capability contributes one :class:`Replayer` (registered
once in ``csdomain.policy_lab.replayers``); the service walks the period month by month and
hands every replayer one :class:`Window` at a time, so each reads its recorded facts in
batches (one month of violations, one page of cases …) and never holds the whole history.
A replayer computes each outcome twice — under the policy in force and under the candidate —
with the *same* pure functions the use cases use (``penalties.rules.violation_fine``,
``cases.clocks.clock_state`` …): a rule has one implementation, so a difference in the report
is a difference of policy, never of code.

Nothing is stored: the whole replay runs in one unit of work that is rolled back (memory:
copies on read; SQL: reads only), and the report is returned, not written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Protocol

import attrs

from csdomain.authz import use_case
from csdomain.context import ServiceContext, authorize
from csdomain.kernel.bounds import bounded, text
from csdomain.kernel.calendar import Calendar
from csdomain.kernel.dates import month_days
from csdomain.kernel.errors import ValidationError
from csdomain.kernel.ids import StaffId
from csdomain.policy.model import Policy
from csdomain.policy_lab.commands import MAX_DOCUMENT
from csdomain.ports import UnitOfWork

# a replay covers at most two years (a technical bound on one request's work, like a
# page size; the rules' numbers stay in the policy)
MAX_REPLAY_DAYS = 731


@attrs.frozen
@bounded
class ReplayPolicy:
    """A replay request as an adapter receives it: the candidate policy document (TOML, read
    by the adapter's parser) and the period ``[start, end]``."""

    document: str = attrs.field(metadata=text(min_length=1, max_length=MAX_DOCUMENT, rule="X-8"))
    start: date
    end: date


Progress = Callable[[int, int, str], None]
"""``progress(done, total, label)``: called after each month of each replayer."""


@attrs.frozen
class Window:
    """One batch of the period: ``[start, end)`` (a calendar month, cut to the period)."""

    month: str  # YYYY-MM
    start: date
    end: date  # exclusive


@attrs.frozen
class ReplayScope:
    """What every replayer reads: the open (never committed) unit of work, both policies,
    the calendar, and the replay's "now" (the end of the period, or the clock's now when
    the period reaches today) for outcomes that depend on time, such as running clocks."""

    uow: UnitOfWork
    in_force: Policy  # the policy in force today
    candidate: Policy
    calendar: Calendar
    start: date
    end: date  # inclusive
    now: datetime
    # issue 15: a decision is judged by the version in force on its event's day (a violation's
    # date, a case's reception); without a history that is ``in_force`` every day
    in_force_at: Callable[[date], Policy] | None = None

    # the candidate's own working days (its [calendar] closures) for every day of the
    # what-if; None: the candidate changes no closure, the calendar in force serves both
    candidate_calendar: Calendar | None = None

    def calendar_of(self, policy: Policy) -> Calendar:
        """The working-day calendar to judge ``policy``'s outcomes by: the candidate's own
        when ``policy`` is the candidate, else the calendar of the versions in force."""
        if policy is self.candidate and self.candidate_calendar is not None:
            return self.candidate_calendar
        return self.calendar

    def instants(self, window: Window) -> tuple[datetime, datetime]:
        """``window`` as company-time instants ``[start, end)``, the end cut to the replay's
        "now" (what happened after it has not happened yet)."""
        tz = self.now.tzinfo
        start = datetime.combine(window.start, time(0), tzinfo=tz)
        return start, min(datetime.combine(window.end, time(0), tzinfo=tz), self.now)

    def policy_on(self, day: date) -> Policy:
        """The policy in force on ``day``: what the recorded decision was judged by."""
        return self.in_force if self.in_force_at is None else self.in_force_at(day)


@attrs.frozen
class ReplayItem:
    """One outcome that differs: who or what, when, old → new, and why."""

    capability: str
    kind: str  # e.g. "fines", "clock", "escalation"
    subject_id: str  # a staff id, a case id …
    subject: str  # readable: a name, a case number
    period: str  # the month (YYYY-MM) or the day it belongs to
    measure: str  # what old/new count: "元", "breaches" …
    old_value: Decimal
    new_value: Decimal
    old: str  # the outcome under the policy in force, in words
    new: str  # under the candidate
    rule: str  # the rule ID deciding it
    detail: str = ""

    @property
    def difference(self) -> Decimal:
        return self.new_value - self.old_value


@attrs.frozen
class ReplayTotal:
    """A capability's sum of one measure over every record it re-evaluated."""

    measure: str
    old: Decimal
    new: Decimal

    @property
    def difference(self) -> Decimal:
        return self.new - self.old


@attrs.define
class WindowResult:
    """What a replayer found in one window: how many records it re-evaluated, the sums of
    each measure under both policies (over all of them) and the items that differ."""

    compared: int = 0
    totals: dict[str, tuple[Decimal, Decimal]] = attrs.field(factory=dict)
    items: list[ReplayItem] = attrs.field(factory=list)

    def add(self, measure: str, old: Decimal, new: Decimal) -> None:
        was_old, was_new = self.totals.get(measure, (Decimal(0), Decimal(0)))
        self.totals[measure] = (was_old + old, was_new + new)


@attrs.frozen
class ReplaySection:
    capability: str
    title: str
    compared: int
    totals: list[ReplayTotal]
    items: list[ReplayItem]
    notes: list[str] = attrs.field(factory=list)

    @property
    def differing(self) -> int:
        return len(self.items)


@attrs.frozen
class ReplayReport:
    start: date
    end: date
    in_force: str  # the policy in force: name and version
    candidate: str
    sections: list[ReplaySection]

    @property
    def differing(self) -> int:
        return sum(s.differing for s in self.sections)

    @property
    def items(self) -> list[ReplayItem]:
        return [item for section in self.sections for item in section.items]


class Replayer(Protocol):
    """One capability's replay, called once per window of the period, in order."""

    @property
    def capability(self) -> str:
        """The registry key, e.g. ``penalties`` (``--only`` takes it)."""
        ...

    @property
    def title(self) -> str: ...

    @property
    def notes(self) -> Sequence[str]:
        """What the replay covers and leaves out, shown with its section."""
        ...

    def replay(self, scope: ReplayScope, window: Window) -> WindowResult: ...


def windows(start: date, end: date) -> list[Window]:
    """The period ``[start, end]`` cut into calendar months (PEN-2 counts per month)."""
    out: list[Window] = []
    day = start
    while day <= end:
        last = month_days(day.strftime("%Y-%m"))[1]
        stop = min(last, end) + timedelta(days=1)
        out.append(Window(day.strftime("%Y-%m"), day, stop))
        day = last + timedelta(days=1)
    return out


def check_period(start: date, end: date) -> None:
    if end < start:
        raise ValidationError("must be on or after the start", field="end", rule="X-8")
    if (end - start).days + 1 > MAX_REPLAY_DAYS:
        raise ValidationError(
            f"a replay covers at most {MAX_REPLAY_DAYS} days", field="end", rule="X-8"
        )


def _label(policy: Policy) -> str:
    return f"{policy.name} (version {policy.version})"


def run_replay(
    scope: ReplayScope, replayers: Sequence[Replayer], progress: Progress | None = None
) -> ReplayReport:
    """Every replayer over every window of the scope's period, in order."""
    parts = windows(scope.start, scope.end)
    total = len(parts) * len(replayers)
    done = 0
    sections: list[ReplaySection] = []
    for replayer in replayers:
        compared = 0
        sums: dict[str, tuple[Decimal, Decimal]] = {}
        items: list[ReplayItem] = []
        for window in parts:
            result = replayer.replay(scope, window)
            compared += result.compared
            items.extend(result.items)
            for measure, (old, new) in result.totals.items():
                was_old, was_new = sums.get(measure, (Decimal(0), Decimal(0)))
                sums[measure] = (was_old + old, was_new + new)
            done += 1
            if progress is not None:
                progress(done, total, f"{replayer.capability} {window.month}")
        sections.append(
            ReplaySection(
                capability=replayer.capability,
                title=replayer.title,
                compared=compared,
                totals=[ReplayTotal(m, old, new) for m, (old, new) in sums.items()],
                items=items,
                notes=list(replayer.notes),
            )
        )
    days = [scope.start, *(w.start for w in parts), scope.end]
    labels = dict.fromkeys(_label(scope.policy_on(day)) for day in days)
    return ReplayReport(
        start=scope.start,
        end=scope.end,
        in_force=", ".join(labels) or _label(scope.in_force),
        candidate=_label(scope.candidate),
        sections=sections,
    )


class ReplayService:
    """``services.replay.replay(...)``: the what-if replay as a use case (``policy.replay``)."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def _candidate_calendar(self, candidate: Policy) -> Calendar | None:
        if candidate.calendar == self.ctx.policy.calendar or self.ctx.calendar_of is None:
            return None
        return self.ctx.calendar_of(candidate.calendar)

    @use_case("policy.replay")
    def replay(
        self,
        actor_id: StaffId,
        candidate: Policy,
        start: date,
        end: date,
        *,
        capabilities: Sequence[str] | None = None,
        progress: Progress | None = None,
    ) -> ReplayReport:
        """Re-evaluate the history of ``[start, end]`` under ``candidate`` beside the policy
        in force and report every outcome that would differ. Writes nothing: the unit of
        work is rolled back, whatever happens."""
        from csdomain.policy_lab.replayers import REPLAYERS

        check_period(start, end)
        chosen = list(REPLAYERS.values())
        if capabilities is not None:
            unknown = sorted(set(capabilities) - set(REPLAYERS))
            if unknown:
                raise ValidationError(
                    f"unknown {unknown}; known: {', '.join(REPLAYERS)}", field="capabilities"
                )
            chosen = [r for name, r in REPLAYERS.items() if name in capabilities]
        now = self.ctx.now()
        end_of_period = datetime.combine(end + timedelta(days=1), time(0), tzinfo=now.tzinfo)
        with self.ctx.uow() as uow:
            authorize(uow, self.ctx, actor_id, "policy.replay")
            scope = ReplayScope(
                uow=uow,
                in_force=self.ctx.policy,
                candidate=candidate,
                calendar=self.ctx.calendar,
                start=start,
                end=end,
                now=min(now, end_of_period),
                in_force_at=self.ctx.policy_at,
                candidate_calendar=self._candidate_calendar(candidate),
            )
            try:
                return run_replay(scope, chosen, progress)
            finally:
                uow.rollback()
