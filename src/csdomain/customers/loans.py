"""File lending (CUS-7; 000 篇五 6 《档案借阅制度》, 002 ch. 7).

A customer file leaves the archive only through a loan: requested with a purpose by someone
whose scope reaches the customer, approved (or refused with a reason) by the permission
table's role — never the borrower (X-4) — and returned to the archive by someone else, who
checks it back in. A lent file is due back within ``customers.lending.return_working_days``;
the open-loans list shows the overdue ones (the periodic check). A file is on loan to one
borrower at a time: the approval locks the file and a unique key on the lent loan of a file
is the backstop.
"""

from __future__ import annotations

import builtins

from csdomain.authz import Resource, use_case
from csdomain.context import ServiceContext, authorize, record
from csdomain.customers.commands import RequestLoan
from csdomain.customers.deadlines import loan_due_back, loan_late
from csdomain.customers.model import FileLoan, LoanState
from csdomain.kernel.errors import Conflict, InvalidTransition, ValidationError
from csdomain.kernel.ids import CustomerId, FileId, StaffId
from csdomain.ports import UnitOfWork


class FileLoanService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def _customer_resource(self, uow: UnitOfWork, file_id: FileId) -> tuple[Resource, CustomerId]:
        customer_file = uow.files.get(file_id)
        customer = uow.customers.get(customer_file.customer_id)
        owner = uow.staff.get(customer.owner_id)
        resource = Resource.of(
            f"the file of customer {customer.id}",
            owners=[owner.id],
            departments=[owner.department_id],
        )
        return resource, customer.id

    def _loan(self, uow: UnitOfWork, loan_id: str, state: LoanState) -> FileLoan:
        loan = uow.file_loans.get(loan_id)
        if loan.state != state:
            raise InvalidTransition(
                f"the loan is {loan.state.value}, not {state.value}", rule="CUS-7"
            )
        return loan

    @use_case("customers.files.loans.request")
    def request(self, actor_id: StaffId, file_id: FileId, command: RequestLoan) -> FileLoan:
        """CUS-7 step 1: ask to borrow a file (of a customer the actor's scope reaches)."""
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "customers.files.loans.request")
            resource, customer_id = self._customer_resource(uow, file_id)
            grant.require(resource)
            if uow.files.get(file_id).destroyed:
                raise InvalidTransition("the file was destroyed", rule="X-6")
            loan = FileLoan(
                file_id=file_id,
                customer_id=customer_id,
                borrower_id=grant.actor.id,
                purpose=command.purpose,
                requested_at=self.ctx.now(),
            )
            uow.file_loans.add(loan)
            record(
                uow,
                self.ctx,
                "file.loan_requested",
                file_id,
                grant.actor.id,
                command.purpose,
                loan_id=loan.id,
            )
            uow.commit()
            return loan

    @use_case("customers.files.loans.approve")
    def decide(
        self, actor_id: StaffId, loan_id: str, *, approve: bool, reason: str = ""
    ) -> FileLoan:
        """CUS-7 step 2: the policy's role lends the file (not the borrower: X-4), due back
        within the policy's working days — unless it is on loan already (409) — or refuses
        with a reason."""
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "customers.files.loans.approve")
            loan = self._loan(uow, loan_id, LoanState.REQUESTED)
            uow.lock(f"file-loan:{loan.file_id}")  # one lent loan per file
            grant.require(Resource.of(f"file loan {loan.id}", subjects=[loan.borrower_id]))
            now = self.ctx.now()
            loan.decided_by = grant.actor.id
            loan.decided_at = now
            if not approve:
                if not reason.strip():
                    raise ValidationError("a refusal needs a reason", field="reason", rule="CUS-7")
                loan.state = LoanState.REJECTED
                loan.rejection_reason = reason
                record(
                    uow,
                    self.ctx,
                    "file.loan_rejected",
                    loan.file_id,
                    grant.actor.id,
                    reason,
                    loan_id=loan.id,
                )
                uow.commit()
                return loan
            lent = [
                other
                for other in uow.file_loans.list(file_id=loan.file_id, open_only=True)
                if other.state == LoanState.LENT and other.id != loan.id
            ]
            if lent:
                other = lent[0]
                raise Conflict(
                    f"file {loan.file_id} is on loan to {uow.staff.get(other.borrower_id).name} "
                    f"until {other.due_back_on}; it is lent again once returned",
                    rule="CUS-7",
                    field="file_id",
                )
            if uow.files.get(loan.file_id).destroyed:
                raise InvalidTransition("the file was destroyed", rule="X-6")
            loan.state = LoanState.LENT
            loan.due_back_on = loan_due_back(self.ctx.policy, self.ctx.calendar, now.date())
            record(
                uow,
                self.ctx,
                "file.lent",
                loan.file_id,
                grant.actor.id,
                reason,
                loan_id=loan.id,
                borrower_id=loan.borrower_id,
                due_back_on=loan.due_back_on.isoformat(),
            )
            uow.commit()
            return loan

    @use_case("customers.files.loans.return")
    def give_back(self, actor_id: StaffId, loan_id: str, note: str = "") -> FileLoan:
        """CUS-7 step 3: the file is checked back into the archive by someone other than the
        borrower (X-4), who records it."""
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "customers.files.loans.return")
            loan = self._loan(uow, loan_id, LoanState.LENT)
            grant.require(Resource.of(f"file loan {loan.id}", subjects=[loan.borrower_id]))
            loan.state = LoanState.RETURNED
            loan.returned_at = self.ctx.now()
            loan.returned_to = grant.actor.id
            record(
                uow,
                self.ctx,
                "file.returned",
                loan.file_id,
                grant.actor.id,
                note,
                loan_id=loan.id,
                late=str(
                    loan.due_back_on is not None
                    and loan_late(loan.due_back_on, None, self.ctx.today())
                ).lower(),
            )
            uow.commit()
            return loan

    @use_case("customers.files.loans.read")
    def loans(
        self,
        actor_id: StaffId,
        *,
        file_id: FileId | None = None,
        open_only: bool = False,
        overdue_only: bool = False,
    ) -> builtins.list[FileLoan]:
        """Loans in the actor's scope (their own as a borrower, their department's, all);
        ``overdue_only``: lent files past their due-back day (the periodic check)."""
        today = self.ctx.today()
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "customers.files.loans.read")
            out = []
            for loan in uow.file_loans.list(file_id=file_id, open_only=open_only or overdue_only):
                if overdue_only and not (
                    loan.state == LoanState.LENT
                    and loan.due_back_on is not None
                    and loan_late(loan.due_back_on, None, today)
                ):
                    continue
                borrower = uow.staff.get(loan.borrower_id)
                if grant.covers(
                    Resource.of(owners=[borrower.id], departments=[borrower.department_id])
                ):
                    out.append(loan)
            return out
