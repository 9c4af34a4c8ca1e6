"""The service layer facade every adapter calls: one object holding each capability's use cases."""

from __future__ import annotations

import attrs

from csdomain.authz.guard import check_policy
from csdomain.cases.ports import Notifier
from csdomain.cases.services import CaseService, LogNotifier
from csdomain.context import ServiceContext
from csdomain.credit.services import CreditService
from csdomain.customers.key_accounts import KeyAccountService
from csdomain.customers.loans import FileLoanService
from csdomain.customers.registers import RegisterService
from csdomain.customers.services import CustomerService
from csdomain.org.services import OrgService
from csdomain.penalties.services import PenaltyService
from csdomain.policy.services import PolicyService
from csdomain.policy_lab.ports import PolicyParser
from csdomain.policy_lab.replay import ReplayService
from csdomain.policy_lab.services import PolicyLabService
from csdomain.service_jobs.services import ServiceJobService, SettlementService
from csdomain.surveys.services import SurveyService
from csdomain.visits.services import VisitService


@attrs.define
class Services:
    ctx: ServiceContext
    org: OrgService
    customers: CustomerService
    registers: RegisterService  # issue 12: daily registers (CUS-1, CUS-7)
    file_loans: FileLoanService  # issue 12: file lending (CUS-7)
    key_accounts: KeyAccountService  # issue 12: key accounts (CUS-5)
    cases: CaseService
    service_jobs: ServiceJobService
    settlement: SettlementService
    penalties: PenaltyService
    policy: PolicyService
    credit: CreditService
    visits: VisitService
    surveys: SurveyService
    policy_lab: PolicyLabService
    replay: ReplayService  # issue 15: what-if replay of the history

    @classmethod
    def build(
        cls,
        ctx: ServiceContext,
        notifier: Notifier | None = None,
        parser: PolicyParser | None = None,
    ) -> Services:
        check_policy(ctx.policy)  # the permission table covers every declared action
        notifier = notifier or LogNotifier()
        return cls(
            ctx=ctx,
            org=OrgService(ctx),
            customers=CustomerService(ctx),
            registers=RegisterService(ctx),
            file_loans=FileLoanService(ctx),
            key_accounts=KeyAccountService(ctx),
            cases=CaseService(ctx, notifier),
            service_jobs=ServiceJobService(ctx, notifier),
            settlement=SettlementService(ctx),
            penalties=PenaltyService(ctx),
            policy=PolicyService(ctx),
            credit=CreditService(ctx),
            visits=VisitService(ctx),
            surveys=SurveyService(ctx),
            policy_lab=PolicyLabService(ctx, parser),
            replay=ReplayService(ctx),
        )
