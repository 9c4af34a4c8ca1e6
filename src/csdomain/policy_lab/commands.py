"""Inputs of the policy-lab use cases, bounded at construction (X-8)."""

from __future__ import annotations

from datetime import date

import attrs

from csdomain.kernel.bounds import MAX_TEXT, bounded, text

# a policy document is larger than any other text: the default policy is ~40 000 characters
MAX_DOCUMENT = 400_000


@attrs.frozen
@bounded
class UploadPolicy:
    """A policy draft: the whole document (TOML) and the day it would take effect."""

    document: str = attrs.field(metadata=text(min_length=1, max_length=MAX_DOCUMENT, rule="X-8"))
    effective_from: date
    note: str = attrs.field(default="", metadata=text(max_length=MAX_TEXT, rule="X-8"))


@attrs.frozen
@bounded
class ValidatePolicy:
    """A policy draft (TOML text) to check without storing it."""

    document: str = attrs.field(metadata=text(min_length=1, max_length=MAX_DOCUMENT, rule="X-8"))
