"""The policy as data: the default policy (every number of docs/rules.md), ``parse_policy``
reporting every bad key with its path, and a changed policy changing behaviour."""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from unit_support import at, d, register

from adapters.bootstrap import bootstrap
from adapters.policy_file import (
    DEFAULT_POLICY_PATH,
    default_policy,
    dump_policy,
    load_policy,
    parse_policy,
)
from adapters.policy_file.loader import SUPPORTED_SCHEMA
from adapters.settings import Settings
from csdomain.customers.services import compute_score
from csdomain.kernel.clock import FixedClock
from csdomain.kernel.errors import PermissionDenied, PolicyError
from csdomain.kernel.money import Money
from csdomain.policy.model import Policy

Doc = dict[str, Any]


def raw_default() -> Doc:
    return tomllib.loads(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))


def problems_of(mutate: Callable[[Doc], None]) -> list[tuple[str, str]]:
    doc = raw_default()
    mutate(doc)
    with pytest.raises(PolicyError) as info:
        parse_policy(doc)
    assert info.value.problems, "a PolicyError must list its problems"
    return info.value.problems


def paths(problems: list[tuple[str, str]]) -> list[str]:
    return [p for p, _ in problems]


# ------------------------------------------------------------------ the default policy
def test_default_policy_loads_with_the_rule_numbers() -> None:
    p = default_policy()
    assert isinstance(p, Policy)
    assert p.schema == 2
    # X-3 staff < supervisor < manager < deputy GM < GM
    lv = p.authority.levels
    assert lv["staff"] < lv["supervisor"] < lv["manager"] < lv["deputy_gm"] < lv["gm"]
    #
    assert p.calendar.timezone == "Asia/Shanghai"
    assert p.calendar.extra_closed_days == [] and p.calendar.extra_working_days == []
    # X-5 the GM grants; customer files are top secret
    assert p.confidentiality.grant_role == "gm"
    assert p.confidentiality.levels["customer_file"] == "top_secret"
    assert p.confidentiality.levels["handover_record"] == "secret"
    # CUS-3 the 12-item new-sale file in 3 working days, the 4-item service file in 1
    files = p.customers.files
    assert files["new_sale"].handover_working_days == 3
    assert len(files["new_sale"].items) == 12
    assert files["service"].handover_working_days == 1
    assert len(files["service"].items) == 4
    # CUS-4
    g = p.customers.grading
    assert sum(g.weights.values()) == 100
    assert g.grades() == ["A", "B", "C"]
    assert (g.window_start, g.window_end) == ("03-25", "03-30")
    assert g.provisional_months == 6
    #
    assert p.customers.retention.customer_file_years == 10
    assert p.permissions.actions["customers.destruction.approve"].min_role == "gm"
    # X-5 customer master data (ID number, phone, address) is top secret
    assert p.confidentiality.levels["customer_master"] == "top_secret"
    # CUS-6 supervisor -> CS manager -> GM -> finance -> customer signature
    steps = p.customers.deregistration.steps
    assert [s.role for s in steps] == ["supervisor", "manager", "gm", "staff", "staff"]
    assert [s.settles_balance for s in steps] == [False, False, False, True, False]
    assert steps[-1].customer_signature


def test_default_policy_round_trips_through_dump() -> None:
    p = default_policy()
    assert parse_policy(tomllib.loads(dump_policy(p))) == p


def test_load_policy_reports_unreadable_and_non_toml_files(tmp_path: Path) -> None:
    with pytest.raises(PolicyError) as info:
        load_policy(tmp_path / "missing.toml")
    assert info.value.problems
    bad = tmp_path / "bad.toml"
    bad.write_text("schema = = 1\n", encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        load_policy(bad)
    assert info.value.problems[0][0] == "$"


def test_load_policy_reads_a_changed_copy(tmp_path: Path) -> None:
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8").replace(
        "handover_working_days = 3", "handover_working_days = 5"
    )
    f = tmp_path / "p.toml"
    f.write_text(text, encoding="utf-8")
    assert load_policy(f).customers.files["new_sale"].handover_working_days == 5


# ------------------------------------------------------------------ parse_policy problems
def test_policy_unknown_key_is_reported_with_its_path() -> None:
    probs = problems_of(lambda doc: doc["customers"]["grading"].__setitem__("windw_start", "x"))
    assert len(probs) == 1
    path, why = probs[0]
    assert path.startswith("$.customers.grading")
    assert "windw_start" in path + why
    assert "unknown" in why


def test_policy_unknown_top_level_key_is_reported() -> None:
    probs = problems_of(lambda doc: doc.__setitem__("custmers", {}))
    assert len(probs) == 1
    assert "custmers" in probs[0][0] + probs[0][1]


def test_policy_wrong_type_is_reported_with_its_path() -> None:
    probs = problems_of(
        lambda doc: doc["customers"]["files"]["new_sale"].__setitem__("handover_working_days", "3")
    )
    assert probs == [
        ("$.customers.files['new_sale'].handover_working_days", "expected a whole number, got '3'")
    ]


def test_policy_bool_is_not_a_number() -> None:
    probs = problems_of(lambda doc: doc["customers"]["grading"].__setitem__("max_score", True))
    assert paths(probs) == ["$.customers.grading.max_score"]


def test_policy_missing_key_is_reported_with_its_path() -> None:
    probs = problems_of(lambda doc: doc["customers"]["retention"].pop("customer_file_years"))
    assert probs == [("$.customers.retention.customer_file_years", "required key is missing")]


def test_policy_weights_not_adding_up_to_100_are_reported_at_the_weights() -> None:
    probs = problems_of(lambda doc: doc["customers"]["grading"]["weights"].__setitem__("trend", 0))
    assert len(probs) == 1
    path, why = probs[0]
    assert path == "$.customers.grading.weights"
    assert "100" in why and "90" in why


def test_policy_bad_role_is_reported_at_the_key() -> None:
    probs = problems_of(lambda doc: doc["confidentiality"].__setitem__("grant_role", "ceo"))
    assert len(probs) == 1
    assert probs[0][0] == "$.confidentiality.grant_role"
    assert "ceo" in probs[0][1]


def test_policy_bad_role_in_a_deregistration_step_names_the_step() -> None:
    probs = problems_of(
        lambda doc: doc["customers"]["deregistration"]["steps"][1].__setitem__("role", "boss")
    )
    assert paths(probs) == ["$.customers.deregistration.steps[1].role"]


@pytest.mark.parametrize("value", ["8:30", "25:00", "08:60", "0830", "late"])
def test_policy_bad_hhmm_is_reported_at_the_key(value: str) -> None:
    probs = problems_of(lambda doc: doc["calendar"].__setitem__("business_day_start", value))
    assert paths(probs) == ["$.calendar.business_day_start"]
    assert "HH:MM" in probs[0][1]


def test_policy_business_day_must_end_after_it_starts() -> None:
    def mutate(doc: Doc) -> None:
        doc["calendar"]["business_day_start"] = "18:00"

    probs = problems_of(mutate)
    assert len(probs) == 1
    assert probs[0][0].startswith("$.calendar")
    assert "after" in probs[0][1]


def test_policy_bad_mmdd_window_is_reported_at_the_key() -> None:
    probs = problems_of(lambda doc: doc["customers"]["grading"].__setitem__("window_end", "3-30"))
    assert paths(probs) == ["$.customers.grading.window_end"]


def test_policy_bad_date_in_company_closures_is_reported_with_the_index() -> None:
    probs = problems_of(
        lambda doc: doc["calendar"].__setitem__("extra_closed_days", ["2026-10-09", "2026-13-01"])
    )
    assert paths(probs) == ["$.calendar.extra_closed_days[1]"]


def test_policy_unknown_role_in_authority_levels() -> None:
    probs = problems_of(lambda doc: doc["authority"]["levels"].__setitem__("ceo", 9))
    assert len(probs) == 1
    assert probs[0][0].startswith("$.authority")
    assert "ceo" in probs[0][1]


def test_policy_every_role_needs_an_authority_level() -> None:
    probs = problems_of(lambda doc: doc["authority"]["levels"].pop("deputy_gm"))
    assert len(probs) == 1
    assert "deputy_gm" in probs[0][1]


def test_policy_bands_must_descend_and_end_at_zero() -> None:
    def unordered(doc: Doc) -> None:
        doc["customers"]["grading"]["bands"] = [
            {"grade": "A", "min_score": 50},
            {"grade": "B", "min_score": 60},
            {"grade": "C", "min_score": 0},
        ]

    def no_floor(doc: Doc) -> None:
        doc["customers"]["grading"]["bands"] = [
            {"grade": "A", "min_score": 80},
            {"grade": "B", "min_score": 10},
        ]

    for mutate in (unordered, no_floor):
        probs = problems_of(mutate)
        assert paths(probs) == ["$.customers.grading.bands"]


def test_policy_checklists_must_be_non_empty_and_unique() -> None:
    probs = problems_of(lambda doc: doc["customers"]["files"]["service"].__setitem__("items", []))
    assert paths(probs) == ["$.customers.files['service'].items"]

    def dup(doc: Doc) -> None:
        items = doc["customers"]["files"]["service"]["items"]
        items.append(dict(items[0]))

    probs = problems_of(dup)
    assert paths(probs) == ["$.customers.files['service'].items"]
    assert "unique" in probs[0][1]


def test_policy_deregistration_step_names_must_be_unique() -> None:
    def dup(doc: Doc) -> None:
        steps = doc["customers"]["deregistration"]["steps"]
        steps.append(dict(steps[0]))

    probs = problems_of(dup)
    assert paths(probs) == ["$.customers.deregistration.steps"]


def test_policy_negative_and_zero_numbers_are_refused() -> None:
    probs = problems_of(
        lambda doc: doc["customers"]["files"]["service"].__setitem__("handover_working_days", -1)
    )
    assert paths(probs) == ["$.customers.files['service'].handover_working_days"]
    probs = problems_of(
        lambda doc: doc["customers"]["retention"].__setitem__("customer_file_years", 0)
    )
    assert paths(probs) == ["$.customers.retention.customer_file_years"]


def test_policy_reports_every_problem_at_once() -> None:
    def many(doc: Doc) -> None:
        doc["customers"]["retention"].pop("customer_file_years")  # missing
        doc["customers"]["files"]["new_sale"]["handover_working_days"] = "3"  # wrong type
        doc["customers"]["grading"]["weights"]["trend"] = 0  # weights add up to 90
        doc["confidentiality"]["grant_role"] = "ceo"  # bad role
        doc["calendar"]["business_day_end"] = "5pm"  # bad HH:MM
        doc["customers"]["registration"]["transfr_role"] = "gm"  # unknown key
        doc["authority"]["levels"]["gm"] = "x"  # wrong type

    probs = problems_of(many)
    got = paths(probs)
    expected = {
        "$.customers.retention.customer_file_years",
        "$.customers.files['new_sale'].handover_working_days",
        "$.customers.grading.weights",
        "$.confidentiality.grant_role",
        "$.calendar.business_day_end",
        "$.authority.levels['gm']",
    }
    assert expected <= set(got), probs
    assert any("transfr_role" in p + w for p, w in probs), probs
    assert len(probs) == 7, probs


def test_policy_problems_in_one_table_are_all_reported() -> None:
    def two(doc: Doc) -> None:
        doc["calendar"]["business_day_start"] = "8am"
        doc["calendar"]["business_day_end"] = "5pm"

    assert set(paths(problems_of(two))) == {
        "$.calendar.business_day_start",
        "$.calendar.business_day_end",
    }


@pytest.mark.parametrize(
    "schema",
    # the superseded schema, a future one, nonsense, the right number as text, none at all
    [SUPPORTED_SCHEMA - 1, SUPPORTED_SCHEMA + 1, 0, str(SUPPORTED_SCHEMA), None],
    ids=["previous", "next", "zero", "text", "missing"],
)
def test_policy_unsupported_schema_is_refused(schema: object) -> None:
    assert raw_default()["schema"] == SUPPORTED_SCHEMA  # the shipped policy is supported

    def mutate(doc: Doc) -> None:
        if schema is None:
            doc.pop("schema")
        else:
            doc["schema"] = schema

    probs = problems_of(mutate)
    assert paths(probs) == ["$.schema"]


# ------------------------------------------------------------------ a changed policy
def changed(mutate: Callable[[Doc], None]) -> Policy:
    doc = copy.deepcopy(raw_default())
    mutate(doc)
    return parse_policy(doc)


def app_with(policy: Policy, when: str = "2026-09-18 10:00") -> Any:
    return bootstrap(Settings(storage="memory"), clock=FixedClock(at(when)), policy=policy)


def org_for(app: Any) -> Any:
    # the shared make_org lives in tests/conftest.py; rebuild the parts we need here
    org = app.services.org
    admin, _ = org.bootstrap_admin("Admin")
    dept = org.add_department(admin.id, "Sales")
    gm = org.add_staff(admin.id, name="GM", role="gm")
    manager = org.add_staff(admin.id, name="Mgr", role="manager", department_id=dept.id)
    org.set_department_head(admin.id, dept.id, manager.id)
    supervisor = org.add_staff(admin.id, name="Sup", role="supervisor", department_id=dept.id)
    sales = org.add_staff(admin.id, name="Sales", role="staff", department_id=dept.id)
    sales2 = org.add_staff(admin.id, name="Sales2", role="staff", department_id=dept.id)
    return {
        "admin": admin,
        "gm": gm,
        "manager": manager,
        "supervisor": supervisor,
        "sales": sales,
        "sales2": sales2,
    }


def test_cus3_changed_handover_working_days_changes_the_due_date() -> None:
    policy = changed(
        lambda doc: doc["customers"]["files"]["new_sale"].__setitem__("handover_working_days", 5)
    )
    app = app_with(policy)
    o = org_for(app)
    c = register(app, o["sales"].id)
    f = app.services.customers.open_file(o["sales"].id, c.id, "new_sale", d("2026-09-18"))
    # 20 (make-up Sun), 21, 22, 23, 24 -> five working days
    assert f.due_on == d("2026-09-24")


def test_cus3_a_company_file_kind_and_checklist_come_from_the_policy() -> None:
    def mutate(doc: Doc) -> None:
        doc["customers"]["files"]["used_car"] = {
            "label": "Used car",
            "handover_working_days": 2,
            "items": [{"code": "appraisal", "label": "Appraisal"}],
        }

    app = app_with(changed(mutate))
    o = org_for(app)
    c = register(app, o["sales"].id)
    f = app.services.customers.open_file(o["sales"].id, c.id, "used_car", d("2026-09-30"))
    assert f.due_on == d("2026-10-09")
    status = app.services.customers.add_documents(o["sales"].id, f.id, {"appraisal": "box 1"})
    assert status.missing_items == []


def test_x1_company_closure_in_the_policy_moves_file_deadlines() -> None:
    policy = changed(
        lambda doc: doc["calendar"].__setitem__("extra_closed_days", [date(2026, 9, 21)])
    )
    app = app_with(policy)
    o = org_for(app)
    c = register(app, o["sales"].id)
    f = app.services.customers.open_file(o["sales"].id, c.id, "new_sale", d("2026-09-18"))
    assert f.due_on == d("2026-09-23")


def test_cus4_different_grade_bands_change_the_grade() -> None:
    def mutate(doc: Doc) -> None:
        doc["customers"]["grading"]["bands"] = [
            {"grade": "AAA", "min_score": 90},
            {"grade": "AA", "min_score": 75},
            {"grade": "A", "min_score": 50},
            {"grade": "B", "min_score": 0},
        ]

    default_app = app_with(default_policy())
    app = app_with(changed(mutate))
    scores = {k: 78 for k in default_policy().customers.grading.weights}
    grading = app.policy.customers.grading
    assert compute_score(default_app.policy.customers.grading, scores) == (78, "B")
    assert compute_score(grading, scores) == (78, "AA")
    assert compute_score(grading, dict.fromkeys(scores, 95)) == (95, "AAA")
    assert compute_score(grading, dict.fromkeys(scores, 10)) == (10, "B")


def test_cus4_different_weights_change_the_score() -> None:
    def mutate(doc: Doc) -> None:
        doc["customers"]["grading"]["weights"] = {"annual_sales": 100}

    app = app_with(changed(mutate))
    assert compute_score(app.policy.customers.grading, {"annual_sales": 81}) == (81, "A")


def test_cus1_changed_transfer_min_role_lets_a_supervisor_transfer() -> None:
    policy = changed(
        lambda doc: doc["permissions"]["actions"]["customers.transfer"].__setitem__(
            "min_role", "supervisor"
        )
    )
    app = app_with(policy)
    o = org_for(app)
    c = register(app, o["sales"].id)
    moved = app.services.customers.transfer(
        o["supervisor"].id, c.id, o["sales2"].id, "sales left the store", c.version
    )
    assert moved.owner_id == o["sales2"].id
    # with the default policy a supervisor may not
    app2 = app_with(default_policy())
    o2 = org_for(app2)
    c2 = register(app2, o2["sales"].id)
    with pytest.raises(PermissionDenied):
        app2.services.customers.transfer(o2["supervisor"].id, c2.id, o2["sales2"].id, "x", 1)


def test_cus6_a_shorter_deregistration_chain_completes_sooner() -> None:
    def mutate(doc: Doc) -> None:
        doc["customers"]["deregistration"]["steps"] = [
            {"name": "manager_ok", "role": "manager"},
            {"name": "refund", "role": "staff", "settles_balance": True},
        ]

    app = app_with(changed(mutate))
    o = org_for(app)
    c = register(app, o["sales"].id)
    svc = app.services.customers
    dr = svc.apply_deregistration(o["sales"].id, c.id, "moving away")
    with pytest.raises(PermissionDenied):
        svc.advance_deregistration(o["supervisor"].id, dr.id, approve=True)
    svc.advance_deregistration(o["manager"].id, dr.id, approve=True)
    with pytest.raises(PermissionDenied):  # the applicant signs no step (CUS-6)
        svc.advance_deregistration(o["sales"].id, dr.id, approve=True, refund=Money("0.00"))
    done = svc.advance_deregistration(o["sales2"].id, dr.id, approve=True, refund=Money("0.00"))
    assert done.state.value == "completed"
    assert svc.get(o["sales"].id, c.id).status.value == "deregistered"


def test_x6_shorter_retention_allows_earlier_destruction() -> None:
    policy = changed(
        lambda doc: doc["customers"]["retention"].__setitem__("customer_file_years", 1)
    )
    app = app_with(policy)
    o = org_for(app)
    c = register(app, o["sales"].id)
    f = app.services.customers.open_file(o["sales"].id, c.id, "service", d("2026-09-18"))
    assert f.retention_until == d("2027-09-18")
    app.services.ctx.clock.set(at("2027-09-18 09:00"))  # type: ignore[attr-defined]
    svc = app.services.customers
    req = svc.request_destruction(o["supervisor"].id, f.id, "retention over")
    svc.review_destruction(o["manager"].id, req.id, approve=True)
    svc.approve_destruction(o["gm"].id, req.id, approve=True)
    (rec,) = svc.destructions(o["gm"].id)
    assert rec.retention_until == d("2027-09-18")


def test_x1_policy_closure_dates_must_be_dates_not_datetimes() -> None:
    """A TOML datetime would never equal a calendar date, silently ignoring the closure."""
    doc = tomllib.loads(
        DEFAULT_POLICY_PATH.read_text(encoding="utf-8").replace(
            "extra_closed_days = []", "extra_closed_days = [2026-09-21T00:00:00]"
        )
    )
    with pytest.raises(PolicyError) as info:
        parse_policy(doc)
    assert paths(info.value.problems) == ["$.calendar.extra_closed_days[0]"]


def test_x1_policy_closure_dates_accept_toml_dates_and_iso_strings() -> None:
    doc = tomllib.loads(
        DEFAULT_POLICY_PATH.read_text(encoding="utf-8").replace(
            "extra_closed_days = []", 'extra_closed_days = [2026-09-21, "2026-09-22"]'
        )
    )
    assert parse_policy(doc).calendar.extra_closed_days == [d("2026-09-21"), d("2026-09-22")]


@pytest.mark.parametrize("value", ["02-30", "04-31", "02-29"])
def test_cus4_grading_window_days_must_exist_every_year(value: str) -> None:
    """A window day that some years lack would crash the next-window computation."""
    probs = problems_of(lambda doc: doc["customers"]["grading"].__setitem__("window_start", value))
    assert paths(probs) == ["$.customers.grading.window_start"]


def test_cus4_grading_window_must_not_wrap_the_year() -> None:
    def mutate(doc: Doc) -> None:
        doc["customers"]["grading"]["window_start"] = "12-25"
        doc["customers"]["grading"]["window_end"] = "01-05"

    probs = problems_of(mutate)
    assert len(probs) == 1
    assert probs[0][0].startswith("$.customers.grading")
    assert "window_end" in probs[0][1]


def test_the_first_and_scheduler_accounts_take_their_roles_from_the_policy() -> None:
    """X-3: even the roles ``csdomain init`` gives its two accounts are policy data."""
    doc = raw_default()
    doc["permissions"]["first_account_role"] = "gm"
    doc["permissions"]["scheduler_role"] = "admin"
    app = bootstrap(
        Settings(storage="memory"),
        clock=FixedClock(at("2026-10-08 09:00")),
        policy=parse_policy(doc),
    )
    first, _ = app.services.org.bootstrap_admin("Founder")
    assert first.role == "gm"
    assert app.services.org.system_account().role == "admin"


def test_policy_unknown_account_role_is_reported_at_the_key() -> None:
    probs = problems_of(lambda doc: doc["permissions"].__setitem__("scheduler_role", "robot"))
    assert paths(probs) == ["$.permissions.scheduler_role"]
