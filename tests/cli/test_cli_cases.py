"""Cases, CAPA, settlements and exchange forms through the CLI, with their exit codes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from cli_support import Cli, CliOrg, problem_of

from csdomain.kernel.clock import FixedClock


def receive(run: Cli, actor: str, *extra: str, type_: str = "complaint") -> dict[str, Any]:
    data: dict[str, Any] = run.json(
        "cases",
        "receive",
        "--type",
        type_,
        "--category",
        "service_quality",
        "--channel",
        "phone",
        "--content",
        "The adviser was rude on the phone",
        "--customer-name",
        "Zhang San",
        *extra,
        actor=actor,
    )
    return data


def add_staff(run: Cli, org: CliOrg, name: str, role: str, *extra: str) -> str:
    staff_id: str = run.json(
        "staff", "add", "--name", name, "--role", role, *extra, actor=org.admin
    )["id"]
    return staff_id


def test_a_complaint_from_receive_to_close(run: Cli, org: CliOrg) -> None:
    case = receive(run, org.sales, "--demand", "compensation", "--contact", "138 0000 0000")
    cid = case["id"]
    assert case["state"] == "received" and case["received_by"] == org.sales
    number = case["number"]
    assert len(number) == 11 and number[6] == "-" and number.endswith("0001")

    human = run.ok("cases", "show", cid, actor=org.sales).stdout
    assert number in human and "Li Lei" in human and "service_quality" in human

    steps: list[tuple[str, tuple[str, ...], str, str]] = [
        ("acknowledge", ("--message", "we are on it"), org.sales, "received"),
        ("accept", (), org.supervisor, "accepted"),
        ("assign", ("--department", org.dept, "--handler", org.sales), org.supervisor, "assigned"),
        ("investigate", (), org.sales, "investigating"),
        ("report", ("--report", "misunderstanding about the price"), org.sales, "investigating"),
        (
            "propose",
            ("--remedy", "compensation", "--solution", "a voucher", "--amount", "500.00"),
            org.sales,
            "proposed",
        ),
    ]
    for command, extra, actor, state in steps:
        assert run.json("cases", command, cid, *extra, actor=actor)["state"] == state, command

    # a 500 元 compensation needs the GM; the manager is refused with exit 7
    refused = run.fails(7, "cases", "approve", cid, actor=org.manager)
    assert "gm" in refused.stderr and "rule: CASE-8" in refused.stderr
    approved = run.json("cases", "approve", cid, "--reason", "fair", actor=org.gm)
    assert approved["state"] == "approved" and approved["approved_by"] == org.gm
    assert approved["remedy_amount"] == "500.00"

    line = run.ok(
        "cases", "reply", cid, "--method", "phone", "--message", "voucher", actor=org.sales
    ).stdout
    assert line.strip() == f"Case {number} ({cid}) replied; now replied."
    run.ok("cases", "follow-up", cid, "--accepted", "--satisfaction", "5", actor=org.sales)
    closed = run.json(
        "cases",
        "close",
        cid,
        "--cause",
        "carelessness",
        "--responsibility",
        f"{org.dept}=100",
        "--responsible",
        org.sales,
        "--loss",
        "500.00",
        actor=org.supervisor,
    )
    assert closed["state"] == "closed" and closed["loss"] == "500.00"
    assert closed["responsibilities"] == [{"department_id": org.dept, "percent": 100}]
    assert closed["responsible_staff_ids"] == [org.sales]

    kinds = [e["kind"] for e in run.json("cases", "timeline", cid, actor=org.sales)]
    assert kinds[0] == "received" and kinds[-1] == "closed"
    assert "solution_approved" in kinds and "customer_accepted" in kinds
    timeline = run.ok("cases", "timeline", cid, actor=org.sales).stdout
    assert "Wang GM" in timeline and "solution_approved" in timeline

    listed = run.json("cases", "list", "--state", "closed", actor=org.sales)
    assert [c["id"] for c in listed] == [cid]
    assert run.json("cases", "list", "--open", actor=org.sales) == []

    month = f"{number[:4]}-{number[4:6]}"
    stats = run.json("cases", "stats", "--month", month, actor=org.supervisor)
    assert stats["received"] == 1 and stats["resolved"] == 1
    assert stats["by_handling_method"] == {"compensation": 1} and stats["loss"] == "500.00"
    assert "100.0%" in run.ok("cases", "stats", "--month", month, actor=org.supervisor).stdout
    run.fails(7, "cases", "stats", "--month", month, actor=org.sales)  # supervisors only


def test_the_subject_of_a_complaint_cannot_handle_it_exit_7(run: Cli, org: CliOrg) -> None:
    cid = receive(run, org.sales, "--subject", org.sales2)["id"]
    run.ok("cases", "accept", cid, actor=org.supervisor)
    result = run.fails(
        7,
        "cases",
        "assign",
        cid,
        "--department",
        org.dept,
        "--handler",
        org.sales2,
        "--json",
        actor=org.supervisor,
    )
    problem = problem_of(result)
    assert problem["rule"] == "X-4" and problem["field"] == "handler_id"
    assert problem["exit_code"] == 7 and org.sales2 in problem["detail"]
    shown = run.json("cases", "show", cid, actor=org.supervisor)
    assert shown["state"] == "accepted" and shown["handler_id"] is None


def test_a_step_not_allowed_in_the_state_exits_8(run: Cli, org: CliOrg) -> None:
    cid = receive(run, org.sales)["id"]
    result = run.fails(8, "cases", "approve", cid, actor=org.gm)
    assert "is received: cannot approve" in result.stderr and "rule: CASE-3" in result.stderr
    run.fails(8, "cases", "close", cid, "--cause", "serious", actor=org.supervisor)
    run.ok("cases", "acknowledge", cid, actor=org.sales)
    run.fails(8, "cases", "acknowledge", cid, actor=org.sales)  # once only (CASE-7)
    run.fails(4, "cases", "show", "cas_nope", actor=org.sales)
    run.fails(7, "cases", "accept", cid, actor=org.sales)  # acceptance is a supervisor's
    not_accepted = run.json(
        "cases",
        "not-accept",
        cid,
        "--ground",
        "past_contractual_time_limit",
        "--explanation",
        "warranty ended in 2020",
        actor=org.supervisor,
    )
    assert not_accepted["state"] == "not_accepted" and not_accepted["closed_at"]
    run.fails(8, "cases", "accept", cid, actor=org.supervisor)


def test_bad_input_exits_3_naming_the_field(run: Cli, org: CliOrg) -> None:
    bad = run.fails(
        3,
        "cases",
        "receive",
        "--type",
        "complaint",
        "--category",
        "nonsense",
        "--channel",
        "phone",
        "--content",
        "x",
        "--customer-name",
        "Zhang",
        actor=org.sales,
    )
    assert "field: category" in bad.stderr and "rule: CASE-2" in bad.stderr
    date = run.fails(
        3,
        "cases",
        "receive",
        "--type",
        "complaint",
        "--category",
        "price",
        "--channel",
        "phone",
        "--content",
        "x",
        "--customer-name",
        "Zhang",
        "--purchase-date",
        "last week",
        actor=org.sales,
    )
    assert "field: purchase_date" in date.stderr
    cid = receive(run, org.sales)["id"]
    run.ok("cases", "accept", cid, actor=org.supervisor)
    run.ok(
        "cases",
        "assign",
        cid,
        "--department",
        org.dept,
        "--handler",
        org.sales,
        actor=org.supervisor,
    )
    money = run.fails(
        3,
        "cases",
        "propose",
        cid,
        "--remedy",
        "refund_partial",
        "--solution",
        "part",
        "--amount",
        "1.234",
        actor=org.sales,
    )
    assert "field: amount" in money.stderr
    run.fails(2, "cases", "receive", "--type", "complaint", actor=org.sales)  # missing options
    run.fails(2, "cases", "list")  # no --as


def test_a_major_case_needs_verified_corrective_actions_before_closing(
    run: Cli, org: CliOrg
) -> None:
    quality = run.json("departments", "add", "Quality", actor=org.admin)["id"]
    qc = add_staff(run, org, "Zhou QC", "staff", "--department", quality)
    cid = receive(run, org.sales)["id"]
    run.fails(7, "cases", "mark-major", cid, "--reason", "wide_impact", actor=org.supervisor)
    major = run.json("cases", "mark-major", cid, "--reason", "wide_impact", actor=org.manager)
    assert major["severity"] == "major" and major["major_reasons"] == ["wide_impact"]
    clocks = {c["name"]: c for c in run.json("cases", "clocks", cid, actor=org.sales)}
    assert clocks["major_warning"]["status"] in ("on_time", "due_soon")
    assert clocks["acknowledge"]["paused_seconds"] == 0
    assert "major_warning" in run.ok("cases", "clocks", cid, actor=org.sales).stdout
    run.ok(
        "cases",
        "warn",
        cid,
        "--to",
        "management, legal",
        "--summary",
        "wide impact",
        actor=org.manager,
    )
    clocks = {c["name"]: c for c in run.json("cases", "clocks", cid, actor=org.sales)}
    assert clocks["major_warning"]["status"] == "met"
    run.ok(
        "cases",
        "crisis-meeting",
        cid,
        "--attendee",
        org.gm,
        "--attendee",
        org.manager,
        "--minutes",
        "apologise in person",
        actor=org.manager,
    )

    for command, extra, actor in [
        ("accept", (), org.supervisor),
        ("assign", ("--department", org.dept, "--handler", org.sales), org.supervisor),
        ("propose", ("--remedy", "written_explanation", "--solution", "letter"), org.sales),
        ("approve", (), org.supervisor),
        ("reply", ("--method", "written", "--message", "letter sent"), org.sales),
        ("follow-up", ("--accepted", "--satisfaction", "4"), org.sales),
    ]:
        run.ok("cases", command, cid, *extra, actor=actor)
    no_capa = run.fails(8, "cases", "close", cid, "--cause", "serious", actor=org.supervisor)
    assert "rule: CASE-11" in no_capa.stderr

    item = run.json(
        "capa",
        "add",
        cid,
        "--description",
        "phone etiquette training",
        "--owner",
        org.sales,
        actor=org.supervisor,
    )
    assert item["owner_id"] == org.sales and item["due_on"]
    run.fails(7, "capa", "complete", item["id"], actor=org.sales2)  # the owner completes it
    run.ok("capa", "complete", item["id"], "--note", "done", actor=org.sales)
    # verified by another department (CASE-11): the owner's colleague may not
    run.fails(7, "capa", "verify", item["id"], "--effective", "--note", "ok", actor=org.sales2)
    verified = run.json(
        "capa", "verify", item["id"], "--effective", "--note", "calls checked", actor=qc
    )
    assert verified["effective"] is True and verified["verified_by"] == qc
    listed = run.ok("capa", "list", cid, actor=org.sales).stdout
    assert "phone etiquette training" in listed and "Zhou QC" in listed
    assert (
        run.json("cases", "close", cid, "--cause", "serious", actor=org.supervisor)["state"]
        == "closed"
    )


def test_a_rejected_solution_goes_round_again_and_closing_without_confirmation(
    run: Cli, org: CliOrg
) -> None:
    cid = receive(run, org.sales)["id"]
    run.ok("cases", "accept", cid, actor=org.supervisor)
    run.ok(
        "cases",
        "assign",
        cid,
        "--department",
        org.dept,
        "--handler",
        org.sales,
        actor=org.supervisor,
    )
    run.ok("cases", "propose", cid, "--remedy", "gift", "--solution", "a mug", actor=org.sales)
    back = run.json("cases", "reject-proposal", cid, "--reason", "too cheap", actor=org.supervisor)
    assert back["state"] == "propose_again"
    run.ok("cases", "wait", cid, "--reason", "waiting for photos", actor=org.sales)
    assert run.json("cases", "resume", cid, actor=org.sales)["state"] == "propose_again"
    run.ok(
        "cases",
        "propose",
        cid,
        "--remedy",
        "written_explanation",
        "--solution",
        "letter",
        actor=org.sales,
    )
    run.ok("cases", "approve", cid, actor=org.supervisor)
    run.ok("cases", "reply", cid, "--method", "phone", "--message", "x", actor=org.sales)
    rejected = run.json(
        "cases", "follow-up", cid, "--rejected", "--satisfaction", "2", actor=org.sales
    )
    assert rejected["state"] == "propose_again" and rejected["rejections"] == 1
    run.ok(
        "cases",
        "propose",
        cid,
        "--remedy",
        "written_explanation",
        "--solution",
        "better",
        actor=org.sales,
    )
    run.ok("cases", "approve", cid, actor=org.supervisor)
    run.ok("cases", "reply", cid, "--method", "phone", "--message", "x", actor=org.sales)
    # replied but never confirmed: three documented failed contacts close it (CASE-9)
    run.fails(8, "cases", "close", cid, "--cause", "incidental", actor=org.supervisor)
    closed = run.json(
        "cases",
        "close",
        cid,
        "--cause",
        "incidental",
        "--not-confirmed",
        "--failed-contact",
        "mon: no answer",
        "--failed-contact",
        "tue: no answer",
        "--failed-contact",
        "wed: number off",
        actor=org.supervisor,
    )
    assert closed["state"] == "closed"


def test_sweep_records_each_breach_once(timed: Cli, timed_org: CliOrg, clock: FixedClock) -> None:
    run, org = timed, timed_org
    cid = receive(run, org.sales)["id"]
    run.ok("cases", "accept", cid, actor=org.supervisor)
    run.ok(
        "cases",
        "assign",
        cid,
        "--department",
        org.dept,
        "--handler",
        org.sales2,
        actor=org.supervisor,
    )
    assert (
        run.ok("cases", "sweep").stdout.strip() == "Checked 0 due case(s); recorded 0 breach(es)."
    )
    # cron runs it as the system account (no --as); a supervisor is refused (issue 7)
    assert "scheduler.sweep" in run.fails(7, "cases", "sweep", actor=org.supervisor).stderr

    clock.advance(timedelta(days=20))
    first = run.json("cases", "sweep")
    assert first["recorded"] == len(first["breaches"]) > 0
    clocks = {b["clock"] for b in first["breaches"]}
    assert {"acknowledge", "reply_complaint", "solution", "close"} <= clocks
    assert {b["case_id"] for b in first["breaches"]} == {cid}
    # the owner when the 24 h acknowledge clock ran out: the handler assigned at intake time
    by_clock = {b["clock"]: b for b in first["breaches"]}
    assert by_clock["acknowledge"]["owner_id"] == org.sales2
    assert by_clock["acknowledge"]["escalated_to"] == "team_lead"  # CASE-6 positions

    again = run.json("cases", "sweep", actor="system")
    assert again["recorded"] == 0 and again["breaches"] == []
    assert "recorded 0 breach(es)" in run.ok("cases", "sweep").stdout
    stored = run.json("cases", "breaches", cid, actor=org.sales)
    assert sorted(b["id"] for b in stored) == sorted(b["id"] for b in first["breaches"])
    groups = run.json("cases", "by-clock-status", actor=org.sales)
    case_number = run.json("cases", "show", cid, actor=org.sales)["number"]
    assert case_number in groups["breached"]
    assert "breached" in run.ok("cases", "by-clock-status", actor=org.sales).stdout

    # the breaches become violations of the owner at breach time, once (PEN-1 source events)
    entries = run.json("penalties", "from-events")
    assert len(entries) == len(first["breaches"])
    assert {e["staff_id"] for e in entries} == {org.sales2}
    assert run.json("penalties", "from-events") == []


def test_sweep_prints_the_breaches_in_a_table(
    timed: Cli, timed_org: CliOrg, clock: FixedClock
) -> None:
    receive(timed, timed_org.sales)
    clock.advance(timedelta(days=2))
    out = timed.ok("cases", "sweep").stdout
    assert out.startswith("Checked 1 due case(s); recorded ")
    assert "OWNER AT DUE TIME" in out and "Li Lei" in out


def test_settlements_and_an_exchange_form_through_its_chain(run: Cli, org: CliOrg) -> None:
    cid = receive(run, org.sales)["id"]
    # CASE-8/13: nothing is settled before the proposal is approved (exit 7, no store change)
    early = run.fails(
        7, "settlements", "record", cid, "--kind", "return", "--amount", "1200.00", actor=org.gm
    )
    assert "settlements.record" in early.stderr and "rule: CASE-8" in early.stderr
    run.ok("cases", "accept", cid, actor=org.supervisor)
    run.ok(
        "cases",
        "assign",
        cid,
        "--department",
        org.dept,
        "--handler",
        org.sales2,
        actor=org.supervisor,
    )
    run.ok(
        "cases",
        "propose",
        cid,
        "--remedy",
        "return",
        "--solution",
        "take back 8",
        "--amount",
        "1200.00",
        actor=org.sales2,
    )
    run.ok("cases", "approve", cid, actor=org.gm)
    # 1200 元 needs the GM's approval level; a staff member is refused
    run.fails(
        7, "settlements", "record", cid, "--kind", "return", "--amount", "1200.00", actor=org.sales
    )
    assert run.json("settlements", "list", cid, actor=org.sales) == []
    s = run.json(
        "settlements",
        "record",
        cid,
        "--kind",
        "return",
        "--amount",
        "1200.00",
        "--claimed",
        "10",
        "--returned",
        "8",
        actor=org.gm,
    )
    assert s["amount"] == "1200.00" and s["quantity_returned"] == 8
    run.fails(
        3, "settlements", "record", cid, "--kind", "return", "--amount", "12.345", actor=org.gm
    )
    run.fails(3, "settlements", "record", cid, "--kind", "bribe", "--amount", "1.00", actor=org.gm)
    assert [x["id"] for x in run.json("settlements", "list", cid, actor=org.sales)] == [s["id"]]
    assert "1200.00" in run.ok("settlements", "list", cid, actor=org.sales).stdout

    form = run.json(
        "exchanges",
        "open",
        "--customer-name",
        "Zhang San",
        "--goods",
        "tyres",
        "--quantity",
        "4",
        "--reason",
        "wrong size",
        "--case",
        cid,
        actor=org.sales,
    )
    fid = form["id"]
    assert form["state"] == "open" and form["salesperson_id"] == org.sales
    run.fails(7, "exchanges", "sign", fid, actor=org.supervisor)  # the market head signs first
    run.fails(8, "exchanges", "ledger", fid, actor=org.sales)  # not completed yet
    for signer in (org.manager, org.supervisor, org.gm):
        line = run.ok("exchanges", "sign", fid, "--opinion", "ok", actor=signer).stdout
        assert "open" in line
    done = run.json("exchanges", "sign", fid, actor=org.sales)  # the warehouse step
    assert done["state"] == "completed" and len(done["sign_offs"]) == 4
    ledger = run.json("exchanges", "ledger", fid, actor=org.sales)
    assert ledger["ledger_no"] == 1 and ledger["ledger_signed_by"] == org.sales
    run.fails(8, "exchanges", "ledger", fid, actor=org.sales)
    listed = run.ok("exchanges", "list", actor=org.sales).stdout
    assert "tyres" in listed and "completed" in listed

    other = run.json(
        "exchanges",
        "open",
        "--customer-name",
        "Li Si",
        "--goods",
        "mats",
        "--reason",
        "colour",
        actor=org.sales,
    )
    run.fails(3, "exchanges", "sign", other["id"], "--reject", actor=org.manager)  # needs opinion
    refused = run.json(
        "exchanges", "sign", other["id"], "--reject", "--opinion", "no stock", actor=org.manager
    )
    assert refused["state"] == "rejected"


def test_every_case_command_takes_the_number_as_well_as_the_id(run: Cli, org: CliOrg) -> None:
    """Issue 11: the number the CLI prints first (``202612-0001``) is accepted everywhere."""
    case = receive(run, org.sales)
    number, cid = case["number"], case["id"]
    by_number = run.json("cases", "clocks", number, actor=org.sales)
    assert by_number == run.json("cases", "clocks", cid, actor=org.sales) and by_number
    assert run.json("cases", "show", number, actor=org.sales)["id"] == cid
    assert run.json("cases", "acknowledge", number, actor=org.sales)["id"] == cid
    assert run.json("cases", "timeline", number, actor=org.sales)
    # a follow-up case names the earlier one by number too (CASE-15)
    follow = receive(run, org.sales, "--related", number)
    assert follow["related_case_id"] == cid
    missing = run.fails(4, "cases", "clocks", "209901-0001", "--json", actor=org.sales)
    assert problem_of(missing)["type"] == "urn:csdomain:problem:not-found"


def test_breaches_and_case_details_show_numbers_and_names_not_only_ids(
    timed: Cli, timed_org: CliOrg, clock: FixedClock
) -> None:
    """Issue 11: people read case numbers and department names, not truncated ids."""
    org = timed_org
    case = receive(timed, org.sales)
    timed.ok("cases", "accept", case["id"], actor=org.supervisor)
    timed.ok(
        "cases", "assign", case["id"], "--department", org.dept, "--handler", org.sales,
        actor=org.supervisor,
    )  # fmt: skip
    clock.advance(timedelta(days=2))
    timed.ok("cases", "sweep")
    table = timed.ok("cases", "breaches", case["number"], actor=org.sales).stdout
    assert case["number"] in table and case["id"] not in table and "Li Lei" in table
    details = timed.ok("cases", "show", case["number"], actor=org.sales).stdout
    department = next(line for line in details.splitlines() if line.startswith("department:"))
    assert department.split()[1:] == ["Sales", f"({org.dept})"]
    timeline = timed.ok("cases", "timeline", case["number"], actor=org.sales).stdout
    accepted = next(line for line in timeline.splitlines() if " accepted " in line)
    assert "Sun Supervisor" in accepted and org.supervisor not in accepted
