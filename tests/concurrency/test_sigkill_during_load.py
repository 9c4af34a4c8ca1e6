"""Regression: SIGKILL of the whole server during a registration load loses nothing that was
committed (every 201 the clients saw is stored), leaves the database consistent, and a
restarted server still refuses the stored identities (CUS-1). SQLite (WAL) and PostgreSQL.
"""

from __future__ import annotations

import signal
import threading
import urllib.error
from http.client import HTTPException
from pathlib import Path

import pytest
import sqlalchemy as sa
from concurrency_support import BACKENDS, CLIENTS, Server, start_gunicorn

pytestmark = [
    pytest.mark.slow,
    pytest.mark.parametrize("database_url", BACKENDS, indirect=True, scope="module"),
]

PER_CLIENT = 25  # bounded: at most CLIENTS × PER_CLIENT requests
KILL_AFTER = 40  # acknowledged registrations before the kill
LOAD_SECONDS = 30.0


def test_sigkill_during_load_loses_nothing_committed(server: Server, tmp_path: Path) -> None:
    acknowledged: dict[str, str] = {}  # phone -> customer id, for every 201 seen
    guard = threading.Lock()
    enough = threading.Event()
    killed = threading.Event()

    def client(i: int) -> None:
        for n in range(PER_CLIENT):
            if killed.is_set():
                return
            phone = f"137{i:02d}{n:06d}"
            try:
                reply = server.request(
                    "POST",
                    "/api/v1/customers",
                    f"adviser{i}",
                    {"name": f"K{i}-{n}", "phone": phone},
                )
            except (urllib.error.URLError, HTTPException, OSError):
                return  # the server is gone: this request's outcome is unknown, not checked
            if reply.status == 201:
                with guard:
                    acknowledged[reply.body["phone"]] = reply.body["id"]
                    if len(acknowledged) >= KILL_AFTER:
                        enough.set()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    enough.wait(timeout=LOAD_SECONDS)
    server.stop(signal.SIGKILL)  # workers and master, mid-request
    killed.set()
    for t in threads:
        t.join(timeout=90)
    assert not any(t.is_alive() for t in threads)
    assert len(acknowledged) >= KILL_AFTER
    server.assert_healthy()

    engine = sa.create_engine(server.url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                assert conn.execute(sa.text("PRAGMA integrity_check")).scalar() == "ok"
            stored = dict(conn.execute(sa.text("SELECT phone, id FROM customers")).all())
    finally:
        engine.dispose()
    lost = {p: cid for p, cid in acknowledged.items() if stored.get(p) != cid}
    assert lost == {}
    assert len(stored) == len(set(stored.values()))  # one customer per phone

    # a restarted server sees the committed identities and keeps refusing them
    proc, base, log = start_gunicorn(server.url, tmp_path)
    server.proc, server.base, server.log = proc, base, log
    phone, owner_id = next(iter(acknowledged.items()))
    again = server.request(
        "POST", "/api/v1/customers", "sales", {"name": "Again", "phone": phone[3:]}
    )
    assert again.status == 409 and owner_id in again.body["detail"], again.text
    server.assert_healthy()
