"""Satisfaction surveys (SAT-2, SAT-3): the memory repositories, ordered as the SQL
adapter's; one response per customer and survey checked at commit (``UNIQUE``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from adapters.memory.table import _Table
from csdomain.kernel.ids import CustomerId
from csdomain.surveys.model import Survey, SurveyRecipient, SurveyResponse

UNIQUE: dict[str, list[tuple[Callable[[Any], object], str, str, str]]] = {
    "survey_responses": [
        (
            lambda r: (r.survey_id, r.customer_id),
            "this customer has already answered the survey",
            "SAT-2",
            "customer_id",
        )
    ],
    "survey_recipients": [
        (
            lambda r: (r.survey_id, r.customer_id),
            "the survey is already distributed to this customer",
            "SAT-2",
            "customer_ids",
        )
    ],
}


class MemorySurveys(_Table[Survey]):
    def list(
        self, *, year: int | None = None, limit: int = 100, offset: int = 0
    ) -> Sequence[Survey]:
        rows = self.all(lambda s: year is None or s.period_start.year == year)
        # newest period first, then newest created (``all`` keeps insertion order)
        rows = list(reversed(rows))
        rows.sort(key=lambda s: s.period_start, reverse=True)
        return rows[offset : offset + limit]

    def list_opened_between(
        self, start: date, end: date, *, limit: int = 500, offset: int = 0
    ) -> Sequence[Survey]:
        rows = self.all(lambda s: start <= s.opens_on < end)  # insertion (creation) order
        rows.sort(key=lambda s: s.opens_on)
        return rows[offset : offset + limit]


class MemorySurveyRecipients(_Table[SurveyRecipient]):
    def add_many(self, recipients: Sequence[SurveyRecipient]) -> None:
        for r in recipients:
            self.add(r)

    def _of(self, survey_id: str) -> list[SurveyRecipient]:
        return self.all(lambda r: r.survey_id == survey_id)

    def is_recipient(self, survey_id: str, customer_id: CustomerId) -> bool:
        return bool(self.all(lambda r: r.survey_id == survey_id and r.customer_id == customer_id))

    def count(self, survey_id: str) -> int:
        return len(self._of(survey_id))

    def list_for_survey(
        self, survey_id: str, *, limit: int = 500, offset: int = 0
    ) -> Sequence[CustomerId]:
        return sorted(r.customer_id for r in self._of(survey_id))[offset : offset + limit]


class MemorySurveyResponses(_Table[SurveyResponse]):
    def find(self, survey_id: str, customer_id: CustomerId) -> SurveyResponse | None:
        rows = self.all(lambda r: r.survey_id == survey_id and r.customer_id == customer_id)
        return rows[0] if rows else None

    def counts(self, survey_id: str) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.all(lambda r: r.survey_id == survey_id):
            out[r.level] = out.get(r.level, 0) + 1
        return out

    def list_for_survey(
        self, survey_id: str, *, limit: int = 500, offset: int = 0
    ) -> Sequence[SurveyResponse]:
        return self.all(lambda r: r.survey_id == survey_id)[offset : offset + limit]
