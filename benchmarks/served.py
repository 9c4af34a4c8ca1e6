"""HTTP under gunicorn (product vs the bare Flask app) and CLI start-up workloads."""

from __future__ import annotations

import http.client
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.harness import Backend, Result
from benchmarks.workloads import _app, _receive

WORKERS = 2
CLIENTS = 4
START_TIMEOUT = 60.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _serve(spec: str, env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(WORKERS),
        "--timeout",
        "60",
        "--graceful-timeout",
        "5",
        spec,
    ]
    with log.open("ab") as fh:
        proc = subprocess.Popen(
            cmd, env=env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log.read_text()[-2000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return proc, port
        except OSError:
            time.sleep(0.2)
    _stop(proc)
    raise RuntimeError("server did not start")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the session this harness started
            proc.wait(timeout=5)


def _load(
    port: int, path: str, token: str, body: Callable[[int], dict[str, str]], n: int
) -> tuple[float, list[float], int]:
    """``n`` POSTs from ``CLIENTS`` threads (bounded in count; each request times out)."""
    counter = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]

    def client() -> None:
        while True:
            with lock:
                i = next(counter)
            if i >= n:
                return
            payload = json.dumps(body(i))
            start = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                conn.request(
                    "POST",
                    path,
                    payload,
                    {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                )
                resp = conn.getresponse()
                resp.read()
                ok = resp.status == 201
            except OSError:
                ok = False
            finally:
                conn.close()
            with lock:
                latencies.append(time.perf_counter() - start)
                errors[0] += 0 if ok else 1

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    start = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return time.perf_counter() - start, sorted(latencies), errors[0]


def _p99(latencies: list[float]) -> float:
    return latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] if latencies else 0.0


def http_workloads(b: Backend, n: int, workdir: Path) -> list[Result]:
    """Registration and intake through gunicorn: the product's app, then the bare app, each
    with ``WORKERS`` workers on the same database, loaded by ``CLIENTS`` client threads."""
    app, admin, staff, _ = _app(b)
    token = app.services.org.issue_token(admin.id, staff.id, "bench")
    from csdomain.customers.commands import RegisterCustomer

    customer = app.services.customers.register(
        staff.id, RegisterCustomer(name="T", phone="13700000000")
    )
    case = app.services.cases.receive(staff.id, _receive(staff.id))
    app.close()
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("CSDOMAIN_")}
    base_env["PYTHONPATH"] = os.pathsep.join(
        [str(Path(__file__).resolve().parents[1]), base_env.get("PYTHONPATH", "")]
    )
    product_env = {
        **base_env,
        "CSDOMAIN_DATABASE_URL": b.url,
        "CSDOMAIN_SECRET_KEY": "bench",
    }
    bare_env = {
        **base_env,
        "BENCH_BACKEND": b.name,
        "BENCH_TARGET": b.path if b.name == "sqlite" else b.url,
        "BENCH_SCHEMA": b.schema,
        "BENCH_CUSTOMER": customer.id,
        "BENCH_CASE": case.id,
    }
    log = workdir / "gunicorn.log"
    bodies: dict[
        str, tuple[str, Callable[[int], dict[str, str]], Callable[[int], dict[str, str]]]
    ] = {
        "HTTP registration": (
            "/api/v1/customers",
            lambda i: {"name": f"H{i}", "phone": f"1350{i:07d}"},
            lambda i: {"name": f"B{i}", "phone": f"1340{i:07d}"},
        ),
        "HTTP case intake": (
            "/api/v1/cases",
            lambda i: {
                "type": "complaint",
                "category": "price",
                "channel": "email",
                "content": f"c{i}",
                "customer_name": "Y",
            },
            lambda i: {"content": f"c{i}"},
        ),
    }
    results = []
    for name, (path, ours_body, bare_body) in bodies.items():
        proc, port = _serve("benchmarks.bare_app:create()", bare_env, log)
        try:
            base, base_lat, base_err = _load(port, path, token, bare_body, n)
        finally:
            _stop(proc)
        proc, port = _serve("adapters.http.wsgi:create_wsgi_app()", product_env, log)
        try:
            ours, lat, err = _load(port, path, token, ours_body, n)
        finally:
            _stop(proc)
        notes = (
            f"{n / ours:.0f} vs {n / base:.0f} req/s ({100 * base / ours:.0f} %); "
            f"p99 {1000 * _p99(lat):.0f} vs {1000 * _p99(base_lat):.0f} ms"
        )
        if err or base_err:
            notes += f"; failed requests {err} / {base_err}"
        results.append(
            Result(
                workload=name,
                backend=b.name,
                size=f"{n:,} requests, {CLIENTS} clients, {WORKERS} workers",
                csdomain=ours,
                baseline=base,
                items=n,
                notes=notes,
                extra={
                    "rps": n / ours,
                    "rps_baseline": n / base,
                    "p99": _p99(lat),
                    "p99_baseline": _p99(base_lat),
                },
            )
        )
    return results


BARE_CLICK = """
import click

@click.group()
def cli():
    "A bare Click group."

@cli.command()
def hello():
    "A command."

cli(["--help"])
"""


def cli_startup(runs: int) -> Result:
    """``csdomain --help`` (the installed console script's import path) against a bare Click
    app printing its help, best of ``runs`` fresh interpreters each."""
    ours_cmd = [sys.executable, "-c", "from adapters.cli.main import cli; cli(['--help'])"]
    bare_cmd = [sys.executable, "-c", BARE_CLICK]

    def best(cmd: list[str]) -> float:
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True, timeout=60)
            times.append(time.perf_counter() - start)
        return min(times)

    base = best(bare_cmd)
    ours = best(ours_cmd)
    return Result(
        workload="CLI start-up (`csdomain --help`)",
        backend="—",
        size=f"best of {runs}",
        csdomain=ours,
        baseline=base,
        items=1,
        notes="baseline: a bare Click group",
    )
