"""``csdomain serve`` for real: a gunicorn process answering HTTP on a fresh SQLite file."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from adapters.cli import serve as serving


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
@pytest.mark.skipif(not serving.gunicorn_available(), reason="gunicorn runs on POSIX only")
def test_serve_starts_gunicorn_and_creates_the_schema(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CSDOMAIN_")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "adapters.cli",
            "--database-url",
            f"sqlite:///{tmp_path}/s.db",
            "serve",
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    status = None
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as resp:
                    status = resp.status
            except urllib.error.HTTPError as exc:
                status = exc.code
            except OSError:
                time.sleep(0.2)
                continue
            break
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            output, _ = proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            output, _ = proc.communicate()
    assert status is not None and status < 500, output
    assert (tmp_path / "s.db").exists()
    assert "Listening at: http://127.0.0.1:" in output
