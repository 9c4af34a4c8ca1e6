"""A complaint from intake to closure through the Python API (CASE-1…CASE-11).

    python examples/complaint_to_closure.py

Runs on the memory adapter with a fixed clock so the dates are the same every time.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from adapters.bootstrap import bootstrap
from adapters.settings import Settings
from csdomain.cases.commands import CloseCase, ProposeSolution, ReceiveCase, ResponsibilityShare
from csdomain.kernel.clock import FixedClock
from csdomain.kernel.errors import DomainError
from csdomain.kernel.money import Money

TZ = ZoneInfo("Asia/Shanghai")


def main() -> None:
    clock = FixedClock(datetime(2026, 9, 30, 10, 0, tzinfo=TZ))  # the day before National Day
    app = bootstrap(Settings(storage="memory"), clock=clock)
    org, cases = app.services.org, app.services.cases
    admin, _ = org.bootstrap_admin("Admin")
    service_dept = org.add_department(admin.id, "After-sales service")
    quality = org.add_department(admin.id, "Quality")
    gm = org.add_staff(admin.id, name="Wang (GM)", role="gm")
    head = org.add_staff(
        admin.id, name="Qian (manager)", role="manager", department_id=service_dept.id
    )
    org.set_department_head(admin.id, service_dept.id, head.id)
    lead = org.add_staff(
        admin.id, name="Sun (supervisor)", role="supervisor", department_id=service_dept.id
    )
    desk = org.add_staff(admin.id, name="Li (CS desk)", role="staff", department_id=service_dept.id)
    handler = org.add_staff(
        admin.id,
        name="Zhou (handler)",
        role="staff",
        department_id=service_dept.id,
        supervisor_id=lead.id,
    )
    mechanic = org.add_staff(
        admin.id, name="Wu (mechanic)", role="staff", department_id=service_dept.id
    )
    qc = org.add_staff(admin.id, name="Zheng (QC)", role="supervisor", department_id=quality.id)

    case = cases.receive(
        desk.id,
        ReceiveCase(
            type="complaint",
            category="repair_quality",
            channel="hotline",
            content="Brakes squeal again two days after the repair",
            customer_name="Zhang San",
            contact="138 0013 8000",
            demand="repair",
            subject_staff_ids=[mechanic.id],
        ),
    )
    print(f"{case.number} received; clocks:")
    for c in cases.clocks(desk.id, case.id):
        if c.due_at:
            print(f"  {c.name:<20} due {c.due_at:%Y-%m-%d %H:%M}  {c.status.value}")

    cases.acknowledge(desk.id, case.id, "called back within the hour")
    cases.accept(lead.id, case.id)
    try:
        cases.assign(lead.id, case.id, service_dept.id, mechanic.id)
    except DomainError as exc:
        print(f"recusal: {exc.message} ({exc.rule})")
    cases.assign(lead.id, case.id, service_dept.id, handler.id)
    cases.start_investigation(handler.id, case.id)
    cases.report_investigation(handler.id, case.id, "pads fitted without grease; rework")
    cases.propose_solution(
        handler.id,
        case.id,
        ProposeSolution(
            remedy="compensation",
            solution="redo the brakes free and refund the labour",
            amount=Money.of("380.00"),
        ),
    )
    try:
        cases.approve(head.id, case.id)
    except DomainError as exc:
        print(f"approval: {exc.message} ({exc.rule})")
    cases.approve(gm.id, case.id)
    cases.reply(handler.id, case.id, "phone", "free rework on Thursday and 380 元 refund")
    cases.follow_up(handler.id, case.id, accepted=True, satisfaction=4)
    item = cases.add_capa(lead.id, case.id, "brake-job checklist with grease step", mechanic.id)
    cases.complete_capa(mechanic.id, item.id, "checklist in use")
    cases.verify_capa(qc.id, item.id, effective=True, note="10 jobs audited")
    closed = cases.close(
        lead.id,
        case.id,
        CloseCase(
            cause="carelessness",
            responsibilities=[ResponsibilityShare(department_id=service_dept.id, percent=100)],
            responsible_staff_ids=[mechanic.id],
            loss=Money.of("380.00"),
            improvement_tracked=True,
        ),
    )
    print(f"{closed.number} {closed.state.value}: loss {closed.loss}")
    # CASE-9 (000 篇四 2.4): customer service calls back after handling, with satisfaction
    visited = cases.record_return_visit(desk.id, case.id, satisfaction=5, comment="quiet now")
    assert closed.return_visit_due_at is not None
    print(
        f"return visit (due {closed.return_visit_due_at:%m-%d %H:%M}): "
        f"satisfaction {visited.return_visit_satisfaction}"
    )
    print("timeline:")
    for e in cases.timeline(gm.id, case.id):
        print(
            f"  {e.at:%m-%d %H:%M} {e.kind:<22} by {e.actor_id[:10]}… state {e.state_after.value}"
        )


if __name__ == "__main__":
    main()
