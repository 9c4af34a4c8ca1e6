"""Issue 15 with X-1: a policy version that changes ``[calendar]`` closures takes effect when
it is activated (no restart), for the days it governs only."""

from __future__ import annotations

from datetime import date

import attrs
from lab_support import DEFAULT_TEXT

from adapters.bootstrap import App
from adapters.calendar import VersionedCalendar
from adapters.policy_file import default_policy
from csd_support import Org
from csdomain.kernel.calendar import add_working_days
from csdomain.policy.model import CalendarPolicy
from csdomain.policy_lab.commands import UploadPolicy

CLOSED = "extra_closed_days = []"


def _closing(*days: str) -> str:
    assert DEFAULT_TEXT.count(CLOSED) == 1
    listed = ", ".join(days)
    return DEFAULT_TEXT.replace(CLOSED, f"extra_closed_days = [{listed}]")


def test_x1_activated_closure_counts_from_its_effective_day_without_restart(
    app: App, org: Org
) -> None:
    ctx = app.services.ctx
    friday, october_friday = date(2026, 11, 13), date(2026, 10, 16)
    assert ctx.calendar.is_working_day(friday)
    # CUS-3-style arithmetic: one working day after Thursday the 12th is Friday the 13th
    assert add_working_days(ctx.calendar, date(2026, 11, 12), 1) == friday
    lab = app.services.policy_lab
    cmd = UploadPolicy(
        document=_closing("2026-11-13", "2026-10-16"), effective_from=date(2026, 11, 1)
    )
    number = lab.upload(org.manager.id, cmd).number
    assert ctx.calendar.is_working_day(friday)  # a draft changes nothing
    lab.activate(org.gm.id, number)
    assert not ctx.calendar.is_working_day(friday)
    assert add_working_days(ctx.calendar, date(2026, 11, 12), 1) == date(2026, 11, 16)
    # October is governed by version 1: the closure listed for it does not reach back
    assert ctx.calendar.is_working_day(october_friday)


def test_x1_versioned_calendar_answers_each_day_by_its_section() -> None:
    base = default_policy().calendar
    closed = attrs.evolve(base, extra_closed_days=[date(2026, 12, 24)])
    working = attrs.evolve(base, extra_working_days=[date(2026, 10, 1)])

    def section_on(day: date) -> CalendarPolicy:
        return closed if day >= date(2026, 12, 1) else working

    cal = VersionedCalendar(section_on)
    assert not cal.is_working_day(date(2026, 12, 24))
    assert cal.is_working_day(date(2026, 10, 1))  # National Day made a working day
    assert not cal.is_working_day(date(2026, 10, 2))  # statutory holiday
    names = cal.holiday_names(date(2026, 10, 1), date(2026, 10, 8))
    assert date(2026, 10, 1) not in names and date(2026, 10, 2) in names
