"""docs/rules.md is the product's rule catalogue (issue 12): this keeps it honest.

Every rule ID of the catalogue has a row; a rule marked built or partly built is cited by at
least one test; a rule not built yet names the issue it waits for; a partly built one names
the issue that finishes it; every policy key a row names exists in the default policy.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
DOC = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
POLICY = tomllib.loads(
    (ROOT / "src" / "adapters" / "policy_file" / "default_policy.toml").read_text(encoding="utf-8")
)
EXPECTED = (
    [f"X-{n}" for n in range(1, 9)]
    + [f"CUS-{n}" for n in range(1, 8)]
    + [f"CASE-{n}" for n in range(1, 16)]
    + [f"PEN-{n}" for n in range(1, 12)]
    + [f"CRD-{n}" for n in range(1, 7)]
    + [f"VIS-{n}" for n in range(1, 7)]
    + [f"SAT-{n}" for n in range(1, 4)]
    + ["RPT"]
)
ROW = re.compile(
    r"^\| (?P<id>[A-Z]+(?:-\d+)?) \| (?P<rule>.+?) \| (?P<source>.+?) \| "
    r"(?P<keys>.+?) \| (?P<status>.+?) \|$"
)
ROWS = {m["id"]: m for m in (ROW.match(line) for line in DOC.splitlines()) if m and m["id"] != "ID"}
TESTS = {p: p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("*.py")}


def test_every_rule_has_one_row() -> None:
    assert sorted(ROWS) == sorted(EXPECTED)


@pytest.mark.parametrize("rule_id", EXPECTED)
def test_status_is_backed(rule_id: str) -> None:
    status = ROWS[rule_id]["status"]
    cite = re.compile(rf"\b{re.escape(rule_id)}\b(?!\d)")
    citing = [p for p, text in TESTS.items() if p.name != Path(__file__).name and cite.search(text)]
    if status.startswith("not built yet"):
        assert re.search(r"issue \d+", status), f"{rule_id}: name the issue it waits for"
    else:
        assert status == "built" or re.match(r"partly \(issue \d+", status), status
        assert citing, f"{rule_id} is {status} but no test cites it"


def _has_key(path: str) -> bool:
    node: object = POLICY
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


@pytest.mark.parametrize("rule_id", EXPECTED)
def test_named_policy_keys_exist(rule_id: str) -> None:
    keys = re.findall(r"`([a-z_][a-z_.]*)`", ROWS[rule_id]["keys"])
    missing = [k for k in keys if not _has_key(k)]
    assert not missing, f"{rule_id} names keys the default policy lacks: {missing}"
