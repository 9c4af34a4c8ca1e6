"""Use cases for the organisation: departments, staff, permissions (X-5) and API tokens."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from csdomain.context import ServiceContext, load_actor, record
from csdomain.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationError
from csdomain.kernel.ids import DepartmentId, StaffId
from csdomain.kernel.roles import Permission, Role
from csdomain.org.model import ApiToken, Department, Staff, hash_token
from csdomain.ports import UnitOfWork

_ADMIN_ROLES = (Role.ADMIN.value, Role.GM.value)


def _require_admin(actor: Staff) -> None:
    if actor.role not in _ADMIN_ROLES:
        raise PermissionDenied(
            "managing staff and departments needs the admin or gm role", rule="X-3"
        )


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


class OrgService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def bootstrap_admin(self, name: str) -> tuple[Staff, str]:
        """Create the first administrator and a token for it; refused once any staff exists."""
        with self.ctx.uow() as uow:
            uow.lock("org:bootstrap")  # once: two simultaneous first runs make one admin
            if uow.staff.count() > 0:
                raise Conflict("the organisation already has staff; ask an admin for an account")
            admin = Staff(name=_check_name(name), role=Role.ADMIN.value)
            uow.staff.add(admin)
            token = self._new_token(uow, admin.id, "bootstrap")
            record(uow, self.ctx, "staff.bootstrapped", admin.id, admin.id)
            uow.commit()
            return admin, token

    def add_department(
        self, actor_id: StaffId, name: str, head_id: StaffId | None = None
    ) -> Department:
        with self.ctx.uow() as uow:
            _require_admin(load_actor(uow, actor_id))
            if head_id is not None:
                uow.staff.get(head_id)
            dept = Department(name=_check_name(name), head_id=head_id)
            uow.departments.add(dept)
            record(uow, self.ctx, "department.added", dept.id, actor_id, name=dept.name)
            uow.commit()
            return dept

    def set_department_head(
        self, actor_id: StaffId, department_id: DepartmentId, head_id: StaffId
    ) -> Department:
        with self.ctx.uow() as uow:
            _require_admin(load_actor(uow, actor_id))
            dept = uow.departments.get(department_id)
            uow.staff.get(head_id)
            dept.head_id = head_id
            record(uow, self.ctx, "department.head_set", dept.id, actor_id, head_id=head_id)
            uow.commit()
            return dept

    def list_departments(self) -> Sequence[Department]:
        with self.ctx.uow() as uow:
            return list(uow.departments.list())

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
    ) -> Staff:
        with self.ctx.uow() as uow:
            _require_admin(load_actor(uow, actor_id))
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
            uow.staff.add(staff)
            record(uow, self.ctx, "staff.added", staff.id, actor_id, role=role)
            uow.commit()
            return staff

    def get_staff(self, staff_id: StaffId) -> Staff:
        with self.ctx.uow() as uow:
            return uow.staff.get(staff_id)

    def list_staff(self) -> Sequence[Staff]:
        with self.ctx.uow() as uow:
            return list(uow.staff.list())

    def grant_permission(
        self, actor_id: StaffId, staff_id: StaffId, permission: str, reason: str
    ) -> Staff:
        """X-5: only the policy's grant role (GM by default) may grant confidential reads."""
        return self._set_permission(actor_id, staff_id, permission, reason, grant=True)

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
            actor = load_actor(uow, actor_id)
            conf = self.ctx.policy.confidentiality
            if actor.role == Role.ADMIN.value or not self.ctx.policy.authority.at_least(
                actor.role, conf.grant_role
            ):
                raise PermissionDenied(
                    f"only {conf.grant_role} may grant or revoke confidential-read permissions",
                    rule="X-5",
                )
            if not reason.strip():  # a decision records its reason
                raise ValidationError(
                    "a grant or revocation needs a reason", field="reason", rule="X-7"
                )
            staff = uow.staff.get(staff_id)
            perms = [p for p in staff.permissions if p != permission]
            if grant:
                perms.append(permission)
            staff.permissions = sorted(perms)
            kind = "permission.granted" if grant else "permission.revoked"
            record(uow, self.ctx, kind, staff.id, actor_id, reason, permission=permission)
            uow.commit()
            return staff

    def issue_token(self, actor_id: StaffId, staff_id: StaffId, label: str = "") -> str:
        """A new API token for ``staff_id``; the plaintext is returned once and never stored."""
        with self.ctx.uow() as uow:
            actor = load_actor(uow, actor_id)
            if actor.id != staff_id:
                _require_admin(actor)
            uow.staff.get(staff_id)
            token = self._new_token(uow, staff_id, label)
            record(uow, self.ctx, "token.issued", staff_id, actor_id, label=label)
            uow.commit()
            return token

    def authenticate(self, token: str) -> Staff:
        with self.ctx.uow() as uow:
            found = uow.tokens.find(hash_token(token))
            if found is None or found.revoked:
                raise NotFound("unknown or revoked token", field="Authorization")
            staff = uow.staff.get(found.staff_id)
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
