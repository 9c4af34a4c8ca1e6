"""A salesperson's visits through one month (VIS-1…VIS-6): plan November, see what the plan
lacks for an A-grade customer, submit and have it approved, report the visits (one of them
late), flag an unreported one, follow up, and read the coverage and the care calendar.

    python examples/visits_month.py

Runs on the memory adapter with a fixed clock; prints what each step decided and why.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from adapters.bootstrap import bootstrap
from adapters.settings import Settings
from csdomain.customers.commands import RegisterCustomer
from csdomain.kernel.clock import FixedClock
from csdomain.kernel.money import Money
from csdomain.visits.commands import FollowUpItem, PlanVisit, ReportVisit

TZ = ZoneInfo("Asia/Shanghai")
TOP = {"annual_sales": 95, "price": 90, "payment_collection": 90, "cooperation": 85, "trend": 80}


def main() -> None:
    clock = FixedClock(datetime(2026, 10, 26, 9, 0, tzinfo=TZ))
    app = bootstrap(Settings(storage="memory"), clock=clock)
    org, s = app.services.org, app.services
    admin, _ = org.bootstrap_admin("Admin")
    sales = org.add_department(admin.id, "Sales")
    head = org.add_staff(admin.id, name="Qian (manager)", role="manager", department_id=sales.id)
    sun = org.add_staff(
        admin.id, name="Sun (supervisor)", role="supervisor", department_id=sales.id
    )
    li = org.add_staff(
        admin.id,
        name="Li (salesperson)",
        role="staff",
        department_id=sales.id,
        position="sales_adviser",
        supervisor_id=sun.id,
    )

    def customer(name: str, phone: str, address: str, top: bool) -> str:
        c = s.customers.register(li.id, RegisterCustomer(name=name, phone=phone, address=address))
        if top:
            s.customers.evaluate_grade(head.id, c.id, TOP, "annual review", proposed_by=li.id)
        return c.id

    dalian = customer("大连汽贸有限公司", "13800000001", "大连市中山区", top=True)
    anshan = customer("鞍山物流有限公司", "13800000002", "鞍山市铁东区", top=True)
    wang = customer("王先生", "13800000003", "北京市朝阳区", top=False)

    plan = s.visits.create_plan(li.id, "2026-11")
    print(f"VIS-1 plan for {plan.month}: due {plan.due_on}")
    s.visits.plan_visit(
        li.id,
        plan.id,
        PlanVisit(
            customer_id=dalian,
            on=date(2026, 11, 7),
            purpose="build_relationship",
            expense=Money.of("300.00"),
            gift="茶叶",
        ),
    )
    s.visits.plan_visit(
        li.id, plan.id, PlanVisit(customer_id=wang, on=date(2026, 11, 12), purpose="first_visit")
    )
    check = s.visits.check_plan(li.id, plan.id)
    for v in check.visits:
        moved = f" (asked for {v.asked_on}: a rest day)" if v.on != v.asked_on else ""
        print(f"  planned {v.on}{moved}: {v.purpose}")
    for m in check.missing:
        print(
            f"VIS-3 missing: {m.name} (grade {m.grade}) needs {m.required} visit(s) in "
            f"{m.period_start}…{m.period_end}; planned {m.planned}"
        )
    s.visits.plan_visit(
        li.id,
        plan.id,
        PlanVisit(customer_id=anshan, on=date(2026, 11, 19), purpose="handle_problem"),
    )
    clock.set(datetime(2026, 10, 30, 17, 0, tzinfo=TZ))
    submitted = s.visits.submit_plan(li.id, plan.id)
    print(
        f"VIS-1 submitted {clock.now():%Y-%m-%d}: late={submitted.plan.late}, "
        f"missing now {len(submitted.missing)}"
    )
    s.visits.decide_plan(sun.id, plan.id, approve=True, note="ok")
    print("VIS-1 approved by the supervisor, with the 300.00 元 expense and the gift")

    by_customer = {v.customer_id: v for v in s.visits.check_plan(li.id, plan.id).visits}
    clock.set(datetime(2026, 11, 10, 18, 0, tzinfo=TZ))
    first = s.visits.report_visit(
        li.id,
        ReportVisit(
            customer_id=dalian,
            on=by_customer[dalian].on,
            purpose="build_relationship",
            people_met="张总（采购）",
            summary="回顾三季度订单，介绍新车型",
            outcome="promising",
            expenses=Money.of("280.00"),
            planned_visit_id=by_customer[dalian].id,
            follow_ups=[FollowUpItem(text="寄送新车型报价单")],
        ),
    )
    print(
        f"VIS-2 report of {first.on}: due {first.report_due_on}, late={first.late}, "
        f"expenses approved={first.expenses_approved}"
    )
    clock.set(datetime(2026, 11, 17, 18, 45, tzinfo=TZ))
    flagged = s.visits.sweep_late_reports(org.system_account().id)
    print(f"VIS-2 the scheduler flags {len(flagged)} unreported visit(s) as late")
    late = s.visits.report_visit(
        li.id,
        ReportVisit(
            customer_id=wang,
            on=by_customer[wang].on,
            purpose="first_visit",
            people_met="王先生",
            summary="试驾",
            outcome="visit_again",
            planned_visit_id=by_customer[wang].id,
        ),
    )
    print(f"VIS-2 report of {late.on} filed {clock.now():%Y-%m-%d}: late={late.late}")
    fines = s.penalties.record_from_events(org.system_account().id)
    for e in fines:
        who = "Li" if e.staff_id == li.id else e.staff_id
        print(f"PEN-1 {who} charged {e.amount}: {e.explanation}")
    [item] = s.visits.follow_ups(li.id)
    s.visits.complete_follow_up(li.id, item.id, "已邮寄")
    print(f"VIS-2 follow-up '{item.text}' done")

    for row in s.visits.coverage(head.id, date(2026, 11, 1), date(2026, 11, 30), by="company"):
        print(
            f"VIS-4 November coverage: {row.visited}/{row.customers} customers "
            f"({row.percent} % of {row.target_percent} %), required visits "
            f"{row.required_met}/{row.required}"
        )
    for r in s.visits.weather_alert(li.id, "朝阳区", "暴雪橙色预警"):
        print(f"VIS-6 {r.on} {r.customer_name}: {r.text}")


if __name__ == "__main__":
    main()
