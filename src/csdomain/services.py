"""The service layer facade every adapter calls: one object holding each capability's use cases."""

from __future__ import annotations

import attrs

from csdomain.authz.guard import check_policy
from csdomain.cases.ports import Notifier
from csdomain.cases.services import CaseService, LogNotifier
from csdomain.context import ServiceContext
from csdomain.credit.services import CreditService
from csdomain.customers.services import CustomerService
from csdomain.org.services import OrgService
from csdomain.penalties.services import PenaltyService
from csdomain.policy.services import PolicyService
from csdomain.service_jobs.services import ServiceJobService, SettlementService
from csdomain.surveys.services import SurveyService
from csdomain.visits.services import VisitService


@attrs.define
class Services:
    ctx: ServiceContext
    org: OrgService
    customers: CustomerService
    cases: CaseService
    service_jobs: ServiceJobService
    settlement: SettlementService
    penalties: PenaltyService
    policy: PolicyService
    credit: CreditService
    visits: VisitService
    surveys: SurveyService

    @classmethod
    def build(cls, ctx: ServiceContext, notifier: Notifier | None = None) -> Services:
        check_policy(ctx.policy)  # the permission table covers every declared action
        notifier = notifier or LogNotifier()
        return cls(
            ctx=ctx,
            org=OrgService(ctx),
            customers=CustomerService(ctx),
            cases=CaseService(ctx, notifier),
            service_jobs=ServiceJobService(ctx, notifier),
            settlement=SettlementService(ctx),
            penalties=PenaltyService(ctx),
            policy=PolicyService(ctx),
            credit=CreditService(ctx),
            visits=VisitService(ctx),
            surveys=SurveyService(ctx),
        )
