"""Use cases for the organisation: departments, staff, permissions (X-5) and API tokens."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from csdomain.authz import Resource, use_case
from csdomain.context import ServiceContext, authorize, record
from csdomain.kernel.bounds import MAX_INT, MAX_NAME
from csdomain.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationError
from csdomain.kernel.ids import DepartmentId, StaffId
from csdomain.kernel.roles import Permission, Role
from csdomain.org.model import ApiToken, Department, Region, Staff, hash_token
from csdomain.ports import UnitOfWork


def _check_role(role: str) -> str:
    if role not in {r.value for r in Role}:
        raise ValidationError(
            f"unknown role {role!r}; known: {', '.join(r.value for r in Role)}",
            field="role",
            rule="X-3",
        )
    return role


def _check_name(name: str, field: str = "name") -> str:
    name = name.strip()
    if not name:
        raise ValidationError("must not be empty", field=field)
    return name


def _check_email(email: str) -> str:
    email = email.strip()
    if email and ("@" not in email or " " in email):
        raise ValidationError("not an e-mail address", field="email")
    return email


SYSTEM_NAME = "Scheduler (system)"


class OrgService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    @use_case("org.bootstrap", actor=False)
    def bootstrap_admin(self, name: str) -> tuple[Staff, str]:
        """Create the first administrator and a token for it; refused once any staff exists.
        The scheduler's system account is created beside it (see ``system_account``)."""
        with self.ctx.uow() as uow:
            uow.lock("org:bootstrap")  # once: two simultaneous first runs make one admin
            if uow.staff.count() > 0:
                raise Conflict("the organisation already has staff; ask an admin for an account")
            permissions = self.ctx.policy.permissions
            admin = Staff(name=_check_name(name), role=permissions.first_account_role)
            uow.staff.add(admin)
            uow.staff.add(Staff(name=SYSTEM_NAME, role=permissions.scheduler_role))
            token = self._new_token(uow, admin.id, "bootstrap")
            record(uow, self.ctx, "staff.bootstrapped", admin.id, admin.id)
            uow.commit()
            return admin, token

    @use_case("org.bootstrap", actor=False)
    def staff_count(self) -> int:
        """How many staff exist (``csdomain init`` tells an existing database from a new one)."""
        with self.ctx.uow() as uow:
            return uow.staff.count()

    @use_case("org.system_account", actor=False)
    def system_account(self) -> Staff:
        """The scheduler account (role ``system``) the periodic actions run as (cron, the
        worker); created with the first administrator, or now for databases made before."""
        scheduler_role = self.ctx.policy.permissions.scheduler_role
        with self.ctx.uow() as uow:
            for staff in uow.staff.list():
                if staff.role == scheduler_role and staff.active:
                    return staff
            if uow.staff.count() == 0:
                raise NotFound("no organisation yet: run `csdomain init` first", field="actor")
            system = Staff(name=SYSTEM_NAME, role=scheduler_role)
            uow.staff.add(system)
            record(uow, self.ctx, "staff.system_created", system.id, system.id)
            uow.commit()
            return system

    @use_case("org.departments.add")
    def add_department(
        self, actor_id: StaffId, name: str, head_id: StaffId | None = None
    ) -> Department:
        with self.ctx.uow() as uow:
            authorize(uow, self.ctx, actor_id, "org.departments.add")
            if head_id is not None:
                uow.staff.get(head_id)
            dept = Department(name=_check_name(name), head_id=head_id)
            uow.departments.add(dept)
            record(uow, self.ctx, "department.added", dept.id, actor_id, name=dept.name)
            uow.commit()
            return dept

    @use_case("org.departments.set_head")
    def set_department_head(
        self, actor_id: StaffId, department_id: DepartmentId, head_id: StaffId
    ) -> Department:
        with self.ctx.uow() as uow:
            authorize(uow, self.ctx, actor_id, "org.departments.set_head")
            dept = uow.departments.get(department_id)
            uow.staff.get(head_id)
            dept.head_id = head_id
            record(uow, self.ctx, "department.head_set", dept.id, actor_id, head_id=head_id)
            uow.commit()
            return dept

    @use_case("org.departments.list")
    def list_departments(self, actor_id: StaffId) -> Sequence[Department]:
        with self.ctx.uow() as uow:
            authorize(uow, self.ctx, actor_id, "org.departments.list")
            return list(uow.departments.list())

    # ------------------------------------------------------------- regions (PEN-2)
    @use_case("org.regions.manage")
    def add_region(self, actor_id: StaffId, name: str, head_id: StaffId | None = None) -> Region:
        """PEN-2: a regional market and its head (区域市场负责人, 004 第1篇 第四条)."""
        name = _check_name(name)
        if len(name) > MAX_NAME:
            raise ValidationError(f"at most {MAX_NAME} characters", field="name", rule="PEN-2")
        with self.ctx.uow() as uow:
            authorize(uow, self.ctx, actor_id, "org.regions.manage")
            if head_id is not None:
                uow.staff.get(head_id)
            region = Region(name=name, head_id=head_id)
            uow.regions.add(region)
            record(uow, self.ctx, "region.added", region.id, actor_id, name=name)
            uow.commit()
            return region

    @use_case("org.regions.manage")
    def set_region_head(self, actor_id: StaffId, region_id: str, head_id: StaffId) -> Region:
        """PEN-2: who heads the region (charged with its escalated complaints)."""
        with self.ctx.uow() as uow:
            authorize(uow, self.ctx, actor_id, "org.regions.manage")
            region = uow.regions.get(region_id)
            uow.staff.get(head_id)
            region.head_id = head_id
            record(uow, self.ctx, "region.head_set", region.id, actor_id, head_id=head_id)
            uow.commit()
            return region

    @use_case("org.departments.list")
    def list_regions(self, actor_id: StaffId) -> Sequence[Region]:
        with self.ctx.uow() as uow:
            authorize(uow, self.ctx, actor_id, "org.departments.list")
            return list(uow.regions.list())

    @use_case("org.staff.update")
    def update_staff(
        self,
        actor_id: StaffId,
        staff_id: StaffId,
        *,
        base_points: int | None = None,
        group_leader_id: StaffId | None = None,
        region_id: str | None = None,
    ) -> Staff:
        """PEN-5 base points, PEN-8 group leader, PEN-2 regional market of a staff member
        (only the given fields change)."""
        with self.ctx.uow() as uow:
            authorize(uow, self.ctx, actor_id, "org.staff.update")
            staff = uow.staff.get(staff_id)
            self._apply_staff_data(uow, staff, base_points, group_leader_id, region_id)
            record(uow, self.ctx, "staff.updated", staff.id, actor_id)
            uow.commit()
            return staff

    @staticmethod
    def _apply_staff_data(
        uow: UnitOfWork,
        staff: Staff,
        base_points: int | None,
        group_leader_id: StaffId | None,
        region_id: str | None,
    ) -> None:
        if base_points is not None:
            if not 0 <= base_points <= MAX_INT:
                raise ValidationError(f"must be 0–{MAX_INT}", field="base_points", rule="PEN-5")
            staff.base_points = base_points
        if group_leader_id is not None:
            if group_leader_id == staff.id:
                raise ValidationError(
                    "nobody is their own group leader", field="group_leader_id", rule="PEN-8"
                )
            uow.staff.get(group_leader_id)
            staff.group_leader_id = group_leader_id
        if region_id is not None:
            uow.regions.get(region_id)
            staff.region_id = region_id

    @use_case("org.staff.add")
    def add_staff(
        self,
        actor_id: StaffId,
        *,
        name: str,
        role: str,
        department_id: DepartmentId | None = None,
        position: str = "",
        supervisor_id: StaffId | None = None,
        email: str = "",
        base_points: int | None = None,
        group_leader_id: StaffId | None = None,
        region_id: str | None = None,
    ) -> Staff:
        with self.ctx.uow() as uow:
            authorize(uow, self.ctx, actor_id, "org.staff.add")
            if role == self.ctx.policy.permissions.scheduler_role:
                raise ValidationError(
                    "the system account is created by `csdomain init`", field="role", rule="X-3"
                )
            if department_id is not None:
                uow.departments.get(department_id)
            if supervisor_id is not None:
                uow.staff.get(supervisor_id)
            staff = Staff(
                name=_check_name(name),
                role=_check_role(role),
                department_id=department_id,
                position=position,
                supervisor_id=supervisor_id,
                email=_check_email(email),
            )
            self._apply_staff_data(uow, staff, base_points, group_leader_id, region_id)
            uow.staff.add(staff)
            record(uow, self.ctx, "staff.added", staff.id, actor_id, role=role)
            uow.commit()
            return staff

    @use_case("org.staff.read")
    def get_staff(self, actor_id: StaffId, staff_id: StaffId) -> Staff:
        with self.ctx.uow() as uow:
            authorize(uow, self.ctx, actor_id, "org.staff.read")
            return uow.staff.get(staff_id)

    @use_case("org.staff.read")
    def list_staff(self, actor_id: StaffId) -> Sequence[Staff]:
        with self.ctx.uow() as uow:
            authorize(uow, self.ctx, actor_id, "org.staff.read")
            return list(uow.staff.list())

    @use_case("org.staff.deactivate")
    def deactivate_staff(self, actor_id: StaffId, staff_id: StaffId, reason: str) -> Staff:
        """A leaver can do nothing any more: inactive staff fail the guard and every token of
        theirs stops working (X-3). Nobody deactivates themselves."""
        if not reason.strip():
            raise ValidationError("a deactivation needs a reason", field="reason", rule="X-7")
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "org.staff.deactivate")
            staff = uow.staff.get(staff_id)
            grant.require(Resource.of(f"staff {staff.name}", subjects=[staff.id]))
            if not staff.active:
                raise Conflict(f"{staff.name} is already inactive", field="staff_id", rule="X-3")
            staff.active = False
            record(uow, self.ctx, "staff.deactivated", staff.id, actor_id, reason)
            uow.commit()
            return staff

    @use_case("org.permissions.manage")
    def grant_permission(
        self, actor_id: StaffId, staff_id: StaffId, permission: str, reason: str
    ) -> Staff:
        """X-5: only the policy's grant role (GM by default) may grant confidential reads."""
        return self._set_permission(actor_id, staff_id, permission, reason, grant=True)

    @use_case("org.permissions.manage")
    def revoke_permission(
        self, actor_id: StaffId, staff_id: StaffId, permission: str, reason: str
    ) -> Staff:
        return self._set_permission(actor_id, staff_id, permission, reason, grant=False)

    def _set_permission(
        self, actor_id: StaffId, staff_id: StaffId, permission: str, reason: str, *, grant: bool
    ) -> Staff:
        if permission not in {p.value for p in Permission}:
            raise ValidationError(
                f"unknown permission {permission!r}; known: {', '.join(p for p in Permission)}",
                field="permission",
                rule="X-5",
            )
        with self.ctx.uow() as uow:
            granted = authorize(uow, self.ctx, actor_id, "org.permissions.manage")
            if not reason.strip():  # a decision records its reason
                raise ValidationError(
                    "a grant or revocation needs a reason", field="reason", rule="X-7"
                )
            staff = uow.staff.get(staff_id)
            granted.require(Resource.of(f"the permissions of {staff.name}", subjects=[staff.id]))
            perms = [p for p in staff.permissions if p != permission]
            if grant:
                perms.append(permission)
            staff.permissions = sorted(perms)
            kind = "permission.granted" if grant else "permission.revoked"
            record(uow, self.ctx, kind, staff.id, actor_id, reason, permission=permission)
            uow.commit()
            return staff

    @use_case("org.tokens.issue")
    def issue_token(self, actor_id: StaffId, staff_id: StaffId, label: str = "") -> str:
        """A new API token for ``staff_id``; the plaintext is returned once and never stored.
        Staff issue their own; who may issue others' is the permission table's scope."""
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "org.tokens.issue")
            staff = uow.staff.get(staff_id)
            grant.require(Resource.of(f"the tokens of {staff.name}", owners=[staff.id]))
            token = self._new_token(uow, staff_id, label)
            record(uow, self.ctx, "token.issued", staff_id, actor_id, label=label)
            uow.commit()
            return token

    @use_case("org.tokens.revoke")
    def revoke_tokens(self, actor_id: StaffId, staff_id: StaffId, reason: str) -> int:
        """Revoke every token of ``staff_id`` (a lost laptop, a leaver); returns how many."""
        if not reason.strip():
            raise ValidationError("a revocation needs a reason", field="reason", rule="X-7")
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "org.tokens.revoke")
            staff = uow.staff.get(staff_id)
            grant.require(Resource.of(f"the tokens of {staff.name}", owners=[staff.id]))
            count = 0
            for token in uow.tokens.list_for(staff.id):
                if not token.revoked:
                    token.revoked = True
                    count += 1
            record(uow, self.ctx, "token.revoked", staff.id, actor_id, reason, count=str(count))
            uow.commit()
            return count

    @use_case("org.authenticate", actor=False)
    def authenticate(self, token: str) -> Staff:
        with self.ctx.uow() as uow:
            staff = uow.tokens.owner(hash_token(token))  # one query (issue 10)
            if staff is None:
                raise NotFound("unknown or revoked token", field="Authorization")
            if not staff.active:
                raise PermissionDenied("staff member is inactive", field="Authorization")
            return staff

    def _new_token(self, uow: UnitOfWork, staff_id: StaffId, label: str) -> str:
        token = "csd_" + secrets.token_urlsafe(24)
        uow.tokens.add(
            ApiToken(
                token_hash=hash_token(token),
                staff_id=staff_id,
                label=label,
                created_at=self.ctx.now(),
            )
        )
        return token
