"""The domain error hierarchy.

Small on purpose: each adapter maps these classes once (HTTP status + problem type, CLI exit
code). Every error names the field and the rule it enforces so a user can act on it.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base class. ``rule`` is a rule ID of docs/rules.md (e.g. ``CUS-1``); ``field`` the input
    path."""

    code = "domain-error"

    def __init__(self, message: str, *, rule: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.rule = rule
        self.field = field

    def __str__(self) -> str:
        parts = [self.message]
        if self.field:
            parts.append(f"field: {self.field}")
        if self.rule:
            parts.append(f"rule: {self.rule}")
        return " — ".join(parts) if len(parts) > 1 else self.message


class ValidationError(DomainError):
    """Input that breaks a rule's shape (missing field, wrong value)."""

    code = "validation"


class NotFound(DomainError):
    code = "not-found"


class Conflict(DomainError):
    """The request contradicts the stored state (e.g. a customer owned by someone else)."""

    code = "conflict"


class ConcurrencyConflict(Conflict):
    """Someone else changed the record since it was read (optimistic concurrency)."""

    code = "concurrency-conflict"


class PermissionDenied(DomainError):
    """The actor lacks a permission or the authority level a decision needs (X-3, X-5).
    ``action`` is the permission table's action the guard refused (docs/permissions.md)."""

    code = "permission-denied"

    def __init__(
        self,
        message: str,
        *,
        rule: str | None = None,
        field: str | None = None,
        action: str | None = None,
    ) -> None:
        super().__init__(message, rule=rule, field=field)
        self.action = action


class InvalidTransition(DomainError):
    """The action is not allowed in the record's current state."""

    code = "invalid-transition"


class PolicyError(DomainError):
    """The policy document is invalid; ``problems`` lists every bad key as (path, why)."""

    code = "policy"

    def __init__(self, message: str, problems: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message, rule=None, field=None)
        self.problems = problems or []
