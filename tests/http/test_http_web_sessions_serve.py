"""Issue 7 acceptance: with the default ``csdomain serve`` (two gunicorn workers on SQLite),
50 consecutive signed-in page loads all succeed — whichever worker answers, it accepts the
cookie, because the signing key and the sessions live in the database, not in a process."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from adapters.bootstrap import bootstrap
from adapters.cli import serve as serving
from adapters.settings import Settings

PAGE_LOADS = 50


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Show redirects instead of following them: a 302 to /sign-in is a lost session."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _wait_until_up(base: str, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the server did not come up")


@pytest.mark.slow
@pytest.mark.skipif(not serving.gunicorn_available(), reason="gunicorn runs on POSIX only")
def test_fifty_signed_in_page_loads_succeed_on_two_workers(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/web.db"
    app = bootstrap(Settings(database_url=url), create_schema=True)
    try:
        _, token = app.services.org.bootstrap_admin("Admin")
    finally:
        app.close()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CSDOMAIN_")}
    proc = subprocess.Popen(  # the default worker count (2) on purpose
        [sys.executable, "-m", "adapters.cli", "--database-url", url, "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    statuses: list[int] = []
    try:
        _wait_until_up(base, proc)
        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(jar), _NoRedirect()
        )
        with browser.open(f"{base}/sign-in", timeout=10) as resp:
            csrf = re.search(r'name="csrf" value="([^"]+)"', resp.read().decode())
        assert csrf is not None
        form = urllib.parse.urlencode({"token": token, "csrf": csrf.group(1)}).encode()
        try:
            browser.open(f"{base}/sign-in", data=form, timeout=10)
        except urllib.error.HTTPError as exc:  # the 302 after signing in
            assert exc.code == 302 and exc.headers["Location"] == "/customers"
        assert token not in str([c.value for c in jar])
        for _ in range(PAGE_LOADS):
            try:
                with browser.open(f"{base}/customers", timeout=10) as resp:
                    page = resp.read().decode()
                    signed_in = "Admin (admin)" in page and "Sign out" in page
                    statuses.append(resp.status if signed_in else -1)
            except urllib.error.HTTPError as exc:
                statuses.append(exc.code)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            output, _ = proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            output, _ = proc.communicate()
    assert len(re.findall(r"Booting worker with pid", output)) == 2, output
    assert statuses == [200] * PAGE_LOADS, output
