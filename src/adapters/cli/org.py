"""Organisation commands: staff, departments, API tokens, confidential-read permissions (X-5).

Roles and permissions are checked by the core (one place for every adapter), so an unknown
role exits 3 with the same field name the HTTP API reports.
"""

from __future__ import annotations

from collections.abc import Sequence

import click

from adapters.cli.commands import Group
from adapters.cli.render import Formatter, details, table
from adapters.cli.state import CliState, pass_state
from csdomain.kernel.ids import DepartmentId, StaffId
from csdomain.kernel.roles import Permission, Role
from csdomain.org.model import Department, Staff

ROLES = ", ".join(r.value for r in Role)
PERMISSIONS = ", ".join(p.value for p in Permission)


def fmt(st: CliState) -> Formatter:
    return Formatter(st.policy().calendar.timezone)


def staff_details(staff: Staff, fmt: Formatter) -> str:
    return details(
        [
            ("id", staff.id),
            ("name", staff.name),
            ("role", staff.role),
            ("department", staff.department_id),
            ("position", staff.position),
            ("supervisor", staff.supervisor_id),
            ("base points", staff.base_points),
            ("group leader", staff.group_leader_id),
            ("region", staff.region_id),
            ("permissions", staff.permissions),
            ("active", staff.active),
            ("version", staff.version),
        ],
        fmt,
    )


def staff_table(rows: Sequence[Staff], departments: Sequence[Department], fmt: Formatter) -> str:
    dept_names = {d.id: d.name for d in departments}
    names = {s.id: s.name for s in rows}
    return table(
        ["id", "name", "role", "department", "position", "supervisor", "permissions", "active"],
        [
            (
                s.id,
                s.name,
                s.role,
                dept_names.get(s.department_id, s.department_id) if s.department_id else None,
                s.position,
                names.get(s.supervisor_id, s.supervisor_id) if s.supervisor_id else None,
                s.permissions,
                s.active,
            )
            for s in rows
        ],
        fmt,
        empty="(no staff; `csdomain init` creates the first admin)",
    )


# --------------------------------------------------------------------- staff
@click.group(cls=Group)
def staff() -> None:
    """Staff members and their roles (X-3)."""


@staff.command("add")
@click.option("--name", required=True)
@click.option("--role", required=True, help=f"One of: {ROLES}.")
@click.option("--department", "department_id", metavar="DEPARTMENT_ID")
@click.option("--position", default="", help="Job kind, e.g. sales_adviser, service_adviser.")
@click.option("--supervisor", "supervisor_id", metavar="STAFF_ID")
@click.option("--base-points", type=int, help="Base points, the weight of loss shares (PEN-5).")
@click.option("--group-leader", "group_leader_id", metavar="STAFF_ID", help="PEN-8.")
@click.option("--region", "region_id", metavar="REGION_ID", help="Regional market (PEN-2).")
@pass_state
def staff_add(
    st: CliState,
    name: str,
    role: str,
    department_id: str | None,
    position: str,
    supervisor_id: str | None,
    base_points: int | None,
    group_leader_id: str | None,
    region_id: str | None,
) -> None:
    """Add a staff member (admin or gm only)."""
    app, actor = st.acting()
    added = app.services.org.add_staff(
        actor,
        name=name,
        role=role,
        department_id=DepartmentId(department_id) if department_id else None,
        position=position,
        supervisor_id=StaffId(supervisor_id) if supervisor_id else None,
        base_points=base_points,
        group_leader_id=StaffId(group_leader_id) if group_leader_id else None,
        region_id=region_id,
    )
    st.emit(
        added, lambda: f"Added staff {added.name} ({added.id}).\n" + staff_details(added, fmt(st))
    )


@staff.command("update")
@click.argument("staff_id")
@click.option("--base-points", type=int, help="Base points, the weight of loss shares (PEN-5).")
@click.option("--group-leader", "group_leader_id", metavar="STAFF_ID", help="PEN-8.")
@click.option("--region", "region_id", metavar="REGION_ID", help="Regional market (PEN-2).")
@pass_state
def staff_update(
    st: CliState,
    staff_id: str,
    base_points: int | None,
    group_leader_id: str | None,
    region_id: str | None,
) -> None:
    """Set a staff member's base points, group leader or region (admin or gm only)."""
    app, actor = st.acting()
    changed = app.services.org.update_staff(
        actor,
        StaffId(staff_id),
        base_points=base_points,
        group_leader_id=StaffId(group_leader_id) if group_leader_id else None,
        region_id=region_id,
    )
    st.emit(changed, lambda: staff_details(changed, fmt(st)))


@staff.command("list")
@pass_state
def staff_list(st: CliState) -> None:
    """All staff members."""
    app, actor = st.acting()
    org = app.services.org
    rows = org.list_staff(actor)
    st.emit(rows, lambda: staff_table(rows, org.list_departments(actor), fmt(st)))


@staff.command("show")
@click.argument("staff_id")
@pass_state
def staff_show(st: CliState, staff_id: str) -> None:
    """One staff member."""
    app, actor = st.acting()
    found = app.services.org.get_staff(actor, StaffId(staff_id))
    st.emit(found, lambda: staff_details(found, fmt(st)))


# --------------------------------------------------------------- departments
@click.group(cls=Group)
def departments() -> None:
    """Departments and their heads (the head reviews file destruction, X-6)."""


@departments.command("add")
@click.argument("name")
@click.option("--head", "head_id", metavar="STAFF_ID")
@pass_state
def departments_add(st: CliState, name: str, head_id: str | None) -> None:
    """Add a department (admin or gm only)."""
    app, actor = st.acting()
    dept = app.services.org.add_department(actor, name, StaffId(head_id) if head_id else None)
    st.emit(dept, lambda: f"Added department {dept.name} ({dept.id}).")


@departments.command("list")
@pass_state
def departments_list(st: CliState) -> None:
    """All departments."""
    app, actor = st.acting()
    org = app.services.org
    rows = org.list_departments(actor)

    def human() -> str:
        names = {s.id: s.name for s in org.list_staff(actor)}
        return table(
            ["id", "name", "head"],
            [(d.id, d.name, names.get(d.head_id, d.head_id) if d.head_id else None) for d in rows],
            fmt(st),
            empty="(no departments)",
        )

    st.emit(rows, human)


@departments.command("set-head")
@click.argument("department_id")
@click.argument("staff_id")
@pass_state
def departments_set_head(st: CliState, department_id: str, staff_id: str) -> None:
    """Make STAFF_ID the head of DEPARTMENT_ID."""
    app, actor = st.acting()
    org = app.services.org
    dept = org.set_department_head(actor, DepartmentId(department_id), StaffId(staff_id))
    st.emit(
        dept,
        lambda: (
            f"{org.get_staff(actor, StaffId(staff_id)).name} ({staff_id}) now heads "
            f"{dept.name} ({dept.id})."
        ),
    )


# ------------------------------------------------------------------- regions
@click.group(cls=Group)
def regions() -> None:
    """Regional markets and their heads (PEN-2: escalated complaints charge the head)."""


@regions.command("add")
@click.argument("name")
@click.option("--head", "head_id", metavar="STAFF_ID")
@pass_state
def regions_add(st: CliState, name: str, head_id: str | None) -> None:
    """Add a regional market (admin or gm only)."""
    app, actor = st.acting()
    region = app.services.org.add_region(actor, name, StaffId(head_id) if head_id else None)
    st.emit(region, lambda: f"Added region {region.name} ({region.id}).")


@regions.command("set-head")
@click.argument("region_id")
@click.argument("staff_id")
@pass_state
def regions_set_head(st: CliState, region_id: str, staff_id: str) -> None:
    """Make STAFF_ID the head of REGION_ID."""
    app, actor = st.acting()
    region = app.services.org.set_region_head(actor, region_id, StaffId(staff_id))
    st.emit(region, lambda: f"{staff_id} now heads {region.name} ({region.id}).")


@regions.command("list")
@pass_state
def regions_list(st: CliState) -> None:
    """All regional markets."""
    app, actor = st.acting()
    org = app.services.org
    rows = org.list_regions(actor)

    def human() -> str:
        names = {s.id: s.name for s in org.list_staff(actor)}
        return table(
            ["id", "name", "head"],
            [(r.id, r.name, names.get(r.head_id, r.head_id) if r.head_id else None) for r in rows],
            fmt(st),
            empty="(no regions)",
        )

    st.emit(rows, human)


# -------------------------------------------------------------------- tokens
@click.group(cls=Group)
def tokens() -> None:
    """API tokens for the HTTP API."""


@tokens.command("issue")
@click.argument("staff_id")
@click.option("--label", default="", help="What the token is for, e.g. 'laptop'.")
@pass_state
def tokens_issue(st: CliState, staff_id: str, label: str) -> None:
    """Issue an API token for STAFF_ID (yourself, or anyone if admin/gm).

    The token is printed once; only its hash is stored.
    """
    app, actor = st.acting()
    token = app.services.org.issue_token(actor, StaffId(staff_id), label)
    st.emit(
        None,
        lambda: f"API token for {staff_id}: {token}\nIt is shown only now; keep it safe.",
        data={"staff_id": staff_id, "label": label, "token": token},
    )


# --------------------------------------------------------------- permissions
@click.group(cls=Group)
def permissions() -> None:
    """Confidential-read permissions (X-5), granted and revoked by the policy's role (GM)."""


def _set_permission(st: CliState, staff_id: str, permission: str, reason: str, grant: bool) -> None:
    app, actor = st.acting()
    change = app.services.org.grant_permission if grant else app.services.org.revoke_permission
    changed = change(actor, StaffId(staff_id), permission, reason)
    verb = "Granted" if grant else "Revoked"
    st.emit(
        changed,
        lambda: (
            f"{verb} {permission} {'to' if grant else 'from'} {changed.name} "
            f"({changed.id}); permissions now: "
            f"{', '.join(changed.permissions) or 'none'}."
        ),
    )


_PERMISSION_HELP = f"PERMISSION is one of: {PERMISSIONS}."


@permissions.command("grant", epilog=_PERMISSION_HELP)
@click.argument("staff_id")
@click.argument("permission")
@click.option("--reason", required=True, help="Why (kept in the audit trail, X-7).")
@pass_state
def permissions_grant(st: CliState, staff_id: str, permission: str, reason: str) -> None:
    """Grant PERMISSION to STAFF_ID."""
    _set_permission(st, staff_id, permission, reason, grant=True)


@permissions.command("revoke", epilog=_PERMISSION_HELP)
@click.argument("staff_id")
@click.argument("permission")
@click.option("--reason", required=True, help="Why (kept in the audit trail, X-7).")
@pass_state
def permissions_revoke(st: CliState, staff_id: str, permission: str, reason: str) -> None:
    """Revoke PERMISSION from STAFF_ID."""
    _set_permission(st, staff_id, permission, reason, grant=False)


COMMANDS: list[click.Command] = [staff, departments, regions, tokens, permissions]
