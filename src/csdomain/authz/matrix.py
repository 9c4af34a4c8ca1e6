"""The action × role matrix of a policy, as the markdown table docs/permissions.md shows.

Generated from the policy (never written by hand) so the documentation cannot disagree with
what the guard enforces; `csdomain policy permissions FILE` prints a company's own.
"""

from __future__ import annotations

from csdomain.authz.guard import allowed_roles, scope_of
from csdomain.policy.model import Policy

_SHORT = {"own": "own", "department": "dept", "all": "all"}


def matrix_markdown(policy: Policy) -> str:
    roles = sorted(
        policy.authority.levels,
        key=lambda r: (policy.authority.level(r) == 0, policy.authority.level(r), r),
    )
    head = ["action", "rule", *roles, "separation", "confidential"]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for name, rule in sorted(policy.permissions.actions.items()):
        allowed = set(allowed_roles(policy, name))
        cells = [_SHORT[scope_of(policy, name, r)] if r in allowed else "—" for r in roles]
        level = policy.confidentiality.levels.get(rule.record, "") if rule.record else ""
        confidential = f"{rule.record} ({level})" if level else ""
        lines.append(
            "| "
            + " | ".join([f"`{name}`", rule.rule, *cells, ", ".join(rule.separation), confidential])
            + " |"
        )
    return "\n".join(lines) + "\n"
