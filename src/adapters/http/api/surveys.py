"""Satisfaction survey endpoints (SAT-1 reporting, SAT-2, SAT-3): periodic surveys, their
responses, results and rule checks, the public reply, the corrective action, and the
per-job satisfaction report.

Who may do what is the policy's permission table (``surveys.*``), checked by the use cases.
"""

from __future__ import annotations

from datetime import date as date_t

from flask import Blueprint, Response

from adapters.http.openapi import DATE_PARAM, PAGE_PARAMS, Param, operation
from adapters.http.rest import (
    actor,
    body,
    page,
    query_date,
    query_int,
    query_str,
    respond,
    services,
)
from csdomain.kernel.errors import ValidationError
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
    SurveyResponse,
    SurveyResults,
    SurveyYear,
)
from csdomain.surveys.services import GROUPINGS

bp = Blueprint("surveys", __name__)


@operation(
    bp,
    "/surveys",
    "POST",
    action="surveys.create",
    summary="Create a periodic satisfaction survey and distribute it (SAT-2)",
    description="Sent to `customer_ids` (active customers in the creator's scope) or to "
    "`distribute_percent` % of them (default `surveys.distribution_min_percent`), chosen "
    "deterministically. The window is `surveys.collection_days` from `opens_on`; statistics "
    "and the public reply are due `surveys.statistics_days` / `surveys.reply_days` after it.",
    body=CreateSurvey,
    response=Survey,
    status=201,
)
def create() -> Response:
    return respond(services().surveys.create(actor().id, body(CreateSurvey)), 201)


@operation(
    bp,
    "/surveys",
    "GET",
    action="surveys.read",
    summary="Periodic surveys, newest period first (SAT-2)",
    response=Survey,
    shape="page",
    query=(
        Param("year", {"type": "integer", "minimum": 2000, "maximum": 2099}, "period year"),
        *PAGE_PARAMS,
    ),
)
def list_surveys() -> Response:
    year = query_int("year", 0, minimum=2000, maximum=2099) or None
    return page(
        lambda limit, offset: services().surveys.list(
            actor().id, year=year, limit=limit, offset=offset
        )
    )


@operation(
    bp,
    "/survey-year",
    "GET",
    action="surveys.read",
    summary="Whether a year had the policy's surveys (SAT-2 `surveys.surveys_per_year`)",
    description="Periodic surveys (a department's or the company's) whose period starts in "
    "`year`; `status` is `met`, `open` (the year still runs) or `missed`.",
    response=SurveyYear,
    query=(Param("year", {"type": "integer", "minimum": 2000, "maximum": 2099}, "year", True),),
)
def survey_year() -> Response:
    year = query_int("year", 0, minimum=2000, maximum=2099)
    if not year:
        raise ValidationError("this query parameter is required", field="year", rule="SAT-2")
    return respond(services().surveys.year_check(actor().id, year))


@operation(
    bp,
    "/surveys/<survey_id>",
    "GET",
    action="surveys.read",
    summary="A periodic survey: window, due dates, reply, corrective case (SAT-2, SAT-3)",
    response=Survey,
)
def get_survey(survey_id: str) -> Response:
    return respond(services().surveys.get(actor().id, survey_id))


@operation(
    bp,
    "/surveys/<survey_id>/responses",
    "POST",
    action="surveys.respond",
    summary="Record a customer's answer on the 5-level scale (SAT-2)",
    description="Once per customer (409 otherwise), within the collection window and only "
    "from a customer the survey was distributed to (422 naming `on` / `customer_id`).",
    body=RecordResponse,
    response=SurveyResponse,
    status=201,
    problems=(409,),
)
def record_response(survey_id: str) -> Response:
    found = services().surveys.record_response(actor().id, survey_id, body(RecordResponse))
    return respond(found, 201)


@operation(
    bp,
    "/surveys/<survey_id>/responses",
    "GET",
    action="surveys.results",
    summary="The survey's answers in the order recorded (SAT-2)",
    response=SurveyResponse,
    shape="page",
    query=PAGE_PARAMS,
)
def list_responses(survey_id: str) -> Response:
    return page(
        lambda limit, offset: services().surveys.responses(
            actor().id, survey_id, limit=limit, offset=offset
        )
    )


@operation(
    bp,
    "/surveys/<survey_id>/results",
    "GET",
    action="surveys.results",
    summary="Distribution, return and satisfaction rates with every rule check (SAT-2, SAT-3)",
    response=SurveyResults,
)
def results(survey_id: str) -> Response:
    return respond(services().surveys.results(actor().id, survey_id))


@operation(
    bp,
    "/surveys/<survey_id>/close",
    "POST",
    action="surveys.close",
    summary="End the collection and compile the statistics (SAT-2)",
    description="Allowed after the window, or once everyone asked has answered (409 before).",
    response=SurveyResults,
    problems=(409,),
)
def close(survey_id: str) -> Response:
    return respond(services().surveys.close(actor().id, survey_id))


@operation(
    bp,
    "/surveys/<survey_id>/reply",
    "POST",
    action="surveys.reply",
    summary="Publish the public reply to the findings, once (SAT-2)",
    body=PublishReply,
    response=SurveyResults,
    problems=(409,),
)
def reply(survey_id: str) -> Response:
    return respond(services().surveys.publish_reply(actor().id, survey_id, body(PublishReply)))


@operation(
    bp,
    "/surveys/<survey_id>/corrective-action",
    "POST",
    action="surveys.corrective_action",
    summary="Raise the corrective action of a survey below target: a case with a CAPA "
    "item (SAT-3, CASE-11)",
    description="Once per survey: a later call returns the action already raised "
    "(`created` false). 409 when the survey is open or meets `surveys.target_percent`.",
    body=RaiseCorrectiveAction,
    response=CorrectiveAction,
    problems=(409,),
)
def corrective_action(survey_id: str) -> Response:
    command = body(RaiseCorrectiveAction)
    return respond(services().surveys.raise_corrective_action(actor().id, survey_id, command))


def _day(name: str) -> date_t:
    day = query_date(name)
    if day is None:
        raise ValidationError("this query parameter is required", field=name, rule="SAT-1")
    return day


@operation(
    bp,
    "/job-satisfaction",
    "GET",
    action="surveys.job_report",
    summary="Satisfaction of the per-job surveys per month, department or technician (SAT-1)",
    description="Jobs completed from `start` to `end`, both inclusive, in the company time "
    "zone; the satisfied share counts `surveys.job_satisfied_levels`.",
    response=JobSatisfactionRow,
    shape="list",
    query=(
        Param("start", DATE_PARAM, "first day", True),
        Param("end", DATE_PARAM, "last day (inclusive)", True),
        Param("by", {"type": "string", "enum": list(GROUPINGS)}, "grouping (default period)"),
    ),
)
def job_satisfaction() -> Response:
    start, end = _day("start"), _day("end")
    by = query_str("by") or "period"
    return respond(services().surveys.job_satisfaction(actor().id, start, end, by))
