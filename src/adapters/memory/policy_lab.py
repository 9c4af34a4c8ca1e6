"""Policy versions (issue 15): the memory repository, keyed by version number like the SQL
table's unique number; one active version per effective date checked at commit (``UNIQUE``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from adapters.memory.table import _Table
from csdomain.kernel.errors import NotFound
from csdomain.policy_lab.model import PolicyVersion, VersionState

UNIQUE: dict[str, list[tuple[Callable[[Any], object], str, str, str]]] = {
    "policy_versions": [
        (
            lambda v: v.active_key,
            "another policy version is already active from this day",
            "X-7",
            "effective_from",
        )
    ],
}


class MemoryPolicyVersions(_Table[PolicyVersion]):
    def get(self, number: int) -> PolicyVersion:  # type: ignore[override]
        try:
            return super().get(str(number))
        except NotFound:
            raise NotFound(f"policy version {number} not found", field="number") from None

    def list(self, *, state: VersionState | None = None) -> Sequence[PolicyVersion]:
        rows = self.all(lambda v: state is None or v.state == state)
        return sorted(rows, key=lambda v: v.number)

    def last_number(self) -> int:
        return max((v.number for v in self.all()), default=0)

    def flush(self) -> None:
        """Nothing to do: the unique keys are checked against the whole commit."""
