"""Human output: aligned plain-text tables and ``label: value`` blocks.

Widths count East Asian wide characters (Chinese names, 元) as two columns, so tables of
Chinese customer names still line up in a terminal. Times are shown in the company time zone.
"""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from csdomain.kernel.money import Money


def width(text: str) -> int:
    """Terminal columns ``text`` takes."""
    total = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        total += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return total


def _pad(text: str, columns: int) -> str:
    return text + " " * (columns - width(text))


class Formatter:
    """Turns values into cell text; datetimes go to the company's time zone."""

    def __init__(self, timezone: str | None = None) -> None:
        self.tz = ZoneInfo(timezone) if timezone else None

    def __call__(self, value: object) -> str:
        if value is None or value == "":
            return "-"
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, enum.Enum):
            return str(value.value)
        if isinstance(value, datetime):
            local = value.astimezone(self.tz) if self.tz and value.tzinfo else value
            return local.strftime("%Y-%m-%d %H:%M")
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, Money):
            return f"{value.amount:.2f}"
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, dict):
            return ", ".join(f"{k}={self(v)}" for k, v in value.items()) or "-"
        if isinstance(value, list | tuple | set):
            return ", ".join(self(v) for v in value) or "-"
        return str(value)


def table(
    headers: Sequence[str], rows: Iterable[Sequence[object]], fmt: Formatter, *, empty: str
) -> str:
    """Columns padded to the widest cell, a dashed rule under the header. ``empty`` is what
    to say when there are no rows (an empty table reads like a bug)."""
    cells = [[fmt(value) for value in row] for row in rows]
    if not cells:
        return empty
    widths = [max(width(h), *(width(row[i]) for row in cells)) for i, h in enumerate(headers)]
    lines = ["  ".join(_pad(h.upper(), w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        lines.append("  ".join(_pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)


def details(pairs: Sequence[tuple[str, object]], fmt: Formatter) -> str:
    """One ``label  value`` line per field, labels aligned: a single record."""
    label_width = max((width(label) for label, _ in pairs), default=0)
    return "\n".join(f"{_pad(label + ':', label_width + 1)} {fmt(value)}" for label, value in pairs)


def with_page_hint(text: str, shown: int, limit: int, offset: int) -> str:
    """Say how to get the next page when a listing filled its limit."""
    if shown == limit:
        text += f"\n(first {limit} shown; use --offset {offset + limit} for more)"
    return text
