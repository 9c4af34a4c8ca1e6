"""How long ``csdomain init --demo`` takes to load the demo company on SQLite (issue 11
asks for at most 10 s on a developer machine for the default size).

    python benchmarks/bench_demo.py [CUSTOMERS] [STAFF] [MONTHS]

Prints the wall time and what was loaded. Run it on an otherwise idle machine: the loader is
CPU-bound (thousands of small use-case transactions).
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from adapters.bootstrap import make_storage
from adapters.demo import DemoSize, load_demo
from adapters.settings import Settings


def main() -> None:
    args = [int(a) for a in sys.argv[1:4]]
    customers, staff, months = (args + [300, 30, 2][len(args) :])[:3]
    size = DemoSize(staff=staff, customers=customers, months=months)
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(database_url=f"sqlite:///{Path(folder) / 'demo.db'}")
        storage = make_storage(settings, create_schema=True)
        start = time.perf_counter()
        result = load_demo(settings, storage, as_of=date(2026, 12, 2), size=size)
        elapsed = time.perf_counter() - start
        storage.close()
    print(
        f"demo ({customers} customers, {staff} staff, {months} months): {elapsed:.1f} s — "
        f"{result.cases} cases, {result.breaches} breaches, {result.penalty_entries} entries"
    )


if __name__ == "__main__":
    main()
