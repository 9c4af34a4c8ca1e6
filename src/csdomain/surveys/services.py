"""Survey use cases: periodic satisfaction surveys (SAT-2), the corrective action when
satisfaction misses the target (SAT-3), and SAT-1 reporting over the per-job surveys.

One response per customer and survey is held by the survey's lock (``survey:<id>``, taken
before the check) and by the unique key (survey, customer) as the backstop; the corrective
action is raised once per survey under the same lock (the stored ``case_id``). See
docs/architecture.md, "Invariants", and docs/surveys.md.
"""

from __future__ import annotations

import builtins
import hashlib
from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

import attrs

from csdomain.authz import Grant, Resource, use_case
from csdomain.cases.commands import ReceiveCase
from csdomain.cases.services import open_case_with_capa, staff_department
from csdomain.context import ServiceContext, authorize, record
from csdomain.customers.model import CustomerStatus
from csdomain.kernel.calendar import Calendar, add_calendar_days, add_working_days
from csdomain.kernel.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    PolicyError,
    ValidationError,
)
from csdomain.kernel.ids import CustomerId, DepartmentId, StaffId
from csdomain.policy.surveys import SurveysPolicy
from csdomain.ports import UnitOfWork
from csdomain.surveys.commands import (
    CreateSurvey,
    PublishReply,
    RaiseCorrectiveAction,
    RecordResponse,
)
from csdomain.surveys.model import (
    CorrectiveAction,
    JobSatisfactionRow,
    Survey,
    SurveyRecipient,
    SurveyResponse,
    SurveyResults,
    SurveyYear,
)

PAGE = 500
GROUPINGS = ("period", "department", "technician")
_TENTH = Decimal("0.1")


@attrs.frozen
class SurveyDates:
    """SAT-2: the last day of collection and the two deadlines counted from it."""

    closes_on: date
    statistics_due: date
    reply_due: date


@attrs.frozen
class SurveyChecks:
    """SAT-2/SAT-3: one survey's counts and rule checks under one policy."""

    counts: dict[str, int]
    returned: int
    satisfied: int
    distribution_below_minimum: bool
    return_rate_below_minimum: bool
    below_target: bool
    statistics_late: bool
    reply_late: bool


def survey_lock(survey_id: str) -> str:
    """Every response to one survey, its closing, reply and corrective action (SAT-2, SAT-3)."""
    return f"survey:{survey_id}"


def percent(part: int, whole: int) -> Decimal:
    """``part`` of ``whole`` in per cent, one decimal, half up (0 of nothing is 0)."""
    if whole <= 0:
        return Decimal("0.0")
    return (Decimal(100 * part) / Decimal(whole)).quantize(_TENTH, rounding=ROUND_HALF_UP)


def below(part: int, whole: int, minimum_percent: int) -> bool:
    """Exactly: is ``part / whole`` below ``minimum_percent`` %? (no rounding)"""
    return 100 * part < minimum_percent * whole


def _pick(survey_id: str, customers: builtins.list[CustomerId], n: int) -> list[CustomerId]:
    """``n`` customers chosen deterministically for the survey: ordered by a hash of the
    survey id and the customer id (the same survey always picks the same customers)."""

    def rank(cid: CustomerId) -> bytes:
        return hashlib.blake2b(f"{survey_id}:{cid}".encode(), digest_size=16).digest()

    return sorted(sorted(customers, key=rank)[:n])


def after(policy: SurveysPolicy, calendar: Calendar, day: date, days: int) -> date:
    """``days`` later in the policy's ``day_unit`` (calendar days land on a working day)."""
    if policy.day_unit == "working_days":
        return add_working_days(calendar, day, days)
    return add_calendar_days(calendar, day, days)


def survey_dates(policy: SurveysPolicy, calendar: Calendar, opens_on: date) -> SurveyDates:
    """SAT-2: a survey opened on ``opens_on`` collects for ``collection_days`` (the last day
    of collection is ``closes_on``); its statistics are due ``statistics_days`` and its
    public reply ``reply_days`` after that. Shared by creation and the replay (issue 15)."""
    closes_on = after(policy, calendar, opens_on, policy.collection_days - 1)
    return SurveyDates(
        closes_on=closes_on,
        statistics_due=after(policy, calendar, closes_on, policy.statistics_days),
        reply_due=after(policy, calendar, closes_on, policy.reply_days),
    )


def survey_checks(
    policy: SurveysPolicy,
    *,
    population: int,
    distributed: int,
    stored: dict[str, int],
    statistics_due: date,
    reply_due: date,
    closed_on: date | None,
    reply_on: date | None,
    today: date,
) -> SurveyChecks:
    """SAT-2/SAT-3: every rule check of one survey from its counts (``stored``: responses per
    level) and dates, as of ``today`` for what is not done yet. Exact fractions (``below``).
    Shared by the survey's results and the replay (issue 15)."""
    counts = {level: stored.get(level, 0) for level in policy.levels}
    for level, n in stored.items():  # a level the policy no longer lists still counts
        counts.setdefault(level, n)
    returned = sum(counts.values())
    satisfied = sum(counts.get(level, 0) for level in policy.satisfied_levels)
    return SurveyChecks(
        counts=counts,
        returned=returned,
        satisfied=satisfied,
        distribution_below_minimum=below(distributed, population, policy.distribution_min_percent),
        return_rate_below_minimum=below(returned, distributed, policy.return_rate_min_percent),
        below_target=returned > 0 and below(satisfied, returned, policy.target_percent),
        statistics_late=(closed_on or today) > statistics_due,
        reply_late=(reply_on or today) > reply_due,
    )


def job_ratings(survey: dict[str, str], satisfied_levels: Collection[str]) -> tuple[int, int]:
    """SAT-1: a job's survey as (items rated, items rated in ``satisfied_levels``)."""
    return len(survey), sum(1 for level in survey.values() if level in satisfied_levels)


class SurveyService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    @property
    def policy(self) -> SurveysPolicy:
        return self.ctx.policy.surveys

    # ----------------------------------------------------------------- helpers
    def _resource(self, survey: Survey) -> Resource:
        return Resource.of(
            f"survey {survey.id}", owners=[survey.created_by], departments=[survey.department_id]
        )

    def _load(self, uow: UnitOfWork, grant: Grant, survey_id: str) -> Survey:
        survey = uow.surveys.get(survey_id)
        grant.require(self._resource(survey), field="survey_id")
        return survey

    def _population(
        self, uow: UnitOfWork, department_id: DepartmentId | None
    ) -> builtins.list[CustomerId]:
        """SAT-2: the active customers (deals closed, 已成交) of the department (all: None)."""
        found: list[CustomerId] = []
        offset = 0
        while True:
            page = uow.customers.list(
                status=CustomerStatus.CLOSED_DEAL,
                department_id=department_id,
                limit=PAGE,
                offset=offset,
            )
            found.extend(c.id for c in page)
            if len(page) < PAGE:
                return found
            offset += PAGE

    def _results(self, uow: UnitOfWork, survey: Survey) -> SurveyResults:
        p = self.policy
        today = self.ctx.today()
        distributed = uow.survey_recipients.count(survey.id)
        checks = survey_checks(
            p,
            population=survey.population,
            distributed=distributed,
            stored=uow.survey_responses.counts(survey.id),
            statistics_due=survey.statistics_due,
            reply_due=survey.reply_due,
            closed_on=survey.closed_on,
            reply_on=survey.reply_on,
            today=today,
        )
        counts, returned, satisfied = checks.counts, checks.returned, checks.satisfied
        low_distribution = checks.distribution_below_minimum
        low_return = checks.return_rate_below_minimum
        low_satisfaction = checks.below_target
        statistics_late = checks.statistics_late
        reply_late = checks.reply_late
        on_time = None if survey.reply_on is None else survey.reply_on <= survey.reply_due
        findings: list[str] = []
        if low_distribution:
            findings.append(
                f"SAT-2: distributed to {percent(distributed, survey.population)} % of "
                f"{survey.population} active customers, below the "
                f"{p.distribution_min_percent} % rule"
            )
        if low_return and not (survey.closed_on is None and today <= survey.closes_on):
            findings.append(
                f"SAT-2: return rate {percent(returned, distributed)} % is below the "
                f"{p.return_rate_min_percent} % rule"
            )
        elif low_return:
            findings.append(
                f"SAT-2: return rate so far {percent(returned, distributed)} %, below the "
                f"{p.return_rate_min_percent} % rule (collection open until "
                f"{survey.closes_on.isoformat()})"
            )
        if statistics_late:
            findings.append(
                f"SAT-2: statistics due {survey.statistics_due.isoformat()} "
                + (f"compiled late on {survey.closed_on}" if survey.closed_on else "are late")
            )
        if reply_late:
            findings.append(
                f"SAT-2: public reply due {survey.reply_due.isoformat()} "
                + (f"published late on {survey.reply_on}" if survey.reply_on else "is late")
            )
        if low_satisfaction:
            findings.append(
                f"SAT-3: satisfaction {percent(satisfied, returned)} % is below the target "
                f"{p.target_percent} %: a corrective action is due"
                + (f" (raised: case {survey.case_id})" if survey.case_id else "")
            )
        return SurveyResults(
            survey=survey,
            population=survey.population,
            distributed=distributed,
            returned=returned,
            counts=counts,
            satisfied=satisfied,
            distribution_percent=percent(distributed, survey.population),
            return_rate_percent=percent(returned, distributed),
            satisfaction_percent=percent(satisfied, returned),
            distribution_below_minimum=low_distribution,
            return_rate_below_minimum=low_return,
            below_target=low_satisfaction,
            collection_open=survey.closed_on is None
            and survey.opens_on <= today <= survey.closes_on,
            statistics_late=statistics_late,
            reply_late=reply_late,
            reply_on_time=on_time,
            findings=findings,
        )

    # ------------------------------------------------------------------ create
    @use_case("surveys.create")
    def create(self, actor_id: StaffId, command: CreateSurvey) -> Survey:
        """SAT-2: a periodic survey, distributed to the named customers or to a deterministic
        ``distribute_percent`` % (default the policy minimum) of the active customers in the
        creator's scope; its window and due dates from the policy."""
        if command.period_end < command.period_start:
            raise ValidationError(
                "must not be before period_start", field="period_end", rule="SAT-2"
            )
        if command.customer_ids and command.distribute_percent is not None:
            raise ValidationError(
                "name the customers or a percentage to distribute to, not both",
                field="distribute_percent",
                rule="SAT-2",
            )
        if len(set(command.customer_ids)) != len(command.customer_ids):
            raise ValidationError("a customer is named twice", field="customer_ids", rule="SAT-2")
        p = self.policy
        opens_on = command.opens_on or self.ctx.today()
        dates = survey_dates(p, self.ctx.calendar, opens_on)
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "surveys.create")
            department = grant.actor.department_id if grant.scope != "all" else None
            if grant.scope != "all" and department is None:
                raise ValidationError(
                    "a survey of one department's customers needs a creator in a department",
                    field="customer_ids",
                    rule="SAT-2",
                )
            population = self._population(uow, department)
            survey = Survey(
                title=command.title,
                period_start=command.period_start,
                period_end=command.period_end,
                opens_on=opens_on,
                closes_on=dates.closes_on,
                statistics_due=dates.statistics_due,
                reply_due=dates.reply_due,
                population=len(population),
                created_by=grant.actor.id,
                created_at=self.ctx.now(),
                department_id=department,
            )
            if command.customer_ids:
                reachable = set(population)
                outside = [c for c in command.customer_ids if c not in reachable]
                if outside:
                    raise ValidationError(
                        f"not active customers in your scope: {', '.join(outside[:5])}",
                        field="customer_ids",
                        rule="SAT-2",
                    )
                chosen = list(command.customer_ids)
            else:
                share = command.distribute_percent or p.distribution_min_percent
                n = -(-share * len(population) // 100)  # rounded up: at least the share
                chosen = _pick(survey.id, population, n)
            if not chosen:
                raise ValidationError(
                    "no active customer to distribute the survey to",
                    field="customer_ids",
                    rule="SAT-2",
                )
            uow.surveys.add(survey)
            uow.survey_recipients.add_many(
                [SurveyRecipient(survey_id=survey.id, customer_id=c) for c in chosen]
            )
            record(
                uow,
                self.ctx,
                "survey.created",
                survey.id,
                grant.actor.id,
                distributed=str(len(chosen)),
                population=str(len(population)),
            )
            uow.commit()
            return survey

    # ---------------------------------------------------------------- responses
    @use_case("surveys.respond")
    def record_response(
        self, actor_id: StaffId, survey_id: str, command: RecordResponse
    ) -> SurveyResponse:
        """SAT-2: a customer's answer, once, within the collection window, from a customer
        the survey was distributed to."""
        p = self.policy
        if command.level not in p.levels:
            raise ValidationError(
                f"must be one of: {', '.join(p.levels)}; got {command.level!r}",
                field="level",
                rule="SAT-2",
            )
        today = self.ctx.today()
        on = command.on or today
        if on > today:
            raise ValidationError("must not be in the future", field="on", rule="SAT-2")
        with self.ctx.uow() as uow:
            uow.lock(survey_lock(survey_id))
            grant = authorize(uow, self.ctx, actor_id, "surveys.respond")
            survey = uow.surveys.get(survey_id)
            if survey.is_closed or not survey.opens_on <= on <= survey.closes_on:
                raise ValidationError(
                    f"answers are collected {survey.opens_on.isoformat()}…"
                    f"{survey.closes_on.isoformat()}"
                    + (" and the survey is closed" if survey.is_closed else "")
                    + f"; got {on.isoformat()}",
                    field="on",
                    rule="SAT-2",
                )
            if not uow.survey_recipients.is_recipient(survey.id, command.customer_id):
                raise ValidationError(
                    "the survey was not distributed to this customer",
                    field="customer_id",
                    rule="SAT-2",
                )
            if uow.survey_responses.find(survey.id, command.customer_id) is not None:
                raise Conflict(
                    "this customer has already answered the survey",
                    rule="SAT-2",
                    field="customer_id",
                )
            response = SurveyResponse(
                survey_id=survey.id,
                customer_id=command.customer_id,
                level=command.level,
                comment=command.comment,
                on=on,
                recorded_by=grant.actor.id,
                recorded_at=self.ctx.now(),
            )
            uow.survey_responses.add(response)
            record(
                uow, self.ctx, "survey.answered", survey.id, grant.actor.id, level=response.level
            )
            uow.commit()
            return response

    # ----------------------------------------------------------- close, reply
    @use_case("surveys.close")
    def close(self, actor_id: StaffId, survey_id: str) -> SurveyResults:
        """SAT-2: the collection ends and the statistics are compiled (due ``statistics_days``
        after the window closes; compiled later is flagged). Allowed once the window is over
        or every customer asked has answered."""
        with self.ctx.uow() as uow:
            uow.lock(survey_lock(survey_id))
            grant = authorize(uow, self.ctx, actor_id, "surveys.close")
            survey = self._load(uow, grant, survey_id)
            if survey.is_closed:
                raise InvalidTransition("the survey is already closed", rule="SAT-2")
            today = self.ctx.today()
            distributed = uow.survey_recipients.count(survey.id)
            returned = sum(uow.survey_responses.counts(survey.id).values())
            if today <= survey.closes_on and returned < distributed:
                raise InvalidTransition(
                    f"collection runs until {survey.closes_on.isoformat()} "
                    f"({returned} of {distributed} answered)",
                    rule="SAT-2",
                )
            survey.closed_on, survey.closed_by = today, grant.actor.id
            results = self._results(uow, survey)
            record(
                uow,
                self.ctx,
                "survey.closed",
                survey.id,
                grant.actor.id,
                return_rate=str(results.return_rate_percent),
                satisfaction=str(results.satisfaction_percent),
            )
            uow.commit()
            return results

    @use_case("surveys.reply")
    def publish_reply(
        self, actor_id: StaffId, survey_id: str, command: PublishReply
    ) -> SurveyResults:
        """SAT-2: the public reply to the findings, once, after the statistics; due
        ``reply_days`` after the window closes (a later one is recorded and flagged late)."""
        today = self.ctx.today()
        on = command.on or today
        if on > today:
            raise ValidationError("must not be in the future", field="on", rule="SAT-2")
        with self.ctx.uow() as uow:
            uow.lock(survey_lock(survey_id))
            grant = authorize(uow, self.ctx, actor_id, "surveys.reply")
            survey = self._load(uow, grant, survey_id)
            if survey.closed_on is None:
                raise InvalidTransition(
                    "close the survey (compile the statistics) before replying", rule="SAT-2"
                )
            if survey.reply_on is not None:
                raise InvalidTransition("the public reply was already published", rule="SAT-2")
            if on < survey.closed_on:
                raise ValidationError(
                    f"must not be before the statistics ({survey.closed_on.isoformat()})",
                    field="on",
                    rule="SAT-2",
                )
            survey.reply_on, survey.reply_text, survey.reply_by = on, command.text, grant.actor.id
            record(
                uow,
                self.ctx,
                "survey.replied",
                survey.id,
                grant.actor.id,
                on_time=str(on <= survey.reply_due).lower(),
            )
            results = self._results(uow, survey)
            uow.commit()
            return results

    # -------------------------------------------------------------------- SAT-3
    @use_case("surveys.corrective_action")
    def raise_corrective_action(
        self, actor_id: StaffId, survey_id: str, command: RaiseCorrectiveAction
    ) -> CorrectiveAction:
        """SAT-3: a closed survey whose satisfaction is below ``target_percent`` opens an
        internal case with a CAPA item (CASE-11) for ``owner_id``. Once per survey: a later
        call returns the action already raised (``created`` False)."""
        p = self.policy
        with self.ctx.uow() as uow:
            uow.lock(survey_lock(survey_id))
            grant = authorize(uow, self.ctx, actor_id, "surveys.corrective_action")
            survey = self._load(uow, grant, survey_id)
            if survey.case_id is not None and survey.capa_id is not None:
                case = uow.cases.get(survey.case_id)
                return CorrectiveAction(survey.id, case.id, case.number, survey.capa_id, False)
            if survey.closed_on is None:
                raise InvalidTransition(
                    "close the survey (compile the statistics) before raising its corrective "
                    "action",
                    rule="SAT-3",
                )
            results = self._results(uow, survey)
            if not results.below_target:
                raise InvalidTransition(
                    f"satisfaction {results.satisfaction_percent} % meets the target "
                    f"{p.target_percent} %: no corrective action is due",
                    rule="SAT-3",
                )
            intake = ReceiveCase(
                type=p.case_type,
                category=p.case_category,
                channel=p.case_channel,
                content=(
                    f"SAT-3 periodic survey {survey.title!r} ({survey.id}): satisfaction "
                    f"{results.satisfaction_percent} % below the target {p.target_percent} % "
                    f"({results.satisfied} of {results.returned} answers satisfied)"
                ),
                customer_name="(periodic satisfaction survey)",
            )
            try:
                uow.staff.get(command.owner_id)
            except NotFound as exc:
                raise NotFound(str(exc), field="owner_id", rule="SAT-3") from exc
            try:
                case, item = open_case_with_capa(
                    self.ctx, uow, grant.actor.id, intake, command.description, command.owner_id
                )
            except ValidationError as exc:  # the [surveys] case codes are not [cases] codes
                raise PolicyError(
                    "the [surveys] corrective-action case codes are not in [cases]",
                    [(f"$.surveys.case_{exc.field}", str(exc))],
                ) from exc
            survey.case_id, survey.capa_id = case.id, item.id
            record(
                uow,
                self.ctx,
                "survey.corrective_action",
                survey.id,
                grant.actor.id,
                command.description,
                case_id=case.id,
                capa_id=item.id,
            )
            uow.commit()
            return CorrectiveAction(survey.id, case.id, case.number, item.id, True)

    # -------------------------------------------------------------------- reads
    @use_case("surveys.results")
    def results(self, actor_id: StaffId, survey_id: str) -> SurveyResults:
        """SAT-2/SAT-3: the statistics and every rule check, as of today."""
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "surveys.results")
            return self._results(uow, self._load(uow, grant, survey_id))

    @use_case("surveys.read")
    def get(self, actor_id: StaffId, survey_id: str) -> Survey:
        with self.ctx.uow() as uow:
            authorize(uow, self.ctx, actor_id, "surveys.read")
            return uow.surveys.get(survey_id)

    @use_case("surveys.read")
    def list(
        self, actor_id: StaffId, *, year: int | None = None, limit: int = 100, offset: int = 0
    ) -> builtins.list[Survey]:
        with self.ctx.uow() as uow:
            authorize(uow, self.ctx, actor_id, "surveys.read")
            return builtins.list(uow.surveys.list(year=year, limit=limit, offset=offset))

    @use_case("surveys.read")
    def year_check(self, actor_id: StaffId, year: int) -> SurveyYear:
        """SAT-2: at least ``surveys.surveys_per_year`` periodic surveys in ``year`` (a
        department's or the company's); a year that ended short is ``missed`` (000 篇十三)."""
        bounds = self.ctx.policy.bounds
        if not bounds.earliest_date.year <= year <= bounds.latest_date.year:
            raise ValidationError(
                f"must be between {bounds.earliest_date.year} and {bounds.latest_date.year}",
                field="year",
                rule="X-8",
            )
        with self.ctx.uow() as uow:
            authorize(uow, self.ctx, actor_id, "surveys.read")
            held = [s.id for s in uow.surveys.list(year=year, limit=10_000)]
        required = self.policy.surveys_per_year
        if len(held) >= required:
            status = "met"
        else:
            status = "open" if self.ctx.today() <= date(year, 12, 31) else "missed"
        return SurveyYear(
            year=year, required=required, held=len(held), survey_ids=sorted(held), status=status
        )

    @use_case("surveys.read")
    def recipients(
        self, actor_id: StaffId, survey_id: str, *, limit: int = 500, offset: int = 0
    ) -> builtins.list[CustomerId]:
        with self.ctx.uow() as uow:
            authorize(uow, self.ctx, actor_id, "surveys.read")
            survey = uow.surveys.get(survey_id)
            return builtins.list(
                uow.survey_recipients.list_for_survey(survey.id, limit=limit, offset=offset)
            )

    @use_case("surveys.results")
    def responses(
        self, actor_id: StaffId, survey_id: str, *, limit: int = 500, offset: int = 0
    ) -> builtins.list[SurveyResponse]:
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "surveys.results")
            survey = self._load(uow, grant, survey_id)
            return builtins.list(
                uow.survey_responses.list_for_survey(survey.id, limit=limit, offset=offset)
            )

    # ------------------------------------------------------------ SAT-1 reports
    @use_case("surveys.job_report")
    def job_satisfaction(
        self, actor_id: StaffId, start: date, end: date, by: str = "period"
    ) -> builtins.list[JobSatisfactionRow]:
        """SAT-1: satisfaction of the per-job surveys of jobs completed ``start``…``end``
        (inclusive), per period (month), department or technician; the reader's scope
        (department: jobs of their department's technicians)."""
        if by not in GROUPINGS:
            raise ValidationError(
                f"must be one of: {', '.join(GROUPINGS)}; got {by!r}", field="by", rule="SAT-1"
            )
        if end < start:
            raise ValidationError("must not be before start", field="end", rule="SAT-1")
        satisfied_levels = set(self.policy.job_satisfied_levels)
        since = datetime.combine(start, time.min, tzinfo=UTC) - timedelta(days=1)
        until = datetime.combine(end, time.min, tzinfo=UTC) + timedelta(days=2)
        tz = self.ctx.now().tzinfo
        rows: dict[str, list[int]] = {}
        names: dict[str, str] = {}
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "surveys.job_report")
            departments: dict[str, DepartmentId | None] = {}
            for job in uow.service_jobs.list_completed_between(since, until):
                if job.completed_at is None:
                    continue
                day = job.completed_at.astimezone(tz).date()
                if not start <= day <= end:
                    continue
                tech = job.technician_id
                if tech is not None and tech not in departments:
                    departments[tech] = staff_department(uow, tech)
                dep = departments.get(tech) if tech is not None else None
                if not grant.covers(Resource.of(owners=[tech], departments=[dep])):
                    continue
                if by == "period":
                    key = day.strftime("%Y-%m")
                    names[key] = key
                elif by == "department":
                    key = dep or "none"
                    if key not in names:
                        names[key] = uow.departments.get(dep).name if dep else "(no department)"
                else:
                    key = tech or "none"
                    if key not in names:
                        names[key] = uow.staff.get(tech).name if tech else "(no technician)"
                row = rows.setdefault(key, [0, 0, 0, 0])
                row[0] += 1
                if job.survey:
                    rated, satisfied = job_ratings(job.survey, satisfied_levels)
                    row[1] += 1
                    row[2] += rated
                    row[3] += satisfied
        return [
            JobSatisfactionRow(
                key=key,
                name=names[key],
                jobs=jobs,
                surveyed=surveyed,
                ratings=ratings,
                satisfied=satisfied,
                satisfaction_percent=percent(satisfied, ratings),
            )
            for key, (jobs, surveyed, ratings, satisfied) in sorted(rows.items())
        ]
