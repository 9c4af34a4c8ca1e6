"""A policy replay's report (issue 15) as JSON-ready data, CSV and XLSX: one shape for the
CLI's ``--json``, the HTTP job's result and the exports."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from csdomain.policy.model import Policy
from csdomain.policy_lab.replay import ReplayItem, ReplayReport

COLUMNS = [
    "capability",
    "kind",
    "subject_id",
    "subject",
    "period",
    "measure",
    "old_value",
    "new_value",
    "difference",
    "old",
    "new",
    "rule",
    "detail",
]


def _number(value: Decimal) -> str:
    """Exact, as text: money keeps its 2 places, counts stay whole."""
    return f"{value:f}"


def _signed(value: Decimal) -> str:
    return ("+" if value > 0 else "") + _number(value)


def item_dict(item: ReplayItem) -> dict[str, str]:
    return {
        "capability": item.capability,
        "kind": item.kind,
        "subject_id": item.subject_id,
        "subject": item.subject,
        "period": item.period,
        "measure": item.measure,
        "old_value": _number(item.old_value),
        "new_value": _number(item.new_value),
        "difference": _signed(item.difference),
        "old": item.old,
        "new": item.new,
        "rule": item.rule,
        "detail": item.detail,
    }


def policy_changes(in_force: Policy, candidate: Policy) -> list[str]:
    """The rules the candidate changes, one readable line each (``policy diff``'s lines), so
    a replay's report says what it tried before what it found."""
    from adapters.policy_file.loader import policy_to_dict
    from csdomain.policy_lab.diff import diff_policies, format_change

    changes = diff_policies(policy_to_dict(in_force), policy_to_dict(candidate))
    return [format_change(c) for c in changes if c.path != "version"]


def report_dict(report: ReplayReport, changes: list[str] | None = None) -> dict[str, Any]:
    return {
        "from": report.start.isoformat(),
        "to": report.end.isoformat(),
        "in_force": report.in_force,
        "candidate": report.candidate,
        "changes": changes or [],
        "differing": report.differing,
        "sections": [
            {
                "capability": s.capability,
                "title": s.title,
                "compared": s.compared,
                "differing": s.differing,
                "totals": [
                    {
                        "measure": t.measure,
                        "old": _number(t.old),
                        "new": _number(t.new),
                        "difference": _signed(t.difference),
                    }
                    for t in s.totals
                ],
                "items": [item_dict(i) for i in s.items],
                "notes": list(s.notes),
            }
            for s in report.sections
        ],
    }


def report_csv(report: ReplayReport) -> str:
    """One row per differing outcome (the totals are in the text and JSON reports)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS)
    writer.writeheader()
    for item in report.items:
        writer.writerow(item_dict(item))
    return out.getvalue()


def report_xlsx(report: ReplayReport) -> bytes:
    """A ``summary`` sheet (each capability's totals) and a ``differences`` sheet (one row
    per differing outcome); values stay exact (numbers of the measure's own precision)."""
    from openpyxl import Workbook

    wb = Workbook()
    summary = wb.active
    summary.title = "summary"
    summary.append(["from", report.start.isoformat(), "to", report.end.isoformat()])
    summary.append(["in force", report.in_force])
    summary.append(["candidate", report.candidate])
    summary.append([])
    summary.append(["capability", "measure", "compared", "differing", "old", "new", "difference"])
    for s in report.sections:
        for t in s.totals:
            summary.append(
                [s.capability, t.measure, s.compared, s.differing, t.old, t.new, t.difference]
            )
    sheet = wb.create_sheet("differences")
    sheet.append(COLUMNS)
    for item in report.items:
        row: list[object] = list(item_dict(item).values())
        row[6:9] = [item.old_value, item.new_value, item.difference]
        sheet.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
