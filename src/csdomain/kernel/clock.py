"""The Clock port: the core never reads the wall clock itself."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

import attrs


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in the company's time zone."""
        ...


@attrs.define
class FixedClock:
    """A clock that says what it is told: for tests, examples and replaying history."""

    current: datetime

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current = self.current + delta

    def set(self, when: datetime) -> None:
        self.current = when
