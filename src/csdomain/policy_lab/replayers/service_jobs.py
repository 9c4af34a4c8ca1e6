"""Service-job deadlines under a candidate policy (CASE-12): which repair calls would have
been on site late, and which would stand overdue (reported to the policy's ``overdue_role``).

One window is the jobs registered in one calendar month, read a page at a time. Each job's
arrival deadline is computed by ``service_jobs.services.arrival_deadline`` — the function
registration uses — from its zone and registration time, under the version in force on its
registration day and under the candidate; the recorded arrival (up to the replay's "now")
is then late or not (``arrived_late``), and a job not yet on site is overdue or not
(``overdue``, the late-jobs sweep's test) at the replay's "now". The maintenance
contracts ending in the month (one page at a time) have their renewal notice's day
recomputed by ``renewal_notice_day`` (the scheduler's horizon, ``renewal_notice_months``)
against the notice recorded.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import attrs

from csdomain.policy.model import Policy
from csdomain.policy_lab.replay import ReplayItem, ReplayScope, Window, WindowResult
from csdomain.service_jobs.model import MaintenanceContract, ServiceJob
from csdomain.service_jobs.services import (
    arrival_deadline,
    arrived_late,
    overdue,
    renewal_notice_day,
)

PAGE = 500
LATE = "late arrivals"
OVERDUE = "overdue repairs"
RENEWALS_LATE = "renewal notices late"


@attrs.frozen
class Arrival:
    """CASE-12: one job's arrival outcome under one policy."""

    zone_known: bool
    deadline: datetime | None
    arrived_at: datetime | None
    late: bool
    overdue: bool
    overdue_role: str


def arrival(policy: Policy, scope: ReplayScope, job: ServiceJob) -> Arrival:
    """The job's deadline, lateness and overdue state under ``policy`` at the replay's now
    (an arrival recorded after that "now" has not happened yet)."""
    arrived = job.arrived_at if job.arrived_at is not None and job.arrived_at <= scope.now else None
    role = policy.service_jobs.overdue_role
    if job.zone not in policy.service_jobs.zones:
        return Arrival(False, None, arrived, False, False, role)
    due = arrival_deadline(policy, scope.calendar_of(policy), job.zone, job.registered_at)
    return Arrival(
        True, due, arrived, arrived_late(due, arrived), overdue(due, arrived, scope.now), role
    )


def _words(a: Arrival, zone: str) -> str:
    if not a.zone_known or a.deadline is None:
        return f"zone {zone!r} not in the policy: no deadline"
    due = f"due on site {a.deadline:%Y-%m-%d %H:%M}"
    if a.arrived_at is not None:
        state = "late" if a.late else "on time"
        return f"{due}, on site {a.arrived_at:%Y-%m-%d %H:%M}: {state}"
    if a.overdue:
        return f"{due}, not on site: overdue → {a.overdue_role}"
    return f"{due}, not on site yet: not overdue"


class ServiceJobsReplayer:
    capability = "service_jobs"
    title = "Service jobs: arrival deadlines, overdue repairs, renewal notices (CASE-12)"
    notes = (
        "Jobs registered in the period; each zone's arrival time (24x7 or business hours) "
        "from the job's registration, against the recorded arrival up to the end of the "
        "period (or now). A job still not on site is overdue once its deadline passed, "
        "reported to the policy's overdue role. Maintenance contracts ending in the period: "
        "the renewal notice's day (renewal_notice_months before) against the recorded "
        "notice. Dispatch priority, inspections, invoices and SAT-1 (see surveys) are not "
        "replayed.",
    )

    def replay(self, scope: ReplayScope, window: Window) -> WindowResult:
        result = WindowResult()
        start, end = scope.instants(window)
        offset = 0
        while start < end:
            jobs = list(
                scope.uow.service_jobs.list_registered_between(
                    start, end, limit=PAGE, offset=offset
                )
            )
            for job in jobs:
                self._job(scope, job, result)
            if len(jobs) < PAGE:
                break
            offset += len(jobs)
        offset = 0
        while True:
            contracts = list(
                scope.uow.contracts.list_ending_between(
                    window.start, window.end, limit=PAGE, offset=offset
                )
            )
            for contract in contracts:
                self._contract(scope, contract, result)
            if len(contracts) < PAGE:
                break
            offset += len(contracts)
        return result

    def _contract(
        self, scope: ReplayScope, contract: MaintenanceContract, result: WindowResult
    ) -> None:
        """CASE-12: was the renewal notice sent by its day (late if after it, or not sent
        by the replay's now once due)?"""
        today = scope.now.date()
        notified = contract.renewal_notified_at
        sent = notified.astimezone(scope.now.tzinfo).date() if notified else None
        if notified is not None and notified > scope.now:
            sent = None
        # the version in force when the scheduler sent it (not sent: on the replay's today)
        in_force = scope.policy_on(sent or min(today, contract.ends_on))
        old_due = renewal_notice_day(in_force.service_jobs, contract.ends_on)
        new_due = renewal_notice_day(scope.candidate.service_jobs, contract.ends_on)
        old_late = sent > old_due if sent is not None else old_due < today
        new_late = sent > new_due if sent is not None else new_due < today
        result.compared += 1
        result.add(RENEWALS_LATE, Decimal(int(old_late)), Decimal(int(new_late)))
        if old_late == new_late:
            return
        result.items.append(
            ReplayItem(
                capability=self.capability,
                kind="renewal notice",
                subject_id=contract.id,
                subject=f"contract {contract.number}",
                period=contract.ends_on.isoformat(),
                measure=RENEWALS_LATE,
                old_value=Decimal(int(old_late)),
                new_value=Decimal(int(new_late)),
                old=_notice_words(
                    in_force.service_jobs.renewal_notice_months, old_due, sent, old_late
                ),
                new=_notice_words(
                    scope.candidate.service_jobs.renewal_notice_months, new_due, sent, new_late
                ),
                rule="CASE-12",
                detail=f"ends {contract.ends_on}, customer {contract.customer_id}",
            )
        )

    def _job(self, scope: ReplayScope, job: ServiceJob, result: WindowResult) -> None:
        day = job.registered_at.astimezone(scope.now.tzinfo).date()
        old = arrival(scope.policy_on(day), scope, job)  # as registration judged it
        new = arrival(scope.candidate, scope, job)
        result.compared += 1
        result.add(LATE, Decimal(int(old.late)), Decimal(int(new.late)))
        result.add(OVERDUE, Decimal(int(old.overdue)), Decimal(int(new.overdue)))
        subject = f"{job.customer_name} ({job.zone}, {job.id})"
        detail = f"work type {job.work_type}, registered {job.registered_at:%Y-%m-%d %H:%M}"
        if old.late != new.late:
            result.items.append(
                self._item(job, day, subject, LATE, old, new, old.late, new.late, detail)
            )
        if old.overdue != new.overdue or (
            old.overdue and new.overdue and old.overdue_role != new.overdue_role
        ):
            result.items.append(
                self._item(
                    job,
                    day,
                    subject,
                    OVERDUE,
                    old,
                    new,
                    old.overdue,
                    new.overdue,
                    f"{detail}; overdue repairs go to the {new.overdue_role}",
                )
            )

    def _item(
        self,
        job: ServiceJob,
        day: date,
        subject: str,
        measure: str,
        old: Arrival,
        new: Arrival,
        was: bool,
        now: bool,
        detail: str,
    ) -> ReplayItem:
        return ReplayItem(
            capability=self.capability,
            kind="arrival" if measure == LATE else "overdue",
            subject_id=job.id,
            subject=subject,
            period=day.isoformat(),
            measure=measure,
            old_value=Decimal(int(was)),
            new_value=Decimal(int(now)),
            old=_words(old, job.zone),
            new=_words(new, job.zone),
            rule="CASE-12",
            detail=detail,
        )


def _notice_words(months: int, due: date, sent: date | None, late: bool) -> str:
    head = f"notice due {due} ({months} month(s) ahead)"
    if sent is not None:
        return f"{head}, sent {sent}: {'late' if late else 'on time'}"
    return f"{head}, not sent: {'late' if late else 'not yet due'}"
