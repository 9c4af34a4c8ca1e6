"""The test kit for policy owners (issue 15, deliverable 4): ``adapters.testing.kit`` — a
memory-backed ``Lab`` on the PRC calendar under a given policy file, the given/when/then
``Scenario`` builder, and the pytest plugin (fixtures ``csd_policy``, ``csd_lab``,
``csd_scenario``) registered through the ``pytest11`` entry point."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import date, timedelta
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from adapters.policy_file import DEFAULT_POLICY_PATH, default_policy
from adapters.testing.kit import DEFAULT_START, Lab, Scenario, ScenarioFailed
from csd_support import at
from csdomain.kernel.errors import InvalidTransition, PermissionDenied
from csdomain.org.model import Staff
from csdomain.policy.model import Policy
from csdomain.service_jobs.model import ServiceJob
from csdomain.surveys.model import Survey


def _policy_with_file_late(tmp_path: Path, amount: str, name: str = "ours.toml") -> Path:
    """The default policy file with the PEN-1 late hand-over fine changed to ``amount``."""
    text = Path(DEFAULT_POLICY_PATH).read_text(encoding="utf-8")
    head, rest = text.split('code = "file_late"\n', 1)
    rest = rest.replace('amount = "50.00"', f'amount = "{amount}"', 1)
    path = tmp_path / name
    path.write_text(head + 'code = "file_late"\n' + rest, encoding="utf-8")
    return path


def _late_files(s: Scenario) -> Staff:
    """A service adviser hands over three service files of 8 October (due 9th) on the 20th."""
    li = s.given.staff("Li Lei", position="service_adviser")
    files = s.given.files_opened(li, 3, kind="service", on="2026-10-08")
    s.when.files_handed_over(li, files, at="2026-10-20 16:00")
    return li


# ---------------------------------------------------------------- the Lab
def test_x1_lab_clock_runs_on_the_prc_calendar_skipping_national_day() -> None:
    """X-1/CUS-3: a service file of 30 September is due 1 working day later: 8 October."""
    lab = Lab()
    assert lab.now() == at(DEFAULT_START)
    li = lab.staff("Li Lei", position="service_adviser")
    f = lab.open_file(li, lab.customer(li), "service", "2026-09-30")
    assert f.due_on == date(2026, 10, 8)
    lab.advance(timedelta(days=1))
    assert lab.now() == at("2026-10-02 09:00")


def test_pen2_default_policy_doubles_from_the_third_for_service_advisers() -> None:
    """PEN-2 (default): a service adviser's 3 late files in October: 50 + 50 + 100."""
    s = Scenario(Lab(), "three late files")
    li = _late_files(s)
    fines = s.then.fines(li, "2026-10", ["50.00", "50.00", "100.00"], code="file_late")
    assert all(e.month == "2026-10" for e in fines)
    s.then.statement_total(li, "2026-10", "200.00")
    s.then.fines_total(li, "2026-10", "200.00")
    # then runs the jobs each time; each fact is recorded once, so nothing doubles
    s.then.violations(li, "2026-10", 3, code="file_late")


def test_pen1_lab_loads_the_given_policy_file(tmp_path: Path) -> None:
    """PEN-1: under a policy file with an 80 元 late hand-over fine, the fines are 80-based."""
    s = Scenario(Lab(_policy_with_file_late(tmp_path, "80.00")), "our fine")
    li = _late_files(s)
    s.then.fines(li, "2026-10", ["80.00", "80.00", "160.00"])


def test_pen1_policy_adopted_from_november_leaves_october_fines_alone(tmp_path: Path) -> None:
    """Issue 15/PEN-1: the 80 元 fine adopted from 2026-11-01 (uploaded by the manager,
    activated by the GM): a late file of October stays 50, one of November costs 80."""
    s = Scenario(Lab(), "80 from November")
    assert (
        s.given.policy_adopted(
            _policy_with_file_late(tmp_path, "80.00"), effective_from="2026-11-01"
        )
        == 2
    )
    li = s.given.staff("Li Lei", position="service_adviser")
    (october,) = s.given.files_opened(li, kind="service", on="2026-10-26")  # due 10-27
    s.when.files_handed_over(li, [october], at="2026-10-29 10:00")
    (november,) = s.given.files_opened(li, kind="service", on="2026-11-02")  # due 11-03
    s.when.files_handed_over(li, [november], at="2026-11-05 10:00")
    s.then.fines(li, "2026-10", ["50.00"], code="file_late")
    s.then.fines(li, "2026-11", ["80.00"], code="file_late")


def test_then_failure_names_the_scenario_and_what_happened() -> None:
    """A broken expectation is a ScenarioFailed (an AssertionError) naming the scenario."""
    s = Scenario(Lab(), "a service adviser hands over three files late in October")
    li = _late_files(s)
    with pytest.raises(ScenarioFailed, match="three files late in October") as failed:
        s.then.statement_total(li, "2026-10", "150.00")
    assert "got 200.00 元" in str(failed.value)
    assert isinstance(failed.value, AssertionError)
    with pytest.raises(ScenarioFailed, match=r"\['50.00', '50.00', '100.00'\]"):
        s.then.fines(li, "2026-10", ["80.00", "80.00", "160.00"], code="file_late")


def test_case7_unacknowledged_case_breaches_after_24_hours_and_fines_its_owner() -> None:
    """CASE-7/PEN-1: no acknowledgement within 24 h is one breach, one 50 元 fine, once."""
    s = Scenario(Lab(), "late acknowledgement")
    zhou = s.given.staff("Zhou Jie", position="cs_desk")
    case = s.when.case_received(zhou, at="2026-10-20 09:00")
    s.when.time_passes(to="2026-10-21 08:59")
    s.then.breaches(case, [])
    s.when.time_passes(to="2026-10-21 09:30")
    s.then.breaches(case, ["acknowledge"])
    s.then.fines(zhou, "2026-10", ["50.00"], code="case_deadline_missed")
    assert s.when.jobs_run() == []  # recorded once


def test_case7_jobs_follow_the_clock_so_a_late_close_is_breached_before_closing() -> None:
    """CASE-7: moving the clock forward runs the sweep first, as the scheduler would: a case
    closed after its close clock ran out has that breach, charged to its handler."""
    s = Scenario(Lab(), "late close")
    zhou = s.given.staff("Zhou Jie", position="cs_desk")
    han = s.given.staff("Han Meimei", position="service_adviser")
    on_time = s.when.case_received(zhou, at="2026-10-20 09:00")
    s.when.case_acknowledged(on_time, zhou, at="2026-10-20 10:00")
    closed = s.when.case_resolved(
        on_time,
        han,
        solved_at="2026-10-20 15:00",
        replied_at="2026-10-21 10:00",
        closed_at="2026-10-23 10:00",
    )
    assert closed.state.value == "closed"
    s.then.breaches(on_time, [])
    late = s.when.case_received(zhou, at="2026-10-26 09:00")  # close due 11-02 17:30
    s.when.case_acknowledged(late, zhou, at="2026-10-26 10:00")
    s.when.case_resolved(
        late,
        han,
        solved_at="2026-10-26 15:00",
        replied_at="2026-10-27 10:00",
        closed_at="2026-11-05 10:00",
    )
    s.then.breaches(late, ["close"])
    s.then.fines(han, "2026-11", ["50.00"], code="case_deadline_missed")
    s.then.fines(han, "2026-10", [])


def test_vis2_an_unreported_planned_visit_is_flagged_by_the_jobs() -> None:
    """VIS-2: an approved planned visit not reported 2 working days later is a violation."""
    s = Scenario(Lab(), "unreported visit")
    li = s.given.staff("Li Lei", position="sales_adviser")
    dealer = s.given.customer(li, "Dalian Motors")
    (planned,) = s.given.visits_planned(li, "2026-10", [(dealer, "2026-10-12")])
    assert planned.approved
    s.when.time_passes(to="2026-10-14 18:00")  # due 10-14: not late yet
    s.then.violations(li, "2026-10", 0)
    s.when.time_passes(to="2026-10-15 09:00")
    s.then.fines(li, "2026-10", ["50.00"], code="visit_report_late")
    visit = s.when.visit_reported(li, dealer, "2026-10-12", at="2026-10-16", planned=planned)
    s.then.visit_late(visit)
    s.then.violations(li, "2026-10", 1)  # flagged once, not again when reported


def test_crd3_shipment_within_the_rolling_line_is_allowed() -> None:
    """CRD-2/CRD-3: invoiced 30 000 in the window: 10 000 more is refused, 0 over is not."""
    s = Scenario(Lab(), "credit")
    li = s.given.staff("Li Lei", position="sales_adviser")
    dealer = s.given.credit_customer(li, invoiced=[("30000.00", "2026-09-20")])
    s.lab.pay(li, dealer, "10000.00", "2026-09-25")
    ok = s.when.shipment_requested(li, dealer, "10000.00", at="2026-10-08 10:00")
    s.then.shipment(ok, "within_line", allowed=True)
    with pytest.raises(ScenarioFailed, match="within_line"):
        s.then.shipment(s.when.shipment_requested(li, dealer, "1.00"), "within_line")


def test_pen10_month_settled_through_the_kit() -> None:
    """PEN-10: the manager settles October after it ended; the statement is then settled."""
    s = Scenario(Lab(), "settle")
    li = _late_files(s)
    statements = s.when.month_settled("2026-10", at="2026-11-05 09:00")
    assert [x.total.amount for x in statements if x.staff_id == li.id] == [200]
    assert s.then.statement_total(li, "2026-10", "200.00").settled_at is not None


def test_plugin_is_registered_through_the_pytest11_entry_point() -> None:
    names = {ep.value for ep in entry_points(group="pytest11")}
    assert "adapters.testing.plugin" in names


def test_plugin_imports_nothing_of_csdomain_until_a_fixture_is_used() -> None:
    """No import-time side effects: other suites that load the plugin are not disturbed."""
    code = (
        "import sys, adapters.testing.plugin; "
        "print(sorted(m for m in sys.modules if m.startswith(('csdomain', 'adapters.'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "['adapters.testing', 'adapters.testing.plugin']"


def test_csd_fixtures_default_to_the_default_policy(
    csd_policy: Policy, csd_lab: Lab, csd_scenario: Scenario
) -> None:
    """Fixtures from the plugin: the default policy, the clock at its start."""
    assert csd_policy.version == default_policy().version
    assert csd_lab.policy is csd_policy
    assert csd_lab.now() == at(DEFAULT_START)
    assert (
        csd_scenario.name == "Fixtures from the plugin: the default policy, the clock at its start."
    )


@pytest.mark.slow
def test_plugin_reads_the_ini_option_the_marker_and_the_command_line(tmp_path: Path) -> None:
    """The policy file comes from the marker, else --csd-policy, else the ini option."""
    _policy_with_file_late(tmp_path, "80.00", "ini.toml")
    (tmp_path / "sub").mkdir()
    _policy_with_file_late(tmp_path / "sub", "70.00", "marked.toml")
    _policy_with_file_late(tmp_path, "60.00", "cli.toml")
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\ncsd_policy = ini.toml\ncsd_start = 2026-10-05 09:00\n", encoding="utf-8"
    )
    (tmp_path / "sub" / "test_company.py").write_text(
        textwrap.dedent(
            """
            import os
            import pytest

            def fine(lab):
                return next(v for v in lab.policy.penalties.catalogue if v.code == "file_late")

            def test_ini(csd_lab):
                assert str(csd_lab.now()) == "2026-10-05 09:00:00+08:00"
                assert fine(csd_lab).amount == os.environ["WANT"]

            @pytest.mark.csd_policy("marked.toml")
            @pytest.mark.csd_start("2026-11-02 10:00")
            def test_marker(csd_lab):
                assert str(csd_lab.now()) == "2026-11-02 10:00:00+08:00"
                assert fine(csd_lab).amount == "70.00"
            """
        ),
        encoding="utf-8",
    )

    def run(*args: str, want: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
            env={**_clean_env(), "WANT": want},
        )

    ini = run(want="80.00")
    assert ini.returncode == 0, ini.stdout + ini.stderr
    cli = run("--csd-policy", "cli.toml", want="60.00")
    assert cli.returncode == 0, cli.stdout + cli.stderr
    assert "2 passed" in cli.stdout


def _clean_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "CSDOMAIN_"))}


# ------------------------------------------- service jobs, surveys, CAPA, appeals (issue 15)
def _policy_text_with(tmp_path: Path, old: str, new: str, name: str = "changed.toml") -> Path:
    """The default policy file with one line ``old`` (which must occur once) made ``new``."""
    text = Path(DEFAULT_POLICY_PATH).read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def _late_repair(s: Scenario) -> tuple[Staff, ServiceJob]:
    """A city repair call of Monday 12 October 09:00 (due on site by 15:00, 6 business hours),
    the technician on site at 16:30, fixed and invoiced at 17:00."""
    wu = s.given.staff("Wu (technician)", position="technician")
    job = s.given.job_registered(zone="city", at="2026-10-12 09:00")
    s.when.job_dispatched(job, wu, at="2026-10-12 09:30")
    s.when.job_arrived(job, at="2026-10-12 16:30")
    s.when.job_fixed(job, at="2026-10-12 17:00", invoice="300.00")
    return wu, job


def test_case12_late_arrival_is_reported_overdue_and_the_job_rated() -> None:
    """CASE-12/SAT-1: a city job is due on site within 6 business hours; arriving later is
    late and the scheduler's late-jobs report names it, once; the customer's ratings close
    the job."""
    s = Scenario(Lab(), "late repair")
    _, job = _late_repair(s)
    assert s.then.job_arrival(job, late=True).arrive_by == at("2026-10-12 15:00")
    reported = s.then.job_reported_overdue(job)
    # swept when the clock moved on to 16:30, before the technician got there
    assert reported.overdue_reported_at == at("2026-10-12 16:30")
    with pytest.raises(ScenarioFailed, match="on time"):
        s.then.job_arrival(job, late=False)
    rated = s.when.job_rated(job, "satisfied")
    assert rated.state.value == "closed"
    s.then.job_ratings(job, "satisfied")
    with pytest.raises(ScenarioFailed, match="rated"):
        s.then.job_ratings(job, {"attitude": "fair"})


def test_case12_dense_zone_job_arriving_within_twelve_hours_is_on_time() -> None:
    """CASE-12: the dense zone counts 12 hours round the clock (24x7): registered 20:00,
    on site 07:00 the next morning is on time and never reported overdue."""
    s = Scenario(Lab(), "night call")
    wu = s.given.staff("Wu (technician)", position="technician")
    job = s.given.job_registered(zone="dense", at="2026-10-13 20:00")
    s.when.job_dispatched(job, wu, at="2026-10-13 20:10")
    s.when.job_arrived(job, at="2026-10-14 07:00")
    assert s.then.job_arrival(job, late=False).arrive_by == at("2026-10-14 08:00")
    s.when.time_passes(to="2026-10-15 09:00")
    s.then.job_reported_overdue(job, reported=False)
    with pytest.raises(ScenarioFailed, match="reported overdue"):
        s.then.job_reported_overdue(job)


def test_case12_scenario_fails_naming_the_deadline_when_the_zone_hours_change(
    tmp_path: Path,
) -> None:
    """CASE-12: the same scenario under a policy giving the city 8 business hours: the 16:30
    arrival is on time now, and the expectation "late" fails saying so."""
    policy = _policy_text_with(
        tmp_path, 'label = "City"\nhours = 6\n', 'label = "City"\nhours = 8\n'
    )
    s = Scenario(Lab(policy), "late repair under 8 hours")
    _, job = _late_repair(s)
    with pytest.raises(ScenarioFailed) as failed:
        s.then.job_arrival(job, late=True)
    message = str(failed.value)
    assert "'late repair under 8 hours'" in message
    assert "due on site by 2026-10-12 17:00" in message and "arrived 2026-10-12 16:30" in message
    s.then.job_reported_overdue(job, reported=False)


def _low_survey(s: Scenario) -> Survey:
    """A survey of 2 November to the policy's 30 % sample of 10 active customers; the three
    asked answer satisfied, satisfied, dissatisfied (66.7 %); closed after the window."""
    li = s.given.staff("Li Lei", position="service_adviser")
    s.given.active_customers(li, 10)
    survey = s.given.survey_issued(on="2026-11-02")
    assert s.when.survey_answered(survey, ["satisfied", "satisfied", "dissatisfied"]) == 3
    s.when.survey_closed(survey, at="2026-11-12")
    return survey


def test_sat2_sat3_survey_below_target_raises_a_capa_case_once() -> None:
    """SAT-2/SAT-3: 2 of 3 satisfied is 66.7 %, below the 90 % target: the corrective action
    is due and, raised, is a case with a CAPA item (CASE-11); raising again creates none."""
    s = Scenario(Lab(), "low satisfaction")
    survey = _low_survey(s)
    results = s.then.survey_results(survey, returned=3, satisfaction="66.7", return_rate="100.0")
    assert results.distributed == 3 and results.population == 10  # 30 % of 10
    s.then.survey_target(survey, met=False)
    s.then.corrective_action(survey, raised=False)
    with pytest.raises(ScenarioFailed, match="meeting the 90 % target"):
        s.then.survey_target(survey, met=True)
    action = s.when.corrective_action_raised(survey, s.lab.supervisor)
    assert action.created
    case = s.then.corrective_action(survey)
    assert case is not None and case.number == action.case_number
    assert not s.when.corrective_action_raised(survey, s.lab.supervisor).created
    with pytest.raises(ScenarioFailed, match="not raised"):
        s.then.corrective_action(survey, raised=False)


def test_sat3_scenario_fails_when_the_target_is_lowered(tmp_path: Path) -> None:
    """SAT-3: under a 60 % target the same answers meet it; expecting "below" fails naming
    the target and the rate, and no corrective action is due."""
    policy = _policy_text_with(tmp_path, "target_percent = 90 ", "target_percent = 60 ")
    s = Scenario(Lab(policy), "satisfaction under a 60 % target")
    survey = _low_survey(s)
    with pytest.raises(ScenarioFailed) as failed:
        s.then.survey_target(survey, met=False)
    assert "below the 60 % target" in str(failed.value)
    assert "66.7 % (2 of 3 satisfied)" in str(failed.value)
    with pytest.raises(InvalidTransition, match="meets the target"):
        s.when.corrective_action_raised(survey, s.lab.supervisor)


def test_case11_case_cannot_close_until_another_department_verifies_its_capa() -> None:
    """CASE-11: a handled case with a corrective action closes only once the action is done
    and verified effective by someone of another department."""
    s = Scenario(Lab(), "corrective action")
    han = s.given.staff("Han Meimei", position="service_adviser")
    zhao = s.given.staff_of("Quality", "Zhao (quality)")
    case = s.when.case_received(s.lab.clerk, at="2026-10-12 09:00")
    s.when.case_acknowledged(case, s.lab.clerk, at="2026-10-12 10:00")
    s.when.case_handled(case, han, solved_at="2026-10-12 14:00", replied_at="2026-10-13 10:00")
    item = s.when.corrective_action_added(case, han, at="2026-10-13 11:00")
    assert item.due_on == date(2026, 10, 20)  # capa_due_working_days = 5
    s.then.case_cannot_close(case, han)
    s.when.corrective_action_done(item, at="2026-10-14 10:00")
    s.then.case_cannot_close(case, han)  # done, not verified
    with pytest.raises(PermissionDenied, match="another department"):
        s.when.corrective_action_verified(item, by=s.lab.supervisor)
    s.when.corrective_action_verified(item, by=zhao, at="2026-10-14 11:00")
    s.when.case_closed(case, han, at="2026-10-14 12:00")
    assert s.then.case_closed(case).state.value == "closed"
    with pytest.raises(ScenarioFailed, match="refused under CASE-11"):
        s.then.case_cannot_close(case, han)  # refused, but for being closed already


def test_case11_case_cannot_close_fails_when_nothing_blocks_the_close() -> None:
    """CASE-11: without a corrective action the case closes, so the expectation fails."""
    s = Scenario(Lab(), "no corrective action")
    han = s.given.staff("Han Meimei", position="service_adviser")
    case = s.when.case_received(s.lab.clerk, at="2026-10-12 09:00")
    s.when.case_handled(case, han, solved_at="2026-10-12 14:00", replied_at="2026-10-13 10:00")
    with pytest.raises(ScenarioFailed, match="not closable yet"):
        s.then.case_cannot_close(case, han)


def test_pen10_appeals_waived_and_reduced_change_the_statement_total() -> None:
    """PEN-10: two 50 元 fines; one appeal waived (a reversing entry), one reduced to 20 元:
    the month's statement totals 20 元; an appeal upheld leaves its fine."""
    s = Scenario(Lab(), "appeals")
    li = s.given.staff("Li Lei", position="service_adviser")
    (first,) = s.given.violation(li, "file_late", "2026-10-15")
    (second,) = s.given.violation(li, "file_late", "2026-10-16")
    (third,) = s.given.violation(li, "file_late", "2026-10-19")  # the 3rd doubles: 100
    s.then.statement_total(li, "2026-10", "200.00")
    waived = s.when.fine_appealed(first)
    s.then.appeal(waived, "open")
    s.when.appeal_decided(waived, "waived")
    s.then.appeal(waived, "waived")
    s.then.statement_total(li, "2026-10", "150.00")
    reduced = s.when.fine_appealed(second)
    s.when.appeal_decided(reduced, "reduced", new_amount="20.00")
    upheld = s.when.fine_appealed(third)
    s.when.appeal_decided(upheld, "upheld")
    s.then.statement_total(li, "2026-10", "120.00")
    with pytest.raises(ScenarioFailed, match="waived"):
        s.then.appeal(upheld, "waived")
