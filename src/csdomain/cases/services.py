"""Case use cases (CASE-1…CASE-11, SAT-1, X-3, X-4, X-7).

Every state change appends a CaseEvent (actor, time, owner after the event) in the same
transaction, refreshes the case's ``next_due_at`` (the sweep's index) and commits; an illegal
transition raises InvalidTransition before anything is written, whichever adapter asked.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta

import attrs

from csdomain.authz import Grant, Resource, use_case
from csdomain.authz.guard import scope_of
from csdomain.cases.clocks import (
    EXTENDED,
    HANDOFF,
    ClockState,
    ClockStatus,
    add_duration,
    case_clocks,
    case_definitions,
    escalation_step,
    owner_at,
)
from csdomain.cases.commands import CloseCase, ProposeSolution, ReceiveCase
from csdomain.cases.model import CapaItem, Case, CaseBreach, CaseEvent, CaseState, Severity
from csdomain.cases.numbers import is_case_number
from csdomain.cases.ports import Notifier, Reach
from csdomain.context import ServiceContext, authorize, load_actor, record
from csdomain.customers.model import Customer
from csdomain.kernel.bounds import parse_month
from csdomain.kernel.calendar import add_working_days
from csdomain.kernel.errors import Conflict, InvalidTransition, PermissionDenied, ValidationError
from csdomain.kernel.ids import DepartmentId, StaffId
from csdomain.kernel.money import Money
from csdomain.org.model import Staff
from csdomain.policy.cases import (
    CasesPolicy,
    ClockDefinition,
    EscalationStep,
    ReturnVisitPolicy,
)
from csdomain.ports import UnitOfWork

S = CaseState


def case_lock(case_id: str) -> str:
    """The unit-of-work lock key of rules counted over one case's events (CASE-7)."""
    return f"case:{case_id}"


# a scheduler run (the sweep) handles at most this many cases; callers choose less
MAX_BATCH = 1000


def reach_of(grant: Grant) -> Reach | None:
    """The repository filter of a grant's scope (X-5): None when it reaches all records."""
    if grant.scope == "all":
        return None
    department = grant.actor.department_id if grant.scope == "department" else None
    return Reach(grant.actor.id, department)


def staff_department(uow: UnitOfWork, staff_id: StaffId | None) -> DepartmentId | None:
    """The department of a staff member (None for nobody or no department)."""
    return None if staff_id is None else uow.staff.get(staff_id).department_id


def sees_customer(ctx: ServiceContext, uow: UnitOfWork, actor: Staff, customer: Customer) -> bool:
    """Whether ``actor`` reaches ``customer`` under the ``customers.read`` scope of the
    permission table (own customers for staff, the department's for supervisors, …)."""
    scope = scope_of(ctx.policy, "customers.read", actor.role)
    if scope == "all" or customer.owner_id == actor.id:
        return True
    return (
        scope == "department"
        and actor.department_id is not None
        and staff_department(uow, customer.owner_id) == actor.department_id
    )


# which action may happen in which state (CASE-3…CASE-10)
_ALLOWED: dict[str, frozenset[CaseState]] = {
    "acknowledge": frozenset(s for s in S if s not in (S.CLOSED, S.NOT_ACCEPTED)),
    "accept": frozenset({S.RECEIVED}),
    "not_accept": frozenset({S.RECEIVED}),
    "assign": frozenset({S.ACCEPTED, S.ASSIGNED, S.INVESTIGATING, S.PROPOSE_AGAIN}),
    "investigate": frozenset({S.ASSIGNED, S.PROPOSE_AGAIN}),
    "report_investigation": frozenset({S.INVESTIGATING}),
    "wait_customer": frozenset({S.ASSIGNED, S.INVESTIGATING, S.PROPOSE_AGAIN, S.PROPOSED}),
    "resume": frozenset({S.WAITING_CUSTOMER}),
    "propose": frozenset({S.ASSIGNED, S.INVESTIGATING, S.PROPOSE_AGAIN}),
    "approve": frozenset({S.PROPOSED}),
    "reject_proposal": frozenset({S.PROPOSED}),
    "reply": frozenset({S.APPROVED}),
    "follow_up": frozenset({S.REPLIED}),
    "close": frozenset({S.RESOLVED, S.REPLIED}),
    "mark_major": frozenset(s for s in S if s not in (S.CLOSED, S.NOT_ACCEPTED)),
    "extend": frozenset(s for s in S if s not in (S.CLOSED, S.NOT_ACCEPTED)),
    "capa": frozenset(s for s in S if s not in (S.CLOSED, S.NOT_ACCEPTED)),
    "warning": frozenset(s for s in S if s not in (S.CLOSED, S.NOT_ACCEPTED)),
    "hand_off": frozenset(s for s in S if s not in (S.CLOSED, S.NOT_ACCEPTED)),
    "return_visit": frozenset({S.CLOSED}),
}


@attrs.frozen
class SweepResult:
    """What one sweep did: breaches recorded now (each exactly once across all sweeps)."""

    checked: int
    breaches: list[CaseBreach]


@attrs.frozen
class MonthlyStatistics:
    """RPT: monthly complaint statistics."""

    month: str
    received: int
    per_day: str
    resolved: int
    resolution_ratio: str
    by_category: dict[str, int]
    by_department: dict[str, int]
    by_handling_method: dict[str, int]
    loss: Money
    # RPT: the case types counted (default: the policy's statistics_types, complaints)
    types: list[str] = attrs.field(factory=list)


@attrs.frozen
class WeeklyStatistics:
    """RPT (000 篇四 2.8): the weekly complaint report, ISO week Monday…Sunday."""

    week: str
    start: date
    end: date
    received: int
    per_day: str
    resolved: int
    resolution_ratio: str
    major: int
    by_category: dict[str, int]
    by_department: dict[str, int]
    by_handling_method: dict[str, int]
    loss: Money
    types: list[str] = attrs.field(factory=list)


def _return_visit_clock(visit: ReturnVisitPolicy) -> ClockDefinition:
    """CASE-9: the return visit's deadline as a clock definition (its unit and basis)."""
    return ClockDefinition(
        name="return_visit",
        label="Return visit after handling (000 篇四 2.4)",
        start_event="closed",
        stop_event="return_visited",
        duration=visit.duration,
        unit=visit.unit,
        basis=visit.basis,
        extension_role="gm",
        max_extensions=0,
    )


def escalation_target(case: Case, staff: Sequence[Staff], step: EscalationStep) -> Staff | None:
    """CASE-6: who an escalation step reaches: an active holder of the step's position (in
    the case's department first, then anywhere), else a holder of its stand-in role; never a
    subject of the complaint (X-4). The same person every time (the lowest id)."""
    active = [s for s in staff if s.active and s.id not in case.subject_staff_ids]
    holders = [s for s in active if s.position == step.position] or [
        s for s in active if s.role == step.role
    ]
    department = case.department_id
    if department is None and case.handler_id is not None:
        department = next((s.department_id for s in staff if s.id == case.handler_id), None)
    near = [s for s in holders if department is not None and s.department_id == department]
    pool = near or holders
    return min(pool, key=lambda s: s.id) if pool else None


class LogNotifier:
    """A Notifier that remembers what it sent; the default when none is configured."""

    def __init__(self) -> None:
        self.sent: list[tuple[list[StaffId], str, str]] = []

    def notify(self, recipients: Sequence[StaffId], subject: str, body: str) -> None:
        self.sent.append((list(recipients), subject, body))


def case_resource(
    uow: UnitOfWork,
    case: Case,
    *,
    handler_only: bool = False,
    subjects: Iterable[StaffId] = (),
    required_role: str = "",
    needed_for: str = "",
) -> Resource:
    """What the guard needs of a case. Scope ``own``: the receiver, the handler and the
    owner of the case's customer (``handler_only``: the handler alone, for the handler's
    work); ``department``: the case's department, the handler's and the receiver's (so
    a supervisor reaches the cases received in their department before assignment, to
    accept and assign them). Subjects: the
    people complained about (X-4) plus ``subjects``."""
    owners: list[StaffId | None] = [case.handler_id]
    if not handler_only:
        owners.append(case.received_by)
        if case.customer_id is not None:
            owners.append(uow.customers.get(case.customer_id).owner_id)
    return Resource.of(
        f"case {case.number}",
        owners=owners,
        departments=[
            case.department_id,
            staff_department(uow, case.handler_id),
            staff_department(uow, case.received_by),
        ],
        subjects=[*case.subject_staff_ids, *subjects],
        required_role=required_role,
        needed_for=needed_for,
    )


class CaseService:
    def __init__(self, ctx: ServiceContext, notifier: Notifier | None = None) -> None:
        self.ctx = ctx
        self.notifier: Notifier = notifier or LogNotifier()

    # ----------------------------------------------------------------- helpers
    @property
    def policy(self) -> CasesPolicy:
        return self.ctx.policy.cases

    def _resource(
        self,
        uow: UnitOfWork,
        case: Case,
        *,
        handler_only: bool = False,
        subjects: Iterable[StaffId] = (),
        required_role: str = "",
        needed_for: str = "",
    ) -> Resource:
        return case_resource(
            uow,
            case,
            handler_only=handler_only,
            subjects=subjects,
            required_role=required_role,
            needed_for=needed_for,
        )

    def _open(
        self,
        uow: UnitOfWork,
        actor_id: StaffId,
        action: str,
        case_id: str,
        *,
        handler_only: bool = False,
    ) -> tuple[Grant, Case]:
        """The guard for ``action`` on one case: role, then scope and recusal (X-4)."""
        grant = authorize(uow, self.ctx, actor_id, action)
        case = self._load(uow, case_id)
        grant.require(self._resource(uow, case, handler_only=handler_only))
        return grant, case

    def _check(self, case: Case, action: str) -> None:
        if case.state not in _ALLOWED[action]:
            raise InvalidTransition(
                f"case {case.number} is {case.state.value}: cannot {action.replace('_', ' ')}",
                rule="CASE-9" if action in ("close", "follow_up") else "CASE-3",
            )

    def _member(self, value: str, allowed: Iterable[str], field: str, rule: str) -> str:
        options = list(allowed)
        if value not in options:
            raise ValidationError(
                f"must be one of: {', '.join(options)}; got {value!r}", field=field, rule=rule
            )
        return value

    def _event(
        self,
        uow: UnitOfWork,
        case: Case,
        kind: str,
        actor_id: StaffId,
        reason: str = "",
        /,
        **data: str,
    ) -> CaseEvent:
        event = CaseEvent(
            case_id=case.id,
            kind=kind,
            at=self.ctx.now(),
            actor_id=actor_id,
            state_after=case.state,
            owner_id=case.owner_id,
            reason=reason,
            data=data,
        )
        uow.case_events.add(event)
        return event

    def _definitions(self, case: Case) -> list[ClockDefinition]:
        """CASE-7: the policy's clocks that apply to the case (type, severity, channel,
        category, market) and its complaint form's hand-off step clocks (001 2-B), as the
        policy in force when the case was received defines them (issue 15)."""
        return case_definitions(
            self.ctx.policy_at(case.received_at.date()),
            case.type,
            case.severity.value,
            case.channel,
            case.category,
            case.market,
        )

    def _states(self, case: Case, events: Sequence[CaseEvent], now: datetime) -> list[ClockState]:
        """CASE-7: the clocks under the policy in force when the case was received (issue 15):
        a later version never moves a running case's deadlines."""
        return case_clocks(
            self.ctx.policy_at(case.received_at.date()),
            self.ctx.calendar,
            case.type,
            case.severity.value,
            case.channel,
            events,
            now,
            category=case.category,
            market=case.market,
        )

    def _refresh_due(
        self,
        uow: UnitOfWork,
        case: Case,
        recorded: set[str] | None = None,
        events: Sequence[CaseEvent] | None = None,
    ) -> None:
        """Keep ``next_due_at`` = earliest due of a running clock not yet recorded as breached.
        ``events``: the case's events when the caller has them (no read, so no early write)."""
        if events is None:
            events = uow.case_events.list_for_case(case.id)
        if recorded is None:
            recorded = {b.clock for b in uow.case_breaches.list_for_case(case.id)}
        dues = [
            s.due_at
            for s in self._states(case, events, self.ctx.now())
            if s.running and s.due_at is not None and s.name not in recorded
        ]
        case.next_due_at = min(dues) if dues and case.is_open else None

    def _load(self, uow: UnitOfWork, case_id: str) -> Case:
        return uow.cases.get(case_id)

    def _not_subject(self, case: Case, staff_id: StaffId) -> None:
        """X-4: the person complained about is never made the case's handler."""
        if staff_id in case.subject_staff_ids:
            raise PermissionDenied(
                f"cases.assign: {staff_id} is the subject of this complaint and may not handle it",
                rule="X-4",
                field="handler_id",
                action="cases.assign",
            )

    def _make_major(
        self, uow: UnitOfWork, case: Case, actor_id: StaffId, reasons: list[str]
    ) -> bool:
        new = [r for r in reasons if r not in case.major_reasons]
        case.major_reasons = [*case.major_reasons, *new]
        if case.severity == Severity.MAJOR:
            return False
        case.severity = Severity.MAJOR
        self._event(
            uow, case, "became_major", actor_id, ", ".join(reasons), reasons=",".join(reasons)
        )
        return True

    def _notify_major(self, case: Case) -> None:
        """CASE-5: the department head and the GM (policy roles) hear at once."""
        with self.ctx.uow() as uow:
            recipients: list[StaffId] = []
            roles = set(self.policy.major_notify_roles)
            for staff in uow.staff.list():
                if staff.role in roles and staff.active:
                    recipients.append(staff.id)
            if case.department_id is not None:
                head = uow.departments.get(case.department_id).head_id
                if head is not None and head not in recipients:
                    recipients.append(head)
        self.notifier.notify(
            recipients,
            f"Major case {case.number}",
            f"Case {case.number} ({case.type}/{case.category}) is major: "
            f"{', '.join(case.major_reasons)}. A 24-hour early warning is due (CASE-5).",
        )

    # ---------------------------------------------------------------- intake
    @use_case("cases.receive")
    def receive(self, actor_id: StaffId, command: ReceiveCase) -> Case:
        """CASE-1/2/4: record a case from any channel and give it its number YYYYMM-NNNN.

        X-5: the customer's stored name is copied only for a receiver who may read that
        customer (``customers.read``); anyone else names the customer themselves, so intake
        never reveals another staff member's customer."""
        market = command.market or self.policy.default_market
        self._validate_intake(command, market)
        with self.ctx.uow() as uow:
            actor = authorize(uow, self.ctx, actor_id, "cases.receive").actor
            case, major = self._intake(uow, actor, command, market)
            uow.commit()
        if major:
            self._notify_major(case)
        return case

    def _validate_intake(self, command: ReceiveCase, market: str) -> None:
        """CASE-1/2/4/7: the intake's catalogue values and the named customer."""
        p = self.policy
        self._member(command.type, p.types, "type", "CASE-2")
        self._member(command.category, p.categories, "category", "CASE-2")
        self._member(command.channel, p.channels, "channel", "CASE-1")
        self._member(command.urgency, p.urgencies, "urgency", "CASE-4")
        if command.demand:
            self._member(command.demand, p.demands, "demand", "CASE-1")
        for reason in command.major_reasons:
            self._member(reason, p.major_reasons, "major_reasons", "CASE-4")
        self._member(market, p.markets, "market", "CASE-7")
        if command.customer_id is None and not command.customer_name.strip():
            raise ValidationError(
                "name the customer (customer_id or customer_name)",
                field="customer_name",
                rule="CASE-1",
            )

    def _intake(
        self, uow: UnitOfWork, actor: Staff, command: ReceiveCase, market: str
    ) -> tuple[Case, bool]:
        """The intake of ``receive`` in the caller's unit of work (not committed): the case
        and whether it became major at intake (notify after the commit)."""
        p = self.policy
        name = command.customer_name
        grade: str | None = None
        if command.customer_id is not None and not name.strip():
            customer = uow.customers.get(command.customer_id)
            if not sees_customer(self.ctx, uow, actor, customer):
                raise ValidationError(
                    "name the customer: you may not read this customer's master data (X-5)",
                    field="customer_name",
                    rule="CASE-1",
                )
            name = customer.name
            grade = customer.grade
        elif command.customer_id is not None:
            grade = uow.customers.get(command.customer_id).grade
        for sid in command.subject_staff_ids:
            uow.staff.get(sid)
        if command.related_case_id is not None:
            uow.cases.get(command.related_case_id)
        now = self.ctx.now()
        month = now.strftime("%Y%m")
        number = f"{month}-{uow.case_numbers.next(month):04d}"
        case = Case(
            number=number,
            type=command.type,
            category=command.category,
            channel=command.channel,
            content=command.content,
            received_at=now,
            received_by=actor.id,
            customer_id=command.customer_id,
            customer_name=name,
            contact=command.contact,
            product=command.product,
            purchase_date=command.purchase_date,
            demand=command.demand,
            urgency=command.urgency,
            subject_staff_ids=list(command.subject_staff_ids),
            related_case_id=command.related_case_id,
            market=market,
            # CUS-4: the customer's grade drives the complaint's priority (A first)
            priority=p.priority_of(grade),
        )
        received = self._event(uow, case, "received", actor.id, channel=case.channel)
        major = bool(command.major_reasons) and self._make_major(
            uow, case, actor.id, list(command.major_reasons)
        )
        # the clocks are set before the case is written: one INSERT, no UPDATE (issue 10)
        self._refresh_due(uow, case, set(), None if command.major_reasons else [received])
        uow.cases.add(case)
        return case, major

    @use_case("cases.open_follow_up")
    def open_follow_up(self, actor_id: StaffId, case_id: str, command: ReceiveCase) -> Case:
        """CASE-15 (004 第11篇): a follow-up call that raises a new need opens a follow-up
        case linked to the original (``related_case_id``), for the original's customer unless
        the command names one, and the original's timeline records it — one transaction.
        The caller must reach the original case (the action's scope)."""
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "cases.open_follow_up")
            actor = grant.actor
            original = self._load(uow, case_id)
            grant.require(self._resource(uow, original))
            if command.customer_id is None and not command.customer_name.strip():
                command = attrs.evolve(
                    command,
                    customer_id=original.customer_id,
                    customer_name=original.customer_name,
                )
            command = attrs.evolve(command, related_case_id=original.id)
            market = command.market or original.market
            self._validate_intake(command, market)
            case, major = self._intake(uow, actor, command, market)
            self._event(
                uow,
                original,
                "follow_up_case_opened",
                actor.id,
                command.content,
                case_id=case.id,
                number=case.number,
            )
            uow.commit()
        if major:
            self._notify_major(case)
        return case

    @use_case("cases.acknowledge")
    def acknowledge(self, actor_id: StaffId, case_id: str, message: str = "") -> Case:
        """CASE-7: the 24-hour reply to the customer that the case is received."""
        return self._simple(
            actor_id, case_id, "cases.acknowledge", "acknowledge", "acknowledged", None, message
        )

    def _simple(
        self,
        actor_id: StaffId,
        case_id: str,
        permission: str,
        action: str,
        kind: str,
        new_state: CaseState | None,
        reason: str = "",
        **data: str,
    ) -> Case:
        with self.ctx.uow() as uow:
            if action == "acknowledge":
                # CASE-7: acknowledged once (a rule over the case's events, not its row)
                uow.lock(case_lock(case_id))
            _, case = self._open(uow, actor_id, permission, case_id)
            self._check(case, action)
            if action == "acknowledge" and any(
                e.kind == "acknowledged" for e in uow.case_events.list_for_case(case.id)
            ):
                raise InvalidTransition("the case was already acknowledged", rule="CASE-7")
            if new_state is not None:
                case.state = new_state
            self._event(uow, case, kind, actor_id, reason, **data)
            self._refresh_due(uow, case)
            uow.commit()
            return case

    @use_case("cases.accept")
    def accept(self, actor_id: StaffId, case_id: str) -> Case:
        """CASE-3: the case is accepted for handling (who may: the ``cases.accept`` entry)."""
        return self._simple(actor_id, case_id, "cases.accept", "accept", "accepted", S.ACCEPTED)

    @use_case("cases.accept")
    def not_accept(self, actor_id: StaffId, case_id: str, ground: str, explanation: str) -> Case:
        """CASE-3: not accepted, with a policy ground and the explanation given to the customer."""
        self._member(ground, self.policy.non_acceptance_grounds, "ground", "CASE-3")
        if not explanation.strip():
            raise ValidationError("explain to the customer why", field="explanation", rule="CASE-3")
        with self.ctx.uow() as uow:
            _, case = self._open(uow, actor_id, "cases.accept", case_id)
            self._check(case, "not_accept")
            case.state = S.NOT_ACCEPTED
            case.closed_at = self.ctx.now()
            self._event(uow, case, "not_accepted", actor_id, explanation, ground=ground)
            self._event(uow, case, "closed", actor_id, "not accepted")
            self._refresh_due(uow, case)
            uow.commit()
            return case

    @use_case("cases.assign")
    def assign(
        self,
        actor_id: StaffId,
        case_id: str,
        department_id: DepartmentId,
        handler_id: StaffId,
        reason: str = "",
    ) -> Case:
        """CASE-6/X-4: assign the handling department and handler (never the subject)."""
        with self.ctx.uow() as uow:
            _, case = self._open(uow, actor_id, "cases.assign", case_id)
            self._check(case, "assign")
            uow.departments.get(department_id)
            handler = load_actor(uow, handler_id)
            self._not_subject(case, handler.id)
            case.department_id = department_id
            case.handler_id = handler.id
            if case.state == S.ACCEPTED:
                case.state = S.ASSIGNED
            self._event(
                uow,
                case,
                "assigned",
                actor_id,
                reason,
                department_id=department_id,
                handler_id=handler.id,
            )
            self._refresh_due(uow, case)
            uow.commit()
            return case

    def _handler_action(
        self,
        actor_id: StaffId,
        case_id: str,
        action: str,
        kind: str,
        new_state: CaseState | None,
        reason: str = "",
        **data: str,
    ) -> Case:
        with self.ctx.uow() as uow:
            grant, case = self._open(uow, actor_id, "cases.handle", case_id, handler_only=True)
            actor = grant.actor
            self._check(case, action)
            if action == "resume":
                previous = [
                    e
                    for e in uow.case_events.list_for_case(case.id)
                    if e.kind == "waiting_customer"
                ]
                new_state = CaseState(previous[-1].data["from_state"]) if previous else S.ASSIGNED
            if action == "wait_customer":
                data = {**data, "from_state": case.state.value}
            if new_state is not None:
                case.state = new_state
            self._event(uow, case, kind, actor.id, reason, **data)
            self._refresh_due(uow, case)
            uow.commit()
            return case

    @use_case("cases.handle")
    def start_investigation(self, actor_id: StaffId, case_id: str) -> Case:
        return self._handler_action(
            actor_id, case_id, "investigate", "investigation_started", S.INVESTIGATING
        )

    @use_case("cases.handle")
    def report_investigation(self, actor_id: StaffId, case_id: str, report: str) -> Case:
        """CASE-7: the investigation report (cause, course, responsible, countermeasures)."""
        if not report.strip():
            raise ValidationError("the report must not be empty", field="report", rule="CASE-7")
        return self._handler_action(
            actor_id, case_id, "report_investigation", "investigation_reported", None, report
        )

    @use_case("cases.handle")
    def wait_for_customer(self, actor_id: StaffId, case_id: str, reason: str) -> Case:
        """CASE-7: waiting for the customer pauses the clocks whose policy says so."""
        if not reason.strip():
            raise ValidationError(
                "say what the customer must provide", field="reason", rule="CASE-7"
            )
        return self._handler_action(
            actor_id, case_id, "wait_customer", "waiting_customer", S.WAITING_CUSTOMER, reason
        )

    @use_case("cases.handle")
    def resume(self, actor_id: StaffId, case_id: str) -> Case:
        return self._handler_action(actor_id, case_id, "resume", "resumed", None)

    @use_case("cases.propose")
    def propose_solution(self, actor_id: StaffId, case_id: str, command: ProposeSolution) -> Case:
        """CASE-8: the handler proposes a remedy; nothing is promised before approval."""
        self._member(command.remedy, self.policy.remedies, "remedy", "CASE-8")
        if command.amount is not None and command.amount.is_negative():
            raise ValidationError("must not be negative", field="amount", rule="X-2")
        with self.ctx.uow() as uow:
            grant, case = self._open(uow, actor_id, "cases.propose", case_id, handler_only=True)
            actor = grant.actor
            self._check(case, "propose")
            case.remedy = command.remedy
            case.remedy_amount = command.amount
            case.solution = command.solution
            case.approved_by = None
            case.state = S.PROPOSED
            self._event(
                uow,
                case,
                "solution_proposed",
                actor.id,
                command.solution,
                remedy=command.remedy,
                amount=str(command.amount.amount) if command.amount else "",
            )
            # CASE-4: a loss above the policy amount makes the case major
            limit = Money.of(self.policy.major_loss_above)
            became_major = (
                command.amount is not None
                and command.amount > limit
                and self._make_major(uow, case, actor.id, ["loss_above_limit"])
            )
            self._refresh_due(uow, case)
            uow.commit()
        if became_major:
            self._notify_major(case)
        return case

    def _approval_role(self, case: Case) -> str:
        """CASE-8/X-3: the level the remedy's amount needs, or its kind's if higher (a
        replacement or return needs its level even with no amount)."""
        amount = case.remedy_amount.amount if case.remedy_amount else Money.zero().amount
        return self.policy.approval_role(amount, case.remedy, self.ctx.policy.authority.levels)

    def _decide_proposal(
        self, uow: UnitOfWork, actor_id: StaffId, case_id: str
    ) -> tuple[Staff, Case]:
        """CASE-8/X-3/X-4: the approver needs the level the amount needs (``approval_
        thresholds``), is not a subject of the complaint, and is not the proposer: whoever
        proposed the solution counts as a subject of its approval (nobody approves their
        own proposal)."""
        grant = authorize(uow, self.ctx, actor_id, "cases.approve")
        case = self._load(uow, case_id)
        proposals = [
            e for e in uow.case_events.list_for_case(case.id) if e.kind == "solution_proposed"
        ]
        proposer = [proposals[-1].actor_id] if proposals else []
        amount = case.remedy_amount or Money.zero()
        grant.require(
            self._resource(
                uow,
                case,
                subjects=proposer,
                required_role=self._approval_role(case),
                needed_for=f"deciding on a {case.remedy} of {amount}",
            )
        )
        return grant.actor, case

    @use_case("cases.approve")
    def approve(self, actor_id: StaffId, case_id: str, reason: str = "") -> Case:
        """CASE-8/X-3/X-4: approval by the level the remedy amount needs, never by the subject
        or the proposer."""
        with self.ctx.uow() as uow:
            actor, case = self._decide_proposal(uow, actor_id, case_id)
            self._check(case, "approve")
            role = self._approval_role(case)
            case.state = S.APPROVED
            case.approved_by = actor.id
            self._event(uow, case, "solution_approved", actor.id, reason, required_role=role)
            self._refresh_due(uow, case)
            uow.commit()
            return case

    @use_case("cases.approve")
    def reject_proposal(self, actor_id: StaffId, case_id: str, reason: str) -> Case:
        """CASE-8: the approver sends the proposal back (same authority as approving)."""
        if not reason.strip():
            raise ValidationError("say why", field="reason", rule="CASE-8")
        with self.ctx.uow() as uow:
            actor, case = self._decide_proposal(uow, actor_id, case_id)
            self._check(case, "reject_proposal")
            case.state = S.PROPOSE_AGAIN
            self._event(uow, case, "proposal_rejected", actor.id, reason)
            self._refresh_due(uow, case)
            uow.commit()
            return case

    @use_case("cases.reply")
    def reply(self, actor_id: StaffId, case_id: str, method: str, message: str) -> Case:
        """CASE-9/X-4: tell the customer the approved outcome (never by the complaint's
        subject)."""
        self._member(method, ("written", "phone", "in_person", "email"), "method", "CASE-9")
        return self._simple(
            actor_id, case_id, "cases.reply", "reply", "replied", S.REPLIED, message, method=method
        )

    @use_case("cases.follow_up")
    def follow_up(
        self,
        actor_id: StaffId,
        case_id: str,
        *,
        accepted: bool,
        satisfaction: int,
        comment: str = "",
    ) -> Case:
        """CASE-9/SAT-1: the customer's reaction. A rejection sends the case back to 'propose
        again' and counts a round; after the policy's number of rejections it becomes major."""
        if not 1 <= satisfaction <= 5:
            raise ValidationError(
                "satisfaction is 1 (very dissatisfied) … 5 (very satisfied)",
                field="satisfaction",
                rule="SAT-1",
            )
        became_major = False
        with self.ctx.uow() as uow:
            _, case = self._open(uow, actor_id, "cases.follow_up", case_id)
            self._check(case, "follow_up")
            if accepted:
                case.state = S.RESOLVED
                self._event(
                    uow,
                    case,
                    "customer_accepted",
                    actor_id,
                    comment,
                    satisfaction=str(satisfaction),
                )
            else:
                case.rejections += 1
                case.state = S.PROPOSE_AGAIN
                self._event(
                    uow,
                    case,
                    "customer_rejected",
                    actor_id,
                    comment,
                    satisfaction=str(satisfaction),
                    round=str(case.rejections),
                )
                if case.rejections >= self.policy.rejections_until_major:
                    became_major = self._make_major(uow, case, actor_id, ["repeated_rejection"])
            self._refresh_due(uow, case)
            uow.commit()
        if became_major:
            self._notify_major(case)
        return case

    @use_case("cases.mark_major")
    def mark_major(self, actor_id: StaffId, case_id: str, reasons: list[str]) -> Case:
        """CASE-4: a manager judges a case major (e.g. wide impact)."""
        if not reasons:
            raise ValidationError("give at least one reason", field="reasons", rule="CASE-4")
        for r in reasons:
            self._member(r, self.policy.major_reasons, "reasons", "CASE-4")
        with self.ctx.uow() as uow:
            grant, case = self._open(uow, actor_id, "cases.mark_major", case_id)
            actor = grant.actor
            self._check(case, "mark_major")
            became = self._make_major(uow, case, actor.id, reasons)
            if not became:
                raise InvalidTransition("the case is already major", rule="CASE-4")
            self._refresh_due(uow, case)
            uow.commit()
        self._notify_major(case)
        return case

    @use_case("cases.early_warning")
    def send_early_warning(self, actor_id: StaffId, case_id: str, to: str, summary: str) -> Case:
        """CASE-5: the early warning to management and legal (stops the 24-hour clock)."""
        if not summary.strip():
            raise ValidationError("must not be empty", field="summary", rule="CASE-5")
        with self.ctx.uow() as uow:
            _, case = self._open(uow, actor_id, "cases.early_warning", case_id)
            if case.severity != Severity.MAJOR:
                raise InvalidTransition("early warnings are for major cases", rule="CASE-5")
        return self._simple(
            actor_id,
            case_id,
            "cases.early_warning",
            "warning",
            "warning_sent",
            None,
            summary,
            to=to,
        )

    @use_case("cases.early_warning")
    def record_crisis_meeting(
        self, actor_id: StaffId, case_id: str, attendees: list[StaffId], minutes: str
    ) -> Case:
        """CASE-5: the emergency meeting / crisis team record."""
        if not attendees:
            raise ValidationError("name the attendees", field="attendees", rule="CASE-5")
        with self.ctx.uow() as uow:
            self._open(uow, actor_id, "cases.early_warning", case_id)
            for a in attendees:
                uow.staff.get(a)
        return self._simple(
            actor_id,
            case_id,
            "cases.early_warning",
            "warning",
            "crisis_meeting",
            None,
            minutes,
            attendees=",".join(attendees),
        )

    @use_case("cases.extend_clock")
    def extend_clock(
        self, actor_id: StaffId, case_id: str, clock: str, by: int, reason: str
    ) -> Case:
        """CASE-7: at most the policy's number of extensions per clock, by the GM."""
        definition = self.policy.clock(clock)
        if definition is None:
            raise ValidationError(f"no clock {clock!r} in the policy", field="clock", rule="CASE-7")
        if by <= 0:
            raise ValidationError("must be > 0", field="by", rule="CASE-7")
        if not reason.strip():
            raise ValidationError("an extension needs a reason", field="reason", rule="CASE-7")
        with self.ctx.uow() as uow:
            # CASE-7: at most max_extensions per clock, counted over the case's events
            uow.lock(case_lock(case_id))
            grant = authorize(uow, self.ctx, actor_id, "cases.extend_clock")
            actor = grant.actor
            case = self._load(uow, case_id)
            grant.require(
                self._resource(
                    uow,
                    case,
                    required_role=definition.extension_role,
                    needed_for=f"extending the {clock} deadline",
                )
            )
            self._check(case, "extend")
            if definition not in self._definitions(case):
                raise ValidationError(
                    f"clock {clock!r} does not apply to this case", field="clock", rule="CASE-7"
                )
            events = uow.case_events.list_for_case(case.id)
            used = sum(1 for e in events if e.kind == EXTENDED and e.data.get("clock") == clock)
            if used >= definition.max_extensions:
                raise Conflict(
                    f"clock {clock!r} was already extended {used} time(s); the "
                    f"policy allows {definition.max_extensions}",
                    rule="CASE-7",
                    field="clock",
                )
            self._event(uow, case, EXTENDED, actor.id, reason, clock=clock, by=str(by))
            self._refresh_due(uow, case)
            uow.commit()
            return case

    # -------------------------------------------------------------------- CAPA
    @use_case("cases.capa.add")
    def add_capa(
        self,
        actor_id: StaffId,
        case_id: str,
        description: str,
        owner_id: StaffId,
        due_working_days: int | None = None,
    ) -> CapaItem:
        """CASE-11: a corrective/preventive action with owner and due date in working days."""
        if not description.strip():
            raise ValidationError("must not be empty", field="description", rule="CASE-11")
        days = self.policy.capa_due_working_days if due_working_days is None else due_working_days
        if days <= 0:
            raise ValidationError("must be > 0", field="due_working_days", rule="CASE-11")
        with self.ctx.uow() as uow:
            grant, case = self._open(uow, actor_id, "cases.capa.add", case_id)
            actor = grant.actor
            self._check(case, "capa")
            owner = load_actor(uow, owner_id)
            item = CapaItem(
                case_id=case.id,
                description=description,
                owner_id=owner.id,
                due_on=add_working_days(self.ctx.calendar, self.ctx.today(), days),
                created_at=self.ctx.now(),
            )
            uow.capa.add(item)
            self._event(
                uow,
                case,
                "capa_added",
                actor.id,
                description,
                capa_id=item.id,
                owner_id=owner.id,
                due_on=item.due_on.isoformat(),
            )
            uow.commit()
            return item

    @use_case("cases.capa.complete")
    def complete_capa(self, actor_id: StaffId, item_id: str, note: str = "") -> CapaItem:
        """CASE-11: the action's owner reports it done (scope own: the owner)."""
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "cases.capa.complete")
            actor = grant.actor
            item = uow.capa.get(item_id)
            grant.require(
                Resource.of(
                    f"corrective action {item.id}",
                    owners=[item.owner_id],
                    departments=[staff_department(uow, item.owner_id)],
                )
            )
            if item.done_at is not None:
                raise InvalidTransition("already completed", rule="CASE-11")
            item.done_at = self.ctx.now()
            case = self._load(uow, item.case_id)
            self._event(uow, case, "capa_done", actor.id, note, capa_id=item.id)
            uow.commit()
            return item

    @use_case("cases.capa.verify")
    def verify_capa(
        self, actor_id: StaffId, item_id: str, *, effective: bool, note: str
    ) -> CapaItem:
        """CASE-11: effectiveness is verified by someone of another department."""
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "cases.capa.verify")
            actor = grant.actor
            item = uow.capa.get(item_id)
            grant.require(Resource.of(f"corrective action {item.id}", subjects=[item.owner_id]))
            if item.done_at is None:
                raise InvalidTransition("the action is not completed yet", rule="CASE-11")
            owner = uow.staff.get(item.owner_id)
            if actor.id == owner.id or (
                owner.department_id is not None and actor.department_id == owner.department_id
            ):
                raise PermissionDenied(
                    "cases.capa.verify: verification must be by another department",
                    rule="CASE-11",
                    action="cases.capa.verify",
                )
            item.verified_by = actor.id
            item.verified_at = self.ctx.now()
            item.effective = effective
            if not effective:
                item.done_at = None  # back to the owner
            case = self._load(uow, item.case_id)
            self._event(
                uow,
                case,
                "capa_verified",
                actor.id,
                note,
                capa_id=item.id,
                effective=str(effective).lower(),
            )
            uow.commit()
            return item

    # ------------------------------------------------------------------ closing
    @use_case("cases.close")
    def close(self, actor_id: StaffId, case_id: str, command: CloseCase) -> Case:
        """CASE-9/10/11: closing records cause, responsibility and loss; it needs the customer's
        confirmation (or documented failed contacts) and every corrective action verified."""
        p = self.policy
        self._member(command.cause, p.causes, "cause", "CASE-10")
        if command.responsibilities and sum(r.percent for r in command.responsibilities) != 100:
            raise ValidationError(
                "responsibility percentages must add up to 100",
                field="responsibilities",
                rule="CASE-10",
            )
        if any(r.percent <= 0 for r in command.responsibilities):
            raise ValidationError(
                "each share must be > 0", field="responsibilities", rule="CASE-10"
            )
        if command.loss is not None and command.loss.is_negative():
            raise ValidationError("must not be negative", field="loss", rule="X-2")
        with self.ctx.uow() as uow:
            grant, case = self._open(uow, actor_id, "cases.close", case_id)
            actor = grant.actor
            self._check(case, "close")
            unconfirmed = case.state == S.REPLIED or not command.customer_confirmed
            if unconfirmed and len(command.failed_contact_attempts) < p.failed_contacts_to_close:
                raise InvalidTransition(
                    "closing needs the customer's confirmation or "
                    f"{p.failed_contacts_to_close} documented failed contact attempts",
                    rule="CASE-9",
                )
            for r in command.responsibilities:
                uow.departments.get(r.department_id)
            for sid in command.responsible_staff_ids:
                uow.staff.get(sid)
            items = uow.capa.list_for_case(case.id)
            needs_capa = (
                case.severity == Severity.MAJOR or case.category in p.capa_required_categories
            )
            if needs_capa and not items:
                raise InvalidTransition(
                    "a major or product-safety case needs corrective actions", rule="CASE-11"
                )
            open_items = [i for i in items if i.open]
            if open_items:
                raise InvalidTransition(
                    f"{len(open_items)} corrective action(s) are not verified effective yet",
                    rule="CASE-11",
                )
            case.cause = command.cause
            case.responsibilities = [
                {"department_id": r.department_id, "percent": r.percent}
                for r in command.responsibilities
            ]
            case.responsible_staff_ids = list(command.responsible_staff_ids)
            case.loss = command.loss
            case.improvement_tracked = command.improvement_tracked
            case.state = S.CLOSED
            case.closed_at = self.ctx.now()
            visit = p.return_visit
            if not visit.types or case.type in visit.types:
                # CASE-9 (000 篇四 2.4): the return visit is due the policy's time after handling
                case.return_visit_due_at = add_duration(
                    _return_visit_clock(visit),
                    self.ctx.calendar,
                    self.ctx.policy.calendar.business_hours,
                    case.closed_at,
                    visit.duration,
                )
            self._event(
                uow,
                case,
                "closed",
                actor.id,
                command.cause,
                loss=str(command.loss.amount) if command.loss else "",
                failed_contacts=str(len(command.failed_contact_attempts)),
            )
            self._refresh_due(uow, case)
            uow.commit()
            return case

    # ------------------------------------------------- complaint form, return visit
    @use_case("cases.hand_off")
    def hand_off(self, actor_id: StaffId, case_id: str, step: str, note: str = "") -> Case:
        """CASE-7 (001 2-B): the complaint form is handed to ``step``, the next station of the
        policy's chain (``cases.complaint_form.steps``), in order and once each: the step's own
        deadline starts now and the previous step's stops."""
        form = self.policy.complaint_form
        names = [s.name for s in form.steps]
        self._member(step, names, "step", "CASE-7")
        with self.ctx.uow() as uow:
            uow.lock(case_lock(case_id))  # in order and once: counted over the case's events
            _, case = self._open(uow, actor_id, "cases.hand_off", case_id)
            self._check(case, "hand_off")
            if form.types and case.type not in form.types:
                raise ValidationError(
                    f"a {case.type} has no complaint form", field="step", rule="CASE-7"
                )
            events = uow.case_events.list_for_case(case.id)
            reached = [e.kind.removeprefix(HANDOFF) for e in events if e.kind.startswith(HANDOFF)]
            expected = names[len(reached)] if len(reached) < len(names) else None
            if step != expected:
                at = reached[-1] if reached else "not handed off yet"
                raise InvalidTransition(
                    f"the complaint form is at {at}; the next step is {expected or 'none'}",
                    rule="CASE-7",
                )
            self._event(uow, case, HANDOFF + step, actor_id, note, step=step)
            self._refresh_due(uow, case)
            uow.commit()
            return case

    @use_case("cases.return_visit")
    def record_return_visit(
        self, actor_id: StaffId, case_id: str, *, satisfaction: int, comment: str = ""
    ) -> Case:
        """CASE-9 (000 篇四 2.4): customer service's return visit (回访) after handling, with
        the customer's satisfaction on the policy's scale; once per case."""
        visit = self.policy.return_visit
        if not visit.satisfaction_min <= satisfaction <= visit.satisfaction_max:
            raise ValidationError(
                f"must be between {visit.satisfaction_min} and {visit.satisfaction_max}",
                field="satisfaction",
                rule="CASE-9",
            )
        with self.ctx.uow() as uow:
            uow.lock(case_lock(case_id))
            _, case = self._open(uow, actor_id, "cases.return_visit", case_id)
            self._check(case, "return_visit")
            if case.return_visit_due_at is None:
                raise InvalidTransition(f"case {case.number} needs no return visit", rule="CASE-9")
            if case.return_visited_at is not None:
                raise Conflict(f"case {case.number} already had its return visit", rule="CASE-9")
            now = self.ctx.now()
            case.return_visited_at = now
            case.return_visit_satisfaction = satisfaction
            self._event(
                uow,
                case,
                "return_visited",
                actor_id,
                comment,
                satisfaction=str(satisfaction),
                on_time=str(now <= case.return_visit_due_at).lower(),
            )
            uow.commit()
            return case

    @use_case("cases.read")
    def overdue_return_visits(
        self, actor_id: StaffId, *, limit: int = 100, offset: int = 0
    ) -> builtins.list[Case]:
        """CASE-9: closed cases whose return visit is past due and not made, the oldest due
        first, among the cases the reader reaches."""
        if not 1 <= limit <= 1000:
            raise ValidationError("must be between 1 and 1000", field="limit")
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "cases.read")
            return builtins.list(
                uow.cases.list_return_visits_due(
                    self.ctx.now(), reach=reach_of(grant), limit=limit, offset=offset
                )
            )

    @use_case("cases.read")
    def work_list(
        self, actor_id: StaffId, *, limit: int = 100, offset: int = 0
    ) -> builtins.list[Case]:
        """CUS-4: the open cases the reader reaches, highest priority first (the customer's
        grade: A before B before C, ungraded last), then by reception time."""
        if not 1 <= limit <= 1000:
            raise ValidationError("must be between 1 and 1000", field="limit")
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "cases.read")
            return builtins.list(
                uow.cases.list(
                    open_only=True,
                    by_priority=True,
                    reach=reach_of(grant),
                    limit=limit,
                    offset=offset,
                )
            )

    # ------------------------------------------------------------------ queries
    @use_case("cases.read")
    def get(self, actor_id: StaffId, case_id: str) -> Case:
        """X-5: a case outside the reader's scope is refused (403), not shown."""
        with self.ctx.uow() as uow:
            return self._open(uow, actor_id, "cases.read", case_id)[1]

    @use_case("cases.read")
    def resolve(self, actor_id: StaffId, ref: str) -> str:
        """The id of the case ``ref`` names: an id is returned as given (the use case that
        receives it checks it), a number ``202612-0001`` is looked up (NotFound otherwise)."""
        with self.ctx.uow() as uow:
            authorize(uow, self.ctx, actor_id, "cases.read")
            if not is_case_number(ref):
                return ref
            return uow.cases.get_by_number(ref.strip()).id

    @use_case("cases.read")
    def timeline(self, actor_id: StaffId, case_id: str) -> builtins.list[CaseEvent]:
        with self.ctx.uow() as uow:
            self._open(uow, actor_id, "cases.read", case_id)
            return builtins.list(uow.case_events.list_for_case(case_id))

    @use_case("cases.read")
    def clocks(self, actor_id: StaffId, case_id: str) -> builtins.list[ClockState]:
        with self.ctx.uow() as uow:
            _, case = self._open(uow, actor_id, "cases.read", case_id)
            return self._states(case, uow.case_events.list_for_case(case.id), self.ctx.now())

    @use_case("cases.read")
    def breaches(self, actor_id: StaffId, case_id: str) -> builtins.list[CaseBreach]:
        with self.ctx.uow() as uow:
            self._open(uow, actor_id, "cases.read", case_id)
            return builtins.list(uow.case_breaches.list_for_case(case_id))

    @use_case("cases.read")
    def capa_items(self, actor_id: StaffId, case_id: str) -> builtins.list[CapaItem]:
        with self.ctx.uow() as uow:
            self._open(uow, actor_id, "cases.read", case_id)
            return builtins.list(uow.capa.list_for_case(case_id))

    @use_case("cases.read")
    def list(
        self,
        actor_id: StaffId,
        *,
        state: CaseState | None = None,
        open_only: bool = False,
        limit: int = 100,
        offset: int = 0,
    ) -> builtins.list[Case]:
        if not 1 <= limit <= 1000:
            raise ValidationError("must be between 1 and 1000", field="limit")
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "cases.read")
            return builtins.list(
                uow.cases.list(
                    state=state,
                    open_only=open_only,
                    reach=reach_of(grant),
                    limit=limit,
                    offset=offset,
                )
            )

    @use_case("cases.read")
    def open_by_clock_status(self, actor_id: StaffId) -> dict[str, builtins.list[str]]:
        """Open cases the reader reaches, grouped by their worst clock: breached / due_soon /
        paused / on_time."""
        order = [
            ClockStatus.BREACHED,
            ClockStatus.DUE_SOON,
            ClockStatus.PAUSED,
            ClockStatus.ON_TIME,
        ]
        groups: dict[str, builtins.list[str]] = {s.value: [] for s in order}
        now = self.ctx.now()
        with self.ctx.uow() as uow:
            reach = reach_of(authorize(uow, self.ctx, actor_id, "cases.read"))
            offset = 0
            while True:
                page = uow.cases.list(open_only=True, reach=reach, limit=500, offset=offset)
                for case in page:
                    states = {
                        s.status
                        for s in self._states(case, uow.case_events.list_for_case(case.id), now)
                    }
                    worst = next((s for s in order if s in states), ClockStatus.ON_TIME)
                    groups[worst.value].append(case.number)
                if len(page) < 500:
                    return groups
                offset += 500

    # -------------------------------------------------------------------- sweep
    @use_case("scheduler.sweep")
    def sweep(self, actor_id: StaffId, batch: int = 200) -> SweepResult:
        """CASE-7: record every clock that breached since the last sweep, once, with the owner
        at breach time, and escalate one step per breach along the policy chain.

        Candidates come from the indexed ``next_due_at``; rows are locked and rows locked by a
        concurrent sweep are skipped, and the (case, clock) uniqueness of breaches is the
        backstop, so two sweeps never double-record. Runs as the scheduler's system account
        (``scheduler.sweep``); time is the Clock's now, never a caller's; at most ``batch``
        cases per run, and each run is an audit event (X-7).
        """
        if not 1 <= batch <= MAX_BATCH:
            raise ValidationError(
                f"must be between 1 and {MAX_BATCH}", field="batch", rule="CASE-7"
            )
        with self.ctx.uow() as uow:
            authorize(uow, self.ctx, actor_id, "scheduler.sweep")
        try:
            return self._sweep_once(actor_id, batch)
        except Conflict:
            # another sweep committed the same cases first (ConcurrencyConflict is a Conflict):
            # sweep again from the fresh state, which records only what is still unrecorded
            return self._sweep_once(actor_id, batch)

    def _sweep_once(self, actor_id: StaffId, batch: int) -> SweepResult:
        """One batch, set-based (issue 10): one query for the breached cases, one for their
        events, one for their breaches; the breaches and events are inserted in bulk at
        commit, and each case is written once."""
        now = self.ctx.now()
        recorded: builtins.list[CaseBreach] = []
        notices: builtins.list[tuple[StaffId, str, str]] = []
        staff: builtins.list[Staff] | None = None
        with self.ctx.uow() as uow:
            load_actor(uow, actor_id)
            # CUS-4: the repository hands out the highest priority (grade A) first
            cases = builtins.list(uow.cases.list_due_before(now, limit=batch, lock=True))
            ids = [case.id for case in cases]
            events_of = uow.case_events.list_for_cases(ids)
            breaches_of = uow.case_breaches.list_for_cases(ids)
            chain = self.policy.escalation_chain
            new_breaches: builtins.list[CaseBreach] = []
            for case in cases:
                events = builtins.list(events_of[case.id])
                done = {b.clock for b in breaches_of[case.id]}
                for state in self._states(case, events, now):
                    if state.status != ClockStatus.BREACHED or state.name in done:
                        continue
                    assert state.due_at is not None
                    owner = owner_at(events, state.due_at) or case.owner_id
                    step = escalation_step(chain, case.escalation_level)
                    target: Staff | None = None
                    reassign = False
                    steps = self.policy.escalation_steps
                    if steps:
                        # CASE-6: along the policy's positions, not only the fixed roles
                        position = steps[min(case.escalation_level, len(steps) - 1)]
                        if staff is None:
                            staff = builtins.list(uow.staff.list())
                        step = position.position
                        target = escalation_target(case, staff, position)
                        reassign = position.reassign
                    breach = CaseBreach(
                        case_id=case.id,
                        clock=state.name,
                        due_at=state.due_at,
                        owner_id=owner,
                        recorded_at=now,
                        escalated_to=step,
                    )
                    new_breaches.append(breach)
                    case.escalation_level += 1
                    events.append(
                        self._event(
                            uow,
                            case,
                            "clock_breached",
                            actor_id,
                            f"{state.label} due {state.due_at.isoformat()}",
                            clock=state.name,
                            owner_id=owner,
                            escalated_to=step,
                            escalated_to_staff=target.id if target else "",
                        )
                    )
                    if target is not None:
                        notices.append(
                            (
                                target.id,
                                f"Case {case.number} escalated to you ({step})",
                                f"{state.label} was due {state.due_at.isoformat()} (CASE-6).",
                            )
                        )
                        if reassign and target.id != case.handler_id:
                            case.handler_id = target.id
                            events.append(
                                self._event(
                                    uow,
                                    case,
                                    "reassigned_on_escalation",
                                    actor_id,
                                    f"escalated to {step}",
                                    handler_id=target.id,
                                    clock=state.name,
                                )
                            )
                    done.add(state.name)
                    recorded.append(breach)
                self._refresh_due(uow, case, done, events)
            uow.case_breaches.add_many(new_breaches)
            record(
                uow,
                self.ctx,
                "scheduler.sweep",
                "cases",
                actor_id,
                checked=str(len(cases)),
                breaches=str(len(recorded)),
                batch=str(batch),
            )
            uow.commit()
        for recipient, subject, text in notices:  # CASE-6: after the commit
            self.notifier.notify([recipient], subject, text)
        return SweepResult(checked=len(cases), breaches=recorded)

    # ------------------------------------------------------------------ reports
    def _statistics_types(self, types: Sequence[str] | None) -> builtins.list[str]:
        """RPT: the case types counted: a filter, by default the policy's (complaints)."""
        chosen = builtins.list(self.policy.statistics_types if types is None else types)
        if not chosen:
            raise ValidationError("name at least one case type", field="types", rule="RPT")
        for t in chosen:
            self._member(t, self.policy.types, "types", "RPT")
        return chosen

    def _received_between(
        self, actor_id: StaffId, start: datetime, end: datetime, types: Sequence[str]
    ) -> builtins.list[Case]:
        with self.ctx.uow() as uow:
            authorize(uow, self.ctx, actor_id, "cases.statistics")
            cases: builtins.list[Case] = []
            offset = 0
            while True:
                page = uow.cases.list(
                    received_from=start, received_before=end, limit=500, offset=offset
                )
                cases.extend(c for c in page if c.type in types)
                if len(page) < 500:
                    return cases
                offset += 500

    @use_case("cases.statistics")
    def monthly_statistics(
        self, actor_id: StaffId, month: str, types: Sequence[str] | None = None
    ) -> MonthlyStatistics:
        """RPT: count, per day, resolved, ratio, by category/department/method, loss — of
        complaints (the policy's ``statistics_types``) unless ``types`` says otherwise."""
        chosen = self._statistics_types(types)
        start = datetime.strptime(parse_month(month, "month", "RPT") + "-01", "%Y-%m-%d")
        tz = self.ctx.now().tzinfo
        start = start.replace(tzinfo=tz)
        end = (start + timedelta(days=32)).replace(day=1)
        cases = self._received_between(actor_id, start, end, chosen)
        t = _Tally.of(cases)
        return MonthlyStatistics(
            month=month,
            received=len(cases),
            per_day=f"{len(cases) / (end - start).days:.2f}",
            resolved=t.resolved,
            resolution_ratio=t.ratio,
            by_category=t.by_category,
            by_department=t.by_department,
            by_handling_method=t.by_method,
            loss=t.loss,
            types=chosen,
        )

    @use_case("cases.statistics")
    def weekly_statistics(
        self, actor_id: StaffId, week: str, types: Sequence[str] | None = None
    ) -> WeeklyStatistics:
        """RPT (000 篇四 2.8): the weekly complaint report for ISO week ``YYYY-Www`` (Monday
        to Sunday): the monthly figures for the week plus how many became major."""
        chosen = self._statistics_types(types)
        monday = parse_week(week)
        tz = self.ctx.now().tzinfo
        start = datetime.combine(monday, time(0, 0), tzinfo=tz)
        end = start + timedelta(days=7)
        cases = self._received_between(actor_id, start, end, chosen)
        t = _Tally.of(cases)
        return WeeklyStatistics(
            week=week,
            start=monday,
            end=monday + timedelta(days=6),
            received=len(cases),
            per_day=f"{len(cases) / 7:.2f}",
            resolved=t.resolved,
            resolution_ratio=t.ratio,
            major=sum(1 for c in cases if c.severity == Severity.MAJOR),
            by_category=t.by_category,
            by_department=t.by_department,
            by_handling_method=t.by_method,
            loss=t.loss,
            types=chosen,
        )


def parse_week(value: str, field: str = "week") -> date:
    """RPT: the Monday of an ISO week ``YYYY-Www`` (e.g. 2026-W38); else a 422 naming
    ``field``."""
    match = _WEEK.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is not None:
        try:
            return date.fromisocalendar(int(match[1]), int(match[2]), 1)
        except ValueError:
            pass
    raise ValidationError(
        f"must be an ISO week YYYY-Www (e.g. 2026-W38); got {value!r}", field=field, rule="RPT"
    )


_WEEK = re.compile(r"(20\d\d)-W(\d\d)")


@attrs.frozen
class _Tally:
    """RPT: the figures monthly and weekly complaint reports share."""

    resolved: int
    ratio: str
    by_category: dict[str, int]
    by_department: dict[str, int]
    by_method: dict[str, int]
    loss: Money

    @classmethod
    def of(cls, cases: Sequence[Case]) -> _Tally:
        resolved = [c for c in cases if c.state == S.CLOSED]
        by_cat: dict[str, int] = {}
        by_dep: dict[str, int] = {}
        by_method: dict[str, int] = {}
        loss = Money.zero()
        for c in cases:
            by_cat[c.category] = by_cat.get(c.category, 0) + 1
            dep = c.department_id or "unassigned"
            by_dep[dep] = by_dep.get(dep, 0) + 1
            if c.remedy:
                by_method[c.remedy] = by_method.get(c.remedy, 0) + 1
            if c.loss is not None:
                loss = loss + c.loss
        ratio = f"{(100 * len(resolved) / len(cases)):.1f}%" if cases else "n/a"
        return cls(len(resolved), ratio, by_cat, by_dep, by_method, loss)


def open_case_with_capa(
    ctx: ServiceContext,
    uow: UnitOfWork,
    actor_id: StaffId,
    command: ReceiveCase,
    description: str,
    owner_id: StaffId,
) -> tuple[Case, CapaItem]:
    """An internal case received and a CAPA item (CASE-11) added on it, in the caller's unit
    of work (another capability's use case, e.g. SAT-3, guards and commits): the same
    numbering, events and due dates as ``receive`` and ``add_capa``."""
    cases = CaseService(ctx)
    p = cases.policy
    cases._member(command.type, p.types, "type", "CASE-2")
    cases._member(command.category, p.categories, "category", "CASE-2")
    cases._member(command.channel, p.channels, "channel", "CASE-1")
    owner = load_actor(uow, owner_id)
    now = ctx.now()
    month = now.strftime("%Y%m")
    case = Case(
        number=f"{month}-{uow.case_numbers.next(month):04d}",
        type=command.type,
        category=command.category,
        channel=command.channel,
        content=command.content,
        received_at=now,
        received_by=actor_id,
        customer_id=command.customer_id,
        customer_name=command.customer_name,
        urgency=command.urgency,
    )
    received = cases._event(uow, case, "received", actor_id, channel=case.channel)
    cases._refresh_due(uow, case, set(), [received])
    uow.cases.add(case)
    item = CapaItem(
        case_id=case.id,
        description=description,
        owner_id=owner.id,
        due_on=add_working_days(ctx.calendar, ctx.today(), p.capa_due_working_days),
        created_at=now,
    )
    uow.capa.add(item)
    cases._event(
        uow,
        case,
        "capa_added",
        actor_id,
        description,
        capa_id=item.id,
        owner_id=owner.id,
        due_on=item.due_on.isoformat(),
    )
    return case, item
