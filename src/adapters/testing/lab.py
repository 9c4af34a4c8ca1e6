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
from csdomain.cases.model import Case, CaseBreach
from csdomain.credit.commands import AuthorizeShipment, OpenCreditAccount, RecordLedgerEntry
from csdomain.credit.model import ShipmentDecision
from csdomain.customers.commands import RegisterCustomer
from csdomain.customers.model import Customer, CustomerFile, FileStatus
from csdomain.kernel.clock import FixedClock
from csdomain.kernel.money import Money
from csdomain.org.model import Department, Staff
from csdomain.penalties.model import EntryKind, PenaltyEntry, Statement, Violation
from csdomain.policy.model import Policy
from csdomain.policy_lab.commands import UploadPolicy
from csdomain.services import Services
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
    ) -> Staff:
        """A person in the sales department; staff report to the lab's supervisor."""
        if supervisor is None and role == "staff":
            supervisor = self.supervisor
        return self.services.org.add_staff(
            self.admin.id,
            name=name,
            role=role,
            department_id=self.department.id,
            position=position,
            supervisor_id=supervisor.id if supervisor is not None else None,
        )

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
        """CASE-7…CASE-10, the plain road: the supervisor accepts the case and assigns it to
        ``handler``, who proposes a remedy of ``amount`` that the GM approves (``solved_at``);
        the handler replies and follows up with a satisfied customer (``replied_at``); the
        supervisor closes it (``closed_at``), the department 100 % responsible."""
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
        cs.follow_up(handler.id, case.id, accepted=True, satisfaction=5)
        self.set_time(closed_at)
        return cs.close(
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

    def breaches(self, case: Case) -> builtins.list[CaseBreach]:
        """CASE-7: the clocks of ``case`` recorded as breached (read by the GM)."""
        return self.services.cases.breaches(self.gm.id, case.id)

    # ------------------------------------------------------------ schedulers
    def run_jobs(self, at: Moment | None = None) -> builtins.list[PenaltyEntry]:
        """Run the periodic jobs as the scheduler would at the current time: the case sweep
        (CASE-7), the late visit reports sweep (VIS-2), then violations from events (PEN-1).
        Each records a fact once, so running them again changes nothing."""
        if at is not None:
            self.clock.set(self._moment(at))
        self.services.cases.sweep(self.system.id)
        self.services.visits.sweep_late_reports(self.system.id)
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


def total_of(entries: Sequence[PenaltyEntry]) -> Money:
    """The sum of ledger entries' amounts."""
    return sum((e.amount for e in entries), Money.zero())
