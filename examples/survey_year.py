"""A year's periodic satisfaction survey (SAT-2, SAT-3) and the SAT-1 report: 20 active
customers, a survey to 30 % of them chosen by the service, answers within the 10-day window,
the statistics with every rule check, the public reply, and the corrective action (a case
with a CAPA item, CASE-11) raised once because satisfaction misses the 90 % target.

    python examples/survey_year.py

Runs on the memory adapter with a fixed clock; prints what each step found.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from adapters.bootstrap import bootstrap
from adapters.settings import Settings
from csdomain.customers.commands import RegisterCustomer, UpdateCustomer
from csdomain.customers.model import CustomerStatus
from csdomain.kernel.clock import FixedClock
from csdomain.surveys.commands import (
    CreateSurvey,
    PublishReply,
    RaiseCorrectiveAction,
    RecordResponse,
)

TZ = ZoneInfo("Asia/Shanghai")


def main() -> None:
    clock = FixedClock(datetime(2026, 11, 2, 9, 0, tzinfo=TZ))
    app = bootstrap(Settings(storage="memory"), clock=clock)
    org, s = app.services.org, app.services
    admin, _ = org.bootstrap_admin("Admin")
    dept = org.add_department(admin.id, "Sales")
    manager = org.add_staff(admin.id, name="Qian (manager)", role="manager", department_id=dept.id)
    lead = org.add_staff(
        admin.id, name="Sun (supervisor)", role="supervisor", department_id=dept.id
    )
    li = org.add_staff(admin.id, name="Li (salesperson)", role="staff", department_id=dept.id)
    desk = org.add_staff(admin.id, name="Zhou (service desk)", role="staff", department_id=dept.id)

    for i in range(20):
        c = s.customers.register(
            li.id, RegisterCustomer(name=f"客户{i:02d}", phone=f"1390013{i:04d}")
        )
        s.customers.update(
            li.id,
            c.id,
            UpdateCustomer(expected_version=c.version, status=CustomerStatus.CLOSED_DEAL),
        )

    survey = s.surveys.create(
        manager.id,
        CreateSurvey(
            title="2026 annual survey", period_start=date(2026, 1, 1), period_end=date(2026, 12, 31)
        ),
    )
    asked = s.surveys.recipients(desk.id, survey.id)
    print(f"Survey {survey.id}: asked {len(asked)} of {survey.population} active customers")
    print(
        f"  collect {survey.opens_on} … {survey.closes_on}; statistics by {survey.statistics_due}; "
        f"reply by {survey.reply_due}"
    )

    levels = ["very_satisfied", "satisfied", "neutral", "dissatisfied", "satisfied"]
    for customer_id, level in zip(asked, levels, strict=False):  # 5 of 6 answer
        s.surveys.record_response(
            desk.id, survey.id, RecordResponse(customer_id=customer_id, level=level)
        )

    clock.set(datetime(2026, 11, 13, 9, 0, tzinfo=TZ))  # the day after the window closed
    results = s.surveys.close(manager.id, survey.id)
    print(
        f"Returned {results.returned}/{results.distributed} ({results.return_rate_percent} %), "
        f"satisfaction {results.satisfaction_percent} %"
    )
    for finding in results.findings:
        print(f"  - {finding}")

    reply = s.surveys.publish_reply(
        manager.id, survey.id, PublishReply(text="Thank you: faster call-backs from December.")
    )
    print(f"Public reply on {reply.survey.reply_on}, on time: {reply.reply_on_time}")

    command = RaiseCorrectiveAction(
        owner_id=lead.id, description="Call back every unhappy customer"
    )
    first = s.surveys.raise_corrective_action(manager.id, survey.id, command)
    again = s.surveys.raise_corrective_action(manager.id, survey.id, command)
    print(
        f"Corrective action: case {first.case_number}, CAPA {first.capa_id} "
        f"(second call created another: {again.created})"
    )

    rows = s.surveys.job_satisfaction(lead.id, date(2026, 1, 1), date(2026, 12, 31), "technician")
    print(f"SAT-1 report rows this year: {len(rows)} (no repair jobs in this example)")


if __name__ == "__main__":
    main()
