"""When the periodic actions run (the built-in worker, `csdomain worker`).

Each job is one scheduler action of the permission table, run as the system account; the
times are crontab lines in the company's time zone (X-1). A company without the worker runs
the same actions from cron through the CLI.
"""

from __future__ import annotations

import re
from typing import Any

import attrs

from csdomain.policy import validators as v

# job name -> the permission table's action it is
JOB_ACTIONS = {
    "sweep": "scheduler.sweep",
    "violations_from_events": "scheduler.violations_from_events",
    "recurrences": "scheduler.recurrences",
    "prioritize_jobs": "scheduler.prioritize_jobs",
    "late_jobs": "scheduler.late_jobs",
    "renewal_notices": "scheduler.renewal_notices",
    "credit_month_end": "scheduler.credit_month_end",
    "visit_reports_late": "scheduler.visit_reports_late",
    "files_overdue": "scheduler.files_overdue",
    "registers_overdue": "scheduler.registers_overdue",
}

_FIELD = r"[0-9*/,\-A-Za-z]+"
_CRONTAB = re.compile(rf"^{_FIELD}( {_FIELD}){{4}}$")


def _jobs(_: Any, attribute: attrs.Attribute[dict[str, str]], value: dict[str, str]) -> None:
    unknown = sorted(set(value) - set(JOB_ACTIONS))
    if unknown:
        raise ValueError(f"unknown jobs {unknown}; known: {sorted(JOB_ACTIONS)}")
    bad = {k: c for k, c in value.items() if c and not _CRONTAB.match(c.strip())}
    if bad:
        raise ValueError(f"each job needs a 5-field crontab line (or '' for never): {bad}")


@attrs.frozen
class SchedulerPolicy:
    """``jobs``: job → crontab (``"*/5 * * * *"``), ``""`` to never run it."""

    jobs: dict[str, str] = attrs.field(validator=_jobs)
    # a run whose worker died is taken over after this many seconds
    stale_run_seconds: int = attrs.field(default=600, validator=v.positive)
