"""Helpers of the policy-lab tests: the default policy's text with the late hand-over fine
(PEN-1 ``file_late``) changed, as a policy owner edits it."""

from __future__ import annotations

from adapters.policy_file.loader import DEFAULT_POLICY_PATH

DEFAULT_TEXT = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
FILE_LATE = 'code = "file_late"\ndescription = "Customer file handed over late"\namount = "50.00"'


def with_file_late(amount: str) -> str:
    """The default document with the ``file_late`` fine set to ``amount`` 元."""
    assert DEFAULT_TEXT.count(FILE_LATE) == 1
    return DEFAULT_TEXT.replace(FILE_LATE, FILE_LATE.replace('"50.00"', f'"{amount}"'))
