"""Record violations, charge a complaint loss, settle October 2026 and export the statements
(PEN-1…PEN-11).

    python examples/settle_month.py [--out DIR]

Prints the statements and writes ``statements-2026-10.csv``/``.xlsx`` into DIR (default: a new
temporary folder, so running it never litters the current folder).
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from adapters.bootstrap import bootstrap
from adapters.export import statements_csv, statements_xlsx
from adapters.settings import Settings
from csdomain.kernel.clock import FixedClock
from csdomain.kernel.money import Money

TZ = ZoneInfo("Asia/Shanghai")


def main(out_dir: Path | None = None) -> None:
    out_dir = out_dir or Path(tempfile.mkdtemp(prefix="csdomain-settle-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    clock = FixedClock(datetime(2026, 10, 20, 9, 0, tzinfo=TZ))
    app = bootstrap(Settings(storage="memory"), clock=clock)
    org, pen = app.services.org, app.services.penalties
    admin, _ = org.bootstrap_admin("Admin")
    manager = org.add_staff(admin.id, name="Qian (manager)", role="manager")
    deputy = org.add_staff(admin.id, name="Zhao (deputy GM)", role="deputy_gm")
    lead = org.add_staff(admin.id, name="Sun (supervisor)", role="supervisor")
    li = org.add_staff(
        admin.id,
        name="Li (sales adviser)",
        role="staff",
        position="sales_adviser",
        supervisor_id=lead.id,
    )
    zhou = org.add_staff(admin.id, name="Zhou (CS desk)", role="staff", supervisor_id=lead.id)

    for day in (5, 12, 19):  # PEN-2: 50 + 100 + 100
        pen.record_violation(
            manager.id,
            li.id,
            "file_late",
            date(2026, 10, day),
            evidence=f"hand-over register, {day} Oct",
        )
    pen.record_violation(
        manager.id,
        zhou.id,
        "cs_service_rules",
        date(2026, 10, 8),
        evidence="call recording 10-08 14:02",
    )  # PEN-8: supervisor pays 200
    # PEN-7: a sanction is imposed and carries its fine (a warning at least 400 元); the
    # statement names it — a month's fines alone impose none
    pen.impose_sanction(deputy.id, zhou.id, "warning", "2026-10", "rude to a customer on 10-08")
    pen.set_bonus(manager.id, li.id, "2026-10", Money.of("3000.00"))
    pen.set_bonus(manager.id, li.id, "2026-11", Money.of("3000.00"))

    clock.set(datetime(2026, 11, 5, 9, 0, tzinfo=TZ))
    statements = pen.settle_month(manager.id, "2026-10")
    names = {s.id: s.name for s in org.list_staff(manager.id)}
    for s in statements:
        print(f"{names[s.staff_id]:<20} total {s.total.amount:>8.2f} 元  {s.sanction}")
        for line in s.lines:
            print(f"    {line['amount']:>8} {line['explanation']}")
    (out_dir / "statements-2026-10.csv").write_text(
        statements_csv(statements, names), encoding="utf-8"
    )
    (out_dir / "statements-2026-10.xlsx").write_bytes(statements_xlsx(statements, names))
    again = pen.settle_month(manager.id, "2026-10")
    print("re-run identical:", [x.total for x in again] == [x.total for x in statements])
    print(f"statements written to {out_dir}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="output folder (default: a new temp folder)")
    main(parser.parse_args().out)
