"""Policy version storage, and the parser the adapters give the core (TOML is theirs)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from csdomain.policy.model import Policy
from csdomain.policy_lab.model import PolicyVersion, VersionState


class PolicyVersionRepository(Protocol):
    def add(self, version: PolicyVersion) -> None: ...
    def get(self, number: int) -> PolicyVersion:
        """By version number; NotFound if there is none."""
        ...

    def list(self, *, state: VersionState | None = None) -> Sequence[PolicyVersion]:
        """By number."""
        ...

    def last_number(self) -> int:
        """The highest stored number (0 when none is stored)."""
        ...

    def flush(self) -> None:
        """Write pending changes now: a superseded version gives up its day's unique key
        before the new one takes it."""
        ...


class PolicyParser(Protocol):
    """Reads a policy document (the composition root injects ``adapters.policy_file``)."""

    def parse(self, document: str, source: str) -> Policy:
        """The policy, or PolicyError listing every bad key as (path, why)."""
        ...

    def parse_stored(self, document: str, source: str, base: Policy) -> Policy:
        """A stored version: as ``parse``, but its permission table fitted to this release's
        use cases (an action added since takes ``base``'s entry), so an upgrade that adds a
        use case does not make the stored history unreadable."""
        ...

    def to_dict(self, policy: Policy) -> Mapping[str, Any]:
        """The plain dict form the diff compares."""
        ...

    def dump(self, policy: Policy) -> str:
        """The policy as a document (for version 1, which has no stored text)."""
        ...
