"""Response shapes the API needs where a core result is not directly JSON-friendly.

``ClockState.paused_for`` is a ``timedelta`` (no JSON form in the shared converter) and
``open_by_clock_status`` returns a plain dict; these small attrs classes give both a stable,
documented shape (seconds for durations).
"""

from __future__ import annotations

from datetime import datetime

import attrs

from csdomain.cases.clocks import ClockState, ClockStatus


@attrs.frozen
class ClockView:
    """CASE-7: one deadline clock of a case, derived from its history and the policy."""

    name: str
    label: str
    status: ClockStatus
    started_at: datetime | None
    due_at: datetime | None
    stopped_at: datetime | None
    paused_seconds: int
    extensions: int
    running: bool
    breached: bool

    @classmethod
    def of(cls, state: ClockState) -> ClockView:
        return cls(
            name=state.name,
            label=state.label,
            status=state.status,
            started_at=state.started_at,
            due_at=state.due_at,
            stopped_at=state.stopped_at,
            paused_seconds=int(state.paused_for.total_seconds()),
            extensions=state.extensions,
            running=state.running,
            breached=state.breached,
        )


@attrs.frozen
class ClockStatusGroups:
    """Open case numbers grouped by their worst clock (CASE-7)."""

    breached: list[str]
    due_soon: list[str]
    paused: list[str]
    on_time: list[str]

    @classmethod
    def of(cls, groups: dict[str, list[str]]) -> ClockStatusGroups:
        return cls(
            breached=list(groups.get(ClockStatus.BREACHED.value, [])),
            due_soon=list(groups.get(ClockStatus.DUE_SOON.value, [])),
            paused=list(groups.get(ClockStatus.PAUSED.value, [])),
            on_time=list(groups.get(ClockStatus.ON_TIME.value, [])),
        )
