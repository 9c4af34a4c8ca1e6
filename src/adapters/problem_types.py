"""Problem ``type`` URIs shared by every adapter (RFC 9457), free of any framework.

The HTTP adapter answers ``application/problem+json`` and the CLI prints the same kind of
object on stderr with ``--json``; both name a failure with the same URI, so a script that
handles ``urn:csdomain:problem:conflict`` from the API handles it from the CLI too.
"""

from __future__ import annotations

TYPE_PREFIX = "urn:csdomain:problem:"


def problem_type(code: str) -> str:
    """The URI of a problem code: a domain error's ``code`` (``conflict``, ``validation``…)
    or an adapter's own (``internal``, ``usage``)."""
    return TYPE_PREFIX + code
