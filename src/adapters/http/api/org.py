"""Organisation endpoints: departments, staff, API tokens and permission grants (X-3, X-5).

Who may do what is decided by the use cases (``OrgService``): admins manage staff, only the
policy's grant role (GM by default) grants confidential-read permissions (X-5).
"""

from __future__ import annotations

from flask import Blueprint, Response, url_for

from adapters.http.bodies import (
    AddDepartment,
    AddRegion,
    AddStaff,
    IssuedToken,
    IssueToken,
    PermissionChange,
    SetDepartmentHead,
    UpdateStaff,
)
from adapters.http.openapi import PAGE_PARAMS, operation
from adapters.http.rest import actor, body, page_of, respond, services
from csdomain.kernel.ids import DepartmentId, StaffId
from csdomain.org.model import Department, Region, Staff

bp = Blueprint("org", __name__)


@operation(
    bp,
    "/me",
    "GET",
    action="org.staff.read",
    summary="The authenticated staff member",
    response=Staff,
)
def me() -> Response:
    """Who the bearer token belongs to, with role and permissions."""
    return respond(services().org.get_staff(actor().id, actor().id))


@operation(
    bp,
    "/departments",
    "GET",
    action="org.departments.list",
    summary="List departments",
    response=Department,
    shape="page",
    query=PAGE_PARAMS,
)
def list_departments() -> Response:
    return page_of(services().org.list_departments(actor().id))


@operation(
    bp,
    "/departments",
    "POST",
    action="org.departments.add",
    summary="Add a department (admin)",
    body=AddDepartment,
    response=Department,
    status=201,
)
def add_department() -> Response:
    cmd = body(AddDepartment)
    dept = services().org.add_department(actor().id, cmd.name, cmd.head_id)
    return respond(dept, 201)


@operation(
    bp,
    "/departments/<department_id>/head",
    "PUT",
    action="org.departments.set_head",
    summary="Set a department's head (admin)",
    body=SetDepartmentHead,
    response=Department,
)
def set_department_head(department_id: str) -> Response:
    cmd = body(SetDepartmentHead)
    return respond(
        services().org.set_department_head(actor().id, DepartmentId(department_id), cmd.head_id)
    )


@operation(
    bp,
    "/staff",
    "GET",
    action="org.staff.read",
    summary="List staff",
    response=Staff,
    shape="page",
    query=PAGE_PARAMS,
)
def list_staff() -> Response:
    return page_of(services().org.list_staff(actor().id))


@operation(
    bp,
    "/staff",
    "POST",
    action="org.staff.add",
    summary="Add a staff member (admin)",
    body=AddStaff,
    response=Staff,
    status=201,
)
def add_staff() -> Response:
    cmd = body(AddStaff)
    staff = services().org.add_staff(
        actor().id,
        name=cmd.name,
        role=cmd.role,
        department_id=cmd.department_id,
        position=cmd.position,
        supervisor_id=cmd.supervisor_id,
        base_points=cmd.base_points,
        group_leader_id=cmd.group_leader_id,
        region_id=cmd.region_id,
    )
    return respond(staff, 201, location=url_for(".get_staff", staff_id=staff.id))


@operation(
    bp,
    "/staff/<staff_id>",
    "PATCH",
    action="org.staff.update",
    summary="Set a staff member's base points (PEN-5), group leader (PEN-8) or region (PEN-2)",
    description="Only the fields given change (admin or GM).",
    body=UpdateStaff,
    response=Staff,
)
def update_staff(staff_id: str) -> Response:
    cmd = body(UpdateStaff)
    return respond(
        services().org.update_staff(
            actor().id,
            StaffId(staff_id),
            base_points=cmd.base_points,
            group_leader_id=cmd.group_leader_id,
            region_id=cmd.region_id,
        )
    )


@operation(
    bp,
    "/regions",
    "GET",
    action="org.departments.list",
    summary="List regional markets and their heads (PEN-2)",
    response=Region,
    shape="page",
    query=PAGE_PARAMS,
)
def list_regions() -> Response:
    return page_of(services().org.list_regions(actor().id))


@operation(
    bp,
    "/regions",
    "POST",
    action="org.regions.manage",
    summary="Add a regional market (PEN-2; admin or GM)",
    body=AddRegion,
    response=Region,
    status=201,
)
def add_region() -> Response:
    cmd = body(AddRegion)
    return respond(services().org.add_region(actor().id, cmd.name, cmd.head_id), 201)


@operation(
    bp,
    "/regions/<region_id>/head",
    "PUT",
    action="org.regions.manage",
    summary="Set a regional market's head (PEN-2; admin or GM)",
    body=SetDepartmentHead,
    response=Region,
)
def set_region_head(region_id: str) -> Response:
    cmd = body(SetDepartmentHead)
    return respond(services().org.set_region_head(actor().id, region_id, cmd.head_id))


@operation(
    bp,
    "/staff/<staff_id>",
    "GET",
    action="org.staff.read",
    summary="A staff member",
    response=Staff,
)
def get_staff(staff_id: str) -> Response:
    return respond(services().org.get_staff(actor().id, StaffId(staff_id)))


@operation(
    bp,
    "/staff/<staff_id>/tokens",
    "POST",
    action="org.tokens.issue",
    summary="Issue an API token",
    description="Staff may issue tokens for themselves; admins for anyone. "
    "The token is returned once.",
    body=IssueToken,
    response=IssuedToken,
    status=201,
)
def issue_token(staff_id: str) -> Response:
    cmd = body(IssueToken)
    token = services().org.issue_token(actor().id, StaffId(staff_id), cmd.label)
    return respond(IssuedToken(staff_id=StaffId(staff_id), label=cmd.label, token=token), 201)


@operation(
    bp,
    "/staff/<staff_id>/permission-grants",
    "POST",
    action="org.permissions.manage",
    summary="Grant a confidential-read permission (GM, X-5)",
    body=PermissionChange,
    response=Staff,
)
def grant_permission(staff_id: str) -> Response:
    cmd = body(PermissionChange)
    return respond(
        services().org.grant_permission(actor().id, StaffId(staff_id), cmd.permission, cmd.reason)
    )


@operation(
    bp,
    "/staff/<staff_id>/permission-revocations",
    "POST",
    action="org.permissions.manage",
    summary="Revoke a confidential-read permission (GM, X-5)",
    body=PermissionChange,
    response=Staff,
)
def revoke_permission(staff_id: str) -> Response:
    cmd = body(PermissionChange)
    return respond(
        services().org.revoke_permission(actor().id, StaffId(staff_id), cmd.permission, cmd.reason)
    )
