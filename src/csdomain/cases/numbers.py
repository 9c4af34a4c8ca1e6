"""Case numbers (``202612-0001``): the identifier people say on the phone and print on forms.

A case has an opaque id (``cas_…``) and a number ``YYYYMM-NNNN`` given at intake (CASE-1,
one sequence per month). Every adapter accepts either wherever a case is named.
"""

from __future__ import annotations

import re

_NUMBER = re.compile(r"\d{6}-\d{4,}")


def is_case_number(ref: str) -> bool:
    """True for ``YYYYMM-NNNN`` (a case number), False for anything else (e.g. an id)."""
    return _NUMBER.fullmatch(ref.strip()) is not None
