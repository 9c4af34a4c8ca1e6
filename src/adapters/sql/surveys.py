"""Satisfaction surveys (SAT-2, SAT-3): tables, mapping and repositories.

One response per customer and survey is the unique key ``uq_survey_responses_survey_customer``
(the backstop of the survey lock); the per-level counts are one ``GROUP BY`` over the
``(survey_id, level)`` index.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa

from adapters.sql.errors import translating
from adapters.sql.mapping import MAPPED
from adapters.sql.repositories import _Repository, adopt
from adapters.sql.schema import ID, metadata, seq_column
from adapters.sql.types import AwareDateTime
from csdomain.kernel.ids import CustomerId
from csdomain.surveys.model import Survey, SurveyRecipient, SurveyResponse

surveys = sa.Table(
    "surveys",
    metadata,
    seq_column(),
    sa.Column("id", ID, nullable=False, unique=True),
    sa.Column("title", sa.String(), nullable=False),
    sa.Column("period_start", sa.Date(), nullable=False),
    sa.Column("period_end", sa.Date(), nullable=False),
    sa.Column("opens_on", sa.Date(), nullable=False),
    sa.Column("closes_on", sa.Date(), nullable=False),
    sa.Column("statistics_due", sa.Date(), nullable=False),
    sa.Column("reply_due", sa.Date(), nullable=False),
    sa.Column("population", sa.Integer(), nullable=False),
    sa.Column("department_id", ID, nullable=True),
    sa.Column("created_by", ID, nullable=False),
    sa.Column("created_at", AwareDateTime(), nullable=False),
    sa.Column("closed_by", ID, nullable=True),
    sa.Column("closed_on", sa.Date(), nullable=True),
    sa.Column("reply_on", sa.Date(), nullable=True),
    sa.Column("reply_text", sa.String(), nullable=True),
    sa.Column("reply_by", ID, nullable=True),
    sa.Column("case_id", ID, nullable=True),  # SAT-3: the corrective case, once
    sa.Column("capa_id", ID, nullable=True),
    sa.Column("version", sa.Integer(), nullable=False),
    sqlite_autoincrement=True,
)

survey_recipients = sa.Table(
    "survey_recipients",
    metadata,
    seq_column(),
    sa.Column("id", ID, nullable=False, unique=True),
    sa.Column("survey_id", ID, nullable=False),
    sa.Column("customer_id", ID, nullable=False),
    sa.UniqueConstraint("survey_id", "customer_id", name="uq_survey_recipients_survey_customer"),
    sqlite_autoincrement=True,
)

survey_responses = sa.Table(
    "survey_responses",
    metadata,
    seq_column(),
    sa.Column("id", ID, nullable=False, unique=True),
    sa.Column("survey_id", ID, nullable=False),
    sa.Column("customer_id", ID, nullable=False),
    sa.Column("level", sa.String(32), nullable=False),
    sa.Column("comment", sa.String(), nullable=False),
    sa.Column("on", sa.Date(), nullable=False),
    sa.Column("recorded_by", ID, nullable=False),
    sa.Column("recorded_at", AwareDateTime(), nullable=False),
    # SAT-2: one response per customer and survey
    sa.UniqueConstraint("survey_id", "customer_id", name="uq_survey_responses_survey_customer"),
    sqlite_autoincrement=True,
)

INDEXES = [
    sa.Index("ix_surveys_period_start", surveys.c.period_start),
    sa.Index(
        "ix_survey_responses_survey_id_level",
        survey_responses.c.survey_id,
        survey_responses.c.level,
    ),
]

MAPPED.update(
    {
        Survey: (surveys, surveys.c.id),
        SurveyRecipient: (survey_recipients, survey_recipients.c.id),
        SurveyResponse: (survey_responses, survey_responses.c.id),
    }
)


class SqlSurveys(_Repository[Survey]):
    cls = Survey
    label = "survey"

    @translating
    def list(
        self, *, year: int | None = None, limit: int = 100, offset: int = 0
    ) -> Sequence[Survey]:
        c = surveys.c
        stmt = self._select()
        if year is not None:
            stmt = stmt.where(c.period_start.between(date(year, 1, 1), date(year, 12, 31)))
        return self._all(
            stmt.order_by(c.period_start.desc(), c.seq.desc()).limit(limit).offset(offset)
        )

    @translating
    def list_opened_between(
        self, start: date, end: date, *, limit: int = 500, offset: int = 0
    ) -> Sequence[Survey]:
        c = surveys.c
        stmt = self._select().where(c.opens_on >= start, c.opens_on < end)
        return self._all(stmt.order_by(c.opens_on, c.seq).limit(limit).offset(offset))


class SqlSurveyRecipients(_Repository[SurveyRecipient]):
    cls = SurveyRecipient
    label = "survey recipient"

    @translating
    def add_many(self, recipients: Sequence[SurveyRecipient]) -> None:
        for r in recipients:
            adopt(r)
        self.session.add_all(recipients)

    @translating
    def is_recipient(self, survey_id: str, customer_id: CustomerId) -> bool:
        self.session.flush()
        c = survey_recipients.c
        stmt = sa.select(c.seq).where(c.survey_id == survey_id, c.customer_id == customer_id)
        return self.session.execute(stmt.limit(1)).first() is not None

    @translating
    def count(self, survey_id: str) -> int:
        self.session.flush()
        c = survey_recipients.c
        stmt = (
            sa.select(sa.func.count())
            .select_from(survey_recipients)
            .where(c.survey_id == survey_id)
        )
        return int(self.session.execute(stmt).scalar_one())

    @translating
    def list_for_survey(
        self, survey_id: str, *, limit: int = 500, offset: int = 0
    ) -> Sequence[CustomerId]:
        c = survey_recipients.c
        stmt = (
            sa.select(c.customer_id)
            .where(c.survey_id == survey_id)
            .order_by(self._binary(c.customer_id))
            .limit(limit)
            .offset(offset)
        )
        return [CustomerId(v) for v in self.session.scalars(stmt)]


class SqlSurveyResponses(_Repository[SurveyResponse]):
    cls = SurveyResponse
    label = "survey response"

    @translating
    def find(self, survey_id: str, customer_id: CustomerId) -> SurveyResponse | None:
        c = survey_responses.c
        return self._first(
            self._select().where(c.survey_id == survey_id, c.customer_id == customer_id)
        )

    @translating
    def counts(self, survey_id: str) -> dict[str, int]:
        self.session.flush()
        c = survey_responses.c
        stmt = sa.select(c.level, sa.func.count()).where(c.survey_id == survey_id).group_by(c.level)
        return {level: int(n) for level, n in self.session.execute(stmt)}

    @translating
    def list_for_survey(
        self, survey_id: str, *, limit: int = 500, offset: int = 0
    ) -> Sequence[SurveyResponse]:
        c = survey_responses.c
        stmt = self._select().where(c.survey_id == survey_id).order_by(c.seq)
        return self._all(stmt.limit(limit).offset(offset))
