"""The key → rule table of the diff (``csdomain.policy_lab.rule_keys``) agrees with the keys
column of docs/rules.md, both ways: every prefix names a key its rules list (or lies under
one), and every key a rule lists is covered by a prefix naming that rule."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from csdomain.policy_lab.rule_keys import RULE_KEYS

DOC = (Path(__file__).parents[2] / "docs" / "rules.md").read_text(encoding="utf-8")
ROW = re.compile(r"^\| (?P<id>[A-Z]+-\d+) \| .+? \| .+? \| (?P<keys>.+?) \| .+? \|$")
DOC_KEYS: dict[str, list[str]] = {
    m["id"]: re.findall(r"`([a-z_][a-z_.]*)`", m["keys"])
    for m in (ROW.match(line) for line in DOC.splitlines())
    if m
}


def _plain(prefix: str) -> str:
    return re.sub(r"\[[^\]]*\]", "", prefix)


def _under(path: str, key: str) -> bool:
    return path == key or path.startswith(key + ".")


@pytest.mark.parametrize(("prefix", "rules"), sorted(RULE_KEYS.items()))
def test_every_prefix_is_a_key_its_rules_name(prefix: str, rules: tuple[str, ...]) -> None:
    for rule in rules:
        assert rule in DOC_KEYS, f"{prefix}: {rule} has no row in docs/rules.md"
        assert any(_under(_plain(prefix), key) for key in DOC_KEYS[rule]), (
            f"{prefix} → {rule}, but {rule} lists {DOC_KEYS[rule]}"
        )


@pytest.mark.parametrize("rule", sorted(DOC_KEYS))
def test_every_key_of_a_rule_is_in_the_table(rule: str) -> None:
    for key in DOC_KEYS[rule]:
        covering = [p for p, rules in RULE_KEYS.items() if rule in rules and _under(_plain(p), key)]
        assert covering, f"docs/rules.md: {rule} names `{key}`; add it to RULE_KEYS"
