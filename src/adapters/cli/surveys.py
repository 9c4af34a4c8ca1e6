"""Satisfaction survey commands (SAT-1 reporting, SAT-2, SAT-3): create and distribute a
periodic survey, record answers, close it (the statistics), publish the reply, raise the
corrective action, and the per-job satisfaction report."""

from __future__ import annotations

from datetime import datetime

import click

from adapters.cli.commands import Group
from adapters.cli.common import DATE, day, given
from adapters.cli.org import fmt
from adapters.cli.render import Formatter, details, table
from adapters.cli.state import CliState, pass_state
from adapters.serialization import structure
from csdomain.surveys.commands import (
    CreateSurvey,
    PublishReply,
    RaiseCorrectiveAction,
    RecordResponse,
)
from csdomain.surveys.model import Survey, SurveyResults
from csdomain.surveys.services import GROUPINGS


def _iso(value: datetime | None) -> str | None:
    found = day(value)
    return found.isoformat() if found is not None else None


def survey_details(s: Survey, f: Formatter) -> str:
    return details(
        [
            ("id", s.id),
            ("title", s.title),
            ("period", f"{s.period_start} … {s.period_end}"),
            ("collection", f"{s.opens_on} … {s.closes_on}"),
            ("statistics due", s.statistics_due),
            ("reply due", s.reply_due),
            ("population", s.population),
            ("closed on", s.closed_on),
            ("reply on", s.reply_on),
            ("corrective case", s.case_id),
        ],
        f,
    )


def results_details(r: SurveyResults, f: Formatter) -> str:
    counts = ", ".join(f"{level} {n}" for level, n in r.counts.items())
    return details(
        [
            ("survey", r.survey.id),
            ("distributed", f"{r.distributed} of {r.population} ({r.distribution_percent} %)"),
            ("returned", f"{r.returned} ({r.return_rate_percent} %)"),
            ("satisfaction", f"{r.satisfaction_percent} %"),
            ("answers", counts),
            ("findings", "; ".join(r.findings) or "none"),
        ],
        f,
    )


@click.group(cls=Group)
def surveys() -> None:
    """Periodic satisfaction surveys, their rule checks and corrective actions (SAT-1…3)."""


@surveys.command("create")
@click.option("--title", required=True)
@click.option("--period-start", type=DATE, required=True)
@click.option("--period-end", type=DATE, required=True)
@click.option("--opens-on", type=DATE, help="First day of the collection (default today).")
@click.option("--customer", "customer_ids", multiple=True, help="A customer asked (repeat).")
@click.option(
    "--percent",
    "distribute_percent",
    type=int,
    help="Share of the active customers to ask (default the policy minimum, 30).",
)
@pass_state
def survey_create(
    st: CliState,
    title: str,
    period_start: datetime,
    period_end: datetime,
    opens_on: datetime | None,
    customer_ids: tuple[str, ...],
    distribute_percent: int | None,
) -> None:
    """Create a periodic survey and distribute it (SAT-2)."""
    command = structure(
        given(
            title=title,
            period_start=_iso(period_start),
            period_end=_iso(period_end),
            opens_on=_iso(opens_on),
            customer_ids=customer_ids,
            distribute_percent=distribute_percent,
        ),
        CreateSurvey,
    )
    app, actor = st.acting()
    s = app.services.surveys.create(actor, command)
    st.emit(s, lambda: s.id)


@surveys.command("list")
@click.option("--year", type=int)
@pass_state
def survey_list(st: CliState, year: int | None) -> None:
    """Periodic surveys, newest period first."""
    app, actor = st.acting()
    rows = app.services.surveys.list(actor, year=year)
    st.emit(
        rows,
        lambda: table(
            ["id", "title", "period", "collection", "closed"],
            [
                (
                    s.id,
                    s.title,
                    f"{s.period_start}…{s.period_end}",
                    f"{s.opens_on}…{s.closes_on}",
                    s.closed_on,
                )
                for s in rows
            ],
            fmt(st),
            empty="(no surveys)",
        ),
    )


@surveys.command("year")
@click.argument("year", type=click.IntRange(2000, 2099))
@pass_state
def survey_year(st: CliState, year: int) -> None:
    """SAT-2: whether YEAR had the policy's periodic surveys (met / open / missed)."""
    app, actor = st.acting()
    y = app.services.surveys.year_check(actor, year)
    st.emit(
        y,
        lambda: (
            f"{y.year}: {y.held} of {y.required} survey(s) — {y.status}"
            + "".join(f"\n  {i}" for i in y.survey_ids)
        ),
    )


@surveys.command("show")
@click.argument("survey_id")
@pass_state
def survey_show(st: CliState, survey_id: str) -> None:
    """A survey: its window, due dates, reply and corrective case."""
    app, actor = st.acting()
    s = app.services.surveys.get(actor, survey_id)
    st.emit(s, lambda: survey_details(s, fmt(st)))


@surveys.command("answer")
@click.argument("survey_id")
@click.option("--customer", "customer_id", required=True)
@click.option("--level", required=True, help="very_satisfied … very_dissatisfied (policy).")
@click.option("--comment")
@click.option("--on", type=DATE, help="The day the answer came (default today).")
@pass_state
def survey_answer(
    st: CliState,
    survey_id: str,
    customer_id: str,
    level: str,
    comment: str | None,
    on: datetime | None,
) -> None:
    """Record a customer's answer: once, within the collection window (SAT-2)."""
    command = structure(
        given(customer_id=customer_id, level=level, comment=comment, on=_iso(on)), RecordResponse
    )
    app, actor = st.acting()
    r = app.services.surveys.record_response(actor, survey_id, command)
    st.emit(r, lambda: f"Recorded {r.customer_id}: {r.level}.")


@surveys.command("results")
@click.argument("survey_id")
@pass_state
def survey_results(st: CliState, survey_id: str) -> None:
    """Distribution, return and satisfaction rates with every rule check (SAT-2, SAT-3)."""
    app, actor = st.acting()
    r = app.services.surveys.results(actor, survey_id)
    st.emit(r, lambda: results_details(r, fmt(st)))


@surveys.command("close")
@click.argument("survey_id")
@pass_state
def survey_close(st: CliState, survey_id: str) -> None:
    """End the collection and compile the statistics (SAT-2)."""
    app, actor = st.acting()
    r = app.services.surveys.close(actor, survey_id)
    st.emit(r, lambda: results_details(r, fmt(st)))


@surveys.command("reply")
@click.argument("survey_id")
@click.option("--text", required=True)
@click.option("--on", type=DATE, help="The day published (default today).")
@pass_state
def survey_reply(st: CliState, survey_id: str, text: str, on: datetime | None) -> None:
    """Publish the public reply to the findings, once (SAT-2)."""
    command = structure(given(text=text, on=_iso(on)), PublishReply)
    app, actor = st.acting()
    r = app.services.surveys.publish_reply(actor, survey_id, command)
    st.emit(r, lambda: f"Reply published on {r.survey.reply_on} (on time: {r.reply_on_time}).")


@surveys.command("corrective-action")
@click.argument("survey_id")
@click.option("--owner", "owner_id", required=True, help="Who carries out the action.")
@click.option("--description", required=True)
@pass_state
def survey_corrective_action(st: CliState, survey_id: str, owner_id: str, description: str) -> None:
    """Open the case and CAPA item of a survey below target, once (SAT-3, CASE-11)."""
    command = structure({"owner_id": owner_id, "description": description}, RaiseCorrectiveAction)
    app, actor = st.acting()
    a = app.services.surveys.raise_corrective_action(actor, survey_id, command)
    st.emit(
        a,
        lambda: (
            f"{'Raised' if a.created else 'Already raised'}: case {a.case_number}, "
            f"CAPA {a.capa_id}."
        ),
    )


@surveys.command("job-report")
@click.option("--start", type=DATE, required=True)
@click.option("--end", type=DATE, required=True)
@click.option("--by", type=click.Choice(GROUPINGS), default="period", show_default=True)
@pass_state
def survey_job_report(st: CliState, start: datetime, end: datetime, by: str) -> None:
    """Satisfaction of the per-job surveys per month, department or technician (SAT-1)."""
    app, actor = st.acting()
    first, last = day(start), day(end)
    assert first is not None and last is not None
    rows = app.services.surveys.job_satisfaction(actor, first, last, by)
    st.emit(
        rows,
        lambda: table(
            ["key", "name", "jobs", "surveyed", "ratings", "satisfied", "%"],
            [
                (r.key, r.name, r.jobs, r.surveyed, r.ratings, r.satisfied, r.satisfaction_percent)
                for r in rows
            ],
            fmt(st),
            empty="(no surveyed jobs)",
        ),
    )


COMMANDS: list[click.Command] = [surveys]
