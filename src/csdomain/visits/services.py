"""Visit use cases (VIS-1…VIS-6).

Plans are one per person and month, edited under the plan's lock (``visit-plan:<staff>:<month>``)
and a unique key; a planned visit is reported once (lock ``visit-planned:<id>`` and a partial
unique index on ``visits.planned_visit_id``); the late-report sweep runs under
``visits:late-reports`` and flags each planned visit once. A late report is an audit event
``visit.report_late`` naming the visitor, which the penalty catalogue turns into a violation
(PEN-1, ``visit_report_late``). Visit records are secret (X-5, ``visit_record``): anyone but the
visitor and the customer's owner needs the level's permission, and the read is logged.
"""

from __future__ import annotations

import builtins
import calendar as _calendar
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta

from csdomain.authz import Grant, Resource, use_case
from csdomain.cases.services import sees_customer, staff_department
from csdomain.context import ServiceContext, authorize, log_read, record
from csdomain.customers.identity import resident_id_birth_date
from csdomain.customers.model import Customer, CustomerStatus
from csdomain.kernel.bounds import parse_month
from csdomain.kernel.calendar import add_working_days, next_working_day_on_or_after
from csdomain.kernel.dates import month_days
from csdomain.kernel.errors import Conflict, InvalidTransition, ValidationError
from csdomain.kernel.ids import CustomerId, DepartmentId, StaffId
from csdomain.kernel.money import Money
from csdomain.org.model import Staff
from csdomain.policy.visits import VisitsPolicy
from csdomain.ports import UnitOfWork
from csdomain.visits.commands import PlanVisit, ReportVisit, WeatherAlert
from csdomain.visits.model import (
    VISIT_RECORD,
    CareReminder,
    Coverage,
    FollowUp,
    MissingVisit,
    PlanCheck,
    PlannedVisit,
    PlanStatus,
    Visit,
    VisitPlan,
)

P = PlanStatus
LATE_EVENT = "visit.report_late"  # the penalty catalogue's source_event (PEN-1)
PAGE = 500
SWEEP_DAYS = 120  # how far back the late-report sweep looks for unreported visits


def plan_lock(staff_id: str, month: str) -> str:
    return f"visit-plan:{staff_id}:{month}"


def period_of(day: date, months: int) -> tuple[date, date]:
    """VIS-3: the period of ``months`` months (aligned to January) that holds ``day``."""
    first = (day.month - 1) // months * months + 1
    last = first + months - 1
    return date(day.year, first, 1), date(day.year, last, _calendar.monthrange(day.year, last)[1])


def birthday_of(id_number: str | None) -> tuple[int, int] | None:
    """(month, day) of birth from a PRC resident ID number (CUS-1 checked it)."""
    born = resident_id_birth_date(id_number) if id_number else None
    return (born.month, born.day) if born else None


class VisitService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    @property
    def policy(self) -> VisitsPolicy:
        return self.ctx.policy.visits

    # ----------------------------------------------------------------- helpers
    def _person(self, uow: UnitOfWork, staff: Staff, label: str) -> Resource:
        """A plan is its author's matter (scope own, department; X-4 subject)."""
        return Resource.of(
            f"{label} of {staff.name}",
            owners=[staff.id],
            departments=[staff.department_id],
            subjects=[staff.id],
        )

    def _plan(self, uow: UnitOfWork, grant: Grant, plan_id: str) -> VisitPlan:
        plan = uow.visit_plans.get(plan_id)
        grant.require(self._person(uow, uow.staff.get(plan.staff_id), "the visit plan"))
        return plan

    def _visit_resource(self, uow: UnitOfWork, visit: Visit) -> Resource:
        owner = uow.customers.get(visit.customer_id).owner_id
        return Resource.of(
            f"visit {visit.id}",
            owners=[visit.staff_id, owner],
            departments=[staff_department(uow, visit.staff_id), staff_department(uow, owner)],
            subjects=[visit.staff_id],
        )

    def _read_visit(self, uow: UnitOfWork, grant: Grant, visit: Visit) -> None:
        """X-5: the visitor and the customer's owner read freely; others need the level."""
        resource = self._visit_resource(uow, visit)
        grant.require(resource)
        if grant.actor.id not in resource.owners:
            grant.require_read(VISIT_RECORD)
            log_read(uow, self.ctx, grant, VISIT_RECORD, visit.id)

    def _customer(self, uow: UnitOfWork, actor: Staff, customer_id: CustomerId) -> Customer:
        customer = uow.customers.get(customer_id)
        if not sees_customer(self.ctx, uow, actor, customer):
            raise ValidationError(
                f"{actor.name} does not serve customer {customer_id}",
                field="customer_id",
                rule="VIS-1",
            )
        return customer

    def _check_code(self, value: str, allowed: list[str], field: str) -> None:
        if value not in allowed:
            raise ValidationError(f"must be one of {', '.join(allowed)}", field=field, rule="VIS-5")

    def _customers(
        self, uow: UnitOfWork, *, owner_id: StaffId | None = None, grant: Grant | None = None
    ) -> Iterator[Customer]:
        """The customers coverage counts (policy statuses), page by page, in the scope."""
        statuses = set(self.policy.coverage_statuses)
        department = None
        if grant is not None and grant.scope == "own":
            owner_id = grant.actor.id
        elif grant is not None and grant.scope == "department":
            department = grant.actor.department_id
        offset = 0
        while True:
            page = uow.customers.list(
                owner_id=owner_id, department_id=department, limit=PAGE, offset=offset
            )
            for customer in page:
                if customer.status.value in statuses and customer.duplicate_of is None:
                    yield customer
            if len(page) < PAGE:
                return
            offset += PAGE

    # -------------------------------------------------------------------- plans
    @use_case("visits.plans.create")
    def create_plan(
        self, actor_id: StaffId, month: str, staff_id: StaffId | None = None
    ) -> VisitPlan:
        """VIS-1: a month's plan, due by the end of the previous month."""
        month = parse_month(month, "month", "VIS-1")
        start, _ = month_days(month)
        today = self.ctx.today()
        if start < today.replace(day=1):
            raise ValidationError(
                "plans are made for this month or later", field="month", rule="VIS-1"
            )
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "visits.plans.create")
            staff = uow.staff.get(staff_id or grant.actor.id)
            uow.lock(plan_lock(staff.id, month))
            grant.require(self._person(uow, staff, "the visit plan"), field="staff_id")
            if uow.visit_plans.find(staff.id, month) is not None:
                raise Conflict(
                    f"{staff.name} already has a plan for {month}", rule="VIS-1", field="month"
                )
            due = start - timedelta(days=1 + self.policy.plan_due_days_before_month)
            plan = VisitPlan(staff_id=staff.id, month=month, due_on=due, created_at=self.ctx.now())
            uow.visit_plans.add(plan)
            record(uow, self.ctx, "visit_plan.created", plan.id, grant.actor.id, month=month)
            uow.commit()
            return plan

    @use_case("visits.plans.edit")
    def plan_visit(self, actor_id: StaffId, plan_id: str, command: PlanVisit) -> PlannedVisit:
        """VIS-1: add a visit; one asked for on a rest day is proposed on the next working day
        (X-1). Expenses, gifts and entertainment are applied for here."""
        self._check_code(command.purpose, self.policy.purposes, "purpose")
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "visits.plans.edit")
            plan = uow.visit_plans.get(plan_id)
            uow.lock(plan_lock(plan.staff_id, plan.month))
            plan = self._plan(uow, grant, plan_id)
            if plan.status not in (P.DRAFT, P.RETURNED):
                raise InvalidTransition(
                    f"the plan is {plan.status.value}; only a draft or a returned plan is edited",
                    rule="VIS-1",
                )
            start, end = month_days(plan.month)
            if not start <= command.on <= end:
                raise ValidationError(f"must fall in {plan.month}", field="on", rule="VIS-1")
            self._customer(uow, uow.staff.get(plan.staff_id), command.customer_id)
            on = next_working_day_on_or_after(self.ctx.calendar, command.on)
            planned = PlannedVisit(
                plan_id=plan.id,
                staff_id=plan.staff_id,
                customer_id=command.customer_id,
                on=on,
                asked_on=command.on,
                purpose=command.purpose,
                expense=command.expense,
                gift=command.gift,
                entertainment=command.entertainment,
            )
            uow.planned_visits.add(planned)
            record(
                uow,
                self.ctx,
                "visit_plan.visit_added",
                plan.id,
                grant.actor.id,
                customer_id=command.customer_id,
                on=on.isoformat(),
            )
            uow.commit()
            return planned

    @use_case("visits.plans.edit")
    def remove_planned_visit(self, actor_id: StaffId, planned_id: str) -> PlannedVisit:
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "visits.plans.edit")
            plan = uow.visit_plans.get(uow.planned_visits.get(planned_id).plan_id)
            uow.lock(plan_lock(plan.staff_id, plan.month))
            plan = self._plan(uow, grant, plan.id)
            planned = uow.planned_visits.get(planned_id)
            if plan.status not in (P.DRAFT, P.RETURNED):
                raise InvalidTransition(f"the plan is {plan.status.value}", rule="VIS-1")
            planned.removed = True
            record(
                uow,
                self.ctx,
                "visit_plan.visit_removed",
                plan.id,
                grant.actor.id,
                planned_id=planned_id,
            )
            uow.commit()
            return planned

    def _check(self, uow: UnitOfWork, plan: VisitPlan) -> PlanCheck:
        """VIS-3: the plan owner's graded customers short of their period's visits."""
        visits = list(uow.planned_visits.list_for_plan(plan.id))
        start, _ = month_days(plan.month)
        frequency = self.policy.frequency
        periods = {g: period_of(start, f.months) for g, f in frequency.items()}
        done = {p: uow.visits.counts_by_customer(*p) for p in set(periods.values())}
        missing = []
        customers = [c for c in self._customers(uow, owner_id=plan.staff_id) if c.grade in periods]
        planned: dict[tuple[date, date], dict[CustomerId, int]] = {}
        for period in set(periods.values()):
            counts: dict[CustomerId, int] = defaultdict(int)
            for p in uow.planned_visits.list_between(
                *period, customer_ids=[c.id for c in customers], unreported_only=True
            ):
                counts[p.customer_id] += 1
            planned[period] = counts
        for customer in customers:
            grade = customer.grade or ""
            period, rule = periods[grade], frequency[grade]
            made, coming = done[period].get(customer.id, 0), planned[period].get(customer.id, 0)
            if made + coming < rule.visits:
                missing.append(
                    MissingVisit(
                        customer_id=customer.id,
                        name=customer.name,
                        grade=grade,
                        required=rule.visits,
                        done=made,
                        planned=coming,
                        period_start=period[0],
                        period_end=period[1],
                        last_month=period[1] == month_days(plan.month)[1],
                    )
                )
        missing.sort(key=lambda m: (not m.last_month, m.grade, m.name, m.customer_id))
        moved = [v for v in visits if v.on != v.asked_on]
        return PlanCheck(plan=plan, visits=visits, missing=missing, moved=moved)

    @use_case("visits.plans.read")
    def check_plan(self, actor_id: StaffId, plan_id: str) -> PlanCheck:
        """VIS-3: the plan, the customers it leaves short, the visits moved off rest days."""
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "visits.plans.read")
            return self._check(uow, self._plan(uow, grant, plan_id))

    @use_case("visits.plans.read")
    def plans(
        self, actor_id: StaffId, *, month: str | None = None, staff_id: StaffId | None = None
    ) -> builtins.list[VisitPlan]:
        if month is not None:
            month = parse_month(month, "month", "VIS-1")
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "visits.plans.read")
            out = []
            for plan in uow.visit_plans.list(staff_id=staff_id, month=month):
                staff = uow.staff.get(plan.staff_id)
                if grant.covers(self._person(uow, staff, "the visit plan")):
                    out.append(plan)
            return out

    @use_case("visits.plans.submit")
    def submit_plan(self, actor_id: StaffId, plan_id: str) -> PlanCheck:
        """VIS-1: submitted for approval; late when after ``due_on`` (kept on resubmission)."""
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "visits.plans.submit")
            plan = uow.visit_plans.get(plan_id)
            uow.lock(plan_lock(plan.staff_id, plan.month))
            plan = self._plan(uow, grant, plan_id)
            if plan.status not in (P.DRAFT, P.RETURNED):
                raise InvalidTransition(f"the plan is already {plan.status.value}", rule="VIS-1")
            first = plan.submitted_at is None
            plan.status, plan.submitted_at = P.SUBMITTED, self.ctx.now()
            if first:
                plan.late = self.ctx.today() > plan.due_on
            record(
                uow,
                self.ctx,
                "visit_plan.submitted",
                plan.id,
                grant.actor.id,
                late=str(plan.late).lower(),
                owner_id=plan.staff_id,
            )
            check = self._check(uow, plan)
            uow.commit()
            return check

    @use_case("visits.plans.decide")
    def decide_plan(
        self, actor_id: StaffId, plan_id: str, *, approve: bool, note: str = ""
    ) -> VisitPlan:
        """VIS-1: the supervisor approves (with its expense, gift and entertainment requests)
        or returns the plan with a reason; nobody decides their own plan (X-4)."""
        if not approve and not note.strip():
            raise ValidationError("say why the plan is returned", field="note", rule="VIS-1")
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "visits.plans.decide")
            plan = uow.visit_plans.get(plan_id)
            uow.lock(plan_lock(plan.staff_id, plan.month))
            plan = self._plan(uow, grant, plan_id)
            if plan.status != P.SUBMITTED:
                raise InvalidTransition(
                    f"the plan is {plan.status.value}, not submitted", rule="VIS-1"
                )
            plan.status = P.APPROVED if approve else P.RETURNED
            plan.decided_by, plan.decided_at, plan.decision_note = (
                grant.actor.id,
                self.ctx.now(),
                note,
            )
            if approve:
                for planned in uow.planned_visits.list_for_plan(plan.id):
                    planned.approved = True
            record(uow, self.ctx, f"visit_plan.{plan.status.value}", plan.id, grant.actor.id, note)
            uow.commit()
            return plan

    # ------------------------------------------------------------------ visits
    @use_case("visits.report")
    def report_visit(self, actor_id: StaffId, command: ReportVisit) -> Visit:
        """VIS-5 the record, VIS-2 due within the policy's working days of the visit (late:
        a violation through the penalty catalogue), VIS-1 expenses not applied for flagged."""
        p = self.policy
        self._check_code(command.purpose, p.purposes, "purpose")
        self._check_code(command.outcome, p.outcomes, "outcome")
        today = self.ctx.today()
        if command.on > today:
            raise ValidationError("a visit is reported after it happened", field="on", rule="VIS-2")
        with self.ctx.uow() as uow:
            if command.planned_visit_id:
                uow.lock(f"visit-planned:{command.planned_visit_id}")
            grant = authorize(uow, self.ctx, actor_id, "visits.report")
            customer = self._customer(uow, grant.actor, command.customer_id)
            planned = None
            if command.planned_visit_id:
                planned = uow.planned_visits.get(command.planned_visit_id)
                if planned.staff_id != grant.actor.id or planned.customer_id != customer.id:
                    raise ValidationError(
                        "not your planned visit to this customer",
                        field="planned_visit_id",
                        rule="VIS-1",
                    )
                if planned.visit_id is not None:
                    raise Conflict(
                        "this planned visit is already reported",
                        field="planned_visit_id",
                        rule="VIS-2",
                    )
            due = add_working_days(self.ctx.calendar, command.on, p.report_due_working_days)
            approved_expense = planned.expense if planned and planned.approved else Money.zero()
            visit = Visit(
                customer_id=customer.id,
                staff_id=grant.actor.id,
                owner_id=customer.owner_id,
                on=command.on,
                purpose=command.purpose,
                people_met=command.people_met,
                summary=command.summary,
                outcome=command.outcome,
                report_due_on=due,
                reported_at=self.ctx.now(),
                problems_solved=command.problems_solved,
                watch_items=command.watch_items,
                expenses=command.expenses,
                expenses_approved=command.expenses <= approved_expense,
                planned_visit_id=planned.id if planned else None,
                late=today > due,
            )
            uow.visits.add(visit)
            flagged = planned is not None and planned.report_late
            if planned is not None:
                planned.visit_id = visit.id
            for item in command.follow_ups:
                uow.follow_ups.add(
                    FollowUp(
                        visit_id=visit.id,
                        customer_id=customer.id,
                        staff_id=grant.actor.id,
                        text=item.text,
                        due_on=item.due_on
                        or add_working_days(self.ctx.calendar, today, p.follow_up_working_days),
                        created_at=self.ctx.now(),
                    )
                )
            record(
                uow,
                self.ctx,
                "visit.reported",
                visit.id,
                grant.actor.id,
                customer_id=customer.id,
                on=visit.on.isoformat(),
            )
            if visit.late and not flagged:
                self._late(uow, visit.id, grant.actor.id, visit.staff_id, visit.on, due)
            if not visit.expenses_approved:
                record(
                    uow,
                    self.ctx,
                    "visit.expense_unapproved",
                    visit.id,
                    grant.actor.id,
                    f"{visit.expenses.amount:.2f} 元 spent, {approved_expense.amount:.2f} 元 "
                    "approved before the visit (VIS-1)",
                    owner_id=visit.staff_id,
                )
            uow.commit()
            return visit

    def _late(
        self, uow: UnitOfWork, subject: str, actor: str, visitor: StaffId, on: date, due: date
    ) -> None:
        record(
            uow,
            self.ctx,
            LATE_EVENT,
            subject,
            actor,
            f"visit of {on.isoformat()}: report due {due.isoformat()} (VIS-2)",
            owner_id=visitor,
            due_on=due.isoformat(),
        )

    @use_case("scheduler.visit_reports_late")
    def sweep_late_reports(self, actor_id: StaffId) -> builtins.list[PlannedVisit]:
        """VIS-2: approved planned visits whose report deadline passed without a report are
        flagged once, each a ``visit.report_late`` event (a violation, PEN-1)."""
        today = self.ctx.today()
        n = self.policy.report_due_working_days
        with self.ctx.uow() as uow:
            uow.lock("visits:late-reports")  # a concurrent run waits, then finds them flagged
            grant = authorize(uow, self.ctx, actor_id, "scheduler.visit_reports_late")
            flagged = []
            for planned in uow.planned_visits.list_between(
                today - timedelta(days=SWEEP_DAYS), today - timedelta(days=1), unreported_only=True
            ):
                if not planned.approved or planned.report_late:
                    continue
                due = add_working_days(self.ctx.calendar, planned.on, n)
                if due >= today:
                    continue
                planned.report_late = True
                self._late(uow, planned.id, grant.actor.id, planned.staff_id, planned.on, due)
                flagged.append(planned)
            uow.commit()
            return flagged

    @use_case("visits.read")
    def visit(self, actor_id: StaffId, visit_id: str) -> Visit:
        """X-5: a secret record; reads by anyone but the visitor and owner are logged."""
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "visits.read")
            visit = uow.visits.get(visit_id)
            self._read_visit(uow, grant, visit)
            uow.commit()
            return visit

    @use_case("visits.read")
    def visits(self, actor_id: StaffId, customer_id: CustomerId) -> builtins.list[Visit]:
        """A customer's visits, newest first, whoever made them (before or after an owner
        change); each read beyond one's own is logged (X-5)."""
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "visits.read")
            out = []
            for visit in uow.visits.list_for_customer(customer_id):
                self._read_visit(uow, grant, visit)
                out.append(visit)
            uow.commit()
            return out

    @use_case("visits.follow_ups.read")
    def follow_ups(self, actor_id: StaffId, visit_id: str | None = None) -> builtins.list[FollowUp]:
        """VIS-2: a visit's items, or the open items in the actor's scope (due first)."""
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "visits.follow_ups.read")
            if visit_id is not None:
                self._read_visit(uow, grant, uow.visits.get(visit_id))
                rows = list(uow.follow_ups.list_for_visit(visit_id))
                uow.commit()
                return rows
            staff_id = grant.actor.id if grant.scope == "own" else None
            return [
                f
                for f in uow.follow_ups.list_open(staff_id=staff_id)
                if grant.covers(self._person(uow, uow.staff.get(f.staff_id), "follow-up"))
            ]

    @use_case("visits.review")
    def review_visit(self, actor_id: StaffId, visit_id: str, note: str = "") -> Visit:
        """VIS-2: the supervisor reviews the report (not their own, X-4); the read is logged."""
        with self.ctx.uow() as uow:
            uow.lock(f"visit:{visit_id}")
            grant = authorize(uow, self.ctx, actor_id, "visits.review")
            visit = uow.visits.get(visit_id)
            grant.require(self._visit_resource(uow, visit))
            if visit.reviewed_by is not None:
                raise Conflict("the report is already reviewed", rule="VIS-2")
            log_read(uow, self.ctx, grant, VISIT_RECORD, visit.id)
            visit.reviewed_by, visit.reviewed_at, visit.review_note = (
                grant.actor.id,
                self.ctx.now(),
                note,
            )
            record(uow, self.ctx, "visit.reviewed", visit.id, grant.actor.id, note)
            uow.commit()
            return visit

    @use_case("visits.follow_ups.complete")
    def complete_follow_up(self, actor_id: StaffId, item_id: str, note: str = "") -> FollowUp:
        """VIS-2: the visitor reports a promised item done (once)."""
        with self.ctx.uow() as uow:
            uow.lock(f"visit-follow-up:{item_id}")
            grant = authorize(uow, self.ctx, actor_id, "visits.follow_ups.complete")
            item = uow.follow_ups.get(item_id)
            grant.require(self._person(uow, uow.staff.get(item.staff_id), "follow-up"))
            if item.done_at is not None:
                raise Conflict("the item is already done", rule="VIS-2")
            item.done_at, item.done_note = self.ctx.now(), note
            record(uow, self.ctx, "visit.follow_up_done", item.id, grant.actor.id, note)
            uow.commit()
            return item

    # ---------------------------------------------------------------- coverage
    @use_case("visits.coverage")
    def coverage(
        self, actor_id: StaffId, start: date, end: date, *, by: str = "owner"
    ) -> builtins.list[Coverage]:
        """VIS-4: customers visited in ``start``…``end`` (each once, by anyone — visits
        before an owner change count) per current owner, department or the company, against
        the target; VIS-3 the visits their grades require in the period and how many were
        made (capped per customer)."""
        if by not in ("owner", "department", "company"):
            raise ValidationError("must be owner, department or company", field="by")
        if end < start:
            raise ValidationError("must not be before start", field="end", rule="VIS-4")
        p = self.policy
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "visits.coverage")
            counts = uow.visits.counts_by_customer(start, end)
            periods = self._periods(start, end)
            per_period = {
                period: uow.visits.counts_by_customer(*period)
                for found in periods.values()
                for period in found
            }
            groups: dict[str, list[int]] = {}
            names: dict[str, str] = {}
            departments: dict[StaffId, str] = {}
            for customer in self._customers(uow, grant=grant):
                key: str
                if by == "owner":
                    key = str(customer.owner_id)
                    names.setdefault(key, uow.staff.get(customer.owner_id).name)
                elif by == "department":
                    if customer.owner_id not in departments:
                        departments[customer.owner_id] = str(
                            staff_department(uow, customer.owner_id) or "—"
                        )
                    key = departments[customer.owner_id]
                else:
                    key = "company"
                row = groups.setdefault(key, [0, 0, 0, 0])
                row[0] += 1
                row[1] += 1 if counts.get(customer.id, 0) else 0
                rule = p.frequency.get(customer.grade or "")
                if rule is not None:  # VIS-3: each period's visits count for that period
                    for period in periods[rule.months]:
                        row[2] += rule.visits
                        row[3] += min(per_period[period].get(customer.id, 0), rule.visits)
            if by == "department":
                for dept in groups:
                    names[dept] = (
                        uow.departments.get(DepartmentId(dept)).name
                        if dept != "—"
                        else "(no department)"
                    )
            names.setdefault("company", "company")
        rows = []
        for group, (customers, visited, required, met) in groups.items():
            percent = round(100 * visited / customers, 1) if customers else 100.0
            rows.append(
                Coverage(
                    group,
                    names.get(group, group),
                    customers,
                    visited,
                    percent,
                    p.coverage_target_percent,
                    percent >= p.coverage_target_percent,
                    required,
                    met,
                )
            )
        return sorted(rows, key=lambda r: (r.percent, r.name, r.key))

    def _periods(self, start: date, end: date) -> dict[int, list[tuple[date, date]]]:
        """VIS-3: per period length of the policy, the periods lying wholly in the range."""
        out: dict[int, list[tuple[date, date]]] = {}
        for months in {f.months for f in self.policy.frequency.values()}:
            day, found = start, []
            while day <= end:
                first, last = period_of(day, months)
                if first >= start and last <= end:
                    found.append((first, last))
                day = last + timedelta(days=1)
            out[months] = found
        return out

    # ------------------------------------------------------------ care calendar
    @use_case("visits.care")
    def care_calendar(
        self, actor_id: StaffId, start: date, end: date
    ) -> builtins.list[CareReminder]:
        """VIS-6: greetings before the policy's holidays (to customers in ``greet_statuses``)
        and birthday calls, for the customers in the actor's scope, by day."""
        if end < start:
            raise ValidationError("must not be before start", field="end", rule="VIS-6")
        if (end - start).days > 366:
            raise ValidationError("at most a year at a time", field="end", rule="VIS-6")
        care = self.policy.care
        ahead = timedelta(days=care.remind_days_before)
        holidays: dict[str, date] = {}
        for day, name in self.ctx.calendar.holiday_names(start + ahead, end + ahead).items():
            base = name.split(" (observed)")[0]
            if base in care.holidays and base not in holidays:
                holidays[base] = day
        out: list[CareReminder] = []
        greet = {CustomerStatus(s) for s in care.greet_statuses}
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "visits.care")
            for customer in self._customers(uow, grant=grant):
                if customer.status in greet:
                    for name, day in holidays.items():
                        out.append(
                            CareReminder(
                                day - ahead,
                                "holiday",
                                customer.id,
                                customer.name,
                                customer.owner_id,
                                f"{name} on {day.isoformat()}: send greetings",
                            )
                        )
                born = birthday_of(customer.id_number) if care.birthdays else None
                if born is not None:
                    for year in range(start.year, end.year + 1):
                        month, day_of = born
                        if (month, day_of) == (2, 29) and not _calendar.isleap(year):
                            day_of = 28
                        when = date(year, month, day_of)
                        if start <= when <= end:
                            out.append(
                                CareReminder(
                                    when,
                                    "birthday",
                                    customer.id,
                                    customer.name,
                                    customer.owner_id,
                                    "birthday: call to congratulate",
                                )
                            )
        return sorted(out, key=lambda r: (r.on, r.kind, r.customer_id))

    @use_case("visits.care")
    def weather_alert(
        self, actor_id: StaffId, region: str, alert: str, on: date | None = None
    ) -> builtins.list[CareReminder]:
        """VIS-6: a special-weather reminder for every customer in the scope whose address
        names ``region`` (e.g. 北京, 朝阳区); recorded in the audit trail."""
        command = WeatherAlert(region=region.strip(), alert=alert.strip(), on=on)
        region, alert = command.region, command.alert
        day = on or self.ctx.today()
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "visits.care")
            out = [
                CareReminder(
                    day,
                    "weather",
                    c.id,
                    c.name,
                    c.owner_id,
                    f"{alert}: remind the customer to take care",
                )
                for c in self._customers(uow, grant=grant)
                if region in c.address
            ]
            record(
                uow,
                self.ctx,
                "visit.weather_alert",
                region,
                grant.actor.id,
                alert,
                customers=str(len(out)),
            )
            uow.commit()
            return out
