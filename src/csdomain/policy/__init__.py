"""Policy as data: the attrs classes a policy document is structured into.

The numbers live in the policy document (``adapters/policy_file/default_policy.toml`` for the
built-in default), never here. Validators check what a class can check on its own; the loader
(an adapter, using cattrs) reports every bad key with its path.
"""

from csdomain.policy.model import (
    AuthorityPolicy,
    CalendarPolicy,
    ConfidentialityPolicy,
    CustomersPolicy,
    DeregistrationPolicy,
    DeregistrationStep,
    FileItem,
    FileKindPolicy,
    GradeBand,
    GradingPolicy,
    Policy,
    RegistrationPolicy,
    RetentionPolicy,
)

__all__ = [
    "AuthorityPolicy",
    "CalendarPolicy",
    "ConfidentialityPolicy",
    "CustomersPolicy",
    "DeregistrationPolicy",
    "DeregistrationStep",
    "FileItem",
    "FileKindPolicy",
    "GradeBand",
    "GradingPolicy",
    "Policy",
    "RegistrationPolicy",
    "RetentionPolicy",
]
