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
from csdomain.org.model import Staff
from csdomain.policy.model import Policy


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
