"""Smoke test: a real gunicorn process serves the WSGI factory ``csdomain serve`` runs.

Memory storage lives inside the one worker process, so the first admin is bootstrapped there
from the environment (``CSDOMAIN_BOOTSTRAP_ADMIN``) and its token written to a 0600 file the
test reads — no database, no shared state, loopback only, bounded waits, and the process is
always terminated.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

START_TIMEOUT = 30.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _request(url: str, token: str | None = None, data: Any = None) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = None
    if data is not None:
        body = json.dumps(data).encode()
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=body, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="gunicorn does not run on Windows")
def test_gunicorn_serves_the_api(tmp_path: Path) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    token_file = tmp_path / "admin.token"
    log_file = tmp_path / "gunicorn.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CSDOMAIN_")}
    env.update(
        CSDOMAIN_STORAGE="memory",
        CSDOMAIN_SECRET_KEY="smoke-test-secret",
        CSDOMAIN_BOOTSTRAP_ADMIN="Smoke Admin",
        CSDOMAIN_BOOTSTRAP_TOKEN_FILE=str(token_file),
    )
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--timeout",
        "30",
        "--graceful-timeout",
        "5",
        "adapters.http.wsgi:create_wsgi_app()",
    ]
    with log_file.open("wb") as log:
        proc = subprocess.Popen(
            cmd, cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"gunicorn exited with {proc.returncode}:\n{log_file.read_text()}")
            try:
                status, health = _request(f"{base}/healthz")
                if status == 200:
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"no /healthz within {START_TIMEOUT}s:\n{log_file.read_text()}")
            time.sleep(0.2)
        assert health == {"status": "ok"}

        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        token = token_file.read_text().strip()
        status, me = _request(f"{base}/api/v1/me", token)
        assert (status, me["name"], me["role"]) == (200, "Smoke Admin", "admin")
        status, problem = _request(f"{base}/api/v1/me", "csd_wrong")
        assert (status, problem["type"]) == (401, "urn:csdomain:problem:unauthenticated")
        status, dept = _request(f"{base}/api/v1/departments", token, {"name": "Sales"})
        assert (status, dept["name"], dept["version"]) == (201, "Sales", 1)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)  # the session this test started
                proc.wait(timeout=5)
