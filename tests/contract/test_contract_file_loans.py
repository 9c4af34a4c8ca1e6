"""The storage contract of ``FileLoanRepository.list_lent_between`` (CUS-7; issue 15's
replay reads loans a window at a time): identical for memory, SQLite and PostgreSQL."""

from __future__ import annotations

from contract_support import at, d

from adapters.bootstrap import Storage
from csdomain.customers.model import FileLoan, LoanState
from csdomain.kernel.ids import CustomerId, FileId, StaffId


def _loan(file_id: str, decided: str | None, state: LoanState) -> FileLoan:
    return FileLoan(
        file_id=FileId(file_id),
        customer_id=CustomerId("cus_1"),
        borrower_id=StaffId("stf_b"),
        purpose="audit",
        requested_at=at("2026-09-30 09:00"),
        state=state,
        decided_by=StaffId("stf_s") if decided else None,
        decided_at=at(decided) if decided else None,
        due_back_on=d("2026-10-20") if state in (LoanState.LENT, LoanState.RETURNED) else None,
    )


def test_cus7_loans_lent_between_are_the_approved_ones_of_the_window_by_decision_paged(
    storage: Storage,
) -> None:
    before = _loan("fil_0", "2026-09-30 23:59", LoanState.RETURNED)
    first = _loan("fil_1", "2026-10-01 00:00", LoanState.RETURNED)
    second = _loan("fil_2", "2026-10-13 10:00", LoanState.LENT)
    third = _loan("fil_3", "2026-10-31 23:59", LoanState.RETURNED)
    after = _loan("fil_4", "2026-11-01 00:00", LoanState.LENT)
    refused = _loan("fil_5", "2026-10-14 10:00", LoanState.REJECTED)
    waiting = _loan("fil_6", None, LoanState.REQUESTED)
    with storage.unit_of_work() as uow:
        for loan in (third, after, refused, waiting, second, before, first):
            uow.file_loans.add(loan)
        uow.commit()
    start, end = at("2026-10-01 00:00"), at("2026-11-01 00:00")
    with storage.unit_of_work() as uow:
        assert [x.id for x in uow.file_loans.list_lent_between(start, end)] == [
            first.id,
            second.id,
            third.id,
        ]
        page = uow.file_loans.list_lent_between(start, end, limit=2, offset=1)
        assert [x.id for x in page] == [second.id, third.id]
        assert uow.file_loans.list_lent_between(start, end, limit=2, offset=3) == []
