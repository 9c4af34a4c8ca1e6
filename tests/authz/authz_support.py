"""Helpers of the authorization suite: one staff member and token per role, on SQLite."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import attrs
from flask.testing import FlaskClient

from adapters.bootstrap import App, bootstrap
from adapters.http import create_app
from adapters.settings import Settings
from csd_support import at
from csdomain.kernel.clock import FixedClock
from csdomain.policy.model import Policy

ROLES = ("staff", "supervisor", "manager", "deputy_gm", "gm", "admin", "system")


@attrs.define
class RoleWorld:
    """An app on a SQLite file with a member of every role and their API tokens."""

    app: App
    client: FlaskClient
    db: Path
    tokens: dict[str, str]
    ids: dict[str, str]

    def row_counts(self) -> dict[str, int]:
        """Rows per table, read straight from the file (what "the store is unchanged" means)."""
        with sqlite3.connect(self.db) as conn:
            names = [
                r[0]
                for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                if not r[0].startswith("sqlite_")
            ]
            return {n: conn.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}


def make_world(tmp_path: Path, policy: Policy | None = None) -> RoleWorld:
    db = tmp_path / "authz.db"
    app = bootstrap(
        Settings(storage="sql", database_url=f"sqlite:///{db}"),
        clock=FixedClock(at("2026-10-20 10:00")),
        policy=policy,
        create_schema=True,
    )
    org = app.services.org
    admin, admin_token = org.bootstrap_admin("Admin")
    dept = org.add_department(admin.id, "Customer service")
    tokens = {"admin": admin_token}
    ids = {"admin": str(admin.id)}
    for role in ROLES:
        if role in ("admin", "system"):
            continue
        staff = org.add_staff(admin.id, name=f"The {role}", role=role, department_id=dept.id)
        tokens[role] = org.issue_token(admin.id, staff.id, "matrix")
        ids[role] = str(staff.id)
    system = org.system_account()
    tokens["system"] = org.issue_token(admin.id, system.id, "scheduler")
    ids["system"] = str(system.id)
    client = create_app(app).test_client()
    client.get("/healthz")  # the first request creates the persisted signing key
    return RoleWorld(app, client, db, tokens, ids)
