"""The demo company's service work (issue 15): repair calls (CASE-12) registered by the
service advisers across the policy's zones, dispatched to the technicians, most on site in
time, some late, a few never by "today" (the late-jobs sweep reports them overdue); fixed on
site or taken in, inspected and returned; paid work invoiced; every finished job rated on
the policy's survey items (SAT-1) and closed; maintenance contracts whose renewal notices the
scheduler's daily job sends; the daily customer registers (CUS-1) of the positions that owe
them — mostly on time, some next morning with a reason, a few late or never (the registers
sweep records those missing) — and a few file loans (CUS-7), one returned late.

Everything goes through the use cases on the demo's clock, so the rules decide every outcome
and ``csdomain policy replay`` has service jobs, contracts and registers to re-judge. Like the
credit and visits stories it draws from its own random stream.
"""

from __future__ import annotations

import contextlib
import functools
import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from csdomain.customers.commands import RequestLoan, SubmitRegister
from csdomain.kernel.calendar import add_business_hours
from csdomain.kernel.dates import add_months
from csdomain.kernel.errors import DomainError
from csdomain.kernel.ids import CustomerId, FileId, StaffId
from csdomain.kernel.money import Money
from csdomain.org.model import Staff
from csdomain.service_jobs.commands import RegisterJob
from csdomain.service_jobs.model import ServiceJob

if TYPE_CHECKING:
    from adapters.bootstrap import App
    from adapters.demo import _Company, _Schedule

_FAULTS = (
    "车辆无法启动，需上门检查",
    "空调不制冷",
    "仪表盘故障灯常亮",
    "刹车异响",
    "定期保养上门服务",
    "轮胎漏气需更换",
)
_STREETS = ("建国路", "中山路", "人民大道", "解放路", "长江路", "学院路")
_REASONS = ("外出拜访客户，次日补交", "系统故障，次日补交", "参加培训")
_PURPOSES = ("核对合同条款", "客户投诉调查取证", "续保资料核对", "年度审计抽查")
# (never on site, late): the rest arrive in time
_NEVER, _LATE = 0.04, 0.16


class DemoService:
    """Service jobs, maintenance contracts, daily registers and file loans on the timeline."""

    def __init__(
        self,
        app: App,
        company: _Company,
        seed: int,
        when: Callable[[date, int, int], datetime],
        per_day: int,
    ) -> None:
        self.app = app
        self.jobs_s = app.services.service_jobs
        self.company = company
        self.rng = random.Random(f"service-{seed}")
        self.when = when
        self.per_day = max(1, per_day)
        self.system = app.services.org.system_account().id
        self.job_ids: list[str] = []
        self.late_arrivals = 0
        self.surveyed = 0
        self.contracts = 0
        self.renewal_notices = 0
        self.loans = 0
        self.invoices = 0

    @property
    def _advisers(self) -> list[Staff]:
        return self.company.by_position.get("service_adviser", [])

    @property
    def _technicians(self) -> list[Staff]:
        return self.company.by_position.get("technician", [])

    def plan(
        self,
        days: list[date],
        today: date,
        schedule: _Schedule,
        customers: Callable[[], list[tuple[CustomerId, StaffId, str]]],
        files: Callable[[], list[tuple[FileId, CustomerId, StaffId]]],
    ) -> None:
        """Schedule the whole story; ``customers`` and ``files`` are read when an action runs
        (the customers registered and files opened by then)."""
        if not days:
            return
        r = self.rng
        if self._advisers and self._technicians:
            for day in days:
                for _ in range(self.per_day + r.randint(-1, 1)):
                    at = self.when(day, r.randint(9, 15), r.randint(0, 59))
                    schedule.at(at, functools.partial(self._register, customers, schedule))
                schedule.at(self.when(day, 18, 50), self._late_jobs)
            schedule.at(
                self.when(days[min(2, len(days) - 1)], 11, 30),
                functools.partial(self._contracts, customers, days, today),
            )
            day = days[0]
            while day < today:  # the scheduler's renewal job runs every calendar day
                schedule.at(self.when(day, 9, 0), self._renewals)
                day += timedelta(days=1)
        self._registers(days, schedule, customers)
        self._loans(days, schedule, files)

    # -------------------------------------------------------------- service jobs
    def _register(
        self, customers: Callable[[], list[tuple[CustomerId, StaffId, str]]], schedule: _Schedule
    ) -> None:
        """CASE-12: a call comes in; the adviser registers it and dispatches a technician."""
        r, policy = self.rng, self.app.policy.service_jobs
        known = customers()
        if not known:
            return
        customer_id, _, name = r.choice(known)
        zones = list(policy.zones)
        zone = r.choices(zones, [40, 25, 20, 15][: len(zones)] + [10] * (len(zones) - 4))[0]
        types = list(policy.work_types)
        work_type = r.choices(types, [45, 20, 30, 5][: len(types)] + [5] * (len(types) - 4))[0]
        adviser = r.choice(self._advisers)
        job = self.jobs_s.register(
            adviser.id,
            RegisterJob(
                customer_name=name,
                address=f"{r.choice(_STREETS)}{r.randint(1, 300)}号",
                zone=zone,
                work_type=work_type,
                description=r.choice(_FAULTS),
                customer_id=customer_id,
            ),
        )
        self.job_ids.append(job.id)
        technician = r.choice(self._technicians)
        dispatched = job.registered_at + timedelta(minutes=r.randint(5, 40))
        schedule.at(
            dispatched,
            functools.partial(self._dispatch, adviser, job.id, technician, schedule),
        )

    def _dispatch(
        self, adviser: Staff, job_id: str, technician: Staff, schedule: _Schedule
    ) -> None:
        job = self.jobs_s.dispatch(adviser.id, job_id, technician.id)
        roll = self.rng.random()
        if roll < _NEVER:
            return  # never on site: overdue once the deadline passes (CASE-12)
        late = roll < _NEVER + _LATE
        share = self.rng.uniform(1.1, 1.6) if late else self.rng.uniform(0.15, 0.85)
        at = self._after(job, share)
        schedule.at(at, functools.partial(self._arrive, adviser, job.id, technician, schedule))

    def _after(self, job: ServiceJob, share: float) -> datetime:
        """``share`` of the zone's arrival time after registration, counted as the zone counts
        it (round the clock or business hours), so an on-time arrival lands before the
        deadline the core computed and a late one after it."""
        policy = self.app.policy
        zone = policy.service_jobs.zones[job.zone]
        span = timedelta(hours=zone.hours * share)
        if zone.basis == "business_hours":
            calendar = self.app.services.ctx.calendar
            return add_business_hours(
                calendar, policy.calendar.business_hours, job.registered_at, span
            )
        return job.registered_at + span

    def _arrive(self, adviser: Staff, job_id: str, technician: Staff, schedule: _Schedule) -> None:
        r = self.rng
        job = self.jobs_s.arrive(technician.id, job_id)
        late = job.arrived_at is not None and job.arrived_at > job.arrive_by
        self.late_arrivals += late
        now = self.app.services.ctx.now()
        if r.random() < 0.7:
            action = functools.partial(self._fixed, adviser, job_id, technician, late, schedule)
            schedule.at(now + timedelta(minutes=r.randint(40, 180)), action)
        else:
            action = functools.partial(self._take_in, adviser, job_id, technician, late, schedule)
            schedule.at(now + timedelta(minutes=r.randint(30, 90)), action)

    def _fixed(
        self, adviser: Staff, job_id: str, technician: Staff, late: bool, schedule: _Schedule
    ) -> None:
        job = self.jobs_s.fix_on_site(technician.id, job_id, customer_signed=True)
        self._settle(adviser, job, late, schedule)

    def _take_in(
        self, adviser: Staff, job_id: str, technician: Staff, late: bool, schedule: _Schedule
    ) -> None:
        r = self.rng
        n = len(self.job_ids)
        self.jobs_s.take_in(
            technician.id, job_id, receipt_no=f"SJ-R{n:05d}", repair_card_no=f"WX-{n:05d}"
        )
        inspector = next(iter(self.company.supervisors.get("service", [])), None)
        if inspector is None:
            return
        now = self.app.services.ctx.now()

        def inspect_and_return() -> None:
            self.jobs_s.inspect(inspector.id, job_id, "修复合格")
            schedule.at(
                self.app.services.ctx.now() + timedelta(hours=r.randint(2, 6)),
                functools.partial(self._return, adviser, job_id, technician, late, schedule),
            )

        schedule.at(now + timedelta(hours=r.randint(18, 26)), inspect_and_return)

    def _return(
        self, adviser: Staff, job_id: str, technician: Staff, late: bool, schedule: _Schedule
    ) -> None:
        job = self.jobs_s.return_to_customer(technician.id, job_id)
        self._settle(adviser, job, late, schedule)

    def _settle(self, adviser: Staff, job: ServiceJob, late: bool, schedule: _Schedule) -> None:
        """Paid work is invoiced; then the adviser records the customer's SAT-1 ratings (not
        the technician: X-4) and closes the job."""
        r = self.rng
        now = self.app.services.ctx.now()
        if job.work_type in self.app.policy.service_jobs.invoiced_work_types:
            self.invoices += 1
            number, amount = f"FP{self.invoices:06d}", Money.of(f"{r.randint(2, 60) * 50}.00")
            schedule.at(
                now + timedelta(minutes=r.randint(20, 90)),
                lambda: self._discard(self.jobs_s.invoice(adviser.id, job.id, number, amount)),
            )
        if r.random() < 0.1:
            return  # not rated yet: stays open
        schedule.at(
            now + timedelta(hours=r.randint(20, 30)),
            functools.partial(self._rate, adviser, job.id, late),
        )

    def _rate(self, adviser: Staff, job_id: str, late: bool) -> None:
        policy = self.app.policy.service_jobs
        levels = list(policy.survey_levels)
        base = [50, 35, 11, 4][: len(levels)] + [2] * (len(levels) - 4)
        slow = list(reversed(base))  # a late arrival is rated lower on arrival time
        ratings = {
            item: self.rng.choices(levels, slow if late and item == "arrival_time" else base)[0]
            for item in policy.survey_items
        }
        with contextlib.suppress(DomainError):  # e.g. paid work not invoiced before the end
            self.jobs_s.record_survey(adviser.id, job_id, ratings)
            self.surveyed += 1
            self.jobs_s.close(adviser.id, job_id)

    @staticmethod
    def _discard(_: object) -> None:
        return None

    def _late_jobs(self) -> None:
        self.jobs_s.report_late(self.system)

    # -------------------------------------------------------------- contracts
    def _contracts(
        self,
        customers: Callable[[], list[tuple[CustomerId, StaffId, str]]],
        days: list[date],
        today: date,
    ) -> None:
        """CASE-12: four maintenance contracts — one ending in the first month (its notice
        comes late, the contract being entered after its notice day), one ending in the
        last full month and one just after "today" (notices sent on their day by the
        scheduler's job), one ending next year (no notice yet)."""
        known = customers()
        adviser = self._advisers[0]
        last_full = add_months(today.replace(day=1), -1)
        ends = [
            days[0] + timedelta(days=20),
            last_full + timedelta(days=19),
            today + timedelta(days=18),
            add_months(today, 7),
        ]
        for i, (ends_on, (customer_id, _, _)) in enumerate(zip(ends, known, strict=False)):
            self.jobs_s.add_contract(
                adviser.id,
                customer_id,
                f"BY-{ends_on.year}-{i + 1:03d}",
                add_months(ends_on, -12),
                ends_on,
            )
            self.contracts += 1

    def _renewals(self) -> None:
        self.renewal_notices += len(self.jobs_s.send_renewal_notices(self.system))

    # -------------------------------------------------------------- registers (CUS-1)
    def _registers(
        self,
        days: list[date],
        schedule: _Schedule,
        customers: Callable[[], list[tuple[CustomerId, StaffId, str]]],
    ) -> None:
        """Each person of ``customers.registers.positions`` hands in the day's register:
        mostly before the due time, some next morning with a reason (exception), a few later
        (late) or never (the sweep records them missing and late)."""
        r = self.rng
        positions = self.app.policy.customers.registers.positions
        owing = [s for p in positions for s in self.company.by_position.get(p, [])]
        for i, day in enumerate(days):
            following = days[i + 1 : i + 4]
            for person in owing:
                roll = r.random()
                if roll < 0.03:
                    continue  # never: the sweep finds it missing
                if roll < 0.83 or not following:
                    at = self.when(day, 16, r.randint(0, 59))
                    reason = ""
                elif roll < 0.93:
                    at = self.when(following[0], 9, r.randint(0, 50))
                    reason = r.choice(_REASONS)
                else:
                    at = self.when(following[-1], 11, r.randint(0, 59))
                    reason = ""
                schedule.at(at, functools.partial(self._submit, person, day, reason, customers))
            schedule.at(self.when(day, 10, 20), self._register_sweep)

    def _submit(
        self,
        person: Staff,
        day: date,
        reason: str,
        customers: Callable[[], list[tuple[CustomerId, StaffId, str]]],
    ) -> None:
        mine = [c for c, owner, _ in customers() if owner == person.id]
        picked = self.rng.sample(mine, min(len(mine), self.rng.randint(0, 2)))
        with contextlib.suppress(DomainError):  # e.g. already recorded missing and completed
            self.app.services.registers.submit(
                person.id,
                SubmitRegister(
                    day=day,
                    customer_ids=picked,
                    prospect_ids=picked[:1],
                    note="当日来电来访登记",
                    exception_reason=reason,
                ),
            )

    def _register_sweep(self) -> None:
        self.app.services.registers.sweep(self.system)

    # -------------------------------------------------------------- file loans (CUS-7)
    def _loans(
        self,
        days: list[date],
        schedule: _Schedule,
        files: Callable[[], list[tuple[FileId, CustomerId, StaffId]]],
    ) -> None:
        """Four loans from the middle of the history: the owner of the customer borrows the
        file, a supervisor of the sales department lends it (not the borrower: X-4), the file
        clerk checks it back in — two on time, one late, the last still out."""
        if len(days) < 20:
            return
        first = len(days) // 3
        returns = [2, 3, 9, None]  # working days after lending; the policy allows 5
        for n, back in enumerate(returns):
            lend_day = days[first + 4 * n]
            back_day = days[min(len(days) - 1, first + 4 * n + back)] if back else None
            schedule.at(
                self.when(lend_day, 10, 15),
                functools.partial(self._loan, n, lend_day, back_day, files, schedule),
            )

    def _loan(
        self,
        n: int,
        lend_day: date,
        back_day: date | None,
        files: Callable[[], list[tuple[FileId, CustomerId, StaffId]]],
        schedule: _Schedule,
    ) -> None:
        opened = files()
        lender = next(iter(self.company.supervisors.get("sales", [])), None)
        clerk = next(iter(self.company.by_position.get("file_clerk", [])), None)
        if len(opened) <= n or lender is None or clerk is None:
            return
        file_id, _, borrower = opened[n * 7 % len(opened)]
        loans = self.app.services.file_loans
        loan = loans.request(borrower, file_id, RequestLoan(purpose=self.rng.choice(_PURPOSES)))
        self.loans += 1

        def lend() -> None:
            loans.decide(lender.id, loan.id, approve=True)
            if back_day is not None:
                schedule.at(
                    self.when(back_day, 15, 30),
                    lambda: self._discard(loans.give_back(clerk.id, loan.id, "已归档")),
                )

        schedule.at(self.when(lend_day, 14, 0), lend)

    def finish(self) -> None:
        """At the end of the history: the registers sweep and the late-jobs sweep once more,
        so what is missing or overdue by "today" is recorded before the penalties run."""
        self._register_sweep()
        if self._advisers and self._technicians:
            self._late_jobs()
