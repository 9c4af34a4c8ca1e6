"""examples/policy_tests/policy.toml is the default policy with the example company's changes
(issue 15). ``company_policy`` makes it from the default's text; when the default changes,
regenerate the example with

    .venv/bin/python tests/examples/company_policy.py

(``tests/examples/test_policy_tests.py`` fails, saying so, while the file is stale).
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "src" / "adapters" / "policy_file" / "default_policy.toml"
EXAMPLE = ROOT / "examples" / "policy_tests" / "policy.toml"

HEADER = """\
# Dalian Motors' customer-service policy: csdomain's default policy with our own changes.
# Each change is marked "# OURS:" with the rule it changes; the scenario tests beside this file
# (test_*.py) check what the changes mean before we adopt them.
# Validate with `csdomain policy validate policy.toml`; compare with the default by
# `csdomain policy show > default.toml` and a diff.
"""

# (catalogue code, the default's line, ours): each a PEN-1 amount
AMOUNTS = [
    ("file_late", 'amount = "50.00"', 'amount = "80.00"  # OURS: PEN-1, 50 → 80 元'),
    (
        "case_deadline_missed",
        'amount = "50.00"',
        'amount = "100.00"  # OURS: CASE-7 / PEN-1, 50 → 100 元',
    ),
    (
        "visit_report_late",
        'amount = "50.00"',
        'amount = "100.00"  # OURS: VIS-2 / PEN-1, 50 → 100 元',
    ),
]
DOUBLING = (
    "from_nth = { sales_adviser = 2, service_adviser = 3 }",
    "from_nth = { sales_adviser = 2, service_adviser = 2 }  "
    "# OURS: PEN-2, service advisers double from the 2nd too",
)


def _in_block(text: str, code: str, old: str, new: str) -> str:
    """Replace ``old`` by ``new`` in the catalogue entry ``code`` (up to its next table)."""
    entry = rf'(code = "{code}"\n(?:[^\[\n][^\n]*\n|\n)*?)'  # up to the next [table]
    pattern = re.compile(entry + re.escape(old))
    changed, n = pattern.subn(lambda m: m[1] + new, text, count=1)
    if n != 1:
        raise ValueError(f"the default policy's {code} entry has no line {old!r}")
    return changed


def company_policy(default: str) -> str:
    """The example company's policy file made from the default policy's text."""
    _, body = default.split("\n\n", 1)  # the default's header comment is replaced by ours
    body = re.sub(r'(?m)^version = "[^"]*"', 'version = "2026.2-dalian-motors"', body, count=1)
    body = re.sub(
        r'(?m)^name = "[^"]*"', 'name = "Dalian Motors customer-service policy"', body, count=1
    )
    for code, old, new in AMOUNTS:
        body = _in_block(body, code, old, new)
    if body.count(DOUBLING[0]) != 1:
        raise ValueError(f"the default policy has no line {DOUBLING[0]!r}")
    return HEADER + "\n" + body.replace(*DOUBLING)


def main() -> None:
    EXAMPLE.write_text(company_policy(DEFAULT.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"wrote {EXAMPLE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
