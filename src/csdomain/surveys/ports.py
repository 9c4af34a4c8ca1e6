"""Survey storage. Counts are aggregates the database computes (never every response loaded
to count them); one response per customer and survey is a unique key (SAT-2)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from csdomain.kernel.ids import CustomerId
from csdomain.surveys.model import Survey, SurveyRecipient, SurveyResponse


class SurveyRepository(Protocol):
    def add(self, survey: Survey) -> None: ...
    def get(self, survey_id: str) -> Survey: ...
    def list(
        self, *, year: int | None = None, limit: int = 100, offset: int = 0
    ) -> Sequence[Survey]:
        """Newest period first (then newest created); ``year``: periods starting that year."""
        ...

    def list_opened_between(
        self, start: date, end: date, *, limit: int = 500, offset: int = 0
    ) -> Sequence[Survey]:
        """Surveys whose collection opens in ``[start, end)``, by ``opens_on`` then creation
        (a page at a time: the replay reads one month of surveys, issue 15)."""
        ...


class SurveyRecipientRepository(Protocol):
    def add_many(self, recipients: Sequence[SurveyRecipient]) -> None: ...
    def is_recipient(self, survey_id: str, customer_id: CustomerId) -> bool: ...
    def count(self, survey_id: str) -> int: ...
    def list_for_survey(
        self, survey_id: str, *, limit: int = 500, offset: int = 0
    ) -> Sequence[CustomerId]:
        """The customers asked, in id order."""
        ...


class SurveyResponseRepository(Protocol):
    def add(self, response: SurveyResponse) -> None: ...
    def find(self, survey_id: str, customer_id: CustomerId) -> SurveyResponse | None: ...
    def counts(self, survey_id: str) -> dict[str, int]:
        """Responses per level (levels without a response left out), one query."""
        ...

    def list_for_survey(
        self, survey_id: str, *, limit: int = 500, offset: int = 0
    ) -> Sequence[SurveyResponse]:
        """In the order recorded."""
        ...
