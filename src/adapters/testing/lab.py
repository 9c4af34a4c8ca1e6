"""A company on the memory adapter, under a chosen policy file, with a clock you control.

``Lab`` is the test kit's composition root (issue 15): it builds the application through
``adapters.bootstrap`` exactly as the CLI and HTTP do — memory storage, the PRC working-day
calendar of the policy (X-1), a ``FixedClock`` — and creates a small organisation (an
administrator, a general manager, a sales department with its manager and supervisor, and an
archive clerk who receives files). Its helpers perform each fact through the real use cases,
so a scenario exercises the same rules production does.
"""

from __future__ import annotations

import builtins
import itertools
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from adapters.bootstrap import App, bootstrap
from adapters.policy_file import default_policy, dump_policy, load_policy
from adapters.settings import Settings
from csdomain.cases.commands import CloseCase, ProposeSolution, ReceiveCase, ResponsibilityShare
from csdomain.cases.model import CapaItem, Case, CaseBreach
from csdomain.credit.commands import AuthorizeShipment, OpenCreditAccount, RecordLedgerEntry
from csdomain.credit.model import ShipmentDecision
from csdomain.customers.commands import RegisterCustomer, UpdateCustomer
from csdomain.customers.model import Customer, CustomerFile, CustomerStatus, FileStatus
from csdomain.kernel.clock import FixedClock
from csdomain.kernel.ids import StaffId
from csdomain.kernel.money import Money
from csdomain.org.model import Department, Staff
from csdomain.penalties.model import (
    Appeal,
    AppealState,
    EntryKind,
    PenaltyEntry,
    Statement,
    Violation,
)
from csdomain.policy.model import Policy
from csdomain.policy_lab.commands import UploadPolicy
from csdomain.service_jobs.commands import RegisterJob
from csdomain.service_jobs.model import ServiceJob
from csdomain.services import Services
from csdomain.surveys.commands import CreateSurvey, RaiseCorrectiveAction, RecordResponse
from csdomain.surveys.model import CorrectiveAction, Survey, SurveyResults
from csdomain.visits.commands import PlanVisit, ReportVisit
from csdomain.visits.model import PlannedVisit, Visit

DEFAULT_START = "2026-10-01 09:00"
"""Where a lab's clock starts unless told otherwise (a Thursday, the National Day holiday)."""

DAY_TIME = time(10, 0)
"""The time of day a fact given only by its date happens at."""

Moment = datetime | date | str
"""A point in time: a ``datetime``, a ``date`` (at ``DAY_TIME``) or text such as
``"2026-10-20"`` / ``"2026-10-20 16:30"`` read in the company's time zone."""

PolicySource = Policy | str | Path | None
"""A policy: a loaded ``Policy``, the path of a policy file, or ``None`` for the default."""


def as_policy(source: PolicySource) -> Policy:
    """Load ``source`` (a path is read and validated like ``csdomain policy validate``)."""
    if source is None:
        return default_policy()
    if isinstance(source, Policy):
        return source
    return load_policy(source)


def _read(path: str | Path) -> str:
    return Path(path).read_text(encoding="utf-8")


def as_date(day: date | str) -> date:
    if isinstance(day, datetime):
        return day.date()
    if isinstance(day, date):
        return day
    return date.fromisoformat(day)


class Lab:
    """The application under test plus the people and helpers scenarios need.

    ``policy`` is the policy the company starts with (version 1; ``adopt`` adds later ones),
    ``start`` where the clock starts. Every helper acts through ``services`` as a named
    person; the clock moves only when a helper is given a moment (``at=``) or you call
    ``set_time``/``advance``.
    """

    def __init__(self, policy: PolicySource = None, *, start: Moment = DEFAULT_START) -> None:
        self.policy: Policy = as_policy(policy)
        self.tz = ZoneInfo(self.policy.calendar.timezone)
        self.clock = FixedClock(self._moment(start))
        self.app: App = bootstrap(Settings(storage="memory"), clock=self.clock, policy=self.policy)
        org = self.services.org
        self.admin, _ = org.bootstrap_admin("Admin")
        self.system: Staff = org.system_account()
        self.department: Department = org.add_department(self.admin.id, "Sales")
        self.gm = org.add_staff(self.admin.id, name="Wang (GM)", role="gm")
        self.manager = org.add_staff(
            self.admin.id, name="Qian (manager)", role="manager", department_id=self.department.id
        )
        org.set_department_head(self.admin.id, self.department.id, self.manager.id)
        self.supervisor = org.add_staff(
            self.admin.id,
            name="Sun (supervisor)",
            role="supervisor",
            department_id=self.department.id,
            supervisor_id=self.manager.id,
        )
        self.clerk = org.add_staff(
            self.admin.id, name="Zhou (archive)", role="staff", department_id=self.department.id
        )
        self._departments: dict[str, Department] = {self.department.name: self.department}
        self._phones = itertools.count(1)
        self._refs = itertools.count(1)
        self.jobs_follow_clock = True
        """Whether ``set_time`` forward runs the periodic jobs (``run_jobs``) at the new time."""

    # ------------------------------------------------------------------ time
    @property
    def services(self) -> Services:
        return self.app.services

    def _moment(self, when: Moment) -> datetime:
        if isinstance(when, str):
            when = datetime.fromisoformat(when) if len(when) > 10 else date.fromisoformat(when)
        if not isinstance(when, datetime):
            when = datetime.combine(when, DAY_TIME)
        return when if when.tzinfo is not None else when.replace(tzinfo=self.tz)

    def time(self, when: Moment) -> datetime:
        """``when`` as an aware datetime in the company's time zone."""
        return self._moment(when)

    def now(self) -> datetime:
        return self.clock.now()

    def set_time(self, when: Moment) -> None:
        """Move the clock to ``when``. Moving forward, the periodic jobs run at the new time
        first (``jobs_follow_clock``), as the scheduler would have run them meanwhile: a case
        left open past its deadline is swept before someone closes it."""
        moment = self._moment(when)
        forward = moment > self.clock.now()
        self.clock.set(moment)
        if forward and self.jobs_follow_clock:
            self.run_jobs()

    def advance(self, delta: timedelta) -> None:
        self.set_time(self.clock.now() + delta)

    def _at(self, when: Moment | None) -> None:
        if when is not None:
            self.set_time(when)

    # -------------------------------------------------------------- policies
    def adopt(self, policy: Policy | str | Path, effective_from: date | str) -> int:
        """Issue 15: the manager uploads ``policy`` (a file, or a ``Policy``) to take effect
        on ``effective_from`` and the GM activates it (X-4: never its uploader); decisions of
        events before that day keep the policy they had. Returns the version number."""
        document = dump_policy(policy) if isinstance(policy, Policy) else _read(policy)
        lab = self.services.policy_lab
        version = lab.upload(
            self.manager.id, UploadPolicy(document=document, effective_from=as_date(effective_from))
        )
        return lab.activate(self.gm.id, version.number).number

    # ---------------------------------------------------------------- people
    def staff(
        self,
        name: str,
        *,
        role: str = "staff",
        position: str = "",
        supervisor: Staff | None = None,
        department: str = "",
    ) -> Staff:
        """A person in the sales department (or the department named ``department``, added
        on first use); sales staff report to the lab's supervisor."""
        home = self.department_named(department) if department else self.department
        if supervisor is None and role == "staff" and home.id == self.department.id:
            supervisor = self.supervisor
        return self.services.org.add_staff(
            self.admin.id,
            name=name,
            role=role,
            department_id=home.id,
            position=position,
            supervisor_id=supervisor.id if supervisor is not None else None,
        )

    def department_named(self, name: str) -> Department:
        """The department called ``name``, added by the administrator on first use (e.g. a
        quality department that verifies corrective actions, CASE-11)."""
        if name not in self._departments:
            self._departments[name] = self.services.org.add_department(self.admin.id, name)
        return self._departments[name]

    # ------------------------------------------------------------- customers
    def customer(self, owner: Staff, name: str = "", **fields: Any) -> Customer:
        """A customer registered by (and owned by) ``owner``; name and phone are made up
        unless given (CUS-1: each phone once)."""
        n = next(self._phones)
        fields.setdefault("phone", f"1390000{n:04d}")
        command = RegisterCustomer(name=name or f"Customer {n}", **fields)
        return self.services.customers.register(owner.id, command)

    def open_file(
        self,
        owner: Staff,
        customer: Customer,
        kind: str,
        event_date: date | str,
        *,
        complete: bool = False,
    ) -> CustomerFile:
        """CUS-3: ``owner`` opens a file for the sale/service of ``event_date``; with
        ``complete`` every checklist item of the kind is filed at once (so its hand-over is
        not incomplete)."""
        customer_file = self.services.customers.open_file(
            owner.id, customer.id, kind, as_date(event_date)
        )
        if complete:
            codes = self.policy.customers.files[kind].item_codes()
            self.services.customers.add_documents(
                owner.id, customer_file.id, {code: "archive box 1" for code in codes}
            )
        return customer_file

    def hand_over(
        self, owner: Staff, customer_file: CustomerFile, at: Moment, receiver: Staff | None = None
    ) -> FileStatus:
        """CUS-3: ``owner`` hands the file over to the archive clerk at ``at``."""
        self._at(at)
        return self.services.customers.hand_over_file(
            owner.id, customer_file.id, (receiver or self.clerk).id
        )

    # ----------------------------------------------------------------- cases
    def receive_case(self, receiver: Staff, at: Moment | None = None, **fields: Any) -> Case:
        """CASE-1: ``receiver`` records a complaint (defaults for every field not given)."""
        self._at(at)
        values: dict[str, Any] = {
            "type": "complaint",
            "category": "product_quality",
            "channel": "hotline",
            "content": "The customer reports a fault",
            "customer_name": "Zhang San",
        }
        values.update(fields)
        return self.services.cases.receive(receiver.id, ReceiveCase(**values))

    def acknowledge(self, actor: Staff, case: Case, at: Moment | None = None) -> Case:
        """CASE-7: the 24-hour acknowledgement to the customer."""
        self._at(at)
        return self.services.cases.acknowledge(actor.id, case.id, "we are on it")

    def resolve_case(
        self,
        case: Case,
        handler: Staff,
        *,
        solved_at: Moment,
        replied_at: Moment,
        closed_at: Moment,
        amount: str = "200.00",
    ) -> Case:
        """CASE-7…CASE-10, the plain road: ``handle_case`` then ``close_case``."""
        self.handle_case(case, handler, solved_at=solved_at, replied_at=replied_at, amount=amount)
        return self.close_case(case, handler, at=closed_at, amount=amount)

    def handle_case(
        self,
        case: Case,
        handler: Staff,
        *,
        solved_at: Moment,
        replied_at: Moment,
        amount: str = "200.00",
    ) -> Case:
        """CASE-7…CASE-9 up to the close: the supervisor accepts the case and assigns it to
        ``handler``, who proposes a remedy of ``amount`` that the GM approves (``solved_at``);
        the handler replies and follows up with a satisfied customer (``replied_at``)."""
        cs = self.services.cases
        self.set_time(solved_at)
        cs.accept(self.supervisor.id, case.id)
        cs.assign(self.supervisor.id, case.id, self.department.id, handler.id)
        cs.propose_solution(
            handler.id,
            case.id,
            ProposeSolution(
                remedy=self.policy.cases.remedies[0],
                solution="as agreed with the customer",
                amount=Money.of(amount),
            ),
        )
        cs.approve(self.gm.id, case.id)
        self.set_time(replied_at)
        cs.reply(handler.id, case.id, "phone", "our offer")
        return cs.follow_up(handler.id, case.id, accepted=True, satisfaction=5)

    def close_case(
        self, case: Case, handler: Staff, *, at: Moment | None = None, amount: str = "200.00"
    ) -> Case:
        """CASE-10/CASE-11: the supervisor closes the handled case (its first cause, the
        department 100 % responsible, ``handler`` the person, a loss of ``amount``); refused
        while a corrective action is not verified effective."""
        self._at(at)
        return self.services.cases.close(
            self.supervisor.id,
            case.id,
            CloseCase(
                cause=self.policy.cases.causes[0],
                responsibilities=[
                    ResponsibilityShare(department_id=self.department.id, percent=100)
                ],
                responsible_staff_ids=[handler.id],
                loss=Money.of(amount),
            ),
        )

    def case(self, case: Case) -> Case:
        """The case as stored now (read by the GM)."""
        return self.services.cases.get(self.gm.id, case.id)

    # ------------------------------------------------------------------ CAPA
    def add_capa(
        self,
        case: Case,
        owner: Staff,
        description: str = "Prevent the fault from recurring",
        *,
        at: Moment | None = None,
        due_working_days: int | None = None,
    ) -> CapaItem:
        """CASE-11: the department manager adds a corrective action owned by ``owner``, due
        ``cases.capa_due_working_days`` working days later unless told otherwise."""
        self._at(at)
        return self.services.cases.add_capa(
            self.manager.id, case.id, description, owner.id, due_working_days
        )

    def complete_capa(
        self, item: CapaItem, at: Moment | None = None, note: str = "done"
    ) -> CapaItem:
        """CASE-11: the action's owner reports it done."""
        self._at(at)
        return self.services.cases.complete_capa(item.owner_id, item.id, note)

    def verify_capa(
        self,
        item: CapaItem,
        verifier: Staff,
        *,
        effective: bool = True,
        at: Moment | None = None,
        note: str = "checked on site",
    ) -> CapaItem:
        """CASE-11: ``verifier`` (of another department than the owner's) judges it."""
        self._at(at)
        return self.services.cases.verify_capa(verifier.id, item.id, effective=effective, note=note)

    def capa_items(self, case: Case) -> builtins.list[CapaItem]:
        """CASE-11: the corrective actions of ``case`` (read by the GM)."""
        return self.services.cases.capa_items(self.gm.id, case.id)

    def breaches(self, case: Case) -> builtins.list[CaseBreach]:
        """CASE-7: the clocks of ``case`` recorded as breached (read by the GM)."""
        return self.services.cases.breaches(self.gm.id, case.id)

    # ------------------------------------------------------------ schedulers
    def run_jobs(self, at: Moment | None = None) -> builtins.list[PenaltyEntry]:
        """Run the periodic jobs as the scheduler would at the current time: the case sweep
        (CASE-7), the late visit reports sweep (VIS-2), the service-job priority and overdue
        reports (CASE-12), then violations from events (PEN-1). Each records a fact once, so
        running them again changes nothing."""
        if at is not None:
            self.clock.set(self._moment(at))
        self.services.cases.sweep(self.system.id)
        self.services.visits.sweep_late_reports(self.system.id)
        self.services.service_jobs.prioritize_undispatched(self.system.id)
        self.services.service_jobs.report_late(self.system.id)
        return self.services.penalties.record_from_events(self.system.id)

    # ------------------------------------------------------------- penalties
    def record_violation(
        self, staff: Staff, code: str, on: date | str, *, units: int = 1, evidence: str = "seen"
    ) -> builtins.list[PenaltyEntry]:
        """PEN-1: the department manager records a violation by hand."""
        return self.services.penalties.record_violation(
            self.manager.id, staff.id, code, as_date(on), units=units, evidence=evidence
        )

    def violations(
        self, staff: Staff, month: str, code: str | None = None
    ) -> builtins.list[Violation]:
        """PEN-1: the violations of ``staff`` that occurred in ``month`` (``code`` only)."""
        with self.app.storage.unit_of_work() as uow:  # a read: the kit is not an actor
            found = uow.violations.list_for_staff_month(staff.id, month)
        return [v for v in found if code is None or v.code == code]

    def fines(
        self, staff: Staff, month: str, code: str | None = None
    ) -> builtins.list[PenaltyEntry]:
        """PEN-1/PEN-2: the fines booked to ``staff`` for their own violations of ``month``
        (``code`` only), in recording order."""
        ids = {v.id for v in self.violations(staff, month, code)}
        return [
            e
            for e in self.entries(staff, month)
            if e.kind == EntryKind.VIOLATION and e.violation_id in ids
        ]

    def entries(self, staff: Staff, month: str) -> builtins.list[PenaltyEntry]:
        """Everything on ``staff``'s ledger for ``month`` (read by the manager)."""
        return self.services.penalties.entries(self.manager.id, staff.id, month)

    def statement(self, staff: Staff, month: str) -> Statement:
        """PEN-10: the statement of ``month``, settled or (until then) as it stands now."""
        return self.services.penalties.statement(self.manager.id, staff.id, month).statement

    def settle(self, month: str, at: Moment | None = None) -> builtins.list[Statement]:
        """PEN-10: the manager settles ``month`` (after it ended)."""
        self._at(at)
        return self.services.penalties.settle_month(self.manager.id, month)

    # ---------------------------------------------------------------- credit
    def credit_customer(
        self, owner: Staff, name: str = "", *, signed_on: date | str = "2026-08-01"
    ) -> Customer:
        """CRD-1: a customer who may have credit — a file holding the ID copy and a
        distribution contract with a settlement agreement (opened by the manager)."""
        customer = self.customer(owner, name)
        eligibility = self.policy.credit.eligibility
        kind = next(iter(self.policy.customers.files))
        customer_file = self.open_file(owner, customer, kind, signed_on)
        self.services.customers.add_documents(
            owner.id, customer_file.id, {eligibility.file_item: "archive box 1"}
        )
        self.services.credit.open_account(
            self.manager.id,
            OpenCreditAccount(
                customer_id=customer.id,
                contract_type=eligibility.contract_types[0],
                contract_no=f"C-{customer.id[-6:]}",
                contract_signed_on=as_date(signed_on),
                settlement_agreement=True,
            ),
        )
        return customer

    def invoice(self, owner: Staff, customer: Customer, amount: str, on: date | str) -> None:
        """CRD-2: an invoice (it counts towards the rolling credit line)."""
        self.services.credit.record_invoice(
            owner.id,
            RecordLedgerEntry(
                customer_id=customer.id,
                amount=Money.of(amount),
                on=as_date(on),
                reference=f"INV-{next(self._refs)}",
            ),
        )

    def pay(self, owner: Staff, customer: Customer, amount: str, on: date | str) -> None:
        """CRD-2: a payment received from the customer."""
        self.services.credit.record_payment(
            owner.id,
            RecordLedgerEntry(
                customer_id=customer.id,
                amount=Money.of(amount),
                on=as_date(on),
                reference=f"PAY-{next(self._refs)}",
            ),
        )

    def ship(
        self,
        requester: Staff,
        customer: Customer,
        amount: str,
        *,
        at: Moment | None = None,
        over_limit: str = "",
        reason: str = "",
    ) -> ShipmentDecision:
        """CRD-3: ask for a shipment today; ``over_limit`` "first"/"last" signs it."""
        self._at(at)
        return self.services.credit.authorize_shipment(
            requester.id,
            AuthorizeShipment(
                customer_id=customer.id,
                amount=Money.of(amount),
                reference=f"SHIP-{next(self._refs)}",
                over_limit=over_limit,
                reason=reason,
            ),
        )

    # ---------------------------------------------------------------- visits
    def plan_visits(
        self,
        visitor: Staff,
        month: str,
        visits: Iterable[tuple[Customer, date | str]],
        *,
        purpose: str = "",
    ) -> builtins.list[PlannedVisit]:
        """VIS-1: ``visitor``'s plan for ``month`` with these visits, submitted and approved
        by the supervisor."""
        vs = self.services.visits
        plan = vs.create_plan(visitor.id, month)
        purpose = purpose or self.policy.visits.purposes[0]
        planned = [
            vs.plan_visit(
                visitor.id, plan.id, PlanVisit(customer_id=c.id, on=as_date(d), purpose=purpose)
            )
            for c, d in visits
        ]
        vs.submit_plan(visitor.id, plan.id)
        vs.decide_plan(self.supervisor.id, plan.id, approve=True)
        approved = {p.id: p for p in vs.check_plan(self.supervisor.id, plan.id).visits}
        return [approved[p.id] for p in planned]  # as stored now: approved, maybe moved

    def report_visit(
        self,
        visitor: Staff,
        customer: Customer,
        on: date | str,
        *,
        at: Moment | None = None,
        planned: PlannedVisit | None = None,
    ) -> Visit:
        """VIS-2/VIS-5: ``visitor`` reports the visit of day ``on`` at ``at``."""
        self._at(at)
        return self.services.visits.report_visit(
            visitor.id,
            ReportVisit(
                customer_id=customer.id,
                on=as_date(on),
                purpose=self.policy.visits.purposes[0],
                people_met="the customer",
                summary="Visited the customer.",
                outcome=self.policy.visits.outcomes[0],
                planned_visit_id=planned.id if planned is not None else None,
            ),
        )

    # ---------------------------------------------------------- service jobs
    def register_job(
        self,
        *,
        zone: str,
        work_type: str = "",
        at: Moment | None = None,
        registrar: Staff | None = None,
        customer: Customer | None = None,
        description: str = "The unit does not start",
    ) -> ServiceJob:
        """CASE-12: a repair call registered at ``at`` (by the archive clerk unless told) in
        ``zone``; its on-site deadline follows the zone's hours. ``work_type`` defaults to
        the policy's first invoiced type (paid work)."""
        self._at(at)
        policy = self.policy.service_jobs
        return self.services.service_jobs.register(
            (registrar or self.clerk).id,
            RegisterJob(
                customer_name=customer.name if customer is not None else "Zhang San",
                address="1 Renmin Road",
                zone=zone,
                work_type=work_type or policy.invoiced_work_types[0],
                description=description,
                customer_id=customer.id if customer is not None else None,
            ),
        )

    def dispatch_job(
        self, job: ServiceJob, technician: Staff, at: Moment | None = None
    ) -> ServiceJob:
        """CASE-12: the supervisor, dispatching, sends ``technician``."""
        self._at(at)
        return self.services.service_jobs.dispatch(self.supervisor.id, job.id, technician.id)

    def _technician(self, job: ServiceJob) -> StaffId:
        """The technician dispatched to ``job`` as stored now (the caller's copy may be older)."""
        job = self.job(job)
        if job.technician_id is None:
            raise ValueError(f"job {job.id} is not dispatched: dispatch it first (CASE-12)")
        return job.technician_id

    def arrive(self, job: ServiceJob, at: Moment | None = None) -> ServiceJob:
        """CASE-12: the dispatched technician is on site at ``at``."""
        self._at(at)
        return self.services.service_jobs.arrive(self._technician(job), job.id)

    def fix_job(
        self, job: ServiceJob, at: Moment | None = None, *, invoice: str | None = None
    ) -> ServiceJob:
        """CASE-12: fixed on site (the customer signs); paid work is then invoiced by the
        clerk for ``invoice`` 元 when given."""
        self._at(at)
        sj = self.services.service_jobs
        job = sj.fix_on_site(self._technician(job), job.id, customer_signed=True)
        if invoice is not None:
            job = sj.invoice(self.clerk.id, job.id, f"INV-{next(self._refs)}", Money.of(invoice))
        return job

    def rate_job(
        self,
        job: ServiceJob,
        ratings: dict[str, str] | str,
        *,
        at: Moment | None = None,
        close: bool = True,
    ) -> ServiceJob:
        """SAT-1: the customer's ratings (item → level, or one level for every item) are
        recorded by the clerk (never the technician rated, X-4), then the job is closed."""
        self._at(at)
        sj = self.services.service_jobs
        if isinstance(ratings, str):
            ratings = dict.fromkeys(self.policy.service_jobs.survey_items, ratings)
        job = sj.record_survey(self.clerk.id, job.id, ratings)
        return sj.close(self.clerk.id, job.id) if close else job

    def job(self, job: ServiceJob) -> ServiceJob:
        """The job as stored now (read by the manager)."""
        return self.services.service_jobs.get(self.manager.id, job.id)

    # --------------------------------------------------------------- surveys
    def active_customers(self, owner: Staff, count: int) -> builtins.list[Customer]:
        """SAT-2: ``count`` customers of ``owner`` with a closed deal (the survey's
        population is the active customers)."""
        cs = self.services.customers
        out: builtins.list[Customer] = []
        for _ in range(count):
            c = self.customer(owner)
            out.append(
                cs.update(
                    owner.id,
                    c.id,
                    UpdateCustomer(expected_version=c.version, status=CustomerStatus.CLOSED_DEAL),
                )
            )
        return out

    def create_survey(
        self,
        *,
        to: Iterable[Customer] = (),
        percent: int | None = None,
        on: date | str | None = None,
        title: str = "Customer satisfaction",
        period: tuple[date | str, date | str] | None = None,
    ) -> Survey:
        """SAT-2: the department manager issues, on ``on`` (the clock moves there; today
        unless told), a periodic survey opening that day to the customers ``to``, or to
        ``percent`` % of the active customers (the policy's minimum when neither is given);
        the period defaults to the opening day's year."""
        self._at(on)  # issued on its opening day
        opens = self.now().date()
        start, end = period or (date(opens.year, 1, 1), date(opens.year, 12, 31))
        return self.services.surveys.create(
            self.manager.id,
            CreateSurvey(
                title=title,
                period_start=as_date(start),
                period_end=as_date(end),
                opens_on=opens,
                customer_ids=[c.id for c in to],
                distribute_percent=percent,
            ),
        )

    def answer_survey(
        self, survey: Survey, levels: Sequence[str], on: date | str | None = None
    ) -> int:
        """SAT-2: the survey's recipients answer, in their order, one level each, on ``on``
        (the clock moves there) — the clerk records them; returns how many answered."""
        sv = self.services.surveys
        recipients = sv.recipients(self.clerk.id, survey.id)
        if len(levels) > len(recipients):
            raise ValueError(
                f"{len(levels)} answers for a survey sent to {len(recipients)} customers"
            )
        self._at(on)  # answered that day
        day = as_date(on) if on is not None else None
        for customer_id, level in zip(recipients, levels, strict=False):
            sv.record_response(
                self.clerk.id,
                survey.id,
                RecordResponse(customer_id=customer_id, level=level, on=day),
            )
        return len(levels)

    def close_survey(self, survey: Survey, at: Moment | None = None) -> SurveyResults:
        """SAT-2: the manager ends the collection and compiles the statistics."""
        self._at(at)
        return self.services.surveys.close(self.manager.id, survey.id)

    def raise_corrective_action(
        self,
        survey: Survey,
        owner: Staff,
        description: str = "Retrain the service team",
        at: Moment | None = None,
    ) -> CorrectiveAction:
        """SAT-3: the manager raises the survey's corrective action (a case with a CAPA item
        owned by ``owner``); refused when satisfaction meets the target."""
        self._at(at)
        return self.services.surveys.raise_corrective_action(
            self.manager.id,
            survey.id,
            RaiseCorrectiveAction(owner_id=owner.id, description=description),
        )

    def survey_results(self, survey: Survey) -> SurveyResults:
        """SAT-2/SAT-3: the statistics and rule checks as of now (read by the manager)."""
        return self.services.surveys.results(self.manager.id, survey.id)

    # --------------------------------------------------------------- appeals
    def appeal(self, entry: PenaltyEntry, reason: str = "I was on leave that day") -> Appeal:
        """PEN-10: the penalised person appeals their own entry."""
        return self.services.penalties.appeal(entry.staff_id, entry.id, reason)

    def stored_appeal(self, appeal: Appeal) -> Appeal:
        """PEN-10: the appeal as stored now (a read: there is no appeal-reading use case)."""
        with self.app.storage.unit_of_work() as uow:
            return uow.appeals.get(appeal.id)

    def decide_appeal(
        self,
        appeal: Appeal,
        decision: AppealState | str,
        *,
        new_amount: str | None = None,
        reason: str = "reviewed the evidence",
        at: Moment | None = None,
    ) -> Appeal:
        """PEN-10: the department manager upholds, reduces (to ``new_amount``) or waives it;
        a reduction or waiver is a reversing entry, never an edit (X-7)."""
        self._at(at)
        return self.services.penalties.decide_appeal(
            self.manager.id,
            appeal.id,
            AppealState(decision),
            reason,
            Money.of(new_amount) if new_amount is not None else None,
        )


def total_of(entries: Sequence[PenaltyEntry]) -> Money:
    """The sum of ledger entries' amounts."""
    return sum((e.amount for e in entries), Money.zero())
