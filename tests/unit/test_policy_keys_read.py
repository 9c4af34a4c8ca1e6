"""Issue 12: every key of the policy is read by code, or docs/policy.md marks it
informational — a company that changes a key must see an effect.

Each field of the policy classes (the keys a policy file may hold, reached from ``Policy``)
must be read somewhere in ``src`` as an attribute (``.name``), or be listed in the
"Informational keys" section of docs/policy.md. The loader builds the classes generically,
so a field nothing reads is a key with no effect.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Iterator
from pathlib import Path

import attrs

from csdomain.policy.model import Policy

ROOT = Path(__file__).parents[2]
SOURCES = [p.read_text(encoding="utf-8") for p in (ROOT / "src").rglob("*.py")]
POLICY_DOC = (ROOT / "docs" / "policy.md").read_text(encoding="utf-8")


def _informational() -> set[str]:
    """Keys in backticks under the "## Informational keys" heading of docs/policy.md."""
    section = POLICY_DOC.split("## Informational keys", 1)
    if len(section) == 1:
        return set()
    body = section[1].split("\n## ", 1)[0]
    return set(re.findall(r"`([a-z_][a-z_.]*)`", body))


def _fields(cls: type, prefix: str, seen: frozenset[type]) -> Iterator[tuple[str, str]]:
    hints = typing.get_type_hints(cls)
    for field in attrs.fields(cls):
        path = f"{prefix}{field.name}"
        yield path, field.name
        hint = hints[field.name]
        for candidate in (hint, *typing.get_args(hint)):
            if isinstance(candidate, type) and attrs.has(candidate) and candidate not in seen:
                yield from _fields(candidate, f"{path}.", seen | {candidate})


def test_the_walk_reaches_nested_and_list_entry_keys() -> None:
    paths = {path for path, _ in _fields(Policy, "", frozenset())}
    assert {"penalties.catalogue.amount", "cases.clocks.duration", "calendar.timezone"} <= paths


def test_every_policy_key_is_read_or_marked_informational() -> None:
    informational = _informational()
    unread = [
        path
        for path, name in _fields(Policy, "", frozenset())
        if path not in informational
        and not any(re.search(rf"\.{re.escape(name)}\b", text) for text in SOURCES)
    ]
    assert not unread, (
        f"policy keys nothing reads: {unread}; use them, or list them under "
        "'## Informational keys' in docs/policy.md"
    )


def test_informational_keys_exist() -> None:
    paths = {path for path, _ in _fields(Policy, "", frozenset())}
    assert _informational() <= paths
