"""Issue 12 rule fidelity of the penalties (PEN-2, PEN-5, PEN-7, PEN-8, PEN-9, PEN-10), on
memory, SQLite and PostgreSQL (the ``app`` fixture of this folder)."""

from __future__ import annotations

from datetime import date

import pytest

from adapters.bootstrap import App
from csd_support import Org, at
from csdomain.cases.commands import CloseCase, ProposeSolution, ReceiveCase, ResponsibilityShare
from csdomain.customers.model import AccessLogEntry
from csdomain.kernel.clock import FixedClock
from csdomain.kernel.errors import InvalidTransition, PermissionDenied, ValidationError
from csdomain.kernel.ids import DepartmentId, StaffId
from csdomain.kernel.money import Money
from csdomain.penalties.model import EntryKind, RecommendationState


def _amounts(entries: list) -> list[str]:  # type: ignore[type-arg]
    return [f"{e.amount.amount:.2f}" for e in entries]


# ------------------------------------------------------------------------------ PEN-2
def test_pen2_third_cs_breach_of_the_same_rule_recommends_dismissal_not_a_fine(
    app: App, org: Org
) -> None:
    """PEN-2 (004 第11篇): 2nd breach of the same rule double, the 3rd a dismissal
    recommendation the GM decides (``penalties.decide_recommendation``), not a third fine."""
    ps = app.services.penalties
    fines = [
        ps.record_violation(
            org.manager.id, org.sales2.id, "cs_service_rules", date(2026, 10, d), evidence="rec"
        )
        for d in (5, 6, 7)
    ]
    assert [_amounts([f[0]]) for f in fines[:2]] == [["100.00"], ["200.00"]]
    assert fines[2] == []  # no third fine (and no supervisor share of one)
    (rec,) = ps.recommendations(org.manager.id, org.sales2.id)
    assert (rec.sanction, rec.rule, rec.state) == ("dismissal", "PEN-2", RecommendationState.OPEN)
    assert "3rd cs_service_rules" in rec.reason
    with pytest.raises(PermissionDenied):  # a manager does not decide a dismissal
        ps.decide_recommendation(org.manager.id, rec.id, True, "agreed")
    ps.set_bonus(org.manager.id, org.sales2.id, "2026-10", Money.of("3000.00"))
    decided = ps.decide_recommendation(org.gm.id, rec.id, True, "third breach confirmed")
    assert decided.state == RecommendationState.ACCEPTED and decided.decided_by == org.gm.id
    with pytest.raises(InvalidTransition):
        ps.decide_recommendation(org.gm.id, rec.id, False, "again")
    statement = ps.statement(org.manager.id, org.sales2.id, "2026-10").statement
    assert statement.sanction == "dismissal"  # PEN-7: dismissal forfeits the month's bonus
    assert statement.total == Money.of("3300.00")


def test_pen2_repeat_complaint_about_the_same_issue_doubles_the_fine(app: App, org: Org) -> None:
    """PEN-2 (001 制度8): the same issue raised again by the customer doubles the fine."""
    ps = app.services.penalties

    def complaint(day: date, issue: str) -> str:
        (entry,) = ps.record_violation(
            org.manager.id,
            org.service.id,
            "complaint_substantiated",
            day,
            evidence="complaint form",
            issue=issue,
        )
        return f"{entry.amount.amount:.2f}"

    assert complaint(date(2026, 10, 5), "客户A 刹车异响") == "100.00"
    assert complaint(date(2026, 11, 2), "客户A 刹车异响") == "200.00"  # across months
    assert complaint(date(2026, 11, 3), "客户B 漏油") == "100.00"
    with pytest.raises(ValidationError) as err:  # a type that does not count issues
        ps.record_violation(
            org.manager.id, org.service.id, "phone_off", date(2026, 11, 3), evidence="x", issue="y"
        )
    assert (err.value.field, err.value.rule) == ("issue", "PEN-2")


def test_pen2_escalated_unhandled_complaint_charges_the_regional_market_head(
    app: App, org: Org
) -> None:
    """PEN-2 (004 第1篇 第四条): the responsible person and the regional market head pay."""
    ps, o = app.services.penalties, app.services.org
    with pytest.raises(ValidationError) as err:  # no region yet: nobody to charge with it
        ps.record_violation(
            org.manager.id,
            org.sales.id,
            "complaint_escalated_unhandled",
            date(2026, 10, 5),
            evidence="customer called the GM",
        )
    assert (err.value.field, err.value.rule) == ("staff_id", "PEN-2")
    region = o.add_region(org.admin.id, "华北区")
    o.set_region_head(org.admin.id, region.id, org.supervisor.id)
    o.update_staff(org.admin.id, org.sales.id, region_id=region.id)
    assert [r.head_id for r in o.list_regions(org.manager.id)] == [org.supervisor.id]
    person, head = ps.record_violation(
        org.manager.id,
        org.sales.id,
        "complaint_escalated_unhandled",
        date(2026, 10, 5),
        evidence="customer called the GM",
    )
    assert (person.staff_id, head.staff_id) == (org.sales.id, org.supervisor.id)
    assert head.kind == EntryKind.REGION_LIABILITY and head.amount == person.amount
    assert "华北区" in head.explanation and "PEN-2" in head.explanation


# ------------------------------------------------------------------------------ PEN-8
def test_pen8_with_no_direct_culprit_the_group_leader_pays(app: App, org: Org) -> None:
    """PEN-8 (001 制度8): 无法找到直接责任人的,由售后服务组长乐捐."""
    ps, o = app.services.penalties, app.services.org
    with pytest.raises(ValidationError) as err:  # no group leader set
        ps.record_violation(
            org.manager.id,
            org.service.id,
            "complaint_substantiated",
            date(2026, 10, 5),
            evidence="complaint",
            no_culprit=True,
        )
    assert (err.value.field, err.value.rule) == ("staff_id", "PEN-8")
    o.update_staff(org.admin.id, org.service.id, group_leader_id=org.supervisor.id)
    assert o.get_staff(org.admin.id, org.service.id).group_leader_id == org.supervisor.id
    (entry,) = ps.record_violation(
        org.manager.id,
        org.service.id,
        "complaint_substantiated",
        date(2026, 10, 5),
        evidence="complaint",
        no_culprit=True,
    )
    assert entry.staff_id == org.supervisor.id and entry.amount == Money.of("100.00")
    assert "group leader pays, PEN-8" in entry.explanation and org.service.name in entry.explanation
    with pytest.raises(ValidationError) as err:  # a type charged to a culprit only
        ps.record_violation(
            org.manager.id,
            org.service.id,
            "phone_off",
            date(2026, 10, 5),
            evidence="x",
            no_culprit=True,
        )
    assert (err.value.field, err.value.rule) == ("no_culprit", "PEN-8")


# ------------------------------------------------------------------------------ PEN-7
def test_pen7_warning_carries_at_least_400_and_sanctions_read_the_right_way_round(
    app: App, org: Org
) -> None:
    """PEN-7 (001 2-C(五)): a warning carries a fine of at least 400 元, a minor demerit at
    least 800 元 per base point, a major demerit the whole month's bonus; a month's fines
    alone impose no sanction."""
    ps, o = app.services.penalties, app.services.org
    warning = ps.impose_sanction(org.deputy.id, org.sales.id, "warning", "2026-10", "rude")
    assert warning.amount == Money.of("400.00") and warning.kind == EntryKind.SANCTION
    assert ps.impose_sanction(
        org.deputy.id, org.sales.id, "warning", "2026-10", "again", Money.of("500.00")
    ).amount == Money.of("500.00")
    with pytest.raises(ValidationError) as err:
        ps.impose_sanction(
            org.deputy.id, org.sales.id, "warning", "2026-10", "x", Money.of("399.99")
        )
    assert (err.value.field, err.value.rule) == ("amount", "PEN-7")
    with pytest.raises(ValidationError) as err:  # per base point: none set yet
        ps.impose_sanction(org.deputy.id, org.sales2.id, "minor_demerit", "2026-10", "x")
    assert err.value.rule == "PEN-7"
    o.update_staff(org.admin.id, org.sales2.id, base_points=3)
    demerit = ps.impose_sanction(org.deputy.id, org.sales2.id, "minor_demerit", "2026-10", "x")
    assert demerit.amount == Money.of("2400.00")  # 800 × 3 base points
    ps.set_bonus(org.manager.id, org.service.id, "2026-10", Money.of("2750.00"))
    major = ps.impose_sanction(org.deputy.id, org.service.id, "major_demerit", "2026-10", "x")
    assert major.amount == Money.of("2750.00")  # the whole month's bonus
    with pytest.raises(PermissionDenied):  # the policy's authority: deputy GM and above
        ps.impose_sanction(org.manager.id, org.sales.id, "warning", "2026-10", "x")
    assert ps.statement(org.manager.id, org.sales.id, "2026-10").statement.sanction == (
        "warning, warning"
    )
    # a month of fines imposes no sanction by itself (no more "month total → sanction")
    ps.record_violation(
        org.manager.id, org.sales2.id, "cs_beyond_authority", date(2026, 11, 3), evidence="y"
    )
    fines_only = ps.statement(org.manager.id, org.sales2.id, "2026-11").statement
    assert fines_only.total == Money.of("200.00") and fines_only.sanction == ""


# ------------------------------------------------------------------------------ PEN-9
def _read_by(app: App, staff_id: StaffId) -> str:
    entry = AccessLogEntry(
        reader_id=staff_id,
        record_kind="customer",
        record_id="cus_x",
        level="secret",
        at=at("2026-10-02 10:00"),
    )
    with app.services.ctx.uow() as uow:
        uow.access_log.add(entry)
        uow.commit()
    return entry.id


def test_pen9_serious_leak_amount_within_its_range_and_dismissal(app: App, org: Org) -> None:
    """PEN-9 (004 第11篇): leak 1 000 元; serious loss 10 000–100 000 元 chosen at recording
    and dismissal; each leak cites the access-log entry (X-5) of the read it concerns."""
    ps = app.services.penalties
    read = _read_by(app, org.sales.id)
    (leak,) = ps.record_violation(
        org.manager.id,
        org.sales.id,
        "customer_data_leak",
        date(2026, 10, 5),
        evidence="list sent out",
        access_log_id=read,
    )
    assert leak.amount == Money.of("1000.00")
    for amount in (None, Money.of("9999.99"), Money.of("100000.01")):
        with pytest.raises(ValidationError) as err:
            ps.record_violation(
                org.manager.id,
                org.sales.id,
                "customer_data_leak_serious_loss",
                date(2026, 10, 6),
                evidence="x",
                amount=amount,
                access_log_id=read,
            )
        assert (err.value.field, err.value.rule) == ("amount", "PEN-9")
    with pytest.raises(ValidationError) as err:  # a fixed amount takes none
        ps.record_violation(
            org.manager.id,
            org.sales.id,
            "phone_off",
            date(2026, 10, 6),
            evidence="x",
            amount=Money.of("5.00"),
        )
    assert err.value.field == "amount"
    other = _read_by(app, org.sales2.id)
    for cited in (None, other, "rec_missing"):
        with pytest.raises(ValidationError) as err:
            ps.record_violation(
                org.manager.id,
                org.sales.id,
                "customer_data_leak",
                date(2026, 10, 6),
                evidence="x",
                access_log_id=cited,
            )
        assert (err.value.field, err.value.rule) == ("access_log_id", "PEN-9")
    (serious,) = ps.record_violation(
        org.manager.id,
        org.sales.id,
        "customer_data_leak_serious_loss",
        date(2026, 10, 6),
        evidence="customer lost the tender",
        amount=Money.of("20000.00"),
        access_log_id=read,
    )
    assert serious.amount == Money.of("20000.00") and "PEN-9" in serious.explanation
    (rec,) = ps.recommendations(org.manager.id, org.sales.id, open_only=True)
    assert (rec.sanction, rec.rule, rec.violation_id) == (
        "dismissal",
        "PEN-9",
        serious.violation_id,
    )
    ps.decide_recommendation(org.gm.id, rec.id, False, "kept on a final warning")
    assert ps.recommendations(org.manager.id, org.sales.id, open_only=True) == []


# ------------------------------------------------------------------------------ PEN-5
def _closed_case(app: App, org: Org, close: CloseCase) -> str:
    cs = app.services.cases
    dept = app.services.org.list_departments(org.admin.id)[0]
    case = cs.receive(
        org.sales.id,
        ReceiveCase(
            type="complaint", category="price", channel="email", content="x", customer_name="Y"
        ),
    )
    cs.accept(org.supervisor.id, case.id)
    cs.assign(org.supervisor.id, case.id, dept.id, org.service.id)
    cs.propose_solution(
        org.service.id, case.id, ProposeSolution(remedy="written_explanation", solution="explain")
    )
    cs.approve(org.supervisor.id, case.id)
    cs.reply(org.service.id, case.id, "written", "letter")
    cs.follow_up(org.service.id, case.id, accepted=True, satisfaction=4)
    cs.close(org.supervisor.id, case.id, close)
    return case.id


def test_pen5_base_points_from_staff_data_and_joint_fault_by_case10_percentages(
    app: App, org: Org, clock: FixedClock
) -> None:
    """PEN-5 (001 2-C(二), 2-D(三)): a department's share ÷ its total base points (staff
    data from the store) × the person's; joint fault split by the CASE-10 percentages."""
    o = app.services.org
    sales_dept = DepartmentId(str(org.sales.department_id))
    qc = o.add_department(org.admin.id, "Quality")
    inspector = o.add_staff(
        org.admin.id, name="Ma QC", role="staff", department_id=qc.id, base_points=2
    )
    for person, points in ((org.sales, 3), (org.sales2, 3), (org.service, 1)):
        o.update_staff(org.admin.id, person.id, base_points=points)
    joint = _closed_case(
        app,
        org,
        CloseCase(
            cause="carelessness",
            loss=Money.of("1000.00"),
            responsibilities=[
                ResponsibilityShare(department_id=sales_dept, percent=60),
                ResponsibilityShare(department_id=qc.id, percent=40),
            ],
        ),
    )
    entries = app.services.penalties.charge_case_loss(org.manager.id, joint)
    got = {e.staff_id: f"{e.amount.amount:.2f}" for e in entries}
    assert got == {
        org.sales.id: "257.14",
        org.sales2.id: "257.14",
        org.service.id: "85.72",  # 600 × 1/7, plus the remaining 分
        inspector.id: "400.00",
    }
    assert "60 % (Sales, joint fault)" in entries[0].explanation
    individual = _closed_case(
        app,
        org,
        CloseCase(
            cause="carelessness", loss=Money.of("300.00"), responsible_staff_ids=[org.sales2.id]
        ),
    )
    (only,) = app.services.penalties.charge_case_loss(org.manager.id, individual)
    assert (only.staff_id, only.amount) == (org.sales2.id, Money.of("300.00"))


# ----------------------------------------------------------------------------- PEN-10
def test_pen10_statements_due_on_the_settlement_working_day_and_late_ones_reported(
    app: App, org: Org, clock: FixedClock
) -> None:
    """PEN-10 (001 2-B(十二)): statements are due on ``settlement_day`` of the next month (a
    non-working day moves it to the next working day); the report shows late settlements
    and overdue open months."""
    ps = app.services.penalties
    for day in (date(2026, 10, 5), date(2026, 11, 5)):
        ps.record_violation(org.manager.id, org.sales.id, "phone_off", day, evidence="x")
    clock.set(at("2026-11-05 09:00"))
    ps.settle_month(org.manager.id, "2026-10")
    clock.set(at("2026-12-11 09:00"))
    rows = {r.month: r for r in ps.settlement_report(org.manager.id)}
    assert (rows["2026-10"].due_on, rows["2026-10"].late) == (date(2026, 11, 10), False)
    assert rows["2026-11"].due_on == date(2026, 12, 10)  # a Thursday
    assert rows["2026-11"].settled_on is None and rows["2026-11"].late  # overdue, still open
    ps.settle_month(org.manager.id, "2026-11")
    late = {r.month: r for r in ps.settlement_report(org.manager.id)}["2026-11"]
    assert (late.settled_on, late.late) == (date(2026, 12, 11), True)
    # 2026-05-10 is a Sunday: April's statements are due on Monday 05-11
    assert not app.services.ctx.calendar.is_working_day(date(2026, 5, 10))
    assert ps._statements_due("2026-04") == date(2026, 5, 11)
    with pytest.raises(PermissionDenied):
        ps.settlement_report(org.sales.id)


def test_pen7_pen9_policy_refuses_unknown_sanctions_and_inverted_ranges() -> None:
    """PEN-7/PEN-9: a recommended sanction must be a policy sanction; a range runs upwards."""
    from csdomain.policy.penalties import PenaltiesPolicy, RepeatRule, SanctionLevel, ViolationType

    def policy(**kw: object) -> PenaltiesPolicy:
        base: dict[str, object] = {
            "catalogue": [],
            "repeat_rules": {},
            "complaint_cap_percent": 50,
            "performance_cut_min_percent": 10,
            "performance_cut_max_percent": 30,
            "settlement_day": 10,
            "reward_proposer_role": "supervisor",
            "scheduler_batch": 10,
            "sanctions": [SanctionLevel(name="warning", min_fine="400.00")],
        }
        return PenaltiesPolicy(**{**base, **kw})  # type: ignore[arg-type]

    with pytest.raises(ValueError, match="dismissal"):
        policy(
            repeat_rules={"cs": RepeatRule(multiplier="2", recommend_from_nth=3)},
        )
    with pytest.raises(ValueError, match="below amount"):
        ViolationType(
            code="x", description="x", amount="100.00", amount_max="50.00", unit="occurrence"
        )
    assert policy().sanction("warning") is not None
