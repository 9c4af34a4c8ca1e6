"""The service layer facade every adapter calls: one object holding each capability's use cases."""

from __future__ import annotations

import attrs

from csdomain.cases.ports import Notifier
from csdomain.cases.services import CaseService
from csdomain.context import ServiceContext
from csdomain.customers.services import CustomerService
from csdomain.org.services import OrgService


@attrs.define
class Services:
    ctx: ServiceContext
    org: OrgService
    customers: CustomerService
    cases: CaseService

    @classmethod
    def build(cls, ctx: ServiceContext, notifier: Notifier | None = None) -> Services:
        return cls(
            ctx=ctx,
            org=OrgService(ctx),
            customers=CustomerService(ctx),
            cases=CaseService(ctx, notifier),
        )
