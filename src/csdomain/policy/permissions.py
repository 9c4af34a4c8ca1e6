"""Who may do what (X-3, X-4, X-5): the policy's permission table.

Every use case is an *action* with a stable name (``cases.approve``). The table gives each
action the roles that may take it, the scope of records they reach, and the separation-of-duty
constraints the guard (``csdomain.authz``) enforces. Nothing about roles is a literal in a
service: a company changes this table, not the code. See docs/permissions.md.
"""

from __future__ import annotations

from typing import Any

import attrs

from csdomain.policy import validators as v

SCOPES = ("own", "department", "all")

# Separation-of-duty constraints the guard knows (X-4 and 权限核决):
#   not_subject       — nobody acts on their own matter: the subject of a complaint, the
#                       penalised person, the appellant, the person graded (X-4, PEN-10)
#   one_step_per_signer — one person signs at most `max_signatures_per_person` steps of a
#                       sign-off chain (CUS-6, CASE-14, X-6)
CONSTRAINTS = ("not_subject", "one_step_per_signer")


def _scopes(_: Any, attribute: attrs.Attribute[dict[str, str]], value: dict[str, str]) -> None:
    bad_roles = sorted(set(value) - v.ROLES)
    if bad_roles:
        raise ValueError(f"{attribute.name}: unknown roles {bad_roles}; known: {sorted(v.ROLES)}")
    bad = {k: s for k, s in value.items() if s not in SCOPES}
    if bad:
        raise ValueError(f"{attribute.name}: scopes must be one of {list(SCOPES)}: {bad}")


def _constraints(_: Any, attribute: attrs.Attribute[list[str]], value: list[str]) -> None:
    bad = sorted(set(value) - set(CONSTRAINTS))
    if bad:
        raise ValueError(f"{attribute.name}: unknown constraints {bad}; known: {list(CONSTRAINTS)}")


def _roles(_: Any, attribute: attrs.Attribute[list[str]], value: list[str]) -> None:
    bad = sorted(set(value) - v.ROLES)
    if bad:
        raise ValueError(f"{attribute.name}: unknown roles {bad}; known: {sorted(v.ROLES)}")


@attrs.frozen
class ActionRule:
    """One action's entry.

    ``min_role``: the lowest *ranked* role (authority level > 0) that may act; ``""`` when only
    the roles in ``roles`` may. ``roles``: roles allowed whatever their rank (``admin`` runs the
    system, ``system`` is the scheduler account). ``scope``: role → ``own`` / ``department`` /
    ``all``; a ranked actor gets the entry of the highest role at or below their rank, an
    unranked one the entry of their own role; missing means ``all``. ``separation``: constraints
    from ``CONSTRAINTS``. ``rule``: the rule ID a refusal cites. ``record``: for reads of
    confidential records, the kind whose level ``confidentiality.levels`` gives (X-5).
    """

    rule: str
    min_role: str = attrs.field(default="")
    roles: list[str] = attrs.field(factory=list, validator=_roles)
    scope: dict[str, str] = attrs.field(factory=dict, validator=_scopes)
    separation: list[str] = attrs.field(factory=list, validator=_constraints)
    record: str = ""

    @min_role.validator
    def _check_min(self, attribute: attrs.Attribute[str], value: str) -> None:
        if value:
            v.role(self, attribute, value)

    def __attrs_post_init__(self) -> None:
        if not self.min_role and not self.roles:
            raise ValueError("an action needs a min_role or at least one role in roles")


@attrs.frozen
class PermissionsPolicy:
    """The permission table: action name → its rule, plus the sign-off chain limit."""

    actions: dict[str, ActionRule] = attrs.field()
    # one person signs at most this many steps of one sign-off chain (CASE-14, CUS-6, X-6)
    max_signatures_per_person: int = attrs.field(default=1, validator=v.positive)
    # the role of the first account `csdomain init` creates (it then adds the organisation),
    # and of the scheduler account the periodic `scheduler.*` actions run as
    first_account_role: str = attrs.field(default="admin", validator=v.role)
    scheduler_role: str = attrs.field(default="system", validator=v.role)

    @actions.validator
    def _check(
        self, _: attrs.Attribute[dict[str, ActionRule]], value: dict[str, ActionRule]
    ) -> None:
        if not value:
            raise ValueError("the permission table needs at least one action")
