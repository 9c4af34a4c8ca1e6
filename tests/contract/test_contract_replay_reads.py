"""The "between dates" reads the what-if replay pages through (issue 15), identical for
memory, SQLite and PostgreSQL: service jobs by registration time and maintenance contracts
by their end (CASE-12), periodic
surveys by the day their collection opens (SAT-2). Half-open ``[start, end)``, ordered,
paged by ``limit``/``offset``."""

from __future__ import annotations

from contract_support import at, d

from adapters.bootstrap import Storage
from csdomain.kernel.ids import CustomerId, StaffId
from csdomain.service_jobs.model import MaintenanceContract, ServiceJob
from csdomain.surveys.model import Survey

STAFF = StaffId("stf_a")


def job(name: str, registered: str) -> ServiceJob:
    return ServiceJob(
        customer_name=name,
        address="x",
        zone="city",
        work_type="A",
        description="broken",
        registered_at=at(registered),
        registered_by=STAFF,
        arrive_by=at(registered),
    )


def survey(title: str, opens_on: str) -> Survey:
    return Survey(
        title=title,
        period_start=d("2026-01-01"),
        period_end=d("2026-12-31"),
        opens_on=d(opens_on),
        closes_on=d(opens_on),
        statistics_due=d(opens_on),
        reply_due=d(opens_on),
        population=10,
        created_by=STAFF,
        created_at=at("2026-09-01 09:00"),
    )


def test_service_jobs_registered_between_a_page_at_a_time(storage: Storage) -> None:
    jobs = [
        job("before", "2026-09-30 23:59"),
        job("late", "2026-10-20 09:00"),
        job("first", "2026-10-01 00:00"),
        job("middle", "2026-10-05 12:00"),
        job("after", "2026-11-01 00:00"),
    ]
    with storage.unit_of_work() as uow:
        for j in jobs:
            uow.service_jobs.add(j)
        uow.commit()
    start, end = at("2026-10-01 00:00"), at("2026-11-01 00:00")
    with storage.unit_of_work() as uow:
        names = [j.customer_name for j in uow.service_jobs.list_registered_between(start, end)]
        assert names == ["first", "middle", "late"]
        pages = [
            [
                j.customer_name
                for j in uow.service_jobs.list_registered_between(
                    start, end, limit=2, offset=offset
                )
            ]
            for offset in (0, 2, 4)
        ]
        assert pages == [["first", "middle"], ["late"], []]


def test_surveys_opened_between_a_page_at_a_time(storage: Storage) -> None:
    rows = [
        survey("september", "2026-09-30"),
        survey("second", "2026-10-08"),
        survey("first", "2026-10-01"),
        survey("third", "2026-10-08"),  # same day: creation order
        survey("november", "2026-11-01"),
    ]
    with storage.unit_of_work() as uow:
        for s in rows:
            uow.surveys.add(s)
        uow.commit()
    with storage.unit_of_work() as uow:
        found = uow.surveys.list_opened_between(d("2026-10-01"), d("2026-11-01"))
        assert [s.title for s in found] == ["first", "second", "third"]
        page = uow.surveys.list_opened_between(d("2026-10-01"), d("2026-11-01"), limit=1, offset=1)
        assert [s.title for s in page] == ["second"]


def test_contracts_ending_between_notified_or_not(storage: Storage) -> None:
    def contract(number: str, ends_on: str, notified: bool = False) -> MaintenanceContract:
        return MaintenanceContract(
            customer_id=CustomerId("cus_1"),
            number=number,
            starts_on=d("2025-01-01"),
            ends_on=d(ends_on),
            renewal_notified_at=at("2026-09-20 09:00") if notified else None,
        )

    with storage.unit_of_work() as uow:
        for c in (
            contract("M-sep", "2026-09-30"),
            contract("M-late", "2026-10-31", notified=True),
            contract("M-first", "2026-10-01"),
            contract("M-nov", "2026-11-01"),
        ):
            uow.contracts.add(c)
        uow.commit()
    with storage.unit_of_work() as uow:
        found = uow.contracts.list_ending_between(d("2026-10-01"), d("2026-11-01"))
        assert [c.number for c in found] == ["M-first", "M-late"]
        assert found[1].renewal_notified_at == at("2026-09-20 09:00")
        page = uow.contracts.list_ending_between(
            d("2026-10-01"), d("2026-11-01"), limit=1, offset=1
        )
        assert [c.number for c in page] == ["M-late"]
