"""Issue 10: the benchmark harness runs end to end at tiny sizes (a smoke run, as CI does).

Only that it runs and that each workload did its work is checked: speed is what the harness
reports (docs/performance.md), never asserted here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_harness_smoke_run(tmp_path: Path) -> None:
    out, doc = tmp_path / "rows.json", tmp_path / "performance.md"
    doc.write_text("# Performance\n\nhand-written analysis stays\n", encoding="utf-8")
    backend = "all" if os.environ.get("CSDOMAIN_TEST_POSTGRES_URL") else "sqlite"
    cmd = [sys.executable, "-m", "benchmarks", "--scale", "0.05", "--backend", backend]
    cmd += ["--json", str(out), "--out", str(doc), "--label", "smoke"]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = json.loads(out.read_text(encoding="utf-8"))
    backends = {"sqlite", "postgres"} if backend == "all" else {"sqlite"}
    expected = {
        "registration",
        "case intake",
        "sweep",
        "settlement",
        "customer page",
        "HTTP registration",
        "HTTP case intake",
        "credit authorization",  # issue 13: CRD-3 under the customer lock
        "credit position",  # issue 13: CRD-2, the read path
        "policy replay",  # issue 15: the demo's history under a candidate policy
    }
    assert {(r["workload"], r["backend"]) for r in rows if r["backend"] != "—"} == {
        (w, b) for w in expected for b in backends
    }
    assert any(r["workload"].startswith("CLI start-up") for r in rows)
    for r in rows:
        assert r["csdomain"] > 0 and r["baseline"] > 0, r
        if r["workload"] in ("registration", "case intake"):
            # the SQLAlchemy Core floor (the same statements without ORM or domain) ran too
            assert r["extra"]["sqlalchemy_core"] > 0 and "Core" in r["notes"], r
        assert "expected" not in r["notes"] and "failed" not in r["notes"], r
    text = doc.read_text(encoding="utf-8")
    assert "hand-written analysis stays" in text
    assert "<!-- bench:smoke:start -->" in text and "| sweep | sqlite |" in text
