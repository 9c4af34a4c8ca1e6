"""CASE-7: sweeps running at the same time never record a breach twice (every backend)."""

from __future__ import annotations

import threading

from adapters.bootstrap import App
from csd_support import Org, at
from csdomain.cases.commands import ReceiveCase
from csdomain.cases.services import SweepResult
from csdomain.kernel.clock import FixedClock


def test_case7_two_concurrent_sweeps_record_each_breach_once(
    app: App, org: Org, clock: FixedClock
) -> None:
    cs = app.services.cases
    for i in range(6):
        cs.receive(
            org.sales.id,
            ReceiveCase(
                type="complaint",
                category="other",
                channel="email",
                content=f"c{i}",
                customer_name="Z",
            ),
        )
    clock.set(at("2026-09-30 12:00"))  # acknowledge, reply, solution and close clocks breached
    barrier = threading.Barrier(2)
    results: list[SweepResult] = []
    errors: list[BaseException] = []

    def sweep() -> None:
        barrier.wait()
        try:
            results.append(cs.sweep(app.services.org.system_account().id))
        except BaseException as exc:  # pragma: no cover - the assertion below reports it
            errors.append(exc)

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    recorded = [(b.case_id, b.clock) for r in results for b in r.breaches]
    assert len(recorded) == len(set(recorded)) == 6 * 4
    stored = [
        (b.case_id, b.clock) for c in cs.list(org.gm.id) for b in cs.breaches(org.gm.id, c.id)
    ]
    assert sorted(stored) == sorted(recorded)
    assert cs.sweep(app.services.org.system_account().id).breaches == []
