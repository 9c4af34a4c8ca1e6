"""Penalty statements for payroll as CSV and XLSX (PEN-10)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

from csdomain.penalties.model import Statement

COLUMNS = [
    "month",
    "staff_id",
    "staff_name",
    "fines",
    "complaint_due",
    "complaint_deducted",
    "carried_over",
    "rewards",
    "total",
    "sanction",
    "settled_at",
]


def _rows(statements: Sequence[Statement], names: Mapping[str, str]) -> list[list[str]]:
    return [
        [
            s.month,
            s.staff_id,
            names.get(s.staff_id, ""),
            f"{s.fines.amount:.2f}",
            f"{s.complaint_due.amount:.2f}",
            f"{s.complaint_deducted.amount:.2f}",
            f"{s.carried_over.amount:.2f}",
            f"{s.rewards.amount:.2f}",
            f"{s.total.amount:.2f}",
            s.sanction,
            s.settled_at.isoformat() if s.settled_at else "",
        ]
        for s in statements
    ]


def statements_csv(statements: Sequence[Statement], names: Mapping[str, str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(_rows(statements, names))
    return out.getvalue()


def statements_xlsx(statements: Sequence[Statement], names: Mapping[str, str]) -> bytes:
    """One summary sheet plus one sheet of explained lines; amounts stay exact (text → number
    of 2 decimals with a fixed format)."""
    from decimal import Decimal

    from openpyxl import Workbook

    wb = Workbook()
    summary = wb.active
    assert summary is not None
    summary.title = "statements"
    summary.append(COLUMNS)
    money_columns = {3, 4, 5, 6, 7, 8}
    for row in _rows(statements, names):
        summary.append([Decimal(v) if i in money_columns else v for i, v in enumerate(row)])
    for cells in summary.iter_rows(min_row=2):
        for i in money_columns:
            cells[i].number_format = "0.00"
    lines = wb.create_sheet("lines")
    lines.append(["month", "staff_id", "entry_id", "kind", "amount", "occurred_on", "explanation"])
    for s in statements:
        for line in s.lines:
            lines.append(
                [
                    s.month,
                    s.staff_id,
                    line["entry_id"],
                    line["kind"],
                    Decimal(line["amount"]),
                    line["occurred_on"],
                    line["explanation"],
                ]
            )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
