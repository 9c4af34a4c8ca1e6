"""Policy versions (issue 15): a company's policy history, each version in force from its
effective date, and the lookup of the version in force on a day.

A version is uploaded as a **draft** (its TOML text, its sha256, who uploaded it), validated
on upload, and **activated** by the general manager (never by its uploader, X-4). Activation
makes it the version in force from its ``effective_from`` until a later effective date; a
version activated for a day that already had one **supersedes** that one (one active version
per effective date, a unique key). Decisions already taken keep the version they recorded:
activation rewrites nothing (X-7).

When nothing is stored, the policy the application was started with (the default or the
policy file) is version 1, in force from ``bounds.earliest_date``.
"""

from __future__ import annotations

import bisect
import enum
import hashlib
from collections.abc import Sequence
from datetime import date, datetime

import attrs

from csdomain.kernel.ids import new_id
from csdomain.policy.model import Policy

BASE_VERSION = 1  # the started-with policy's number when no history is stored


class VersionState(enum.StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    SUPERSEDED = "superseded"


def sha256_of(document: str) -> str:
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


@attrs.define(slots=False)
class PolicyVersion:
    """One stored policy document with the day it takes effect."""

    number: int
    effective_from: date
    document: str  # the TOML text as uploaded
    sha256: str
    uploaded_by: str
    uploaded_at: datetime
    note: str = ""
    state: VersionState = VersionState.DRAFT
    approved_by: str | None = None
    approved_at: datetime | None = None
    id: str = attrs.field(factory=lambda: new_id(str, "pol"))
    version: int = 0

    @property
    def active_key(self) -> date | None:
        """The unique key "one active version per effective date" (None unless active)."""
        return self.effective_from if self.state == VersionState.ACTIVE else None


@attrs.frozen
class InForce:
    """A policy in force from ``effective_from`` (until the next entry's date)."""

    number: int
    effective_from: date
    policy: Policy


@attrs.frozen
class PolicyHistory:
    """The policies in force, by effective date; ``at(day)`` is the one in force that day."""

    entries: tuple[InForce, ...]
    _days: tuple[date, ...] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        if not self.entries:
            raise ValueError("a policy history needs at least one policy")
        ordered = tuple(sorted(self.entries, key=lambda e: e.effective_from))
        object.__setattr__(self, "entries", ordered)
        object.__setattr__(self, "_days", tuple(e.effective_from for e in ordered))

    @classmethod
    def single(cls, policy: Policy) -> PolicyHistory:
        return cls((InForce(BASE_VERSION, policy.bounds.earliest_date, policy),))

    @classmethod
    def of(cls, base: Policy, active: Sequence[tuple[PolicyVersion, Policy]]) -> PolicyHistory:
        """``base`` as version 1 from the earliest date, then every active stored version; a
        stored version on the earliest date replaces the base."""
        first = base.bounds.earliest_date
        entries = {first: InForce(BASE_VERSION, first, base)}
        for version, policy in sorted(active, key=lambda a: a[0].number):
            entries[version.effective_from] = InForce(
                version.number, version.effective_from, policy
            )
        return cls(tuple(entries.values()))

    @property
    def only(self) -> InForce | None:
        return self.entries[0] if len(self.entries) == 1 else None

    def at(self, day: date) -> InForce:
        """The entry in force on ``day`` (the first one for a day before every entry)."""
        i = bisect.bisect_right(self._days, day) - 1
        return self.entries[max(i, 0)]
