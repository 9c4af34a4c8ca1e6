"""Service-job use cases (CASE-12, SAT-1) and settlement/exchange use cases (CASE-13, CASE-14)."""

from __future__ import annotations

import builtins
from datetime import date, datetime, timedelta

import attrs

from csdomain.authz import Grant, Resource, use_case
from csdomain.cases.model import Case
from csdomain.cases.ports import Notifier
from csdomain.cases.services import MAX_BATCH, case_resource, reach_of, staff_department
from csdomain.context import ServiceContext, authorize, load_actor, record
from csdomain.kernel.calendar import Calendar, add_business_hours
from csdomain.kernel.dates import add_months
from csdomain.kernel.errors import InvalidTransition, PermissionDenied, ValidationError
from csdomain.kernel.ids import CustomerId, StaffId
from csdomain.kernel.money import Money
from csdomain.policy.model import Policy
from csdomain.policy.service import ServiceJobsPolicy, SettlementPolicy
from csdomain.ports import UnitOfWork
from csdomain.service_jobs.commands import OpenExchange, RegisterJob
from csdomain.service_jobs.model import (
    ExchangeForm,
    ExchangeState,
    JobState,
    MaintenanceContract,
    ServiceJob,
    Settlement,
)

J = JobState


@attrs.frozen
class SurveySummary:
    """SAT-1: a technician's ratings in a period, item → level → count (feeds appraisal)."""

    technician_id: StaffId
    jobs: int
    surveyed: int
    ratings: dict[str, dict[str, int]]


def arrival_deadline(
    policy: Policy, calendar: Calendar, zone: str, registered_at: datetime
) -> datetime:
    """CASE-12: a job registered at ``registered_at`` in ``zone`` is due on site within the
    zone's hours, counted round the clock (``24x7``) or in the policy's business hours on
    working days. Pure, so registration and the what-if replay (issue 15) decide alike."""
    zones = policy.service_jobs.zones
    if zone not in zones:
        raise ValidationError(
            f"unknown zone {zone!r}; the policy has {', '.join(zones)}",
            field="zone",
            rule="CASE-12",
        )
    z = zones[zone]
    if z.basis == "business_hours":
        return add_business_hours(
            calendar, policy.calendar.business_hours, registered_at, timedelta(hours=z.hours)
        )
    return registered_at + timedelta(hours=z.hours)


def arrived_late(arrive_by: datetime, arrived_at: datetime | None) -> bool:
    """CASE-12: on site after the deadline (``job.arrived`` records it as ``late``)."""
    return arrived_at is not None and arrived_at > arrive_by


def overdue(arrive_by: datetime, arrived_at: datetime | None, now: datetime) -> bool:
    """CASE-12: not on site and past the deadline at ``now``: the late-jobs sweep reports
    it to the policy's ``overdue_role``."""
    return arrived_at is None and arrive_by < now


def renewal_notice_day(policy: ServiceJobsPolicy, ends_on: date) -> date:
    """CASE-12: the first day the renewal notice of a contract ending ``ends_on`` is due:
    the day from which it ends within the policy's ``renewal_notice_months`` (the
    scheduler's horizon). Pure, shared by the scheduler and the replay (issue 15)."""
    months = policy.renewal_notice_months
    day = add_months(ends_on, -months)
    while add_months(day, months) < ends_on:
        day += timedelta(days=1)
    while add_months(day - timedelta(days=1), months) >= ends_on:
        day -= timedelta(days=1)
    return day


class ServiceJobService:
    def __init__(self, ctx: ServiceContext, notifier: Notifier) -> None:
        self.ctx = ctx
        self.notifier = notifier

    @property
    def policy(self) -> ServiceJobsPolicy:
        return self.ctx.policy.service_jobs

    def _resource(self, uow: UnitOfWork, job: ServiceJob, *, work: bool = False) -> Resource:
        """What the guard needs of a job. Scope ``own``: the technician and the registrar
        (``work``: the dispatched technician alone); ``department``: their departments.
        Subject: the technician, whose work an inspection or a survey judges (X-4)."""
        owners = [job.technician_id] if work else [job.technician_id, job.registered_by]
        return Resource.of(
            f"service job {job.id}",
            owners=owners,
            departments=[staff_department(uow, o) for o in owners],
            subjects=[job.technician_id],
        )

    def _guarded(
        self,
        uow: UnitOfWork,
        actor_id: StaffId,
        action: str,
        job_id: str,
        *allowed: JobState,
        work: bool = False,
    ) -> tuple[Grant, ServiceJob]:
        """The guard for ``action`` on one job (role, scope, recusal), then its state."""
        grant = authorize(uow, self.ctx, actor_id, action)
        job = uow.service_jobs.get(job_id)
        grant.require(self._resource(uow, job, work=work))
        return grant, self._job(uow, job_id, *allowed)

    def _batch(self, batch: int) -> None:
        if not 1 <= batch <= MAX_BATCH:
            raise ValidationError(
                f"must be between 1 and {MAX_BATCH}", field="batch", rule="CASE-12"
            )

    def _job(self, uow: UnitOfWork, job_id: str, *allowed: JobState) -> ServiceJob:
        job = uow.service_jobs.get(job_id)
        if allowed and job.state not in allowed:
            raise InvalidTransition(
                f"job is {job.state.value}; expected {', '.join(s.value for s in allowed)}",
                rule="CASE-12",
            )
        return job

    def _arrival_deadline(self, zone: str, registered_at: datetime) -> datetime:
        """CASE-12: on site within the zone's hours (the one rule, shared with the replay)."""
        return arrival_deadline(self.ctx.policy, self.ctx.calendar, zone, registered_at)

    @use_case("jobs.register")
    def register(self, actor_id: StaffId, command: RegisterJob) -> ServiceJob:
        if command.work_type not in self.policy.work_types:
            raise ValidationError(
                f"work type must be one of {', '.join(self.policy.work_types)}",
                field="work_type",
                rule="CASE-12",
            )
        now = self.ctx.now()
        arrive_by = self._arrival_deadline(command.zone, now)
        with self.ctx.uow() as uow:
            actor = authorize(uow, self.ctx, actor_id, "jobs.register").actor
            if command.customer_id is not None:
                uow.customers.get(command.customer_id)
            if command.case_id is not None:
                uow.cases.get(command.case_id)
            job = ServiceJob(
                customer_name=command.customer_name,
                address=command.address,
                zone=command.zone,
                work_type=command.work_type,
                description=command.description,
                registered_at=now,
                registered_by=actor.id,
                arrive_by=arrive_by,
                customer_id=command.customer_id,
                case_id=command.case_id,
            )
            uow.service_jobs.add(job)
            record(uow, self.ctx, "job.registered", job.id, actor.id, zone=job.zone)
            uow.commit()
            return job

    @use_case("jobs.dispatch")
    def dispatch(self, actor_id: StaffId, job_id: str, technician_id: StaffId) -> ServiceJob:
        """CASE-12: the dispatcher sends a technician (again, while not yet on site)."""
        with self.ctx.uow() as uow:
            authorize(uow, self.ctx, actor_id, "jobs.dispatch")
            job = self._job(uow, job_id, J.REGISTERED, J.DISPATCHED)
            tech = load_actor(uow, technician_id)
            job.technician_id = tech.id
            job.dispatched_at = self.ctx.now()
            job.state = J.DISPATCHED
            record(uow, self.ctx, "job.dispatched", job.id, actor_id, technician_id=tech.id)
            uow.commit()
            return job

    @use_case("jobs.work")
    def arrive(self, actor_id: StaffId, job_id: str) -> ServiceJob:
        """CASE-12: the technician is on site (late if after ``arrive_by``)."""
        with self.ctx.uow() as uow:
            grant, job = self._guarded(uow, actor_id, "jobs.work", job_id, J.DISPATCHED, work=True)
            actor = grant.actor
            job.arrived_at = self.ctx.now()
            job.state = J.ON_SITE
            record(
                uow,
                self.ctx,
                "job.arrived",
                job.id,
                actor.id,
                late=str(arrived_late(job.arrive_by, job.arrived_at)).lower(),
            )
            uow.commit()
            return job

    @use_case("jobs.work")
    def fix_on_site(self, actor_id: StaffId, job_id: str, *, customer_signed: bool) -> ServiceJob:
        """Fixed on site: the customer signs the service report."""
        if not customer_signed:
            raise ValidationError(
                "the customer signs the on-site report", field="customer_signed", rule="CASE-12"
            )
        with self.ctx.uow() as uow:
            grant, job = self._guarded(uow, actor_id, "jobs.work", job_id, J.ON_SITE, work=True)
            actor = grant.actor
            job.customer_signed = True
            job.completed_at = self.ctx.now()
            job.state = J.FIXED_ON_SITE
            record(uow, self.ctx, "job.fixed_on_site", job.id, actor.id)
            uow.commit()
            return job

    @use_case("jobs.work")
    def take_in(
        self, actor_id: StaffId, job_id: str, *, receipt_no: str, repair_card_no: str
    ) -> ServiceJob:
        """Taken in for repair: a receipt to the customer and a repair card."""
        if not receipt_no.strip():
            raise ValidationError("must not be empty", field="receipt_no", rule="CASE-12")
        if not repair_card_no.strip():
            raise ValidationError("must not be empty", field="repair_card_no", rule="CASE-12")
        with self.ctx.uow() as uow:
            grant, job = self._guarded(uow, actor_id, "jobs.work", job_id, J.ON_SITE, work=True)
            actor = grant.actor
            job.receipt_no, job.repair_card_no = receipt_no, repair_card_no
            job.state = J.TAKEN_IN
            record(uow, self.ctx, "job.taken_in", job.id, actor.id, receipt_no=receipt_no)
            uow.commit()
            return job

    @use_case("jobs.inspect")
    def inspect(self, actor_id: StaffId, job_id: str, note: str = "") -> ServiceJob:
        """CASE-12: a taken-in repair is inspected before return, not by its technician."""
        with self.ctx.uow() as uow:
            grant, job = self._guarded(uow, actor_id, "jobs.inspect", job_id, J.TAKEN_IN)
            actor = grant.actor
            job.inspected_by = actor.id
            job.state = J.INSPECTED
            record(uow, self.ctx, "job.inspected", job.id, actor.id, note)
            uow.commit()
            return job

    @use_case("jobs.work")
    def return_to_customer(self, actor_id: StaffId, job_id: str) -> ServiceJob:
        """CASE-12: the inspected repair goes back to the customer (the job's people)."""
        with self.ctx.uow() as uow:
            self._guarded(uow, actor_id, "jobs.work", job_id, J.INSPECTED)
            job = self._job(uow, job_id, J.INSPECTED)
            job.returned_at = job.completed_at = self.ctx.now()
            job.state = J.RETURNED
            record(uow, self.ctx, "job.returned", job.id, actor_id)
            uow.commit()
            return job

    @use_case("jobs.invoice")
    def invoice(self, actor_id: StaffId, job_id: str, invoice_no: str, amount: Money) -> ServiceJob:
        """Paid work (type A) is invoiced when paid."""
        if amount.is_negative() or amount == Money.zero():
            raise ValidationError("must be > 0", field="amount", rule="X-2")
        with self.ctx.uow() as uow:
            _, job = self._guarded(
                uow, actor_id, "jobs.invoice", job_id, J.FIXED_ON_SITE, J.RETURNED
            )
            if job.work_type not in self.policy.invoiced_work_types:
                raise InvalidTransition(
                    f"work type {job.work_type} ({self.policy.work_types[job.work_type]}) "
                    "is not invoiced",
                    rule="CASE-12",
                )
            job.invoice_no, job.amount = invoice_no, amount
            job.state = J.INVOICED
            record(
                uow,
                self.ctx,
                "job.invoiced",
                job.id,
                actor_id,
                invoice_no=invoice_no,
                amount=str(amount.amount),
            )
            uow.commit()
            return job

    @use_case("jobs.survey")
    def record_survey(self, actor_id: StaffId, job_id: str, ratings: dict[str, str]) -> ServiceJob:
        """SAT-1: every job's customer rates the 4 items on the 4 levels; no sampling. The
        technician rated never records the ratings (X-4)."""
        items, levels = self.policy.survey_items, self.policy.survey_levels
        if sorted(ratings) != sorted(items):
            raise ValidationError(
                f"rate exactly the items {', '.join(items)}", field="ratings", rule="SAT-1"
            )
        bad = {k: v for k, v in ratings.items() if v not in levels}
        if bad:
            raise ValidationError(
                f"levels are {', '.join(levels)}; got {bad}", field="ratings", rule="SAT-1"
            )
        with self.ctx.uow() as uow:
            _, job = self._guarded(
                uow, actor_id, "jobs.survey", job_id, J.FIXED_ON_SITE, J.RETURNED, J.INVOICED
            )
            if job.survey:
                raise InvalidTransition("the job was already surveyed", rule="SAT-1")
            job.survey = dict(ratings)
            record(uow, self.ctx, "job.surveyed", job.id, actor_id)
            uow.commit()
            return job

    @use_case("jobs.close")
    def close(self, actor_id: StaffId, job_id: str) -> ServiceJob:
        """CASE-12/SAT-1: a surveyed (and, for paid work, invoiced) job is closed."""
        with self.ctx.uow() as uow:
            _, job = self._guarded(
                uow, actor_id, "jobs.close", job_id, J.FIXED_ON_SITE, J.RETURNED, J.INVOICED
            )
            if job.work_type in self.policy.invoiced_work_types and job.state != J.INVOICED:
                raise InvalidTransition("paid work is closed after it is invoiced", rule="CASE-12")
            if not job.survey:
                raise InvalidTransition("every job is surveyed before closing", rule="SAT-1")
            job.state = J.CLOSED
            record(uow, self.ctx, "job.closed", job.id, actor_id)
            uow.commit()
            return job

    @use_case("jobs.read")
    def get(self, actor_id: StaffId, job_id: str) -> ServiceJob:
        """X-5: a job outside the reader's scope (own: technician or registrar) is a 403."""
        with self.ctx.uow() as uow:
            return self._guarded(uow, actor_id, "jobs.read", job_id)[1]

    @use_case("jobs.queue")
    def dispatch_queue(self, actor_id: StaffId) -> builtins.list[ServiceJob]:
        """Undispatched jobs the reader reaches (``jobs.queue`` scope; dispatchers: all):
        yesterday's leftovers (priority) first, then by deadline."""
        with self.ctx.uow() as uow:
            reach = reach_of(authorize(uow, self.ctx, actor_id, "jobs.queue"))
            jobs = [j for j in uow.service_jobs.list_open(reach=reach) if j.state == J.REGISTERED]
            return sorted(jobs, key=lambda j: (not j.priority, j.arrive_by, j.id))

    @use_case("scheduler.prioritize_jobs")
    def prioritize_undispatched(
        self, actor_id: StaffId, batch: int = 500
    ) -> builtins.list[ServiceJob]:
        """CASE-12: jobs registered before today and still not dispatched get priority.
        Scheduler action: the system account, today from the Clock, ``batch`` open jobs per
        run, one audit event per run (X-7)."""
        self._batch(batch)
        today = self.ctx.today()
        changed: builtins.list[ServiceJob] = []
        with self.ctx.uow() as uow:
            authorize(uow, self.ctx, actor_id, "scheduler.prioritize_jobs")
            for job in uow.service_jobs.list_open(priority=False, limit=batch):
                if (
                    job.state == J.REGISTERED
                    and not job.priority
                    and (job.registered_at.date() < today)
                ):
                    job.priority = True
                    record(uow, self.ctx, "job.prioritized", job.id, actor_id)
                    changed.append(job)
            record(
                uow,
                self.ctx,
                "scheduler.prioritize_jobs",
                "service_jobs",
                actor_id,
                prioritized=str(len(changed)),
                batch=str(batch),
            )
            uow.commit()
        return changed

    @use_case("scheduler.late_jobs")
    def report_late(self, actor_id: StaffId, batch: int = 500) -> builtins.list[ServiceJob]:
        """CASE-12: overdue repairs go to the ``overdue_role``, once per job. Scheduler
        action: the system account, now from the Clock, ``batch`` jobs per run, audited."""
        self._batch(batch)
        now = self.ctx.now()
        reported: builtins.list[ServiceJob] = []
        with self.ctx.uow() as uow:
            uow.lock("service-jobs:late-report")  # a concurrent run waits, then skips
            authorize(uow, self.ctx, actor_id, "scheduler.late_jobs")
            for job in uow.service_jobs.list_late(now, limit=batch):
                if job.overdue_reported_at is None and overdue(job.arrive_by, job.arrived_at, now):
                    job.overdue_reported_at = now
                    record(
                        uow,
                        self.ctx,
                        "job.overdue",
                        job.id,
                        actor_id,
                        arrive_by=job.arrive_by.isoformat(),
                    )
                    reported.append(job)
            record(
                uow,
                self.ctx,
                "scheduler.late_jobs",
                "service_jobs",
                actor_id,
                reported=str(len(reported)),
                batch=str(batch),
            )
            recipients = [
                s.id for s in uow.staff.list() if s.active and s.role == self.policy.overdue_role
            ]
            uow.commit()
        if reported:
            self.notifier.notify(
                recipients,
                f"{len(reported)} overdue repair job(s)",
                "\n".join(
                    f"{j.id} {j.customer_name} due on site by {j.arrive_by:%Y-%m-%d %H:%M}"
                    for j in reported
                ),
            )
        return reported

    @use_case("jobs.survey_summary")
    def survey_summary(
        self, actor_id: StaffId, technician_id: StaffId, start: datetime, end: datetime
    ) -> SurveySummary:
        """SAT-1: a technician's ratings for the monthly appraisal."""
        with self.ctx.uow() as uow:
            authorize(uow, self.ctx, actor_id, "jobs.survey_summary")
            jobs = uow.service_jobs.list_completed_between(start, end, technician_id)
        ratings: dict[str, dict[str, int]] = {
            item: dict.fromkeys(self.policy.survey_levels, 0) for item in self.policy.survey_items
        }
        surveyed = 0
        for job in jobs:
            if job.survey:
                surveyed += 1
                for item, level in job.survey.items():
                    ratings[item][level] += 1
        return SurveySummary(technician_id, len(jobs), surveyed, ratings)

    # --------------------------------------------------------- maintenance contracts
    @use_case("jobs.contracts.add")
    def add_contract(
        self,
        actor_id: StaffId,
        customer_id: CustomerId,
        number: str,
        starts_on: date,
        ends_on: date,
    ) -> MaintenanceContract:
        if ends_on <= starts_on:
            raise ValidationError("must be after starts_on", field="ends_on", rule="CASE-12")
        with self.ctx.uow() as uow:
            authorize(uow, self.ctx, actor_id, "jobs.contracts.add")
            uow.customers.get(customer_id)
            contract = MaintenanceContract(
                customer_id=customer_id, number=number, starts_on=starts_on, ends_on=ends_on
            )
            uow.contracts.add(contract)
            record(uow, self.ctx, "contract.added", contract.id, actor_id)
            uow.commit()
            return contract

    @use_case("scheduler.renewal_notices")
    def send_renewal_notices(
        self, actor_id: StaffId, batch: int = 500
    ) -> builtins.list[MaintenanceContract]:
        """CASE-12: a renewal notice the policy's months before expiry, once per contract.
        Scheduler action: the system account, today from the Clock, ``batch`` contracts per
        run, audited."""
        self._batch(batch)
        today = self.ctx.today()
        horizon = add_months(today, self.policy.renewal_notice_months)
        sent: builtins.list[MaintenanceContract] = []
        with self.ctx.uow() as uow:
            uow.lock("service-jobs:renewal-notices")  # a concurrent run waits, then skips
            authorize(uow, self.ctx, actor_id, "scheduler.renewal_notices")
            for contract in uow.contracts.list_ending_by(horizon, since=today, limit=batch):
                if renewal_notice_day(self.policy, contract.ends_on) > today:
                    continue  # the horizon query's rule, stated once (never taken)
                contract.renewal_notified_at = self.ctx.now()
                record(
                    uow,
                    self.ctx,
                    "contract.renewal_notice",
                    contract.id,
                    actor_id,
                    ends_on=contract.ends_on.isoformat(),
                )
                sent.append(contract)
            owners = {c.id: uow.customers.get(c.customer_id).owner_id for c in sent}
            record(
                uow,
                self.ctx,
                "scheduler.renewal_notices",
                "contracts",
                actor_id,
                sent=str(len(sent)),
                batch=str(batch),
            )
            uow.commit()
        for contract in sent:
            self.notifier.notify(
                [owners[contract.id]],
                f"Contract {contract.number} renewal",
                f"Maintenance contract {contract.number} ends {contract.ends_on}.",
            )
        return sent


class SettlementService:
    """CASE-13 settlements and CASE-14 exchange/transfer forms."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    @property
    def policy(self) -> SettlementPolicy:
        return self.ctx.policy.settlement

    def _case_resource(
        self, uow: UnitOfWork, case: Case, *, required_role: str = "", needed_for: str = ""
    ) -> Resource:
        return case_resource(uow, case, required_role=required_role, needed_for=needed_for)

    def _form_resource(self, uow: UnitOfWork, form: ExchangeForm) -> Resource:
        """Scope own: the salesperson and the signers; department: the salesperson's.
        Signers: who signed the earlier steps (one step per signer, CASE-14)."""
        signers = [StaffId(s["by"]) for s in form.sign_offs]
        return Resource.of(
            f"exchange form {form.id}",
            owners=[form.salesperson_id, *signers],
            departments=[staff_department(uow, form.salesperson_id)],
            signers=signers,
        )

    @use_case("settlements.record")
    def record_settlement(
        self,
        actor_id: StaffId,
        case_id: str,
        *,
        kind: str,
        amount: Money,
        quantity_claimed: int,
        quantity_returned: int,
        note: str = "",
    ) -> Settlement:
        """The actually returned quantity is what is booked (CASE-13). A settlement pays what
        an approved proposal promised (CASE-8): it needs the case's proposal approved, the
        approval level its own amount needs (``cases.approval_thresholds``, X-3), and is never
        recorded by the complaint's subject (X-4)."""
        if kind not in self.policy.kinds:
            raise ValidationError(
                f"kind must be one of {', '.join(self.policy.kinds)}", field="kind", rule="CASE-13"
            )
        if amount.is_negative():
            raise ValidationError("must not be negative", field="amount", rule="X-2")
        if quantity_claimed < 0:
            raise ValidationError("must not be negative", field="quantity_claimed", rule="CASE-13")
        # CASE-13 (001 2-B(十三)): more than claimed is booked only up to the over-quantity
        # acceptance ratio (settlement.over_quantity_percent)
        most = self.policy.max_returned(quantity_claimed)
        if not 0 <= quantity_returned <= most:
            raise ValidationError(
                f"0 ≤ returned ≤ {most} (claimed {quantity_claimed} plus the "
                f"{self.policy.over_quantity_percent} % over-quantity acceptance ratio)",
                field="quantity_returned",
                rule="CASE-13",
            )
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "settlements.record")
            case = uow.cases.get(case_id)
            grant.require(
                self._case_resource(
                    uow,
                    case,
                    required_role=self.ctx.policy.cases.approval_role(amount.amount),
                    needed_for=f"a {kind} settlement of {amount}",
                ),
                field="amount",
            )
            if case.approved_by is None:
                raise PermissionDenied(
                    f"settlements.record: case {case.number} has no approved proposal; a "
                    "settlement pays only what the approver granted",
                    rule="CASE-8",
                    action="settlements.record",
                )
            settlement = Settlement(
                case_id=case_id,
                kind=kind,
                amount=amount,
                quantity_claimed=quantity_claimed,
                quantity_returned=quantity_returned,
                created_by=actor_id,
                created_at=self.ctx.now(),
                note=note,
            )
            uow.settlements.add(settlement)
            record(
                uow,
                self.ctx,
                "settlement.recorded",
                case_id,
                actor_id,
                note,
                kind=kind,
                amount=str(amount.amount),
                booked_quantity=str(quantity_returned),
            )
            uow.commit()
            return settlement

    @use_case("settlements.read")
    def settlements(self, actor_id: StaffId, case_id: str) -> builtins.list[Settlement]:
        """CASE-13: a case's settlements, for readers whose scope reaches the case."""
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "settlements.read")
            grant.require(self._case_resource(uow, uow.cases.get(case_id)))
            return builtins.list(uow.settlements.list_for_case(case_id))

    @use_case("exchanges.open")
    def open_exchange(self, actor_id: StaffId, command: OpenExchange) -> ExchangeForm:
        """CASE-14: the salesperson opens an exchange/transfer form."""
        if command.quantity <= 0:
            raise ValidationError("must be > 0", field="quantity", rule="CASE-14")
        with self.ctx.uow() as uow:
            actor = authorize(uow, self.ctx, actor_id, "exchanges.open").actor
            if command.case_id is not None:
                uow.cases.get(command.case_id)
            form = ExchangeForm(
                salesperson_id=actor.id,
                customer_name=command.customer_name,
                goods=command.goods,
                quantity=command.quantity,
                reason=command.reason,
                created_at=self.ctx.now(),
                case_id=command.case_id,
            )
            uow.exchanges.add(form)
            record(uow, self.ctx, "exchange.opened", form.id, actor.id, command.reason)
            uow.commit()
            return form

    @use_case("exchanges.sign")
    def sign_exchange(
        self, actor_id: StaffId, form_id: str, *, approve: bool, opinion: str = ""
    ) -> ExchangeForm:
        """CASE-14: the next sign-off of the policy's chain, by its role, and by someone who
        signed no earlier step (``permissions.max_signatures_per_person``)."""
        steps = self.policy.exchange_steps
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "exchanges.sign")
            actor = grant.actor
            form = uow.exchanges.get(form_id)
            if form.state != ExchangeState.OPEN:
                raise InvalidTransition(f"the form is {form.state.value}", rule="CASE-14")
            step = steps[len(form.sign_offs)]
            grant.require(
                attrs.evolve(
                    self._form_resource(uow, form),
                    owners=frozenset(),
                    required_role=step.role,
                    needed_for=f"step {step.name!r}",
                )
            )
            if not approve and not opinion.strip():
                raise ValidationError("a refusal needs an opinion", field="opinion", rule="CASE-14")
            form.sign_offs = [
                *form.sign_offs,
                {
                    "step": step.name,
                    "by": actor.id,
                    "at": self.ctx.now().isoformat(),
                    "approved": str(approve).lower(),
                    "opinion": opinion,
                },
            ]
            if not approve:
                form.state = ExchangeState.REJECTED
            elif len(form.sign_offs) == len(steps):
                form.state = ExchangeState.COMPLETED
            record(
                uow,
                self.ctx,
                "exchange.signed",
                form.id,
                actor.id,
                opinion,
                step=step.name,
                approved=str(approve).lower(),
            )
            uow.commit()
            return form

    @use_case("exchanges.ledger")
    def enter_in_ledger(self, actor_id: StaffId, form_id: str) -> ExchangeForm:
        """CASE-14: the completed form gets the next exchange-ledger number, signed by the
        handler who enters it (a record, not a sign-off step: the warehouse handler may)."""
        with self.ctx.uow() as uow:
            # the next number is max + 1 over every form: one entry at a time, so two forms
            # entered together never get the same number
            uow.lock("exchange-ledger")
            grant = authorize(uow, self.ctx, actor_id, "exchanges.ledger")
            actor = grant.actor
            form = uow.exchanges.get(form_id)
            grant.require(Resource.of(f"exchange form {form.id}"))
            if form.state != ExchangeState.COMPLETED or form.ledger_no is not None:
                raise InvalidTransition(
                    "only a completed form not yet in the ledger", rule="CASE-14"
                )
            form.ledger_no = uow.exchanges.max_ledger_no() + 1
            form.ledger_signed_by = actor.id
            record(
                uow, self.ctx, "exchange.ledger", form.id, actor.id, ledger_no=str(form.ledger_no)
            )
            uow.commit()
            return form

    @use_case("exchanges.read")
    def exchanges(self, actor_id: StaffId) -> builtins.list[ExchangeForm]:
        """CASE-14: the forms the reader's scope reaches (own: salesperson or signer)."""
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "exchanges.read")
            return [f for f in uow.exchanges.list() if grant.covers(self._form_resource(uow, f))]
