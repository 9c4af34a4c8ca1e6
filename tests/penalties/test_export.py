"""Statements export to CSV and XLSX for payroll (PEN-10)."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from adapters.bootstrap import App
from adapters.export import statements_csv, statements_xlsx
from csd_support import Org, at
from csdomain.kernel.clock import FixedClock


def test_pen10_statements_export_csv_and_xlsx(app: App, org: Org, clock: FixedClock) -> None:
    ps = app.services.penalties
    ps.record_violation(org.manager.id, org.sales.id, "file_late", date(2026, 10, 5), evidence="x")
    clock.set(at("2026-11-03 09:00"))
    statements = ps.settle_month(org.manager.id, "2026-10")
    names = {org.sales.id: org.sales.name}
    rows = list(csv.DictReader(io.StringIO(statements_csv(statements, names))))
    assert rows[0]["staff_name"] == "Li Lei" and rows[0]["total"] == "50.00"
    wb = load_workbook(io.BytesIO(statements_xlsx(statements, names)))
    sheet = wb["statements"]
    header = [c.value for c in sheet[1]]
    total = sheet.cell(row=2, column=header.index("total") + 1).value
    assert Decimal(str(total)) == Decimal("50.00")
    assert wb["lines"].max_row == 2
