"""The one guard: who may do what (X-3 authority, X-4 recusal, X-5 confidentiality).

Every public use case is declared with ``@use_case("area.verb")`` and passes ``guard`` with
that action; the policy's permission table (``[permissions.actions]``) decides. See
docs/permissions.md.
"""

from csdomain.authz.guard import (
    ACTIONS,
    Grant,
    Resource,
    guard,
    hidden_fields,
    missing_actions,
    redact,
    redactable,
    use_case,
)

__all__ = [
    "ACTIONS",
    "Grant",
    "Resource",
    "guard",
    "hidden_fields",
    "missing_actions",
    "redact",
    "redactable",
    "use_case",
]
