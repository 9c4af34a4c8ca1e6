"""The demo company's visits (VIS-1…VIS-5): each sales adviser plans November and December,
the sales supervisor approves (one plan comes late), the visits are reported — most on time,
some days late (violations through the penalty catalogue, PEN-1), a few never, which the
scheduler's daily sweep flags — with follow-up items, so ``csdomain visits …`` shows real work.

Like the credit story it draws from its own random stream, leaving the rest of the demo as it
was for a seed.
"""

from __future__ import annotations

import contextlib
import functools
import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from csdomain.kernel.dates import add_months
from csdomain.kernel.errors import DomainError
from csdomain.kernel.ids import CustomerId, StaffId
from csdomain.org.model import Staff
from csdomain.surveys.commands import CreateSurvey, RecordResponse
from csdomain.visits.commands import FollowUpItem, PlanVisit, ReportVisit

if TYPE_CHECKING:
    from adapters.bootstrap import App
    from adapters.demo import _Company, _Schedule

_SUMMARIES = (
    "回顾本季度订单，介绍新车型",
    "处理售后投诉回访",
    "了解车队更新计划",
    "节前走访，维护关系",
)
_MET = ("采购经理", "总经理", "车队主管", "财务负责人")


class DemoVisits:
    def __init__(
        self, app: App, company: _Company, seed: int, when: Callable[[date, int, int], datetime]
    ) -> None:
        self.app = app
        self.s = app.services.visits
        self.company = company
        self.rng = random.Random(f"visits-{seed}")
        self.when = when
        self.plans = 0
        self.visits = 0
        self.late = 0

    def plan(
        self,
        customers: Callable[[], list[tuple[CustomerId, StaffId, str]]],
        days: list[date],
        today: date,
        schedule: _Schedule,
    ) -> None:
        """Plans for each month after the first of the history, made in the month before."""
        advisers = self.company.by_position.get("sales_adviser", [])
        supervisor = next(iter(self.company.supervisors.get("sales", [])), None)
        if supervisor is None or not days:
            return
        first = days[0].replace(day=1)
        month = add_months(first, 1)
        while month <= today:
            before = [d for d in days if add_months(month, -1) <= d < month]
            if len(before) >= 3:
                for i, adviser in enumerate(advisers):
                    late = i == 0 and month > add_months(first, 1)  # one late plan
                    day = month if late else before[-2 - i % 2]
                    day = next((d for d in days if d >= day), day)
                    schedule.at(
                        self.when(day, 15, i % 60),
                        functools.partial(
                            self._month, adviser, supervisor, month, customers, days, schedule
                        ),
                    )
            month = add_months(month, 1)
        for day in days:
            schedule.at(self.when(day, 18, 45), self._sweep)

    def _sweep(self) -> None:
        self.s.sweep_late_reports(self.app.services.org.system_account().id)

    def _month(
        self,
        adviser: Staff,
        supervisor: Staff,
        month: date,
        customers: Callable[[], list[tuple[CustomerId, StaffId, str]]],
        days: list[date],
        schedule: _Schedule,
    ) -> None:
        r = self.rng
        label = f"{month:%Y-%m}"
        try:
            plan = self.s.create_plan(adviser.id, label)
        except DomainError:
            return
        mine = [c for c, owner, _ in customers() if owner == adviser.id]
        in_month = [d for d in days if month <= d < add_months(month, 1)] or [month]
        for customer_id in r.sample(mine, min(len(mine), r.randint(3, 5))):
            asked = month + timedelta(days=r.randint(0, 27))  # rest days move
            try:
                self.s.plan_visit(
                    adviser.id,
                    plan.id,
                    PlanVisit(customer_id=customer_id, on=asked, purpose=r.choice(self.purposes)),
                )
            except DomainError:
                continue
        self.s.submit_plan(adviser.id, plan.id)
        self.s.decide_plan(supervisor.id, plan.id, approve=True, note="同意")
        self.plans += 1
        for planned in self.s.check_plan(adviser.id, plan.id).visits:
            roll = r.random()
            if roll < 0.1:
                continue  # never reported: the sweep flags it (VIS-2)
            delay = 0 if roll < 0.75 else r.randint(3, 6)
            later = [d for d in in_month + days if d >= planned.on]
            when = later[min(delay, len(later) - 1)] if later else planned.on
            schedule.at(
                self.when(when, 17, r.randint(0, 59)),
                functools.partial(
                    self._report,
                    adviser,
                    planned.customer_id,
                    planned.on,
                    planned.purpose,
                    planned.id,
                ),
            )

    @property
    def purposes(self) -> list[str]:
        return list(self.app.policy.visits.purposes)

    def _report(
        self, adviser: Staff, customer_id: CustomerId, on: date, purpose: str, planned_id: str
    ) -> None:
        r = self.rng
        follow = [FollowUpItem(text="寄送报价单")] if r.random() < 0.4 else []
        visit = self.s.report_visit(
            adviser.id,
            ReportVisit(
                customer_id=customer_id,
                on=on,
                purpose=purpose,
                people_met=r.choice(_MET),
                summary=r.choice(_SUMMARIES),
                outcome=r.choice(self.app.policy.visits.outcomes),
                planned_visit_id=planned_id,
                follow_ups=follow,
            ),
        )
        self.visits += 1
        self.late += visit.late


class DemoSurvey:
    """SAT-2: the year's satisfaction survey, opened by the general manager early in the last
    full month to the policy's minimum share of the closed customers; most answer within the
    window, mostly satisfied; the GM closes it when the window is over."""

    def __init__(
        self, app: App, company: _Company, seed: int, when: Callable[[date, int, int], datetime]
    ) -> None:
        self.app = app
        self.s = app.services.surveys
        self.gm = company.gm
        self.rng = random.Random(f"survey-{seed}")
        self.when = when
        self.survey_id: str | None = None
        self.responses = 0

    def plan(self, days: list[date], today: date, schedule: _Schedule) -> None:
        month = add_months(today.replace(day=1), -1)
        in_month = [d for d in days if month <= d < today.replace(day=1)]
        if len(in_month) < 12:
            return
        schedule.at(
            self.when(in_month[1], 10, 0), functools.partial(self._open, in_month, schedule)
        )

    def _open(self, in_month: list[date], schedule: _Schedule) -> None:
        day = in_month[1]
        try:
            survey = self.s.create(
                self.gm.id,
                CreateSurvey(
                    title=f"{day.year} 年度客户满意度调查",
                    period_start=date(day.year, 1, 1),
                    period_end=date(day.year, 12, 31),
                ),
            )
        except DomainError:
            return  # no closed customers yet
        self.survey_id = survey.id
        levels = list(self.app.policy.surveys.levels)
        weights = [40, 38, 14, 6, 2][: len(levels)]
        for customer_id in self.s.recipients(self.gm.id, survey.id):
            if self.rng.random() < 0.2:
                continue  # no answer
            level = self.rng.choices(levels, weights)[0]
            answered = in_month[min(len(in_month) - 1, 1 + self.rng.randint(0, 6))]
            command = RecordResponse(customer_id=customer_id, level=level)
            schedule.at(
                self.when(answered, 11, self.rng.randint(0, 59)),
                functools.partial(self._answer, survey.id, command),
            )
        window = timedelta(days=self.app.policy.surveys.collection_days)
        close_on = next((d for d in in_month if d >= day + window), in_month[-1])
        schedule.at(self.when(close_on, 16, 0), functools.partial(self._close, survey.id))

    def _answer(self, survey_id: str, command: RecordResponse) -> None:
        try:
            self.s.record_response(self.gm.id, survey_id, command)
            self.responses += 1
        except DomainError:
            pass  # the window closed first

    def _close(self, survey_id: str) -> None:
        with contextlib.suppress(DomainError):  # not over yet: the reader closes it
            self.s.close(self.gm.id, survey_id)
