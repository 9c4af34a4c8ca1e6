"""Reading the effective policy: a use case like any other, so the permission table says who
may see the numbers and roles the rules use (a later policy lab adds versions here)."""

from __future__ import annotations

from csdomain.authz import use_case
from csdomain.context import ServiceContext, authorize
from csdomain.kernel.ids import StaffId
from csdomain.policy.model import Policy


class PolicyService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    @use_case("policy.read")
    def current(self, actor_id: StaffId) -> Policy:
        """The policy this application applies now."""
        with self.ctx.uow() as uow:
            authorize(uow, self.ctx, actor_id, "policy.read")
        return self.ctx.policy
