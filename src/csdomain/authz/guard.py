"""The guard: one function decides ``actor × action × resource`` from the policy.

Why one function: authority (X-3), recusal (X-4), scope and confidentiality (X-5) are the same
question asked by every use case; answering it in one place keeps the answers consistent and
lets the policy, not the code, say who may do what.

A use case is declared with ``@use_case("cases.approve")`` and calls ``guard(ctx, actor,
"cases.approve")`` first (the role test), then ``grant.require(resource)`` once the record is
loaded (scope, separation of duties, the authority an amount or step needs). The decorator
checks that the use case really passed the guard with its own action.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable, Iterable
from typing import ParamSpec, TypeVar

import attrs

from csdomain.kernel.errors import PermissionDenied, PolicyError
from csdomain.kernel.ids import DepartmentId, StaffId
from csdomain.kernel.roles import Permission
from csdomain.org.model import Staff
from csdomain.policy.model import Policy
from csdomain.policy.permissions import ActionRule

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")

# action name -> the use case that declares it (filled in as the service modules are imported)
ACTIONS: dict[str, str] = {}

_EXEMPT = "-"  # a use case with no acting staff member (bootstrap, authentication)


@attrs.define
class _Call:
    action: str
    guarded: bool = False


_current: contextvars.ContextVar[_Call | None] = contextvars.ContextVar("csd_action", default=None)


def use_case(action: str, *, actor: bool = True) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Declare the action a public service method is. ``actor=False`` marks the few use cases
    that run before anyone is signed in (bootstrap, authenticate): they need no guard."""

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        ACTIONS.setdefault(action, fn.__qualname__)
        if not actor:
            EXEMPT.add(action)
            fn.__csd_action__ = action  # type: ignore[attr-defined]
            fn.__csd_exempt__ = True  # type: ignore[attr-defined]
            return fn

        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            call = _Call(action)
            token = _current.set(call)
            try:
                result = fn(*args, **kwargs)
            finally:
                _current.reset(token)
            if not call.guarded:
                raise AssertionError(f"{fn.__qualname__} did not pass the guard for {action!r}")
            return result

        wrapper.__csd_action__ = action  # type: ignore[attr-defined]
        return wrapper

    return decorate


def missing_actions(policy: Policy) -> list[tuple[str, str]]:
    """Problems between the declared actions and the policy's table, as (path, why)."""
    table = policy.permissions.actions
    problems = [
        (f"$.permissions.actions.{name!r}", f"no entry for the action of {where}")
        for name, where in sorted(ACTIONS.items())
        if name not in table and not _is_exempt(name)
    ]
    problems += [
        (f"$.permissions.actions.{name!r}", "no use case has this action (a typo?)")
        for name in sorted(table)
        if name not in ACTIONS or name in EXEMPT
    ]
    return problems


# actions of use cases declared with actor=False (nobody is signed in yet)
EXEMPT: set[str] = set()


def _is_exempt(name: str) -> bool:
    return name in EXEMPT


def check_policy(policy: Policy) -> None:
    """Refuse a policy whose permission table does not cover the declared actions."""
    problems = missing_actions(policy)
    if problems:
        raise PolicyError("the permission table does not match the use cases", problems)


@attrs.frozen
class Resource:
    """What the guard needs to know of the record an action touches.

    ``owners``: whose record it is (scope ``own``: customer owner, case receiver and handler,
    penalised person…). ``departments``: the departments it belongs to (scope ``department``).
    ``subjects``: whose matter it is (``not_subject``: the person complained about, penalised,
    appealing, graded). ``signers``: who signed earlier steps of its sign-off chain.
    ``required_role``: the authority an amount or a step needs (X-3), ``needed_for`` says which.
    """

    label: str = ""
    owners: frozenset[StaffId] = frozenset()
    departments: frozenset[DepartmentId] = frozenset()
    subjects: frozenset[StaffId] = frozenset()
    signers: tuple[StaffId, ...] = ()
    required_role: str = ""
    needed_for: str = ""

    @classmethod
    def of(
        cls,
        label: str = "",
        *,
        owners: Iterable[StaffId | None] = (),
        departments: Iterable[DepartmentId | None] = (),
        subjects: Iterable[StaffId | None] = (),
        signers: Iterable[StaffId] = (),
        required_role: str = "",
        needed_for: str = "",
    ) -> Resource:
        return cls(
            label=label,
            owners=frozenset(o for o in owners if o),
            departments=frozenset(d for d in departments if d),
            subjects=frozenset(s for s in subjects if s),
            signers=tuple(signers),
            required_role=required_role,
            needed_for=needed_for,
        )


def _ranked(policy: Policy, role: str) -> bool:
    return policy.authority.levels.get(role, 0) > 0


def _role_allows(policy: Policy, rule: ActionRule, role: str) -> bool:
    if role in rule.roles:
        return True
    if not rule.min_role or not _ranked(policy, role):
        return False
    return policy.authority.at_least(role, rule.min_role)


def _scope(policy: Policy, rule: ActionRule, role: str) -> str:
    if role in rule.scope:
        return rule.scope[role]
    if _ranked(policy, role):
        reached = [
            (policy.authority.level(r), s)
            for r, s in rule.scope.items()
            if _ranked(policy, r) and policy.authority.at_least(role, r)
        ]
        if reached:
            return max(reached)[1]
        if rule.scope:
            return "own"
    return "all"


def _needed(rule: ActionRule) -> str:
    parts = []
    if rule.min_role:
        parts.append(f"{rule.min_role} or above")
    parts += rule.roles
    return " or ".join(parts)


@attrs.frozen
class Grant:
    """The guard's yes: who acts, as which action, reaching which scope."""

    policy: Policy = attrs.field(repr=False)
    actor: Staff
    action: str
    rule: ActionRule
    scope: str

    def _deny(self, why: str, *, field: str | None = None, rule: str | None = None) -> None:
        raise PermissionDenied(
            f"{self.action}: {why}", rule=rule or self.rule.rule, field=field, action=self.action
        )

    def covers(self, resource: Resource) -> bool:
        """Whether the actor's scope reaches the record (lists filter with this)."""
        if self.scope == "all" or self.actor.id in resource.owners:
            return True
        return (
            self.scope == "department"
            and self.actor.department_id is not None
            and self.actor.department_id in resource.departments
        )

    def require(self, resource: Resource, *, field: str | None = None) -> Grant:
        """Scope, separation of duties and the authority the record needs; raises
        ``PermissionDenied`` naming the action, the rule and what would be needed."""
        what = resource.label or "this record"
        if not self.covers(resource):
            reach = "their own records" if self.scope == "own" else "their department's records"
            self._deny(f"{self.actor.role} reaches only {reach}; {what} is outside", field=field)
        seps = self.rule.separation
        if "not_subject" in seps and self.actor.id in resource.subjects:
            self._deny(
                f"{self.actor.name} is the subject of {what} and may not decide on it",
                rule="X-4",
                field=field,
            )
        if "one_step_per_signer" in seps:
            limit = self.policy.permissions.max_signatures_per_person
            if resource.signers.count(self.actor.id) >= limit:
                self._deny(
                    f"{self.actor.name} already signed {limit} step(s) of {what}; another "
                    "person must sign this one",
                    rule="X-3",
                    field=field,
                )
        if resource.required_role and not (
            _ranked(self.policy, self.actor.role)
            and self.policy.authority.at_least(self.actor.role, resource.required_role)
        ):
            needed_for = resource.needed_for or what
            self._deny(
                f"{needed_for} needs the authority of {resource.required_role} or above; "
                f"{self.actor.role} is not enough",
                rule="X-3" if not resource.needed_for else self.rule.rule,
                field=field,
            )
        return self

    def confidential_level(self, record: str | None = None) -> str:
        """The policy's confidentiality level of a record kind ("" when not confidential)."""
        kind = record or self.rule.record
        return self.policy.confidentiality.levels.get(kind, "") if kind else ""

    def may_read(self, record: str | None = None) -> bool:
        """X-5: secret needs read_secret (or read_top_secret); top secret read_top_secret —
        both granted by the policy's grant role."""
        level = self.confidential_level(record)
        if not level:
            return True
        if self.actor.has_permission(Permission.READ_TOP_SECRET):
            return True
        return level == "secret" and self.actor.has_permission(Permission.READ_SECRET)

    def require_read(self, record: str | None = None) -> str:
        """Refuse a confidential read without the permission; returns the level to log."""
        level = self.confidential_level(record)
        if not self.may_read(record):
            needed = Permission.READ_TOP_SECRET if level == "top_secret" else Permission.READ_SECRET
            self._deny(
                f"reading a {level} {record or self.rule.record} needs the {needed.value} "
                f"permission, granted by {self.policy.confidentiality.grant_role}",
                rule="X-5",
            )
        return level


def guard(policy: Policy, actor: Staff, action: str) -> Grant:
    """The role test of ``action`` for ``actor``; returns the grant to check records with."""
    call = _current.get()
    if call is not None:
        if call.action != action:
            raise AssertionError(f"use case declared {call.action!r} but guarded {action!r}")
        call.guarded = True
    rule = policy.permissions.actions.get(action)
    if rule is None:
        raise PermissionDenied(
            f"{action}: the policy's permission table has no entry, so nobody may do it",
            rule="X-3",
            action=action,
        )
    if not actor.active:
        raise PermissionDenied(f"{action}: {actor.name} is inactive", rule="X-3", action=action)
    if not _role_allows(policy, rule, actor.role):
        raise PermissionDenied(
            f"{action} needs {_needed(rule)}; {actor.name} is {actor.role}",
            rule=rule.rule,
            action=action,
        )
    return Grant(
        policy=policy, actor=actor, action=action, rule=rule, scope=_scope(policy, rule, actor.role)
    )


def allowed_roles(policy: Policy, action: str) -> list[str]:
    """Every role that passes the role test of ``action`` (the permission matrix)."""
    rule = policy.permissions.actions.get(action)
    if rule is None:
        return []
    return [r for r in policy.authority.levels if _role_allows(policy, rule, r)]


def scope_of(policy: Policy, action: str, role: str) -> str:
    rule = policy.permissions.actions[action]
    return _scope(policy, rule, role) if _role_allows(policy, rule, role) else ""


def _blank(value: object) -> object:
    return "" if isinstance(value, str) else None


# class -> the fields ``redact`` may leave out of it (adapters document them as optional)
REDACTABLE: dict[type, frozenset[str]] = {}


def redactable(cls: type, fields: Iterable[str]) -> None:
    """Declare that readers may get ``cls`` without ``fields`` (X-5)."""
    REDACTABLE[cls] = REDACTABLE.get(cls, frozenset()) | frozenset(fields)


def redact(obj: T, fields: Iterable[str]) -> T:
    """A copy of ``obj`` with ``fields`` left out for this reader (X-5). The copy remembers
    which fields are hidden (``hidden_fields``) so adapters omit them instead of showing a
    fake value; the values themselves are cleared."""
    names = tuple(fields)
    if not names:
        return obj
    copy = attrs.evolve(obj, **{n: _blank(getattr(obj, n)) for n in names})  # type: ignore[misc]
    object.__setattr__(copy, "_csd_hidden", frozenset(names) | hidden_fields(obj))
    return copy


def hidden_fields(obj: object) -> frozenset[str]:
    hidden: frozenset[str] = getattr(obj, "_csd_hidden", frozenset())
    return hidden
