"""Issue 7 acceptance: every HTTP operation × every role × unauthenticated, the expected
outcome derived from the policy's permission table (X-3), on SQLite.

A role the table does not allow gets 403 naming the action and the rule, and the store is
unchanged; an allowed role is never refused by the role test; nobody unauthenticated gets in.
Changing one entry of the table in a policy file changes both the expectations and the
behaviour, with no code change.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from authz_support import ROLES, RoleWorld, make_world

from adapters.http.openapi import OPERATIONS, Operation
from adapters.policy_file import load_policy
from adapters.policy_file.loader import DEFAULT_POLICY_PATH
from csdomain.authz.guard import allowed_roles

AUTHENTICATED = [op for op in OPERATIONS if op.auth]


def _url(op: Operation) -> str:
    def value(m: re.Match[str]) -> str:
        return "2026-09" if m[1] == "month" else "xyz_unknown"  # shaped like the path wants

    return "/api/v1" + re.sub(r"<(?:[a-z_]+:)?([a-z_]+)>", value, op.rule)


def _call(world: RoleWorld, op: Operation, role: str | None) -> Any:
    headers = {} if role is None else {"Authorization": f"Bearer {world.tokens[role]}"}
    kw: dict[str, Any] = {"headers": headers}
    if op.method in ("POST", "PUT", "PATCH"):
        kw["json"] = {}
    return world.client.open(_url(op), method=op.method, **kw)


def test_every_authenticated_operation_declares_an_action_of_the_table(world: RoleWorld) -> None:
    table = world.app.policy.permissions.actions
    missing = [op.endpoint for op in AUTHENTICATED if op.action is None]
    assert not missing, f"operations without an action: {missing}"
    unknown = [(op.endpoint, op.action) for op in AUTHENTICATED if op.action not in table]
    assert not unknown, f"actions missing from the permission table: {unknown}"


def _check(world: RoleWorld, op: Operation) -> None:
    assert op.action is not None
    policy = world.app.policy
    allowed = set(allowed_roles(policy, op.action))
    rule = policy.permissions.actions[op.action].rule
    before = world.row_counts()
    resp = _call(world, op, None)
    assert resp.status_code == 401, (op.endpoint, resp.status_code)
    for role in ROLES:
        if role in allowed:
            continue
        resp = _call(world, op, role)
        body = resp.get_json()
        assert resp.status_code == 403, (op.endpoint, role, resp.status_code, body)
        assert body["action"] == op.action and body["rule"] == rule, body
        assert op.action in body["detail"]
    assert world.row_counts() == before, f"{op.endpoint}: a refused request changed the store"
    for role in sorted(allowed):
        resp = _call(world, op, role)
        role_refusal = resp.status_code == 403 and resp.get_json()["detail"].startswith(
            f"{op.action} needs "
        )
        assert not role_refusal, (op.endpoint, role, resp.get_json())
        assert resp.status_code < 500, (op.endpoint, role, resp.get_data(as_text=True))


@pytest.mark.parametrize("op", AUTHENTICATED, ids=lambda op: f"{op.method} {op.rule}")
def test_operation_x_role_matrix(world: RoleWorld, op: Operation) -> None:
    _check(world, op)


def _policy_with(tmp_path: Path, action: str, **entry: Any) -> Path:
    doc = tomllib.loads(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))
    doc["permissions"]["actions"][action] = {**doc["permissions"]["actions"][action], **entry}
    path = tmp_path / "company-policy.toml"
    path.write_text(tomli_w.dumps(doc), encoding="utf-8")
    return path


def test_one_changed_permission_changes_expectations_and_behaviour(tmp_path: Path) -> None:
    """Settlements need a manager in this company's file: a supervisor is now refused, with
    no code change, and the matrix derives that from the file."""
    path = _policy_with(tmp_path, "settlements.record", min_role="manager")
    policy = load_policy(str(path))
    assert "supervisor" not in allowed_roles(policy, "settlements.record")
    world = make_world(tmp_path, policy)
    op = next(o for o in AUTHENTICATED if o.action == "settlements.record")
    resp = _call(world, op, "supervisor")
    assert resp.status_code == 403
    assert resp.get_json()["action"] == "settlements.record"
    assert "manager or above" in resp.get_json()["detail"]
    _check(world, op)
    world.app.close()


def test_docs_permissions_matrix_is_generated_from_the_default_policy() -> None:
    from adapters.policy_file import default_policy
    from csdomain.authz.matrix import matrix_markdown

    doc = (Path(__file__).parents[2] / "docs" / "permissions.md").read_text(encoding="utf-8")
    start, end = "<!-- matrix:start -->\n", "<!-- matrix:end -->"
    current = doc[doc.index(start) + len(start) : doc.index(end)]
    assert current == matrix_markdown(default_policy()), (
        "docs/permissions.md is stale: paste the output of `csdomain policy permissions` "
        "between the matrix markers"
    )
