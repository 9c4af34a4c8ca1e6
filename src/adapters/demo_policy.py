"""The demo's policy history (issue 15): the policy the demo starts with is version 1, in
force from its first day; in the first month the customer-service manager uploads version 2,
which raises the late hand-over fine (CUS-3/PEN-1), to take effect on the first of the next
month, and the general manager activates it the next working day (X-4: never its uploader).
So a fresh demo has something for ``csdomain policy versions``, ``policy diff 1 2`` and
``policy replay`` to show: late files of the first month are fined under version 1, those
of the later months under version 2.

Everything goes through the real policy-lab use cases (``services.policy_lab``) on the demo's
clock, so it is as deterministic as the rest of the demo.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs

from adapters.policy_file import dump_policy
from csdomain.kernel.dates import add_months
from csdomain.kernel.money import Money
from csdomain.policy.model import Policy
from csdomain.policy_lab.commands import UploadPolicy

if TYPE_CHECKING:
    from adapters.bootstrap import App
    from adapters.demo import _Company, _Schedule

HANDOVER_LATE_EVENT = "file.handover_late"
"""The event of a late hand-over (CUS-3): the catalogue entry it feeds is the fine raised."""

RAISED_PERCENT = Decimal(160)
"""Version 2's late hand-over fine as a percentage of version 1's (the default's 50 元 becomes
80 元, the example company's own figure, examples/policy_tests). Demo data, not a rule."""

UPLOAD_AFTER_DAYS = 14
"""Version 2 is uploaded on the first working day this many days after the demo's start."""


def raised_late_fine(policy: Policy) -> Policy | None:
    """``policy`` with the late hand-over fine (and its per-position amounts) raised to
    ``RAISED_PERCENT`` %; None when no catalogue entry is fed by the late hand-over event."""
    factor = RAISED_PERCENT / 100
    catalogue = list(policy.penalties.catalogue)
    for i, entry in enumerate(catalogue):
        if entry.source_event == HANDOVER_LATE_EVENT:
            catalogue[i] = attrs.evolve(
                entry,
                amount=_raised(entry.amount, factor),
                amount_by_position={
                    k: _raised(v, factor) for k, v in entry.amount_by_position.items()
                },
            )
            penalties = attrs.evolve(policy.penalties, catalogue=catalogue)
            # its own label, so reports name which version judged what
            return attrs.evolve(policy, penalties=penalties, version=f"{policy.version}+demo.2")
    return None


def _raised(amount: str, factor: Decimal) -> str:
    return f"{Money.of(amount).times(factor).amount:.2f}"


class DemoPolicyVersions:
    """Schedules version 2's upload and activation on the demo's timeline."""

    def __init__(
        self, app: App, company: _Company, when: Callable[[date, int, int], datetime]
    ) -> None:
        self.app = app
        self.company = company
        self.when = when
        self.versions: list[int] = [1]
        """The numbers of the versions in force at some point of the history, 1 first."""
        self._draft: int | None = None

    def plan(self, start: date, days: list[date], schedule: _Schedule) -> None:
        """Version 2 takes effect on the first of the month after ``start``; uploaded on a
        working day of the first month, activated the next working day."""
        raised = raised_late_fine(self.app.services.ctx.base_policy)
        effective = add_months(start.replace(day=1), 1)
        working = [d for d in days if start + timedelta(days=UPLOAD_AFTER_DAYS) <= d < effective]
        if raised is None or len(working) < 2:
            return
        upload_day, activate_day = working[0], working[1]
        document = dump_policy(raised)
        schedule.at(
            self.when(upload_day, 15, 0), lambda: self._upload(document, effective, upload_day)
        )
        schedule.at(self.when(activate_day, 10, 0), self._activate)

    def _upload(self, document: str, effective: date, on: date) -> None:
        manager = self.company.managers["cs"]
        self._draft = self.app.services.policy_lab.upload(
            manager.id,
            UploadPolicy(
                document=document,
                effective_from=effective,
                note=f"raise the late hand-over fine (CUS-3/PEN-1), proposed {on.isoformat()}",
            ),
        ).number

    def _activate(self) -> None:
        if self._draft is None:
            return
        version = self.app.services.policy_lab.activate(self.company.gm.id, self._draft)
        self.versions.append(version.number)
