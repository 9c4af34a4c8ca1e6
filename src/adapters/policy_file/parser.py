"""The core's ``PolicyParser`` port over TOML policy documents (issue 15: policy versions)."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from typing import Any

from adapters.policy_file.loader import dump_policy, parse_policy, policy_to_dict
from csdomain.kernel.errors import PolicyError
from csdomain.policy.model import Policy


def _document(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{source}: not valid TOML", [("$", str(exc))]) from exc


def parse_text(document: str, source: str = "<policy>") -> Policy:
    """A policy document's text → Policy, or PolicyError listing every bad key."""
    return parse_policy(_document(document, source), source)


def with_current_actions(data: dict[str, Any], base: Policy) -> dict[str, Any]:
    """``data`` with its permission table fitted to the use cases of this release: an action
    added since the version was written takes ``base``'s entry, one no use case has any
    more is left out. Every other key stays as stored."""
    import csdomain.services  # noqa: F401  (declares every use case's action)
    from csdomain.authz.guard import ACTIONS, EXEMPT

    permissions = data.get("permissions")
    actions = permissions.get("actions") if isinstance(permissions, dict) else None
    if not isinstance(permissions, dict) or not isinstance(actions, dict):
        return data
    declared = set(ACTIONS) - EXEMPT
    fitted = {name: entry for name, entry in actions.items() if name in declared}
    base_actions = policy_to_dict(base)["permissions"]["actions"]
    for name in sorted(declared - set(fitted)):
        if name in base_actions:
            fitted[name] = base_actions[name]
    return {**data, "permissions": {**permissions, "actions": fitted}}


class TomlPolicyParser:
    """``csdomain.policy_lab.ports.PolicyParser`` for TOML documents."""

    def parse(self, document: str, source: str) -> Policy:
        return parse_text(document, source)

    def parse_stored(self, document: str, source: str, base: Policy) -> Policy:
        return parse_policy(with_current_actions(_document(document, source), base), source)

    def to_dict(self, policy: Policy) -> Mapping[str, Any]:
        return policy_to_dict(policy)

    def dump(self, policy: Policy) -> str:
        return dump_policy(policy)
