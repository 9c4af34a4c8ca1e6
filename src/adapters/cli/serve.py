"""``csdomain serve``: the HTTP adapter under gunicorn, or Flask's dev server where gunicorn
does not run (Windows).

Gunicorn is driven through its ``BaseApplication`` API rather than a subprocess, so the server
runs in this interpreter and venv with no PATH lookup. Workers build their own App from the
environment (``adapters.http.wsgi:create_wsgi_app()``), which is why the CLI's effective
settings are exported to ``CSDOMAIN_*`` variables before the server starts.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import click

from adapters.settings import Settings

WSGI_FACTORY = "adapters.http.wsgi:create_wsgi_app"


def load_wsgi_app() -> Any:
    """Call the HTTP adapter's factory (imported late: the CLI must not need Flask to start)."""
    module_name, _, func = WSGI_FACTORY.partition(":")
    factory: Callable[[], Any] = getattr(importlib.import_module(module_name), func)
    return factory()


def export_settings(settings: Settings) -> None:
    """Hand the effective settings (incl. ``--database-url`` and ``--policy``) to workers."""
    os.environ["CSDOMAIN_DATABASE_URL"] = settings.database_url
    os.environ["CSDOMAIN_STORAGE"] = settings.storage
    if settings.policy_file:
        os.environ["CSDOMAIN_POLICY_FILE"] = os.path.abspath(settings.policy_file)


def start_worker_process() -> subprocess.Popen[bytes]:
    """``csdomain worker`` as a child process beside the server (``serve --with-worker``):
    its own process, so gunicorn's forks never share its database connections."""
    return subprocess.Popen([sys.executable, "-m", "adapters.cli", "worker"], env=os.environ.copy())


def stop_process(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def gunicorn_available() -> bool:
    if sys.platform == "win32":
        return False
    try:
        importlib.import_module("gunicorn.app.base")
    except ImportError:
        return False
    return True


def run_gunicorn(host: str, port: int, workers: int) -> None:
    from gunicorn.app.base import BaseApplication

    class _Server(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type hints
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("proc_name", "csdomain")
            self.cfg.set("accesslog", "-")
            if "control_socket_disable" in self.cfg.settings:
                # gunicorn >= 24 opens one control socket per user by default; two servers
                # (say, two companies' databases) would fight over it
                self.cfg.set("control_socket_disable", True)

        def load(self) -> Any:
            return load_wsgi_app()

    _Server().run()


def run_dev_server(host: str, port: int) -> None:
    from werkzeug.serving import run_simple

    click.echo(
        "gunicorn is not available here; using the development server "
        "(single process, not for production)",
        err=True,
    )
    run_simple(host, port, load_wsgi_app(), threaded=True)
