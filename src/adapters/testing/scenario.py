"""Given / when / then: a policy owner's scenario in a few lines (issue 15).

    s = Scenario(Lab("our-policy.toml"), "a service adviser hands over three files late")
    li = s.given.staff("Li Lei", position="service_adviser")
    files = s.given.files_opened(li, 3, kind="service", on="2026-10-08")
    s.when.files_handed_over(li, files, at="2026-10-20 16:00")
    s.then.fines(li, "2026-10", ["50.00", "50.00", "100.00"], code="file_late")
    s.then.statement_total(li, "2026-10", "200.00")

``given`` sets up facts, ``when`` performs the actions under test, ``then`` checks outcomes
and raises ``ScenarioFailed`` (an ``AssertionError``) naming the scenario, the expectation and
what happened. Before checking, ``then`` runs the periodic jobs at the current time (the case
sweep, late visit reports, violations from events), as the scheduler would have: each records
a fact once, so checking twice changes nothing.

Besides files, fines, cases, credit and visits, the helpers cover repair calls (CASE-12,
SAT-1: ``job_registered`` … ``job_arrival``/``job_reported_overdue``), periodic surveys and
their corrective action (SAT-2/SAT-3: ``survey_issued`` … ``survey_target``/
``corrective_action``), corrective actions on a case (CASE-11: ``corrective_action_added`` …
``case_cannot_close``) and penalty appeals (PEN-10: ``fine_appealed``/``appeal_decided``, then
``statement_total``).
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

from adapters.testing.lab import Lab, Moment, total_of
from csdomain.cases.model import CapaItem, Case, CaseBreach
from csdomain.credit.model import ShipmentDecision
from csdomain.customers.model import Customer, CustomerFile, FileStatus
from csdomain.kernel.errors import DomainError
from csdomain.kernel.money import Money
from csdomain.org.model import Staff
from csdomain.penalties.model import Appeal, AppealState, PenaltyEntry, Statement
from csdomain.policy.model import Policy
from csdomain.service_jobs.model import ServiceJob
from csdomain.surveys.model import CorrectiveAction, Survey, SurveyResults
from csdomain.visits.model import PlannedVisit, Visit


class ScenarioFailed(AssertionError):
    """A ``then`` expectation did not hold; the message names the scenario."""


def _money(value: str | Money) -> Money:
    return value if isinstance(value, Money) else Money.of(value)


def _amounts(entries: Sequence[PenaltyEntry]) -> builtins.list[str]:
    return [f"{e.amount.amount:.2f}" for e in entries]


class Given:
    """The facts a scenario starts from."""

    def __init__(self, lab: Lab) -> None:
        self.lab = lab

    def time(self, when: Moment) -> None:
        """It is ``when``."""
        self.lab.set_time(when)

    def policy_adopted(self, policy: Policy | str | Path, *, effective_from: date | str) -> int:
        """The company adopts ``policy`` (a file or a ``Policy``) from ``effective_from``:
        uploaded by the manager, activated by the GM (issue 15). Events before that day are
        judged by the policy they had."""
        return self.lab.adopt(policy, effective_from)

    def staff(self, name: str, *, position: str = "", role: str = "staff") -> Staff:
        """A person with a role and a position (e.g. ``service_adviser``)."""
        return self.lab.staff(name, role=role, position=position)

    def customer(self, owner: Staff, name: str = "") -> Customer:
        """A customer owned by ``owner``."""
        return self.lab.customer(owner, name)

    def files_opened(
        self,
        owner: Staff,
        count: int = 1,
        *,
        kind: str,
        on: date | str,
        complete: bool = True,
    ) -> builtins.list[CustomerFile]:
        """``count`` files of ``kind`` opened by ``owner`` for events on day ``on``, each for
        a new customer of theirs (CUS-3: due ``handover_working_days`` after ``on``). They
        hold every checklist item unless ``complete=False`` (then a hand-over is also
        incomplete, a ``file_incomplete`` violation per missing item)."""
        return [
            self.lab.open_file(owner, self.lab.customer(owner), kind, on, complete=complete)
            for _ in range(count)
        ]

    def credit_customer(
        self, owner: Staff, *, invoiced: Iterable[tuple[str, date | str]] = ()
    ) -> Customer:
        """A customer eligible for credit (CRD-1) with these invoices (amount, day) behind
        its rolling line (CRD-2)."""
        customer = self.lab.credit_customer(owner)
        for amount, day in invoiced:
            self.lab.invoice(owner, customer, amount, day)
        return customer

    def visits_planned(
        self, visitor: Staff, month: str, visits: Iterable[tuple[Customer, date | str]]
    ) -> builtins.list[PlannedVisit]:
        """An approved plan for ``month`` with these visits (VIS-1)."""
        return self.lab.plan_visits(visitor, month, visits)

    def violation(
        self, staff: Staff, code: str, on: date | str, *, units: int = 1
    ) -> builtins.list[PenaltyEntry]:
        """An earlier violation, recorded by the manager (PEN-1)."""
        return self.lab.record_violation(staff, code, on, units=units)

    def staff_of(self, department: str, name: str, *, position: str = "") -> Staff:
        """A person of another department (added on first use), e.g. the quality department
        that verifies corrective actions (CASE-11)."""
        return self.lab.staff(name, position=position, department=department)

    def job_registered(
        self, *, zone: str, at: Moment, work_type: str = "", customer: Customer | None = None
    ) -> ServiceJob:
        """A repair call registered at ``at`` in ``zone``: due on site within the zone's hours
        (CASE-12); ``work_type`` defaults to paid work."""
        return self.lab.register_job(zone=zone, work_type=work_type, at=at, customer=customer)

    def active_customers(self, owner: Staff, count: int) -> builtins.list[Customer]:
        """``count`` customers of ``owner`` with a closed deal: a survey's population (SAT-2)."""
        return self.lab.active_customers(owner, count)

    def survey_issued(
        self,
        *,
        on: date | str,
        to: Iterable[Customer] = (),
        percent: int | None = None,
        title: str = "Customer satisfaction",
    ) -> Survey:
        """A periodic survey opened on ``on`` for the customers ``to``, or a sample of
        ``percent`` % (the policy's ``surveys.distribution_min_percent`` when neither is
        given) of the active customers (SAT-2)."""
        return self.lab.create_survey(to=to, percent=percent, on=on, title=title)


class When:
    """The actions under test."""

    def __init__(self, lab: Lab) -> None:
        self.lab = lab

    def time_passes(self, to: Moment) -> None:
        """The clock moves to ``to`` (the periodic jobs run when ``then`` looks)."""
        self.lab.set_time(to)

    def jobs_run(self, at: Moment | None = None) -> builtins.list[PenaltyEntry]:
        """The scheduler's jobs run now (or at ``at``); returns the fines they booked."""
        return self.lab.run_jobs(at)

    def files_handed_over(
        self, owner: Staff, files: Iterable[CustomerFile], *, at: Moment
    ) -> builtins.list[FileStatus]:
        """``owner`` hands each file over to the archive at ``at`` (CUS-3)."""
        return [self.lab.hand_over(owner, f, at) for f in files]

    def case_received(self, receiver: Staff, *, at: Moment, **fields: object) -> Case:
        """A complaint comes in at ``at`` (CASE-1; its clocks start, CASE-7)."""
        return self.lab.receive_case(receiver, at, **fields)

    def case_acknowledged(self, case: Case, by: Staff, *, at: Moment) -> Case:
        """The customer is told at ``at`` that the case is received (CASE-7)."""
        return self.lab.acknowledge(by, case, at)

    def case_resolved(
        self,
        case: Case,
        handler: Staff,
        *,
        solved_at: Moment,
        replied_at: Moment,
        closed_at: Moment,
        amount: str = "200.00",
    ) -> Case:
        """The case is handled by ``handler`` to its close: a remedy of ``amount`` proposed
        and approved at ``solved_at``, the reply at ``replied_at``, closed at ``closed_at``
        (CASE-7…CASE-10)."""
        return self.lab.resolve_case(
            case,
            handler,
            solved_at=solved_at,
            replied_at=replied_at,
            closed_at=closed_at,
            amount=amount,
        )

    def violation_recorded(
        self, staff: Staff, code: str, on: date | str, *, units: int = 1
    ) -> builtins.list[PenaltyEntry]:
        """The manager records a violation by hand (PEN-1)."""
        return self.lab.record_violation(staff, code, on, units=units)

    def shipment_requested(
        self,
        requester: Staff,
        customer: Customer,
        amount: str,
        *,
        at: Moment | None = None,
        over_limit: str = "",
        reason: str = "",
    ) -> ShipmentDecision:
        """A shipment is asked for (CRD-3); ``over_limit`` "first"/"last" signs it."""
        return self.lab.ship(
            requester, customer, amount, at=at, over_limit=over_limit, reason=reason
        )

    def visit_reported(
        self,
        visitor: Staff,
        customer: Customer,
        on: date | str,
        *,
        at: Moment,
        planned: PlannedVisit | None = None,
    ) -> Visit:
        """The visit of day ``on`` is reported at ``at`` (VIS-2)."""
        return self.lab.report_visit(visitor, customer, on, at=at, planned=planned)

    def month_settled(self, month: str, *, at: Moment | None = None) -> builtins.list[Statement]:
        """The manager settles ``month`` (PEN-10); the jobs run first, as on the day."""
        self.lab.run_jobs(at)
        return self.lab.settle(month)

    def case_handled(
        self,
        case: Case,
        handler: Staff,
        *,
        solved_at: Moment,
        replied_at: Moment,
        amount: str = "200.00",
    ) -> Case:
        """The case is handled up to its close: remedy proposed and approved at ``solved_at``,
        the reply and a satisfied follow-up at ``replied_at`` (CASE-7…CASE-9)."""
        return self.lab.handle_case(
            case, handler, solved_at=solved_at, replied_at=replied_at, amount=amount
        )

    def case_closed(self, case: Case, handler: Staff, *, at: Moment) -> Case:
        """The supervisor closes the handled case (CASE-10; refused while a corrective
        action is open, CASE-11)."""
        return self.lab.close_case(case, handler, at=at)

    def corrective_action_added(
        self,
        case: Case,
        owner: Staff,
        description: str = "Prevent the fault from recurring",
        *,
        at: Moment | None = None,
    ) -> CapaItem:
        """The manager adds a corrective action owned by ``owner`` (CASE-11: due
        ``cases.capa_due_working_days`` working days later)."""
        return self.lab.add_capa(case, owner, description, at=at)

    def corrective_action_done(self, item: CapaItem, *, at: Moment | None = None) -> CapaItem:
        """The action's owner reports it done (CASE-11)."""
        return self.lab.complete_capa(item, at)

    def corrective_action_verified(
        self, item: CapaItem, by: Staff, *, effective: bool = True, at: Moment | None = None
    ) -> CapaItem:
        """``by``, of another department, verifies the action (not ``effective``: back to
        its owner, CASE-11)."""
        return self.lab.verify_capa(item, by, effective=effective, at=at)

    def job_dispatched(self, job: ServiceJob, technician: Staff, *, at: Moment) -> ServiceJob:
        """The dispatcher sends ``technician`` at ``at`` (CASE-12)."""
        return self.lab.dispatch_job(job, technician, at)

    def job_arrived(self, job: ServiceJob, *, at: Moment) -> ServiceJob:
        """The technician is on site at ``at`` (CASE-12: late after the zone's deadline)."""
        return self.lab.arrive(job, at)

    def job_fixed(self, job: ServiceJob, *, at: Moment, invoice: str | None = None) -> ServiceJob:
        """Fixed on site, the customer signing; paid work invoiced for ``invoice`` 元
        (CASE-12)."""
        return self.lab.fix_job(job, at, invoice=invoice)

    def job_rated(
        self, job: ServiceJob, ratings: dict[str, str] | str, *, at: Moment | None = None
    ) -> ServiceJob:
        """The customer rates the job (item → level, or one level for every item) and it is
        closed (SAT-1)."""
        return self.lab.rate_job(job, ratings, at=at)

    def survey_answered(
        self, survey: Survey, levels: Sequence[str], *, on: date | str | None = None
    ) -> int:
        """The survey's recipients answer in turn, one level each (SAT-2)."""
        return self.lab.answer_survey(survey, levels, on)

    def survey_closed(self, survey: Survey, *, at: Moment) -> SurveyResults:
        """The manager ends the collection and compiles the statistics (SAT-2)."""
        return self.lab.close_survey(survey, at)

    def corrective_action_raised(
        self, survey: Survey, owner: Staff, description: str = "Retrain the service team"
    ) -> CorrectiveAction:
        """The manager raises the survey's corrective action: a case with a CAPA item owned by
        ``owner`` (SAT-3; refused when satisfaction meets the target)."""
        return self.lab.raise_corrective_action(survey, owner, description)

    def fine_appealed(self, entry: PenaltyEntry, reason: str = "I was on leave") -> Appeal:
        """The penalised person appeals the entry (PEN-10)."""
        return self.lab.appeal(entry, reason)

    def appeal_decided(
        self,
        appeal: Appeal,
        decision: str,
        *,
        new_amount: str | None = None,
        at: Moment | None = None,
    ) -> Appeal:
        """The manager decides "upheld", "reduced" (to ``new_amount``) or "waived" (PEN-10)."""
        return self.lab.decide_appeal(appeal, decision, new_amount=new_amount, at=at)


class Then:
    """Outcomes; each check raises ``ScenarioFailed`` naming the scenario. Each hides its own
    frame (``__tracebackhide__``), so pytest points at the scenario's line, not the kit's."""

    def __init__(self, lab: Lab, name: str) -> None:
        self.lab = lab
        self.name = name

    def _fail(self, expected: str, got: object) -> ScenarioFailed:
        return ScenarioFailed(f"scenario {self.name!r}: expected {expected}, got {got}")

    def _jobs(self) -> None:
        self.lab.run_jobs()

    def fines(
        self,
        staff: Staff,
        month: str,
        amounts: Sequence[str],
        *,
        code: str | None = None,
    ) -> builtins.list[PenaltyEntry]:
        """``staff``'s fines for their violations of ``month`` (of ``code``) are exactly
        ``amounts``, in recording order (PEN-1, PEN-2 doubling)."""
        __tracebackhide__ = True
        self._jobs()
        fines = self.lab.fines(staff, month, code)
        want = [f"{_money(a).amount:.2f}" for a in amounts]
        if _amounts(fines) != want:
            what = f" {code}" if code else ""
            raise self._fail(f"{staff.name}'s{what} fines in {month} to be {want}", _amounts(fines))
        return fines

    def violations(self, staff: Staff, month: str, count: int, *, code: str | None = None) -> None:
        """``staff`` has ``count`` violations (of ``code``) that occurred in ``month``."""
        __tracebackhide__ = True
        self._jobs()
        found = self.lab.violations(staff, month, code)
        if len(found) != count:
            what = f" {code}" if code else ""
            raise self._fail(
                f"{count}{what} violation(s) of {staff.name} in {month}",
                [f"{v.code} on {v.occurred_on}" for v in found] or "none",
            )

    def statement_total(self, staff: Staff, month: str, total: str | Money) -> Statement:
        """``staff``'s statement for ``month`` (settled, or as it stands) totals ``total``."""
        __tracebackhide__ = True
        self._jobs()
        statement = self.lab.statement(staff, month)
        if statement.total != _money(total):
            lines = "; ".join(f"{x['amount']} {x['explanation']}" for x in statement.lines)
            raise self._fail(
                f"{staff.name}'s {month} statement to total {_money(total)}",
                f"{statement.total} ({lines or 'no lines'})",
            )
        return statement

    def sanction(self, staff: Staff, month: str, sanction: str) -> Statement:
        """``staff``'s statement for ``month`` carries ``sanction`` ("" for none, PEN-7)."""
        __tracebackhide__ = True
        self._jobs()
        statement = self.lab.statement(staff, month)
        if statement.sanction != sanction:
            raise self._fail(
                f"{staff.name}'s {month} sanction {sanction!r}", repr(statement.sanction)
            )
        return statement

    def fines_total(self, staff: Staff, month: str, total: str | Money) -> None:
        """The fines for ``staff``'s own violations of ``month`` add up to ``total``."""
        __tracebackhide__ = True
        self._jobs()
        got = total_of(self.lab.fines(staff, month))
        if got != _money(total):
            raise self._fail(f"{staff.name}'s {month} fines to total {_money(total)}", got)

    def breaches(self, case: Case, clocks: Sequence[str]) -> builtins.list[CaseBreach]:
        """Exactly these clocks of ``case`` are breached (CASE-7), in any order."""
        __tracebackhide__ = True
        self._jobs()
        found = self.lab.breaches(case)
        if sorted(b.clock for b in found) != sorted(clocks):
            raise self._fail(
                f"case {case.number} breached clocks {sorted(clocks)}",
                sorted(b.clock for b in found),
            )
        return found

    def shipment(
        self, decision: ShipmentDecision, expected: str, *, allowed: bool | None = None
    ) -> None:
        """The shipment was decided ``expected`` (e.g. "within_line", "refused", CRD-3)."""
        __tracebackhide__ = True
        got = decision.shipment.decision.value
        if got != expected or (allowed is not None and decision.allowed != allowed):
            raise self._fail(
                f"the shipment decided {expected!r}"
                + ("" if allowed is None else f" (allowed={allowed})"),
                f"{got!r} (allowed={decision.allowed}): {decision.shipment.why}",
            )

    def visit_late(self, visit: Visit, late: bool = True) -> None:
        """The visit's report was (not) late (VIS-2)."""
        __tracebackhide__ = True
        if visit.late != late:
            raise self._fail(
                f"the report of the visit of {visit.on} {'late' if late else 'on time'} "
                f"(due {visit.report_due_on})",
                f"reported {visit.reported_at:%Y-%m-%d %H:%M}",
            )

    def job_arrival(self, job: ServiceJob, *, late: bool) -> ServiceJob:
        """The technician arrived (``late``) after, or on time by, the zone's deadline
        (CASE-12)."""
        __tracebackhide__ = True
        job = self.lab.job(job)
        if job.arrived_at is None:
            raise self._fail(f"job {job.id} to have arrived", "no arrival")
        if (job.arrived_at > job.arrive_by) != late:
            raise self._fail(
                f"the arrival at job {job.id} ({job.zone}) {'late' if late else 'on time'} "
                f"(due on site by {job.arrive_by:%Y-%m-%d %H:%M})",
                f"arrived {job.arrived_at.astimezone(self.lab.tz):%Y-%m-%d %H:%M}",
            )
        return job

    def job_reported_overdue(self, job: ServiceJob, reported: bool = True) -> ServiceJob:
        """The scheduler's late-jobs report did (not) name the job: not on site by its zone's
        deadline (CASE-12, to ``service_jobs.overdue_role``)."""
        __tracebackhide__ = True
        self._jobs()
        job = self.lab.job(job)
        if (job.overdue_reported_at is not None) != reported:
            raise self._fail(
                f"job {job.id} {'reported' if reported else 'not reported'} overdue "
                f"(due on site by {job.arrive_by:%Y-%m-%d %H:%M})",
                f"state {job.state.value}, arrived "
                + (f"{job.arrived_at:%Y-%m-%d %H:%M}" if job.arrived_at else "not yet")
                + (", reported" if job.overdue_reported_at else ", not reported"),
            )
        return job

    def job_ratings(self, job: ServiceJob, ratings: dict[str, str] | str) -> ServiceJob:
        """The job's SAT-1 ratings are ``ratings`` (one level: every item)."""
        __tracebackhide__ = True
        job = self.lab.job(job)
        if isinstance(ratings, str):
            ratings = dict.fromkeys(self.lab.policy.service_jobs.survey_items, ratings)
        if job.survey != ratings:
            raise self._fail(f"job {job.id} rated {ratings}", job.survey or "no ratings")
        return job

    def survey_results(
        self,
        survey: Survey,
        *,
        returned: int | None = None,
        satisfaction: str | None = None,
        return_rate: str | None = None,
    ) -> SurveyResults:
        """The survey's statistics (SAT-2): answers returned, satisfaction and return rate
        in percent (one decimal, e.g. "75.0")."""
        __tracebackhide__ = True
        r = self.lab.survey_results(survey)
        got = {
            "returned": r.returned,
            "satisfaction": f"{r.satisfaction_percent:.1f}",
            "return_rate": f"{r.return_rate_percent:.1f}",
        }
        want = {
            k: v
            for k, v in {
                "returned": returned,
                "satisfaction": satisfaction,
                "return_rate": return_rate,
            }.items()
            if v is not None
        }
        if any(got[k] != v for k, v in want.items()):
            raise self._fail(f"survey {survey.title!r} results {want}", got)
        return r

    def survey_target(self, survey: Survey, *, met: bool) -> SurveyResults:
        """The survey's satisfaction did (not) meet ``surveys.target_percent`` (SAT-3)."""
        __tracebackhide__ = True
        r = self.lab.survey_results(survey)
        if r.below_target == met:
            target = self.lab.policy.surveys.target_percent
            raise self._fail(
                f"survey {survey.title!r} {'meeting' if met else 'below'} the {target} % target",
                f"{r.satisfaction_percent} % ({r.satisfied} of {r.returned} satisfied)",
            )
        return r

    def corrective_action(self, survey: Survey, *, raised: bool = True) -> Case | None:
        """The survey's corrective action (SAT-3) was (not) raised: a case with an open CAPA
        item (CASE-11). Returns the case."""
        __tracebackhide__ = True
        stored = self.lab.services.surveys.get(self.lab.manager.id, survey.id)
        if (stored.case_id is not None) != raised:
            r = self.lab.survey_results(survey)
            raise self._fail(
                f"a corrective action {'raised' if raised else 'not raised'} for survey "
                f"{survey.title!r}",
                f"case {stored.case_id or 'none'}; satisfaction {r.satisfaction_percent} %",
            )
        if stored.case_id is None:
            return None
        case = self.lab.services.cases.get(self.lab.gm.id, stored.case_id)
        if not [i for i in self.lab.capa_items(case) if i.id == stored.capa_id]:
            raise self._fail(f"case {case.number} to carry the CAPA item", "none")
        return case

    def case_cannot_close(self, case: Case, handler: Staff, *, rule: str = "CASE-11") -> None:
        """Closing the case now is refused, citing ``rule`` (CASE-11: a corrective action is
        not verified effective yet). A close that succeeds fails the scenario."""
        __tracebackhide__ = True
        try:
            closed = self.lab.close_case(case, handler)
        except DomainError as exc:
            if getattr(exc, "rule", None) != rule:
                raise self._fail(f"the close refused under {rule}", f"{exc!r}") from exc
            return
        raise self._fail(
            f"case {case.number} not closable yet ({rule})", f"closed at {closed.closed_at}"
        )

    def case_closed(self, case: Case) -> Case:
        """The case is closed (CASE-10)."""
        __tracebackhide__ = True
        stored = self.lab.case(case)
        if stored.closed_at is None:
            raise self._fail(f"case {case.number} closed", f"state {stored.state.value}")
        return stored

    def appeal(self, appeal: Appeal, decision: str) -> Appeal:
        """The appeal stands decided ``decision`` ("open", "upheld", "reduced", "waived";
        PEN-10)."""
        __tracebackhide__ = True
        stored = self.lab.stored_appeal(appeal)
        if stored.state != AppealState(decision):
            raise self._fail(
                f"appeal {appeal.id} {decision}",
                f"{stored.state.value} ({stored.decision_reason or 'no reason yet'})",
            )
        return stored


class Scenario:
    """A named scenario over a ``Lab``: ``given``, ``when`` and ``then``."""

    def __init__(self, lab: Lab, name: str) -> None:
        self.lab = lab
        self.name = name
        self.given = Given(lab)
        self.when = When(lab)
        self.then = Then(lab, name)
