"""Issue 15 deliverable 2: the diff of two policies, key by key, with the rule IDs."""

from __future__ import annotations

import copy
from typing import Any

from adapters.policy_file import default_policy
from adapters.policy_file.loader import policy_to_dict
from csdomain.policy_lab.diff import PolicyChange, diff_policies, format_change
from csdomain.policy_lab.rule_keys import rules_for


def _default() -> dict[str, Any]:
    return policy_to_dict(default_policy())


def _entry(doc: dict[str, Any], code: str) -> dict[str, Any]:
    return next(e for e in doc["penalties"]["catalogue"] if e["code"] == code)


def test_the_same_policy_has_no_changes() -> None:
    assert diff_policies(_default(), _default()) == []


def test_pen1_a_changed_fine_is_one_change_named_by_its_code() -> None:
    new = _default()
    _entry(new, "file_late")["amount"] = "80.00"
    assert diff_policies(_default(), new) == [
        PolicyChange("penalties.catalogue[file_late].amount", "50.00", "80.00", ("PEN-1",))
    ]


def test_a_reordered_catalogue_is_no_change() -> None:
    new = _default()
    new["penalties"]["catalogue"].reverse()
    new["cases"]["clocks"].reverse()
    assert diff_policies(_default(), new) == []


def test_added_and_removed_entries_and_keys() -> None:
    old, new = _default(), _default()
    added = copy.deepcopy(_entry(new, "phone_off"))
    added["code"] = "phone_off_twice"
    new["penalties"]["catalogue"].append(added)
    new["penalties"]["catalogue"] = [
        e for e in new["penalties"]["catalogue"] if e["code"] != "disobeyed_dispatch"
    ]
    del new["penalties"]["repeat_rules"]["cs_rules"]
    changes = {c.path: c for c in diff_policies(old, new)}
    assert changes["penalties.catalogue[phone_off_twice]"].kind == "added"
    assert changes["penalties.catalogue[phone_off_twice]"].old is None
    assert changes["penalties.catalogue[disobeyed_dispatch]"].kind == "removed"
    assert changes["penalties.repeat_rules.cs_rules"].rules == ("PEN-2",)
    assert len(changes) == 3


def test_rule_ids_come_from_the_longest_matching_key() -> None:
    """PEN-2 repeat rules, PEN-8 joint shares, CASE-7 clocks, VIS-2 late report fine."""
    assert rules_for("penalties.repeat_rules.file_rules.from_nth.service_adviser") == ("PEN-2",)
    assert rules_for("penalties.catalogue[cs_service_rules].supervisor_factor") == ("PEN-8",)
    assert rules_for("penalties.catalogue[visit_report_late].amount") == ("PEN-1", "VIS-2")
    assert rules_for("cases.clocks[acknowledge].duration") == ("CASE-7", "CASE-15")
    assert rules_for("service_jobs.survey_items") == ("SAT-1",)
    assert rules_for("service_jobs.work_types") == ("CASE-12",)
    assert rules_for("penalties.scheduler_batch") == ()
    assert rules_for("version") == ()


def test_lists_of_values_compare_whole_and_dates_print_as_text() -> None:
    old, new = _default(), _default()
    new["cases"]["channels"] = [*old["cases"]["channels"], "wechat_mini"]
    new["calendar"]["extra_closed_days"] = [default_policy().bounds.earliest_date]
    changes = diff_policies(old, new)
    assert [(c.path, c.rules) for c in changes] == [
        ("calendar.extra_closed_days", ("X-1",)),
        ("cases.channels", ("CASE-1",)),
    ]
    assert changes[0].to_dict()["new"] == [default_policy().bounds.earliest_date.isoformat()]
    assert format_change(changes[1]).startswith("CASE-1  cases.channels: [")


def test_format_reads_old_to_new() -> None:
    change = PolicyChange("penalties.catalogue[file_late].amount", "50.00", "80.00", ("PEN-1",))
    assert (
        format_change(change) == 'PEN-1  penalties.catalogue[file_late].amount: "50.00" → "80.00"'
    )
    assert change.to_dict() == {
        "path": "penalties.catalogue[file_late].amount",
        "kind": "changed",
        "old": "50.00",
        "new": "80.00",
        "rules": ["PEN-1"],
    }


def test_x3_a_permission_entry_names_x3_and_its_own_rule() -> None:
    """Action names hold dots: the path quotes them as TOML does."""
    new = _default()
    new["permissions"]["actions"]["cases.approve"]["min_role"] = "gm"
    new["permissions"]["actions"]["penalties.record"]["min_role"] = "manager"
    changes = [(c.path, c.rules) for c in diff_policies(_default(), new)]
    rule = _default()["permissions"]["actions"]["penalties.record"]["rule"]
    assert changes == [
        ('permissions.actions."cases.approve".min_role', ("X-3", "CASE-8")),
        ('permissions.actions."penalties.record".min_role', tuple(dict.fromkeys(("X-3", rule)))),
    ]
