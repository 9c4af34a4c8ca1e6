"""A living demo company: realistic, seeded history loaded through the use cases (issue 11).

``csdomain init --demo`` calls :func:`load_demo` on an empty database. Everything is done the
way people would do it, through ``Services`` on a simulated clock that walks forward through
the history: departments and staff in every role and position (with API tokens), customers
with Chinese names, phones, ID numbers, grades and files handed over on time, late or
incomplete; complaint cases driven to every state, the daily sweep recording breached
deadlines (CASE-7), violations from those events and by hand (PEN-1), the oldest month
settled (PEN-10), and a policy history: a raised late hand-over fine uploaded and activated
as version 2 from the second month (issue 15, ``adapters.demo_policy``). The rules decide
the outcome, so the demo shows what the product does.

Deterministic: the same ``seed``, ``as_of`` and :class:`DemoSize` give the same names,
phones, states, amounts and counts (ids and tokens are random, as always). The size is a
parameter so a larger history (a year, 200 staff) comes from the same generator.
"""

from __future__ import annotations

import contextlib
import functools
import heapq
import itertools
import os
import random
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import sqlalchemy as sa
from sqlalchemy import event

from adapters.bootstrap import App, Storage, bootstrap
from adapters.demo_credit import DemoCredit
from adapters.demo_policy import DemoPolicyVersions
from adapters.demo_service import DemoService
from adapters.demo_visits import DemoSurvey, DemoVisits
from adapters.settings import Settings
from csdomain.cases.commands import CloseCase, ProposeSolution, ReceiveCase, ResponsibilityShare
from csdomain.cases.model import CaseState
from csdomain.customers.commands import RegisterCustomer, UpdateCustomer
from csdomain.customers.model import CustomerKind, CustomerStatus, LegalForm, Source
from csdomain.kernel.clock import FixedClock
from csdomain.kernel.dates import add_months
from csdomain.kernel.errors import Conflict
from csdomain.kernel.ids import CustomerId, DepartmentId, FileId, StaffId
from csdomain.kernel.money import Money
from csdomain.kernel.roles import Role
from csdomain.org.model import Staff
from csdomain.policy.model import Policy

S = CaseState
from adapters.demo_defaults import DEFAULT_SEED  # noqa: E402

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉梅春燕晓东海波宁"
    "欣怡浩宇子涵雨轩梓萱思远嘉豪俊杰子轩一诺佳怡文博天佑诗涵浩然"
)
COMPANY_PREFIXES = ["北京", "上海", "广州", "深圳", "天津", "南京", "杭州", "成都", "武汉", "西安"]
COMPANY_CORES = ["宏达", "华信", "恒通", "金盛", "鑫源", "瑞丰", "远航", "东方", "新世纪", "安泰"]
COMPANY_KINDS = [
    "物流有限公司",
    "汽车租赁有限公司",
    "建设工程有限公司",
    "商贸有限公司",
    "运输有限公司",
]
REGIONS = ["110105", "310104", "440106", "320102", "330106", "510107", "420106", "610113"]
PHONE_PREFIXES = ["130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152",
                  "155", "156", "158", "159", "176", "177", "180", "185", "186", "187", "188",
                  "189", "199"]  # fmt: skip
COMPLAINTS = [
    ("repair_quality", "保养后刹车异响，要求重新检修"),
    ("repair_quality", "更换的轮胎两周内漏气"),
    ("service_quality", "服务顾问态度冷淡，电话多次无人接听"),
    ("service_quality", "交车时未讲解车辆功能"),
    ("product_quality", "新车空调制冷效果差"),
    ("product_quality", "车门密封条异响"),
    ("sales_contract", "合同约定的赠品未兑现"),
    ("price", "维修报价与结算金额不一致"),
    ("documents", "上牌资料迟迟未交付"),
    ("delivery_quantity", "随车附件少了一把钥匙"),
]
INQUIRIES = ["保养周期怎么计算？", "延保服务包含哪些项目？", "预约试驾需要带什么证件？"]
SUGGESTIONS = ["建议休息区增加充电插座", "建议周末延长营业时间"]

# (final state, weight): where a case's story ends; older cases mostly closed
CASE_ENDS: list[tuple[CaseState, int]] = [
    (S.CLOSED, 40),
    (S.RESOLVED, 6),
    (S.REPLIED, 6),
    (S.PROPOSE_AGAIN, 3),
    (S.APPROVED, 4),
    (S.PROPOSED, 5),
    (S.WAITING_CUSTOMER, 4),
    (S.INVESTIGATING, 6),
    (S.ASSIGNED, 5),
    (S.ACCEPTED, 4),
    (S.RECEIVED, 5),
    (S.NOT_ACCEPTED, 4),
]
ORDER = [
    S.RECEIVED,
    S.ACCEPTED,
    S.ASSIGNED,
    S.INVESTIGATING,
    S.WAITING_CUSTOMER,
    S.PROPOSED,
    S.APPROVED,
    S.REPLIED,
    S.PROPOSE_AGAIN,
    S.RESOLVED,
    S.CLOSED,
]


@attrs.frozen
class DemoSize:
    """How big the company and its history are. ``months`` ≥ 2 so one month can be settled
    while the last one is still open."""

    staff: int = 30
    customers: int = 300
    months: int = 2
    cases_per_customer: float = 0.27

    def __attrs_post_init__(self) -> None:
        if self.staff < 16:
            raise ValueError("a demo company needs at least 16 staff (every role and position)")
        if self.customers < 10:
            raise ValueError("a demo company needs at least 10 customers")
        if self.months < 2:
            raise ValueError("a demo history covers at least 2 months (one of them settled)")


@attrs.frozen
class DemoPerson:
    staff: Staff
    token: str


@attrs.frozen
class DemoResult:
    people: list[DemoPerson]
    customers: int
    files: int
    cases: int
    case_states: dict[str, int]
    breaches: int
    penalty_entries: int
    settled_months: list[str]
    credit_accounts: int
    shipments: dict[str, int]  # CRD-3 decision → count
    credit_charges: int  # CRD-4 month-end charges to signers
    visit_plans: int  # VIS-1 approved plans
    visits: int  # VIS-5 reported visits
    late_visit_reports: int  # VIS-2
    survey_responses: int  # SAT-2 answers to the year's survey
    start: date
    end: date
    tokens_file: Path | None = None
    policy_versions: list[int] = attrs.Factory(lambda: [1])  # issue 15: numbers in force
    service_jobs: int = 0  # CASE-12 repair calls registered
    job_states: dict[str, int] = attrs.Factory(dict)  # CASE-12 state → count
    late_arrivals: int = 0  # CASE-12 on site after the zone's deadline
    rated_jobs: int = 0  # SAT-1 jobs with the customer's ratings
    maintenance_contracts: int = 0  # CASE-12
    renewal_notices: int = 0  # CASE-12, sent by the scheduler's job
    registers: dict[str, int] = attrs.Factory(dict)  # CUS-1 status → count
    file_loans: dict[str, int] = attrs.Factory(dict)  # CUS-7 state → count

    def person(self, role: str, position: str = "") -> Staff:
        """The first demo person with this role (and position)."""
        for p in self.people:
            if p.staff.role == role and (not position or p.staff.position == position):
                return p.staff
        raise LookupError(f"no {role} {position}".strip())


# ------------------------------------------------------------------ random data
class Faker:
    """Seeded Chinese names, phones and ID numbers, each phone and ID number unique."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.phones: set[str] = set()
        self.ids: set[str] = set()

    def person_name(self) -> str:
        given = self.rng.choice(GIVEN) + (self.rng.choice(GIVEN) if self.rng.random() < 0.6 else "")
        return self.rng.choice(SURNAMES) + given

    def company_name(self) -> str:
        r = self.rng
        return r.choice(COMPANY_PREFIXES) + r.choice(COMPANY_CORES) + r.choice(COMPANY_KINDS)

    def phone(self) -> str:
        while True:
            number = self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def id_number(self) -> str:
        """A well-formed 18-digit resident ID (GB 11643 check digit)."""
        while True:
            born = date(1960, 1, 1) + timedelta(days=self.rng.randrange(365 * 40))
            body = f"{self.rng.choice(REGIONS)}{born:%Y%m%d}{self.rng.randrange(1000):03d}"
            weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
            check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
            number = body + check
            if number not in self.ids:
                self.ids.add(number)
                return number


# ------------------------------------------------------------------ the simulation
class _Schedule:
    """Actions at simulated times, run in time order with the clock set to each."""

    def __init__(self, clock: FixedClock, end: datetime) -> None:
        self.clock = clock
        self.end = end
        self._queue: list[tuple[datetime, int, Callable[[], None]]] = []
        self._seq = itertools.count()

    def at(self, when: datetime, action: Callable[[], None]) -> None:
        if when < self.end:
            heapq.heappush(self._queue, (when, next(self._seq), action))

    def run(self) -> None:
        while self._queue:
            when, _, action = heapq.heappop(self._queue)
            if when > self.clock.now():
                self.clock.set(when)
            action()


class _QuietNotifier:
    """The demo's own notifier: a simulated history must not e-mail or post to anyone."""

    def __init__(self) -> None:
        self.sent = 0

    def notify(self, recipients: object, subject: str, body: str) -> None:
        self.sent += 1


@attrs.define
class _Company:
    admin: Staff
    gm: Staff
    deputy: Staff
    departments: dict[str, DepartmentId]
    managers: dict[str, Staff]
    supervisors: dict[str, list[Staff]]
    by_position: dict[str, list[Staff]]
    everyone: list[Staff]


def _staff_plan(total: int) -> list[tuple[str, str, str]]:
    """(department key, role, position) for every non-leadership member, ``total`` in all
    (admin, GM and deputy GM come on top). Every role and position appears at least once."""
    fixed = [
        ("sales", Role.MANAGER.value, "sales_manager"),
        ("service", Role.MANAGER.value, "service_manager"),
        ("cs", Role.MANAGER.value, "cs_manager"),
        ("sales", Role.SUPERVISOR.value, "sales_supervisor"),
        ("service", Role.SUPERVISOR.value, "service_supervisor"),
        ("cs", Role.SUPERVISOR.value, "cs_supervisor"),
        ("quality", Role.SUPERVISOR.value, "quality_inspector"),
    ]
    shares = [
        ("sales", "sales_adviser", 8),
        ("service", "service_adviser", 4),
        ("service", "technician", 3),
        ("cs", "cs_desk", 3),
        ("cs", "file_clerk", 1),
    ]
    rest = total - 3 - len(fixed)
    weight = sum(w for _, _, w in shares)
    counts = [max(1, rest * w // weight) for _, _, w in shares]
    counts[0] += rest - sum(counts)  # the remainder sells cars
    plan = list(fixed)
    for (dept, position, _), n in zip(shares, counts, strict=True):
        plan += [(dept, Role.STAFF.value, position)] * n
    extra_supervisors = rest // 12  # one more supervisor per dozen, in the big teams
    for i in range(extra_supervisors):
        plan.append((("sales", "service")[i % 2], Role.SUPERVISOR.value, "team_lead"))
        plan.remove(next(p for p in reversed(plan) if p[2] == "sales_adviser"))
    return plan


def _build_company(app: App, faker: Faker, size: DemoSize) -> _Company:
    org = app.services.org
    admin, _ = org.bootstrap_admin("系统管理员")
    gm = org.add_staff(admin.id, name=faker.person_name(), role=Role.GM.value, position="gm")
    deputy = org.add_staff(
        admin.id, name=faker.person_name(), role=Role.DEPUTY_GM.value, position="deputy_gm"
    )
    names = {"sales": "销售部", "service": "售后服务部", "cs": "客户服务部", "quality": "质量部"}
    departments = {k: org.add_department(admin.id, v).id for k, v in names.items()}
    company = _Company(admin, gm, deputy, departments, {}, {}, {}, [admin, gm, deputy])
    for dept, role, position in _staff_plan(size.staff):
        supervisor = None
        if role == Role.STAFF.value and company.supervisors.get(dept):
            team = company.supervisors[dept]
            supervisor = team[len(company.by_position.get(position, [])) % len(team)].id
        member = org.add_staff(
            admin.id,
            name=faker.person_name(),
            role=role,
            department_id=departments[dept],
            position=position,
            supervisor_id=supervisor,
        )
        company.everyone.append(member)
        company.by_position.setdefault(position, []).append(member)
        if role == Role.MANAGER.value:
            company.managers[dept] = member
            org.set_department_head(admin.id, departments[dept], member.id)
        elif role == Role.SUPERVISOR.value:
            company.supervisors.setdefault(dept, []).append(member)
    return company


def _working_days(app: App, start: date, end: date) -> list[date]:
    calendar = app.services.ctx.calendar
    days, day = [], start
    while day < end:
        if calendar.is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


class _Story:
    """One demo run: the company, its customers and cases, scheduled on the clock."""

    def __init__(
        self, app: App, company: _Company, rng: random.Random, faker: Faker, tz: ZoneInfo
    ) -> None:
        self.app = app
        self.s = app.services
        self.c = company
        self.rng = rng
        self.faker = faker
        self.tz = tz
        self.customers: list[tuple[CustomerId, StaffId, str]] = []
        self.files = 0
        self.cases: list[str] = []
        self.corporate: list[tuple[CustomerId, StaffId]] = []  # in registration order
        self.id_copies: set[CustomerId] = set()  # a file holds the ID copy (CRD-1)
        self.opened: list[tuple[FileId, CustomerId, StaffId]] = []  # files, in opening order

    def when(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), self.tz)

    # -------------------------------------------------------------- customers
    def register_customer(self, day: date, schedule: _Schedule) -> None:
        r, c = self.rng, self.c
        adviser = r.choice(c.by_position["sales_adviser"])
        company = r.random() < 0.15
        name = self.faker.company_name() if company else self.faker.person_name()
        command = RegisterCustomer(
            name=name,
            phone=self.faker.phone(),
            kind=CustomerKind.AGENT if company and r.random() < 0.3 else CustomerKind.END_CONSUMER,
            legal_form=LegalForm.CORPORATE if company else LegalForm.INDIVIDUAL,
            source=r.choice(_SOURCES),
            id_number=None if company or r.random() < 0.3 else self.faker.id_number(),
            contact_name=self.faker.person_name() if company else "",
            address=r.choice(COMPANY_PREFIXES) + "市" + r.choice(["朝阳区", "海淀区", "浦东新区"]),
        )
        customer = self.s.customers.register(adviser.id, command)
        self.customers.append((customer.id, adviser.id, customer.name))
        if company:
            self.corporate.append((customer.id, adviser.id))
        manager = c.managers["sales"]
        if r.random() < 0.75:  # CUS-4: most customers graded at registration review
            scores = {k: r.randint(35, 100) for k in self.app.policy.customers.grading.weights}
            self.s.customers.evaluate_grade(
                manager.id, customer.id, scores, "首次评级：销售部月度评审", proposed_by=adviser.id
            )
        if r.random() < 0.55:  # a sale: the new-sale file must be handed over (CUS-3)
            self.open_file(customer.id, adviser.id, day, schedule)

    def open_file(
        self, customer_id: CustomerId, adviser: StaffId, day: date, schedule: _Schedule
    ) -> None:
        r = self.rng
        file = self.s.customers.open_file(adviser, customer_id, "new_sale", day)
        self.files += 1
        self.opened.append((file.id, customer_id, adviser))
        items = self.app.policy.customers.files["new_sale"].item_codes()
        outcome = r.random()
        present = items if outcome < 0.8 else items[: len(items) - r.randint(1, 3)]
        shelf = {code: f"档案柜 {r.randint(1, 9)}-{r.randint(1, 40)}" for code in present}
        self.s.customers.add_documents(adviser, file.id, shelf)
        # the sale makes a closed customer (CUS-2): greeted on holidays, surveyed (VIS-6, SAT-2)
        current = self.s.customers.get(adviser, customer_id)
        if current.status == CustomerStatus.PROSPECT:
            self.s.customers.update(
                adviser,
                customer_id,
                UpdateCustomer(expected_version=current.version, status=CustomerStatus.CLOSED_DEAL),
            )
        if "id_copy" in shelf:
            self.id_copies.add(customer_id)
        clerk = r.choice(self.c.by_position["file_clerk"])
        delay = 0 if outcome < 0.7 else r.randint(1, 4)  # some hand-overs are late (PEN-2)
        hand_day = file.due_on + timedelta(days=delay) if delay else day + timedelta(days=1)
        if r.random() < 0.1:
            return  # never handed over: shows up in `files overdue`
        schedule.at(
            self.when(hand_day, 16, r.randint(0, 59)),
            lambda: self.hand_over(adviser, file.id, clerk.id),
        )

    def hand_over(self, adviser: StaffId, file_id: FileId, clerk: StaffId) -> None:
        self.s.customers.hand_over_file(adviser, file_id, clerk, "交档案室")

    # -------------------------------------------------------------- cases
    def receive_case(self, received: datetime, end: CaseState, schedule: _Schedule) -> None:
        r, c = self.rng, self.c
        desk = r.choice(c.by_position["cs_desk"])
        customer_id, owner, name = r.choice(self.customers)
        if end in (S.RECEIVED, S.ACCEPTED) and r.random() < 0.5:
            kind, category, content = "inquiry", "other", r.choice(INQUIRIES)
        else:
            kind = "complaint"
            category, content = r.choice(COMPLAINTS)
        subjects = [owner] if kind == "complaint" and r.random() < 0.3 else []
        case = self.s.cases.receive(
            desk.id,
            ReceiveCase(
                type=kind,
                category=category,
                channel=r.choice(["hotline", "phone", "walk_in", "online_chat", "email"]),
                content=content,
                customer_id=customer_id,
                customer_name=name,  # the caller names themselves: the desk may not read
                contact=self.faker.phone(),  # the adviser's customer (X-5, CASE-1)
                demand=r.choice(["repair", "compensation", "exchange", "price_reduction"])
                if kind == "complaint"
                else "",
                urgency=r.choice(["normal", "normal", "urgent"]),
                subject_staff_ids=subjects,
            ),
        )
        self.cases.append(case.id)
        self.plan(case.id, received, end, desk.id, subjects, schedule)

    def plan(
        self,
        case_id: str,
        received: datetime,
        end: CaseState,
        desk: StaffId,
        subjects: list[StaffId],
        schedule: _Schedule,
    ) -> None:
        """Schedule the steps that take the case to ``end``; a slow case breaches."""
        r, c, cases = self.rng, self.c, self.s.cases
        slow = r.random() < 0.3
        step = timedelta(hours=r.randint(2, 6) if not slow else r.randint(20, 60))
        lead = r.choice(c.supervisors["cs"])
        dept_key = r.choice(["service", "sales"])
        pool = c.by_position["service_adviser" if dept_key == "service" else "sales_adviser"]
        handler = r.choice([p for p in pool if p.id not in subjects] or pool)

        def now() -> StaffId:
            """The case's handler when the step runs: an escalation may have reassigned it
            (CASE-6), so the new handler carries on."""
            return cases.get(c.gm.id, case_id).handler_id or handler.id

        amount = Money.of(f"{r.choice([0, 0, 100, 200, 380, 500, 800])}.00")
        first = r.randint(20, 90) if not slow else r.randint(25 * 60, 30 * 60)  # minutes
        t = received + timedelta(minutes=first)
        steps: list[tuple[CaseState, Callable[[], object]]] = []
        if end == S.NOT_ACCEPTED:
            steps.append((S.RECEIVED, lambda: cases.acknowledge(desk, case_id, "已电话回复客户")))
            ground = r.choice(self.app.policy.cases.non_acceptance_grounds)
            steps.append(
                (
                    S.NOT_ACCEPTED,
                    lambda: cases.not_accept(lead.id, case_id, ground, "已向客户说明不受理原因"),
                )
            )
        else:
            steps += [
                (S.RECEIVED, lambda: cases.acknowledge(desk, case_id, "已电话回复客户")),
                (S.ACCEPTED, lambda: cases.accept(lead.id, case_id)),
                (
                    S.ASSIGNED,
                    lambda: cases.assign(lead.id, case_id, c.departments[dept_key], handler.id),
                ),
                (S.INVESTIGATING, lambda: cases.start_investigation(now(), case_id)),
            ]
            if end == S.WAITING_CUSTOMER:
                steps.append(
                    (
                        S.WAITING_CUSTOMER,
                        lambda: cases.wait_for_customer(now(), case_id, "等待客户提供单据"),
                    )
                )
            steps += [
                (
                    S.PROPOSED,
                    lambda: cases.report_investigation(now(), case_id, "经核实，情况属实"),
                ),
                (
                    S.PROPOSED,
                    lambda: cases.propose_solution(
                        now(),
                        case_id,
                        ProposeSolution(
                            remedy="compensation" if amount.amount else "written_explanation",
                            solution="免费返修并补偿" if amount.amount else "书面说明并致歉",
                            amount=amount if amount.amount else None,
                        ),
                    ),
                ),
                (
                    S.APPROVED,
                    lambda: cases.approve(
                        (c.gm if amount.amount else lead).id, case_id, "同意处理方案"
                    ),
                ),
                (S.REPLIED, lambda: cases.reply(now(), case_id, "phone", "已告知客户方案")),
            ]
            if end == S.PROPOSE_AGAIN:
                steps.append(
                    (
                        S.PROPOSE_AGAIN,
                        lambda: cases.follow_up(
                            now(), case_id, accepted=False, satisfaction=2, comment="补偿太少"
                        ),
                    )
                )
            else:
                satisfaction = r.choice([3, 4, 4, 5, 5])
                steps.append(
                    (
                        S.RESOLVED,
                        lambda: cases.follow_up(
                            now(), case_id, accepted=True, satisfaction=satisfaction
                        ),
                    )
                )
            cause = r.choice(["incidental", "carelessness", "serious"])
            responsible = [handler.id] if r.random() < 0.5 else []
            steps.append(
                (
                    S.CLOSED,
                    lambda: cases.close(
                        lead.id,
                        case_id,
                        CloseCase(
                            cause=cause,
                            responsibilities=[
                                ResponsibilityShare(
                                    department_id=c.departments[dept_key], percent=100
                                )
                            ],
                            responsible_staff_ids=responsible,
                            loss=amount if amount.amount else None,
                            improvement_tracked=True,
                        ),
                    ),
                )
            )
        limit = ORDER.index(end) if end != S.NOT_ACCEPTED else len(ORDER)
        for state, action in steps:
            if state != S.NOT_ACCEPTED and ORDER.index(state) > limit:
                break
            if state == S.WAITING_CUSTOMER and end != S.WAITING_CUSTOMER:
                continue
            schedule.at(t, _discarding(action))
            if state == end and state in (S.WAITING_CUSTOMER,):
                break
            t += step + timedelta(minutes=r.randint(0, 50))

    def major_case(self, when: datetime, schedule: _Schedule) -> None:
        """One major case (CASE-4/5): product safety, still under investigation."""
        c = self.c
        desk = c.by_position["cs_desk"][0]
        customer_id, _, name = self.customers[0]
        case = self.s.cases.receive(
            desk.id,
            ReceiveCase(
                type="complaint",
                category="product_safety",
                channel="hotline",
                content="行驶中仪表盘冒烟，客户要求退车并赔偿",
                customer_id=customer_id,
                customer_name=name,  # named by the caller (X-5, CASE-1)
                contact=self.faker.phone(),
                demand="return",
                urgency="very_urgent",
                major_reasons=["product_safety", "return_or_exchange_demand"],
            ),
        )
        self.cases.append(case.id)
        lead = c.supervisors["cs"][0]
        handler = c.by_position["service_adviser"][0]
        cases = self.s.cases
        steps = [
            lambda: cases.acknowledge(desk.id, case.id, "已安排专人对接"),
            lambda: cases.accept(lead.id, case.id),
            lambda: cases.assign(lead.id, case.id, c.departments["service"], handler.id),
            lambda: cases.start_investigation(handler.id, case.id),
        ]
        for i, action in enumerate(steps):
            schedule.at(when + timedelta(hours=1 + i), _discarding(action))


_SOURCES = [Source.WALK_IN, Source.WALK_IN, Source.WALK_IN, Source.PHONE, Source.VISIT]


def _discarding(action: Callable[[], object]) -> Callable[[], None]:
    """A use-case call as a scheduled action (its result is not needed)."""

    def run() -> None:
        action()

    return run


def _months(start: date, end: date) -> Iterator[date]:
    month = start.replace(day=1)
    while month < end:
        yield month
        month = add_months(month, 1)


def load_demo(
    settings: Settings,
    storage: Storage,
    *,
    policy: Policy | None = None,
    as_of: date | None = None,
    seed: int = DEFAULT_SEED,
    size: DemoSize | None = None,
    tokens_path: Path | None = None,
) -> DemoResult:
    """Load the demo company into ``storage`` (which must have no staff yet).

    The history runs from the first day of the month ``size.months`` before ``as_of`` up to
    ``as_of`` (default today, company time). Every month that ended before ``as_of`` except
    the last is settled. Tokens go to ``tokens_path`` (mode 0600) when given.
    """
    size = size or DemoSize()
    with _fast_sqlite(storage):
        return _load(settings, storage, policy, as_of, seed, size, tokens_path)


@contextlib.contextmanager
def _fast_sqlite(storage: Storage) -> Iterator[None]:
    """SQLite with ``synchronous=NORMAL`` while the demo loads: thousands of small commits
    without an fsync each (WAL keeps the database consistent; a crash mid-load only loses
    the demo). Other storages are used as they are."""
    engine = getattr(storage, "engine", None)
    if not isinstance(engine, sa.Engine) or engine.dialect.name != "sqlite":
        yield
        return

    def normal(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    engine.dispose()
    event.listen(engine, "connect", normal)
    try:
        yield
    finally:
        event.remove(engine, "connect", normal)
        engine.dispose()


def _load(
    settings: Settings,
    storage: Storage,
    policy: Policy | None,
    as_of: date | None,
    seed: int,
    size: DemoSize,
    tokens_path: Path | None,
) -> DemoResult:
    probe = bootstrap(settings, storage=storage, policy=policy)
    tz = ZoneInfo(probe.policy.calendar.timezone)
    today = as_of or datetime.now(tz).date()
    start = add_months(today.replace(day=1), -size.months)
    end = datetime.combine(today, time(0), tz)
    clock = FixedClock(datetime.combine(start, time(8, 0), tz))
    app = bootstrap(settings, storage=storage, policy=probe.policy, clock=clock)
    with app.storage.unit_of_work() as uow:
        if uow.staff.count() > 0:
            raise Conflict("the demo loads into an empty database; this one already has staff")
    quiet = _QuietNotifier()
    app.services.cases.notifier = quiet
    app.services.service_jobs.notifier = quiet
    rng = random.Random(seed)
    faker = Faker(rng)
    company = _build_company(app, faker, size)
    story = _Story(app, company, rng, faker, tz)
    schedule = _Schedule(clock, end)
    days = _working_days(app, start, today)
    per_day = size.customers / max(1, len(days))
    registered = 0
    for i, day in enumerate(days):
        target = round(per_day * (i + 1)) if i < len(days) - 1 else size.customers
        for _ in range(max(0, target - registered)):
            schedule.at(
                story.when(day, 9, rng.randint(0, 59)),
                functools.partial(story.register_customer, day, schedule),
            )
        registered = max(registered, target)
        schedule.at(story.when(day, 18, 0), lambda: _sweep(app))
    # cases start once there are customers; their received times spread over the period
    total_cases = max(len(CASE_ENDS), round(size.customers * size.cases_per_customer))
    ends = [state for state, weight in CASE_ENDS for _ in range(weight)]
    case_days = days[2:] or days
    for n in range(total_cases):
        day = case_days[n * len(case_days) // total_cases]
        received = story.when(day, rng.randint(9, 16), rng.randint(0, 59))
        recent = day >= today - timedelta(days=10)
        end_state = rng.choice(ends) if recent else _older_end(rng, ends)
        if n < len(CASE_ENDS):  # every state appears at least once
            end_state = CASE_ENDS[n][0]
            received = story.when(case_days[-min(len(case_days), 3 + n)], 10, 0)
        schedule.at(received, functools.partial(story.receive_case, received, end_state, schedule))
    schedule.at(story.when(case_days[-2], 11, 0), lambda: story.major_case(clock.now(), schedule))
    settled: list[str] = []
    months = list(_months(start, today))
    ended = [m for m in months if add_months(m, 1) <= today]
    for month in months:
        label = f"{month:%Y-%m}"
        for staff in company.by_position.get("sales_adviser", []):
            schedule.at(
                story.when(month, 8, 30),
                functools.partial(_bonus, app, company, staff, label),
            )
    for month in ended[:-1]:  # the last ended month stays open for the reader to settle
        label = f"{month:%Y-%m}"
        first_of_next = add_months(month, 1)
        settle_day = next(d for d in days if d > first_of_next + timedelta(days=3))
        schedule.at(
            story.when(settle_day, 10, 0), functools.partial(_settle, app, company, label, settled)
        )
    credit = DemoCredit(app, company, seed, lambda d, h, m: story.when(d, h, m))
    credit.plan(
        lambda: [c for c in story.corporate if c[0] in story.id_copies],
        lambda: [c for c in story.corporate if c[0] not in story.id_copies],
        days,
        months,
        schedule,
    )
    visits = DemoVisits(app, company, seed, lambda d, h, m: story.when(d, h, m))
    visits.plan(lambda: story.customers, days, today, schedule)
    survey = DemoSurvey(app, company, seed, lambda d, h, m: story.when(d, h, m))
    survey.plan(days, today, schedule)
    versions = DemoPolicyVersions(app, company, lambda d, h, m: story.when(d, h, m))
    versions.plan(start, days, schedule)  # issue 15: a raised fine from the second month
    service = DemoService(
        app, company, seed, lambda d, h, m: story.when(d, h, m), round(size.customers / 100)
    )
    service.plan(days, today, schedule, lambda: story.customers, lambda: story.opened)
    for day in days[4::5]:  # weekly: violations from events (PEN-1), and a few by hand
        schedule.at(story.when(day, 18, 30), lambda: _penalties(app, company, rng))
    schedule.run()
    clock.set(max(clock.now(), end - timedelta(minutes=1)))
    _sweep(app)
    service.finish()  # the registers sweep and late jobs as of the end (CUS-1, CASE-12)
    app.services.penalties.record_from_events(app.services.org.system_account().id)
    people = [DemoPerson(s, app.services.org.issue_token(company.admin.id, s.id, "demo"))
              for s in company.everyone]  # fmt: skip
    if tokens_path is not None:
        write_tokens(tokens_path, people)
    result = _summary(
        app, story, credit, visits, survey, people, settled, start, today, tokens_path
    )
    return attrs.evolve(
        result, policy_versions=list(versions.versions), **_service_summary(app, service, start)
    )


def _older_end(rng: random.Random, ends: list[CaseState]) -> CaseState:
    """Older cases are mostly finished."""
    return S.CLOSED if rng.random() < 0.6 else rng.choice(ends)


def _sweep(app: App) -> None:
    app.services.cases.sweep(app.services.org.system_account().id)


def _penalties(app: App, company: _Company, rng: random.Random) -> None:
    pen = app.services.penalties
    pen.record_from_events(app.services.org.system_account().id)
    if rng.random() < 0.5:
        who = rng.choice(company.by_position["cs_desk"] + company.by_position["technician"])
        code = "phone_off" if who.position == "technician" else "cs_service_rules"
        pen.record_violation(
            company.managers["cs"].id,
            who.id,
            code,
            app.services.ctx.today(),
            evidence="质检抽查录音 " + app.services.ctx.today().isoformat(),
        )


def _bonus(app: App, company: _Company, staff: Staff, month: str) -> None:
    """PEN-6: the adviser's monthly bonus base, from which fines are deducted."""
    app.services.penalties.set_bonus(
        company.managers["sales"].id, staff.id, month, Money.of("3000.00")
    )


def _settle(app: App, company: _Company, month: str, settled: list[str]) -> None:
    app.services.penalties.record_from_events(app.services.org.system_account().id)
    app.services.penalties.settle_month(company.managers["sales"].id, month)
    settled.append(month)


def _summary(
    app: App,
    story: _Story,
    credit: DemoCredit,
    visits: DemoVisits,
    survey: DemoSurvey,
    people: list[DemoPerson],
    settled: list[str],
    start: date,
    end: date,
    tokens_path: Path | None,
) -> DemoResult:
    states: dict[str, int] = {}
    breaches = entries = 0
    with app.storage.unit_of_work() as uow:
        for case_id in story.cases:
            state = uow.cases.get(case_id).state.value
            states[state] = states.get(state, 0) + 1
        breaches = len(uow.case_breaches.list())
        entries = len(uow.penalty_entries.list())
    return DemoResult(
        people=people,
        customers=len(story.customers),
        files=story.files,
        cases=len(story.cases),
        case_states=dict(sorted(states.items())),
        breaches=breaches,
        penalty_entries=entries,
        settled_months=settled,
        credit_accounts=len(credit.accounts),
        shipments=dict(sorted(credit.decisions.items())),
        credit_charges=credit.charges,
        visit_plans=visits.plans,
        visits=visits.visits,
        late_visit_reports=visits.late,
        survey_responses=survey.responses,
        start=start,
        end=end,
        tokens_file=tokens_path,
    )


def _service_summary(app: App, service: DemoService, start: date) -> dict[str, Any]:
    """The service story's counts (CASE-12, SAT-1, CUS-1, CUS-7) for :class:`DemoResult`."""
    jobs: dict[str, int] = {}
    registers: dict[str, int] = {}
    loans: dict[str, int] = {}
    today = app.services.ctx.today()
    with app.storage.unit_of_work() as uow:
        for job_id in service.job_ids:
            state = uow.service_jobs.get(job_id).state.value
            jobs[state] = jobs.get(state, 0) + 1
        for register in uow.daily_registers.list_between(start, today):
            registers[register.status.value] = registers.get(register.status.value, 0) + 1
        for loan in uow.file_loans.list():
            loans[loan.state.value] = loans.get(loan.state.value, 0) + 1
    return {
        "service_jobs": len(service.job_ids),
        "job_states": dict(sorted(jobs.items())),
        "late_arrivals": service.late_arrivals,
        "rated_jobs": service.surveyed,
        "maintenance_contracts": service.contracts,
        "renewal_notices": service.renewal_notices,
        "registers": dict(sorted(registers.items())),
        "file_loans": dict(sorted(loans.items())),
    }


def write_tokens(path: Path, people: list[DemoPerson]) -> None:
    """The demo's API tokens, readable by the owner only (0600), one person a line."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # O_CREAT's mode does not apply to an existing file
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write("# csdomain demo API tokens: keep this file private\n")
        out.write("id\trole\tposition\tname\ttoken\n")
        for p in people:
            s = p.staff
            out.write(f"{s.id}\t{s.role}\t{s.position}\t{s.name}\t{p.token}\n")
