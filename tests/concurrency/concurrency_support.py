"""Support for the concurrency suite (a uniquely named module; fixtures in conftest.py):
a real gunicorn server (4 workers, 127.0.0.1, a free port) over
SQLite (WAL) or PostgreSQL, driven by bounded parallel HTTP clients (issue 8).

The organisation and tokens are created in-process on the same database before the server
starts; the server's workers share nothing but the database, like production.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs
import pytest

from adapters.bootstrap import App, bootstrap
from adapters.settings import Settings
from csd_support import Org, make_org

WORKERS = 4
CLIENTS = 8
START_TIMEOUT = 45.0
REQUEST_TIMEOUT = 60.0
LOCKED = "database is locked"

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="gunicorn runs on POSIX only")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@attrs.define
class Reply:
    status: int
    body: Any
    text: str


@attrs.define
class Server:
    """A running gunicorn over ``url`` and the in-process ``app`` on the same database."""

    url: str
    base: str
    app: App
    org: Org
    tokens: dict[str, str]
    proc: subprocess.Popen[bytes]
    log: Path
    replies: list[Reply] = attrs.field(factory=list)
    guard: threading.Lock = attrs.field(factory=threading.Lock)

    def request(self, method: str, path: str, who: str, data: Any = None) -> Reply:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        body = None
        if data is not None:
            body = json.dumps(data).encode()
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(self.base + path, data=body, headers=headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=REQUEST_TIMEOUT) as resp:
                status, raw = resp.status, resp.read()
        except urllib.error.HTTPError as err:
            status, raw = err.code, err.read()
        text = raw.decode("utf-8", "replace")
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = None
        reply = Reply(status, parsed, text)
        with self.guard:
            self.replies.append(reply)
        return reply

    def together(self, calls: Sequence[Callable[[], Reply]]) -> list[Reply]:
        """Run the calls on threads released at the same moment (bounded by the timeout)."""
        start = threading.Barrier(len(calls), timeout=30)
        out: list[Reply | BaseException] = []
        lock = threading.Lock()

        def run(call: Callable[[], Reply]) -> None:
            start.wait()
            try:
                result: Reply | BaseException = call()
            except BaseException as exc:  # reported below
                result = exc
            with lock:
                out.append(result)

        threads = [threading.Thread(target=run, args=(c,)) for c in calls]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=REQUEST_TIMEOUT + 30)
        assert not any(t.is_alive() for t in threads), "a client hung"
        errors = [r for r in out if isinstance(r, BaseException)]
        assert errors == [], errors
        return [r for r in out if isinstance(r, Reply)]

    def assert_healthy(self) -> None:
        """0 × 5xx and 0 × "database is locked", in every reply and in the server log."""
        with self.guard:
            bad = [r for r in self.replies if r.status >= 500 or LOCKED in r.text]
        assert bad == [], bad
        assert LOCKED not in self.log.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc.poll() is not None:
            return
        if sig == signal.SIGKILL:
            os.killpg(self.proc.pid, signal.SIGKILL)  # the session this suite started
            self.proc.wait(timeout=15)
            return
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)


def start_gunicorn(url: str, workdir: Path) -> tuple[subprocess.Popen[bytes], str, Path]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_file = workdir / f"gunicorn-{port}.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CSDOMAIN_")}
    env.update(
        CSDOMAIN_STORAGE="sql",
        CSDOMAIN_DATABASE_URL=url,
        CSDOMAIN_SECRET_KEY="concurrency-suite",
    )
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(WORKERS),
        "--timeout",
        "90",
        "--graceful-timeout",
        "5",
        "adapters.http.wsgi:create_wsgi_app()",
    ]
    with log_file.open("wb") as log:
        proc = subprocess.Popen(
            cmd, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if proc.poll() is not None:
            pytest.fail(f"gunicorn exited with {proc.returncode}:\n{log_file.read_text()}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as resp:
                if resp.status == 200:
                    break
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail(f"no /healthz within {START_TIMEOUT}s:\n{log_file.read_text()}")
        time.sleep(0.2)
    return proc, base, log_file


def serve(url: str, workdir: Path) -> Server:
    """Migrate, create the organisation (and 8 extra advisers) in-process, start gunicorn."""
    app = bootstrap(Settings(storage="sql", database_url=url), create_schema=True)
    org = make_org(app)
    services = app.services.org
    tokens = {"admin": org.admin_token}
    for role in ("gm", "manager", "supervisor", "sales", "sales2", "service"):
        tokens[role] = services.issue_token(org.admin.id, getattr(org, role).id, "suite")
    for i in range(CLIENTS):
        adviser = services.add_staff(
            org.admin.id, name=f"Adviser {i}", role="staff", position="sales_adviser"
        )
        tokens[f"adviser{i}"] = services.issue_token(org.admin.id, adviser.id, "suite")
    proc, base, log = start_gunicorn(url, workdir)
    return Server(url, base, app, org, tokens, proc, log)


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
