"""Customers, files, permissions and deregistration through the CLI, with their exit codes."""

from __future__ import annotations

from cli_support import Cli, CliOrg, problem_of

from adapters.cli.render import width

PAST_SALE = "2020-01-06"  # a Monday: the hand-over deadline is long past on any test clock


def register(run: Cli, actor: str, name: str, phone: str, *extra: str) -> dict[str, object]:
    data: dict[str, object] = run.json(
        "customers", "register", "--name", name, "--phone", phone, *extra, actor=actor
    )
    return data


def test_staff_and_customer_round_trip_with_json(run: Cli, org: CliOrg) -> None:
    staff = {s["id"]: s for s in run.json("staff", "list", actor=org.admin)}
    assert staff[org.sales]["name"] == "Li Lei"
    assert staff[org.sales]["department_id"] == org.dept
    assert staff[org.sales]["supervisor_id"] == org.supervisor

    created = register(
        run,
        org.sales,
        "Zhang San",
        "138 0013 8000",
        "--kind",
        "agent",
        "--legal-form",
        "corporate",
        "--id-number",
        "91310000abc",
        "--intermediary",
        "--intermediary-name",
        "Acme Brokers",
    )
    assert created["phone"] == "+8613800138000"  # stored in E.164 (CUS-1)
    assert created["owner_id"] == org.sales
    assert created["kind"] == "agent" and created["id_number"] == "91310000ABC"
    assert created["version"] == 1

    shown = run.json("customers", "show", str(created["id"]), actor=org.sales)
    assert shown == created
    mine = run.json("customers", "list", actor=org.sales)
    assert [c["id"] for c in mine] == [created["id"]]
    assert run.json("customers", "list", actor=org.sales2) == []  # staff see only their own
    everyone = run.json("customers", "list", actor=org.supervisor)
    assert [c["id"] for c in everyone] == [created["id"]]


def test_registering_an_owned_customer_exits_5_naming_the_owner(run: Cli, org: CliOrg) -> None:
    register(run, org.sales, "Zhang San", "13800138000")
    result = run.fails(
        5, "customers", "register", "--name", "Zhang S.", "--phone", "13800138000", actor=org.sales2
    )
    assert result.stderr.startswith("Error: ")
    assert f"Li Lei ({org.sales})" in result.stderr
    assert "(field: phone, rule: CUS-1)" in result.stderr
    assert result.stdout == ""

    problem = problem_of(
        run.fails(
            5,
            "customers",
            "register",
            "--name",
            "Zhang S.",
            "--phone",
            "13800138000",
            "--json",
            actor=org.sales2,
        )
    )
    assert problem["type"] == "urn:csdomain:problem:conflict" and problem["rule"] == "CUS-1"
    assert problem["field"] == "phone" and "Li Lei" in problem["detail"]


def test_second_update_from_the_same_version_exits_6(run: Cli, org: CliOrg) -> None:
    customer = register(run, org.sales, "Zhang San", "13800138000")
    cid, version = str(customer["id"]), str(customer["version"])
    first = run.json(
        "customers",
        "update",
        cid,
        "--expected-version",
        version,
        "--address",
        "1 Nanjing Rd",
        actor=org.sales,
    )
    assert first["address"] == "1 Nanjing Rd" and first["version"] == customer["version"] + 1  # type: ignore[operator]

    second = run.fails(
        6,
        "customers",
        "update",
        cid,
        "--expected-version",
        version,
        "--notes",
        "prefers mornings",
        actor=org.sales,
    )
    assert "reload" in second.stderr and "field: expected_version" in second.stderr
    assert run.json("customers", "show", cid, actor=org.sales)["notes"] == ""


def test_update_needs_a_field_and_validates_like_the_api(run: Cli, org: CliOrg) -> None:
    cid = str(register(run, org.sales, "Zhang San", "13800138000")["id"])
    run.fails(2, "customers", "update", cid, "--expected-version", "1", actor=org.sales)
    bad = run.fails(
        3, "customers", "update", cid, "--expected-version", "1", "--phone", "12ab", actor=org.sales
    )
    assert "field: phone" in bad.stderr and "rule: CUS-1" in bad.stderr
    closed = run.json(
        "customers",
        "update",
        cid,
        "--expected-version",
        "1",
        "--status",
        "closed_deal",
        "--intermediary",
        actor=org.sales,
    )
    assert closed["status"] == "closed_deal" and closed["intermediary"] is True


def test_validation_errors_exit_3_with_field_and_rule(run: Cli, org: CliOrg) -> None:
    result = run.fails(3, "customers", "register", "--name", "  ", "--phone", "x1", actor=org.sales)
    first = result.stderr.splitlines()[0]
    assert first.startswith("Error: ") and "(field: " in first and "rule: CUS-1" in first
    problem = problem_of(
        run.fails(
            3, "customers", "register", "--name", " ", "--phone", "x1", "--json", actor=org.sales
        )
    )
    assert problem["type"] == "urn:csdomain:problem:validation" and problem["exit_code"] == 3
    # every bad field is named (issue 8: command validation does not stop at the first)
    assert problem["field"] == "name"
    assert [e["field"] for e in problem["errors"]] == ["name", "phone"]


def test_not_found_exits_4_and_missing_actor_is_a_usage_error(run: Cli, org: CliOrg) -> None:
    result = run.fails(4, "customers", "show", "cus_nope", actor=org.sales)
    assert "cus_nope" in result.stderr
    run.fails(4, "staff", "add", "--name", "X", "--role", "staff", actor="stf_nobody")
    usage = run.fails(2, "customers", "list")
    assert "--as STAFF_ID" in usage.stderr


def test_permission_denied_exits_7(run: Cli, org: CliOrg) -> None:
    result = run.fails(7, "staff", "add", "--name", "X", "--role", "staff", actor=org.sales)
    assert "rule: X-3" in result.stderr


def test_reading_a_confidential_file_needs_the_gm_grant(run: Cli, org: CliOrg) -> None:
    cid = str(register(run, org.sales, "Zhang San", "13800138000")["id"])
    opened = run.json("files", "open", cid, "new_sale", "--event-date", PAST_SALE, actor=org.sales)
    fid = opened["id"]
    run.ok("files", "add-documents", fid, "contract=box-1/7", "id_copy=scan-22", actor=org.sales)

    denied = run.fails(7, "files", "read", fid, actor=org.sales)
    assert "read_top_secret" in denied.stderr and "rule: X-5" in denied.stderr
    # the access log is secret: the GM grants the manager read_secret to review it
    run.fails(7, "access-log", actor=org.manager)
    grant = ("permissions", "grant", org.manager, "read_secret", "--reason", "log review")
    run.ok(*grant, actor=org.gm)
    assert run.json("access-log", actor=org.manager) == []

    # only the GM grants (the admin runs the system but has no business authority)
    run.fails(
        7,
        "permissions",
        "grant",
        org.sales,
        "read_top_secret",
        "--reason",
        "audit",
        actor=org.admin,
    )
    run.fails(
        3, "permissions", "grant", org.sales, "read_everything", "--reason", "x", actor=org.gm
    )
    granted = run.json(
        "permissions",
        "grant",
        org.sales,
        "read_top_secret",
        "--reason",
        "file audit 2026",
        actor=org.gm,
    )
    assert granted["permissions"] == ["read_top_secret"]

    read = run.json("files", "read", fid, actor=org.sales)
    assert read["documents"] == {"contract": "box-1/7", "id_copy": "scan-22"}
    human = run.ok("files", "read", fid, actor=org.sales).stdout
    assert "box-1/7" in human and "access log" in human

    log = run.json("access-log", "--record", fid, actor=org.manager)
    assert [e["reader_id"] for e in log] == [org.sales, org.sales]
    run.fails(7, "access-log", actor=org.sales)  # reading the log needs a manager

    run.ok(
        "permissions",
        "revoke",
        org.sales,
        "read_top_secret",
        "--reason",
        "audit done",
        actor=org.gm,
    )
    run.fails(7, "files", "read", fid, actor=org.sales)


def test_overdue_report_lists_missing_items(run: Cli, org: CliOrg) -> None:
    cid = str(register(run, org.sales, "王小明", "13800138000")["id"])
    fid = run.json("files", "open", cid, "service", "--event-date", PAST_SALE, actor=org.sales)[
        "id"
    ]
    run.ok(
        "files", "add-documents", fid, "work_order=RO-1", "settlement_sheet=ST-9", actor=org.sales
    )

    # X-5: the register of others' customers is secret until the GM grants read_secret
    run.fails(7, "files", "overdue", actor=org.supervisor)
    grant = ("permissions", "grant", org.supervisor, "read_secret", "--reason", "follow-up")
    run.ok(*grant, actor=org.gm)
    overdue = run.json("files", "overdue", actor=org.supervisor)
    assert [f["file_id"] for f in overdue] == [fid]
    assert overdue[0]["missing_items"] == ["reception_sheet", "free_check_sheet"]
    assert overdue[0]["overdue"] is True

    human = run.ok("files", "overdue", actor=org.supervisor).stdout
    assert "reception_sheet, free_check_sheet" in human
    assert "王小明" in human
    assert run.ok("files", "overdue", actor=org.sales2).stdout.strip() == "(no overdue files)"

    status = run.json(
        "files", "hand-over", fid, "--to", org.supervisor, "--note", "late", actor=org.sales
    )
    assert status["handed_over_late"] is True
    again = run.fails(8, "files", "hand-over", fid, "--to", org.supervisor, actor=org.sales)
    assert "already handed over" in again.stderr and "rule: CUS-3" in again.stderr
    statuses = run.json("files", "status", cid, actor=org.sales)
    assert statuses[0]["missing_items"] == ["reception_sheet", "free_check_sheet"]


def test_bad_document_item_exits_3(run: Cli, org: CliOrg) -> None:
    cid = str(register(run, org.sales, "Zhang San", "13800138000")["id"])
    fid = run.json("files", "open", cid, "service", actor=org.sales)["id"]
    result = run.fails(3, "files", "add-documents", fid, "nonsense=1", actor=org.sales)
    assert "field: documents" in result.stderr
    run.fails(3, "files", "add-documents", fid, "no-equals-sign", actor=org.sales)
    run.fails(3, "files", "open", cid, "no_such_kind", actor=org.sales)


def test_grading_and_grade_history(run: Cli, org: CliOrg) -> None:
    cid = str(register(run, org.sales, "Zhang San", "13800138000")["id"])
    scores = [
        "--score",
        "annual_sales=90",
        "--score",
        "price=80",
        "--score",
        "payment_collection=85",
        "--score",
        "cooperation=70",
        "--score",
        "trend=60",
    ]
    run.fails(7, "customers", "grade", cid, *scores, "--reason", "first grading", actor=org.sales)
    bad = run.fails(
        3,
        "customers",
        "grade",
        cid,
        "--score",
        "annual_sales=lots",
        "--reason",
        "x",
        actor=org.manager,
    )
    assert "field: scores.annual_sales" in bad.stderr
    missing = run.fails(
        3,
        "customers",
        "grade",
        cid,
        "--score",
        "annual_sales=1",
        "--reason",
        "x",
        actor=org.manager,
    )
    assert "missing" in missing.stderr

    graded = run.json(
        "customers",
        "grade",
        cid,
        *scores,
        "--reason",
        "first grading",
        "--proposed-by",
        org.sales,
        actor=org.manager,
    )
    assert graded["to_grade"] == "A" and graded["provisional"] is True
    version = str(run.json("customers", "show", cid, actor=org.manager)["version"])
    changed = run.json(
        "customers",
        "change-grade",
        cid,
        "B",
        "--reason",
        "late payments",
        "--proposed-by",
        org.supervisor,
        "--expected-version",
        version,
        actor=org.manager,
    )
    assert (changed["from_grade"], changed["to_grade"]) == ("A", "B")
    history = run.json("customers", "grades", cid, actor=org.sales)
    # (the memory test clock is fixed: both changes share one instant, so order is by id)
    assert sorted(g["to_grade"] for g in history) == ["A", "B"]
    assert run.json("customers", "show", cid, actor=org.sales)["grade"] == "B"
    table = run.ok("customers", "grades", cid, actor=org.sales).stdout
    assert "late payments" in table and "Qian Manager" in table


def test_transfer_and_audit_history(run: Cli, org: CliOrg) -> None:
    cid = str(register(run, org.sales, "Zhang San", "13800138000")["id"])
    run.fails(
        7,
        "customers",
        "transfer",
        cid,
        org.sales2,
        "--reason",
        "x",
        "--expected-version",
        "1",
        actor=org.sales,
    )
    moved = run.json(
        "customers",
        "transfer",
        cid,
        org.sales2,
        "--reason",
        "客户冲撞 resolved",
        "--expected-version",
        "1",
        actor=org.manager,
    )
    assert moved["owner_id"] == org.sales2
    events = run.json("customers", "history", cid, actor=org.supervisor)
    assert [e["kind"] for e in events] == ["customer.registered", "customer.transferred"]
    human = run.ok("customers", "history", cid, actor=org.supervisor).stdout
    assert "客户冲撞 resolved" in human and "Qian Manager" in human


def test_deregistration_chain(run: Cli, org: CliOrg) -> None:
    cid = str(register(run, org.sales, "Zhang San", "13800138000")["id"])
    dereg = run.json("deregistration", "apply", cid, "--reason", "moving abroad", actor=org.sales)
    did = dereg["id"]
    run.fails(7, "deregistration", "advance", did, actor=org.sales)  # supervisor step
    out = run.ok("deregistration", "advance", did, actor=org.supervisor).stdout
    assert "next: cs_manager_review (manager)" in out
    run.ok("deregistration", "advance", did, actor=org.manager)
    run.ok("deregistration", "advance", did, actor=org.gm)
    # the applicant signs no step (CUS-6 one step per signer): finance is someone else
    run.fails(7, "deregistration", "advance", did, "--refund", "1", actor=org.sales)
    run.fails(3, "deregistration", "advance", did, actor=org.sales2)  # refund needed
    run.fails(3, "deregistration", "advance", did, "--refund", "12.345", actor=org.sales2)
    run.ok("deregistration", "advance", did, "--refund", "1200.50", actor=org.sales2)
    done = run.json("deregistration", "advance", did, actor=org.sales)
    assert done["state"] == "completed" and done["refund"] == "1200.50"
    assert run.json("customers", "show", cid, actor=org.sales)["status"] == "deregistered"
    run.fails(8, "deregistration", "advance", did, actor=org.gm)
    listed = run.ok("deregistration", "list", cid, actor=org.sales).stdout
    assert "completed" in listed and "1200.50" in listed


def test_tokens_and_departments(run: Cli, org: CliOrg) -> None:
    token = run.json("tokens", "issue", org.sales, "--label", "laptop", actor=org.sales)
    assert token["token"].startswith("csd_") and token["staff_id"] == org.sales
    run.fails(7, "tokens", "issue", org.sales2, actor=org.sales)
    human = run.ok("departments", "list", actor=org.sales).stdout
    assert "Sales" in human and "Qian Manager" in human


def test_human_tables_are_aligned_and_readable(run: Cli, org: CliOrg) -> None:
    register(run, org.sales, "王小明", "13800138000")
    register(run, org.sales, "Zhang San", "13900139000")
    out = run.ok("customers", "list", actor=org.sales).stdout
    lines = out.splitlines()
    header, rule, *rows = lines
    assert header.split()[:3] == ["ID", "NAME", "PHONE"]
    assert set(rule.replace(" ", "")) == {"-"}
    assert len(rows) == 2
    # the phone column starts at the same display offset in every row (wide chars count twice)
    phone_col = width(header[: header.index("PHONE")])
    for row in rows:
        phone = "+8613800138000" if "13800138000" in row else "+8613900139000"
        assert width(row[: row.index(phone)]) == phone_col, out
    assert "Li Lei" in out and "prospect" in out

    staff_out = run.ok("staff", "list", actor=org.admin).stdout
    assert staff_out.splitlines()[0].split()[:3] == ["ID", "NAME", "ROLE"]
    assert "Sun Supervisor" in staff_out and "Sales" in staff_out


def test_destroying_a_file_before_its_retention_ends_exits_5(run: Cli, org: CliOrg) -> None:
    cid = str(register(run, org.sales, "Zhang San", "13800138000")["id"])
    fid = run.json("files", "open", cid, "service", actor=org.sales)["id"]
    result = run.fails(
        5, "files", "destroy-request", fid, "--reason", "cleanup", actor=org.supervisor
    )
    assert "must be kept until" in result.stderr and "rule: X-6" in result.stderr
    assert run.json("files", "destruction-requests", actor=org.manager) == []
    assert (
        run.ok("files", "destructions", actor=org.manager).stdout.strip() == "(no files destroyed)"
    )


def test_customers_find_by_initials_pinyin_and_phone(run: Cli, org: CliOrg) -> None:
    """Issue 11: ``customers find zs`` finds 张三; staff find only their own (CUS-1)."""
    zhang = register(run, org.sales, "张三", "138 0013 8000")
    register(run, org.sales2, "王五", "13900139000")
    assert [c["id"] for c in run.json("customers", "find", "zs", actor=org.sales)] == [zhang["id"]]
    human = run.ok("customers", "find", "zhangsan", actor=org.sales).stdout
    assert "张三" in human and "Li Lei" in human  # the owner's name, not only the id
    by_phone = run.json("customers", "find", "+86 138-0013-8000", actor=org.supervisor)
    assert [c["name"] for c in by_phone] == ["张三"]
    assert run.json("customers", "find", "ww", actor=org.sales) == []
    assert "no customer matches" in run.ok("customers", "find", "ww", actor=org.sales).stdout
    too_long = run.fails(3, "customers", "find", "x" * 65, "--json", actor=org.sales)
    assert problem_of(too_long)["field"] == "q"
