"""examples/policy_tests — a company's own policy file and its scenario tests — runs in CI
(issue 15 acceptance): it passes as shipped, and fails, naming the scenario, when its policy
file is edited to break one. Each run is a separate pytest process in a copy of the folder, as
a company's repository would run it: only the installed csdomain and its pytest plugin."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from company_policy import DEFAULT, EXAMPLE, company_policy

from adapters.policy_file import default_policy, load_policy
from adapters.policy_file.loader import policy_to_dict

FOLDER = Path(__file__).resolve().parents[2] / "examples" / "policy_tests"

pytestmark = pytest.mark.slow  # starts pytest processes


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "policy_tests"
    shutil.copytree(FOLDER, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def _pytest(folder: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "CSDOMAIN_"))}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rf"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def test_policy_tests_example_passes(tmp_path: Path) -> None:
    result = _pytest(_copy(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    passed = re.search(r"(\d+) passed", result.stdout)
    assert passed is not None and 5 <= int(passed[1]) <= 11, result.stdout


def test_policy_tests_example_fails_naming_the_scenario_its_edited_policy_breaks(
    tmp_path: Path,
) -> None:
    """PEN-1: the company's late hand-over fine edited from 80 back to 50 元 breaks the
    scenarios that count on 80; the run fails and names them."""
    folder = _copy(tmp_path)
    policy = folder / "policy.toml"
    text = policy.read_text(encoding="utf-8")
    edited, n = re.subn(
        r'(code = "file_late"\n(?:[^\[\n][^\n]*\n)*?)amount = "80\.00"',
        r'\1amount = "50.00"',
        text,
        count=1,
    )
    assert n == 1, "the example policy's file_late fine is no longer 80.00"
    policy.write_text(edited, encoding="utf-8")
    result = _pytest(folder)
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    failed = "test_files_and_fines.py::test_service_adviser_hands_over_three_files_late_in_october"
    assert f"FAILED {failed}" in out
    assert "scenario 'A service adviser hands over three files late in October'" in out
    assert "['50.00', '100.00', '100.00']" in out  # what the edited policy gives instead
    assert "2 failed, 9 passed" in out, out
    # the traceback points at the scenario's line; the kit's own frames are hidden
    assert '>       s.then.fines(li, "2026-10", ["80.00", "160.00", "160.00"]' in out, out
    assert "adapters/testing/scenario.py" not in out, out


def _flat(value: Any, path: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(_flat(item, f"{path}.{key}" if path else str(key)))
        return out
    if isinstance(value, list) and all(isinstance(x, dict) and "code" in x for x in value):
        return _flat({x["code"]: x for x in value}, path)
    return {path: value}


def test_company_policy_is_the_current_default_with_its_changes() -> None:
    """The example stays a copy of the default plus the lines marked ``# OURS:``."""
    made = company_policy(DEFAULT.read_text(encoding="utf-8"))
    assert EXAMPLE.read_text(encoding="utf-8") == made, (
        "examples/policy_tests/policy.toml is not the current default policy with the example's "
        "changes: regenerate it with `python tests/examples/company_policy.py`"
    )


def test_company_policy_differs_from_the_default_only_where_marked() -> None:
    """What the ``# OURS:`` lines change is exactly these keys (and nothing else)."""
    ours = _flat(policy_to_dict(load_policy(FOLDER / "policy.toml")))
    default = _flat(policy_to_dict(default_policy()))
    changed = {k for k in ours.keys() | default.keys() if ours.get(k) != default.get(k)}
    assert changed == {
        "version",
        "name",
        "penalties.catalogue.file_late.amount",
        "penalties.catalogue.case_deadline_missed.amount",
        "penalties.catalogue.visit_report_late.amount",
        "penalties.repeat_rules.file_rules.from_nth.service_adviser",
    }
    marked = re.findall(r"\S  # OURS: ", (FOLDER / "policy.toml").read_text(encoding="utf-8"))
    assert len(marked) == 4
