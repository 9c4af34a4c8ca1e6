"""The difference between two policies, key by key, with the rules each change concerns.

Pure: it compares the plain dict form of two policy documents (what
``adapters.policy_file.loader.policy_to_dict`` gives, or a parsed TOML document), so the CLI's
``policy diff``, the HTTP draft view and the replay all read one list of changes.

Lists of tables are matched by their identity field (``code``, ``name``, ``grade``) where every
entry has one, so a reordered catalogue is no change and a changed fine reads
``penalties.catalogue[file_late].amount: "50.00" → "80.00"``; other lists compare as values.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import attrs

from csdomain.policy_lab.rule_keys import rules_for

IDENTITY_FIELDS = ("code", "name", "grade")


@attrs.frozen
class PolicyChange:
    """One changed key. ``kind`` is ``changed``, ``added`` (``old`` is None) or ``removed``
    (``new`` is None)."""

    path: str
    old: Any
    new: Any
    rules: tuple[str, ...]
    kind: str = "changed"

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "kind": self.kind,
            "old": plain(self.old),
            "new": plain(self.new),
            "rules": list(self.rules),
        }


@attrs.frozen
class PolicyDiff:
    """Every change from version ``old`` to version ``new`` (values in their JSON form)."""

    old: int
    new: int
    changes: list[PolicyChange]

    @classmethod
    def of(cls, old: int, new: int, changes: Sequence[PolicyChange]) -> PolicyDiff:
        return cls(
            old,
            new,
            [attrs.evolve(c, old=plain(c.old), new=plain(c.new)) for c in changes],
        )


def plain(value: Any) -> Any:
    """A JSON-friendly copy (dates as ISO text, Decimals as text)."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _identity(items: Sequence[Any]) -> str | None:
    """The field naming each entry of a list of tables, if every entry has a distinct one."""
    if not items or not all(isinstance(i, Mapping) for i in items):
        return None
    for field in IDENTITY_FIELDS:
        names = [i.get(field) for i in items]
        if all(isinstance(n, str) for n in names) and len(set(names)) == len(names):
            return field
    return None


def _walk(path: str, old: Any, new: Any, out: list[PolicyChange]) -> None:
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        for key in [*old, *(k for k in new if k not in old)]:
            name = f'"{key}"' if "." in str(key) else str(key)  # TOML's quoted keys
            sub = f"{path}.{name}" if path else name
            if key not in new:
                out.append(PolicyChange(sub, old[key], None, rules_for(sub), "removed"))
            elif key not in old:
                out.append(PolicyChange(sub, None, new[key], rules_for(sub), "added"))
            else:
                _walk(sub, old[key], new[key], out)
        return
    if isinstance(old, list) and isinstance(new, list):
        field = _identity(old) if old else _identity(new)
        if field is not None and _identity(new or old) == field:
            before = {i[field]: i for i in old}
            after = {i[field]: i for i in new}
            for name in [*before, *(n for n in after if n not in before)]:
                sub = f"{path}[{name}]"
                if name not in after:
                    out.append(PolicyChange(sub, before[name], None, rules_for(sub), "removed"))
                elif name not in before:
                    out.append(PolicyChange(sub, None, after[name], rules_for(sub), "added"))
                else:
                    _walk(sub, before[name], after[name], out)
            return
    if old != new:
        out.append(PolicyChange(path, old, new, rules_for(path)))


_ACTION = re.compile(r'^permissions\.actions\.(?:"([^"]+)"|([^.]+))')


def _action_rules(
    change: PolicyChange, old: Mapping[str, Any], new: Mapping[str, Any]
) -> PolicyChange:
    """A permission-table entry concerns X-3 and the rule the entry itself names."""
    found = _ACTION.match(change.path)
    if found is None:
        return change
    action = found[1] or found[2]
    rules = ["X-3"]
    for doc in (new, old):
        entry = doc.get("permissions", {}).get("actions", {}).get(action)
        if isinstance(entry, Mapping) and isinstance(entry.get("rule"), str):
            rules.append(entry["rule"])
    return attrs.evolve(change, rules=tuple(dict.fromkeys(rules)))


def diff_policies(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[PolicyChange]:
    """Every key whose value differs between ``old`` and ``new``, in document order (old's
    keys first, then keys only ``new`` has), each with the rule IDs it concerns (an entry of
    the permission table: X-3 and the entry's own ``rule``)."""
    out: list[PolicyChange] = []
    _walk("", old, new, out)
    return [_action_rules(c, old, new) for c in out]


def format_change(change: PolicyChange) -> str:
    """One readable line: ``PEN-1  penalties.catalogue[file_late].amount: "50.00" → "80.00"``."""
    rules = ", ".join(change.rules) or "—"

    def show(value: Any) -> str:
        return json.dumps(plain(value), ensure_ascii=False, sort_keys=True)

    if change.kind == "added":
        what = f"added {show(change.new)}"
    elif change.kind == "removed":
        what = f"removed (was {show(change.old)})"
    else:
        what = f"{show(change.old)} → {show(change.new)}"
    return f"{rules}  {change.path}: {what}"
