"""Satisfaction surveys under a candidate policy (SAT-2, SAT-3, SAT-1 reporting).

One window is the periodic surveys whose collection opens in one calendar month, read a
page at a time. Each survey's collection window and deadlines are recomputed from its
opening day by ``surveys.services.survey_dates`` and its checks by ``survey_checks`` — the
functions survey creation and the survey's results use — under the version in force on its
opening day and under the candidate: the share of active customers it went to against
``distribution_min_percent``, the answers collected within ``collection_days``, the return
rate against ``return_rate_min_percent``, the statistics and public reply against their
deadlines (as of the replay's "now" for what is not done yet), and SAT-3: satisfaction below
``target_percent`` raises a corrective action (a case with a CAPA item) or not.

SAT-1 (per-job surveys): the month's completed jobs' ratings counted satisfied by each
policy's ``job_satisfied_levels`` (``job_ratings``, as the SAT-1 report counts them). The
policy sets no SAT-1 target, so the rate is compared, not judged.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from csdomain.policy.model import Policy
from csdomain.policy_lab.replay import ReplayItem, ReplayScope, Window, WindowResult
from csdomain.surveys.model import Survey
from csdomain.surveys.services import (
    SurveyChecks,
    SurveyDates,
    job_ratings,
    percent,
    survey_checks,
    survey_dates,
)

PAGE = 500
BELOW_DISTRIBUTION = "surveys below the distribution minimum"
COLLECTED = "answers collected"
BELOW_RETURN = "surveys below the return-rate minimum"
STATISTICS_LATE = "statistics late"
REPLY_LATE = "public replies late"
CORRECTIVE = "corrective actions (SAT-3)"
JOB_SATISFIED = "job ratings satisfied (SAT-1)"


def _state(missed: bool) -> str:
    return "missed" if missed else "met"


class SurveysReplayer:
    capability = "surveys"
    title = "Satisfaction surveys: SAT-2 checks, SAT-3 corrective actions, SAT-1 ratings"
    notes = (
        "Periodic surveys whose collection opens in the period, their window and deadlines "
        "recomputed from the opening day; answers recorded after a shorter window's last day "
        "are not counted; the statistics and reply as recorded up to the end of the period "
        "(or now). The customers asked and the population are as recorded (a higher minimum "
        "share is reported as missed, not re-sampled). SAT-1: the satisfied share of the "
        "month's per-job ratings (the policy sets no SAT-1 target).",
    )

    def replay(self, scope: ReplayScope, window: Window) -> WindowResult:
        result = WindowResult()
        today = scope.now.date()
        offset = 0
        while window.start <= today:
            page = list(
                scope.uow.surveys.list_opened_between(
                    window.start, window.end, limit=PAGE, offset=offset
                )
            )
            for survey in page:
                if survey.opens_on <= today:
                    self._survey(scope, today, survey, result)
            if len(page) < PAGE:
                break
            offset += len(page)
        self._job_ratings(scope, window, result)
        return result

    # --------------------------------------------------------------- SAT-2, SAT-3
    def _survey(
        self, scope: ReplayScope, today: date, survey: Survey, result: WindowResult
    ) -> None:
        in_force = scope.policy_on(survey.opens_on)  # as the survey's creation judged it
        answers = self._answers(scope, survey, today)
        distributed = scope.uow.survey_recipients.count(survey.id)
        old_dates, old = self._checks(scope, in_force, survey, distributed, answers, today)
        new_dates, new = self._checks(scope, scope.candidate, survey, distributed, answers, today)
        result.compared += 1
        subject = f"{survey.title} ({survey.id})"
        period = survey.opens_on.isoformat()
        old_p, new_p = in_force.surveys, scope.candidate.surveys

        def item(measure: str, rule: str, was: Decimal, now: Decimal, o: str, n: str) -> None:
            result.add(measure, was, now)
            if was == now:
                return
            result.items.append(
                ReplayItem(
                    capability=self.capability,
                    kind=measure,
                    subject_id=survey.id,
                    subject=subject,
                    period=period,
                    measure=measure,
                    old_value=was,
                    new_value=now,
                    old=o,
                    new=n,
                    rule=rule,
                    detail=f"collection opened {period}, {distributed} customers asked of "
                    f"{survey.population} active",
                )
            )

        share = f"{percent(distributed, survey.population)} % of {survey.population}"
        item(
            BELOW_DISTRIBUTION,
            "SAT-2",
            Decimal(int(old.distribution_below_minimum)),
            Decimal(int(new.distribution_below_minimum)),
            f"distributed to {share} (minimum {old_p.distribution_min_percent} %): "
            + _state(old.distribution_below_minimum),
            f"distributed to {share} (minimum {new_p.distribution_min_percent} %): "
            + _state(new.distribution_below_minimum),
        )
        item(
            COLLECTED,
            "SAT-2",
            Decimal(old.returned),
            Decimal(new.returned),
            f"{old.returned} answers by {old_dates.closes_on} ({old_p.collection_days} days)",
            f"{new.returned} answers by {new_dates.closes_on} ({new_p.collection_days} days)",
        )

        def rate(c: SurveyChecks, minimum: int) -> str:
            return (
                f"{c.returned} of {distributed} returned, {percent(c.returned, distributed)} % "
                f"(minimum {minimum} %): {_state(c.return_rate_below_minimum)}"
            )

        item(
            BELOW_RETURN,
            "SAT-2",
            Decimal(int(old.return_rate_below_minimum)),
            Decimal(int(new.return_rate_below_minimum)),
            rate(old, old_p.return_rate_min_percent),
            rate(new, new_p.return_rate_min_percent),
        )
        closed = survey.closed_on if survey.closed_on and survey.closed_on <= today else None
        replied = survey.reply_on if survey.reply_on and survey.reply_on <= today else None
        item(
            STATISTICS_LATE,
            "SAT-2",
            Decimal(int(old.statistics_late)),
            Decimal(int(new.statistics_late)),
            _deadline("statistics", old_dates.statistics_due, closed, old.statistics_late),
            _deadline("statistics", new_dates.statistics_due, closed, new.statistics_late),
        )
        item(
            REPLY_LATE,
            "SAT-2",
            Decimal(int(old.reply_late)),
            Decimal(int(new.reply_late)),
            _deadline("public reply", old_dates.reply_due, replied, old.reply_late),
            _deadline("public reply", new_dates.reply_due, replied, new.reply_late),
        )
        item(
            CORRECTIVE,
            "SAT-3",
            Decimal(int(old.below_target)),
            Decimal(int(new.below_target)),
            _satisfaction(old, old_p.target_percent),
            _satisfaction(new, new_p.target_percent),
        )

    @staticmethod
    def _answers(scope: ReplayScope, survey: Survey, today: date) -> list[tuple[date, str]]:
        """The survey's recorded answers (day, level) up to ``today``, a page at a time."""
        out: list[tuple[date, str]] = []
        offset = 0
        while True:
            page = scope.uow.survey_responses.list_for_survey(survey.id, limit=PAGE, offset=offset)
            out.extend((r.on, r.level) for r in page if r.on <= today)
            if len(page) < PAGE:
                return out
            offset += len(page)

    @staticmethod
    def _checks(
        scope: ReplayScope,
        policy: Policy,
        survey: Survey,
        distributed: int,
        answers: list[tuple[date, str]],
        today: date,
    ) -> tuple[SurveyDates, SurveyChecks]:
        dates = survey_dates(policy.surveys, scope.calendar_of(policy), survey.opens_on)
        stored: dict[str, int] = {}
        for on, level in answers:
            if on <= dates.closes_on:  # SAT-2: collected within the policy's days
                stored[level] = stored.get(level, 0) + 1
        closed = survey.closed_on if survey.closed_on and survey.closed_on <= today else None
        replied = survey.reply_on if survey.reply_on and survey.reply_on <= today else None
        checks = survey_checks(
            policy.surveys,
            population=survey.population,
            distributed=distributed,
            stored=stored,
            statistics_due=dates.statistics_due,
            reply_due=dates.reply_due,
            closed_on=closed,
            reply_on=replied,
            today=today,
        )
        return dates, checks

    # ---------------------------------------------------------------------- SAT-1
    def _job_ratings(self, scope: ReplayScope, window: Window, result: WindowResult) -> None:
        """SAT-1: the month's per-job ratings counted satisfied under both policies."""
        tz = scope.now.tzinfo
        start, end = scope.instants(window)
        if end <= start:
            return
        ratings = old_satisfied = new_satisfied = 0
        candidate = set(scope.candidate.surveys.job_satisfied_levels)
        for job in scope.uow.service_jobs.list_completed_between(start, end):
            if not job.survey or job.completed_at is None:
                continue
            day = job.completed_at.astimezone(tz).date()
            in_force = set(scope.policy_on(day).surveys.job_satisfied_levels)
            rated, old = job_ratings(job.survey, in_force)
            ratings += rated
            old_satisfied += old
            new_satisfied += job_ratings(job.survey, candidate)[1]
        if not ratings:
            return
        result.compared += 1
        result.add(JOB_SATISFIED, Decimal(old_satisfied), Decimal(new_satisfied))
        if old_satisfied == new_satisfied:
            return
        result.items.append(
            ReplayItem(
                capability=self.capability,
                kind="job satisfaction",
                subject_id=window.month,
                subject=f"per-job surveys of {window.month}",
                period=window.month,
                measure=JOB_SATISFIED,
                old_value=Decimal(old_satisfied),
                new_value=Decimal(new_satisfied),
                old=f"{old_satisfied} of {ratings} ratings satisfied "
                f"({percent(old_satisfied, ratings)} %)",
                new=f"{new_satisfied} of {ratings} ratings satisfied "
                f"({percent(new_satisfied, ratings)} %)",
                rule="SAT-1",
                detail="the policy's job_satisfied_levels",
            )
        )


def _deadline(what: str, due: date, done: date | None, late: bool) -> str:
    if done is not None:
        return f"{what} due {due}, done {done}: {'late' if late else 'on time'}"
    return f"{what} due {due}, not done: {'late' if late else 'not yet due'}"


def _satisfaction(c: SurveyChecks, target: int) -> str:
    if not c.returned:
        return f"no answers (target {target} %): no corrective action"
    action = "corrective action" if c.below_target else "no corrective action"
    return (
        f"satisfaction {percent(c.satisfied, c.returned)} % "
        f"({c.satisfied} of {c.returned}, target {target} %): {action}"
    )
