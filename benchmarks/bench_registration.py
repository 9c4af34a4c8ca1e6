"""Customer registration throughput on SQLite, as a ratio against a raw sqlite3 baseline
measured in the same run (so the number means the same on any machine).

    python benchmarks/bench_registration.py [N]

The baseline inserts the same rows with plain sqlite3, one transaction each; the product does
a CUS-1 identity check, an audit event and an optimistic-concurrency commit per registration.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from adapters.bootstrap import bootstrap
from adapters.settings import Settings
from csdomain.customers.commands import RegisterCustomer


def baseline(path: Path, n: int) -> float:
    con = sqlite3.connect(path)
    con.execute("create table c (id integer primary key, name text, phone text unique)")
    start = time.perf_counter()
    for i in range(n):
        with con:
            con.execute("select id from c where phone = ?", (f"1380000{i:05d}",))
            con.execute("insert into c (name, phone) values (?, ?)", (f"C{i}", f"1380000{i:05d}"))
    elapsed = time.perf_counter() - start
    con.close()
    return elapsed


def product(path: Path, n: int) -> float:
    app = bootstrap(Settings(database_url=f"sqlite:///{path}"), create_schema=True)
    admin, _ = app.services.org.bootstrap_admin("Admin")
    staff = app.services.org.add_staff(admin.id, name="Li", role="staff")
    start = time.perf_counter()
    for i in range(n):
        app.services.customers.register(
            staff.id, RegisterCustomer(name=f"C{i}", phone=f"1380000{i:05d}")
        )
    elapsed = time.perf_counter() - start
    app.close()
    return elapsed


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    with tempfile.TemporaryDirectory() as tmp:
        raw = baseline(Path(tmp) / "raw.db", n)
        ours = product(Path(tmp) / "csdomain.db", n)
    print(f"registrations: {n}")
    print(f"raw sqlite3:   {n / raw:10.0f} /s")
    print(f"csdomain:      {n / ours:10.0f} /s")
    print(f"ratio (csdomain time / raw time): {ours / raw:.1f}x")


if __name__ == "__main__":
    main()
