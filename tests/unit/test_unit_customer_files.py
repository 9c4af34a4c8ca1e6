"""CUS-3 customer files (档案): due dates in working days, checklists, hand-over register,
overdue report; X-5 confidential reads; X-6 retention and destruction."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from unit_support import at, audit_events, d, deregister, register, snapshot

from csdomain.kernel.clock import FixedClock
from csdomain.kernel.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from csdomain.kernel.roles import Permission

NEW_SALE_ITEMS = [
    "contact_card",
    "invoice_copy",
    "contract",
    "id_copy",
    "handover_sheet",
    "licence",
    "insurance",
    "add_ons",
    "conformity_cert",
    "photos",
    "pdi_sheet",
    "other",
]
SERVICE_ITEMS = ["reception_sheet", "work_order", "settlement_sheet", "free_check_sheet"]


@pytest.fixture
def customer(app: Any, org: Any) -> Any:
    return register(app, org.sales.id)


def open_new_sale(app: Any, org: Any, customer: Any, day: str = "2026-09-18") -> Any:
    return app.services.customers.open_file(org.sales.id, customer.id, "new_sale", d(day))


# ------------------------------------------------------------------ opening
def test_cus3_new_sale_file_is_due_three_working_days_after_the_sale(
    app: Any, org: Any, customer: Any
) -> None:
    f = open_new_sale(app, org, customer)
    assert f.due_on == d("2026-09-22")  # Fri 18 -> Sun 20 (make-up), Mon 21, Tue 22
    assert f.opened_by == org.sales.id
    assert f.opened_at == at("2026-09-18 10:00")
    (event,) = audit_events(app, f.id, "file.opened")
    assert event.data["due_on"] == "2026-09-22"
    assert event.actor_id == org.sales.id


def test_cus3_service_file_is_due_one_working_day_after_the_handover(
    app: Any, org: Any, customer: Any
) -> None:
    svc = app.services.customers
    assert svc.open_file(org.sales.id, customer.id, "service", d("2026-09-18")).due_on == d(
        "2026-09-20"
    )
    assert svc.open_file(org.sales.id, customer.id, "service", d("2026-09-30")).due_on == d(
        "2026-10-08"
    )


def test_cus3_new_sale_file_across_the_national_day_holiday(
    app: Any, org: Any, customer: Any
) -> None:
    # Tue 09-29 -> Wed 30 (1), holiday 1-7, Thu 10-08 (2), Fri 10-09 (3)
    assert open_new_sale(app, org, customer, "2026-09-29").due_on == d("2026-10-09")


def test_cus3_unknown_file_kind_is_refused(app: Any, org: Any, customer: Any) -> None:
    before = snapshot(app)
    with pytest.raises(ValidationError) as info:
        app.services.customers.open_file(org.sales.id, customer.id, "warranty", d("2026-09-18"))
    assert info.value.field == "kind"
    assert "new_sale" in info.value.message and "service" in info.value.message
    assert snapshot(app) == before


def test_cus3_only_someone_who_sees_the_customer_opens_a_file(
    app: Any, org: Any, customer: Any
) -> None:
    with pytest.raises(PermissionDenied):
        app.services.customers.open_file(org.sales2.id, customer.id, "new_sale", d("2026-09-18"))


def test_cus3_a_deregistered_customer_gets_no_new_file(app: Any, org: Any, customer: Any) -> None:
    deregister(app, org, customer.id)
    with pytest.raises(InvalidTransition):
        open_new_sale(app, org, customer)


# ------------------------------------------------------------------ documents
def test_cus3_documents_must_be_checklist_items(app: Any, org: Any, customer: Any) -> None:
    f = open_new_sale(app, org, customer)
    svc = app.services.customers
    before = snapshot(app)
    with pytest.raises(ValidationError) as info:
        svc.add_documents(org.sales.id, f.id, {"contract": "box 1", "selfie": "box 1"})
    assert info.value.field == "documents"
    assert "selfie" in info.value.message
    with pytest.raises(ValidationError):  # a service item is not on the new-sale checklist
        svc.add_documents(org.sales.id, f.id, {"work_order": "box 1"})
    with pytest.raises(ValidationError):  # a reference must say where the document is
        svc.add_documents(org.sales.id, f.id, {"contract": "  "})
    assert snapshot(app) == before


def test_cus3_status_lists_missing_items_in_checklist_order(
    app: Any, org: Any, customer: Any
) -> None:
    f = open_new_sale(app, org, customer)
    status = app.services.customers.add_documents(
        org.sales.id, f.id, {"contract": "box 7", "contact_card": "box 7"}
    )
    assert status.missing_items == [
        i for i in NEW_SALE_ITEMS if i not in ("contract", "contact_card")
    ]
    assert not status.complete
    assert not status.overdue
    status = app.services.customers.add_documents(org.sales.id, f.id, {"invoice_copy": "b"})
    assert "invoice_copy" not in status.missing_items
    assert "contract" not in status.missing_items  # earlier documents are kept


# ------------------------------------------------------------------ hand-over
def test_cus3_complete_on_time_handover(
    app: Any, org: Any, customer: Any, clock: FixedClock
) -> None:
    f = app.services.customers.open_file(org.sales.id, customer.id, "service", d("2026-09-18"))
    app.services.customers.add_documents(org.sales.id, f.id, dict.fromkeys(SERVICE_ITEMS, "b1"))
    clock.set(at("2026-09-20 16:00"))  # the due day (a make-up Sunday)
    status = app.services.customers.hand_over_file(org.sales.id, f.id, org.service.id, "all in")
    assert status.complete
    assert not status.handed_over_late
    assert status.missing_items == []
    assert status.handed_over_at == at("2026-09-20 16:00")
    kinds = [e.kind for e in audit_events(app, f.id)]
    assert "file.handed_over" in kinds
    assert "file.handover_late" not in kinds
    assert "file.handover_incomplete" not in kinds
    (event,) = audit_events(app, f.id, "file.handed_over")
    assert event.data["received_by"] == org.service.id
    assert event.reason == "all in"


def test_cus3_late_and_incomplete_handover_records_missing_items_and_events(
    app: Any, org: Any, customer: Any, clock: FixedClock
) -> None:
    f = open_new_sale(app, org, customer)  # due 2026-09-22
    have = {i: "box 3" for i in NEW_SALE_ITEMS if i not in ("insurance", "photos")}
    app.services.customers.add_documents(org.sales.id, f.id, have)
    clock.set(at("2026-09-23 09:00"))
    status = app.services.customers.hand_over_file(org.sales.id, f.id, org.service.id)
    assert status.handed_over_late
    assert status.missing_items == ["insurance", "photos"]
    assert not status.complete
    (late,) = audit_events(app, f.id, "file.handover_late")
    assert late.data == {"due_on": "2026-09-22", "handed_over_on": "2026-09-23"}
    assert late.actor_id == org.sales.id
    (incomplete,) = audit_events(app, f.id, "file.handover_incomplete")
    assert incomplete.data["missing"] == "insurance,photos"
    with app.storage.unit_of_work() as uow:
        stored = uow.files.get(f.id)
    assert stored.missing_at_handover == ["insurance", "photos"]
    assert stored.handed_over_by == org.sales.id
    assert stored.received_by == org.service.id


def test_cus3_handover_on_the_due_day_is_not_late(
    app: Any, org: Any, customer: Any, clock: FixedClock
) -> None:
    f = open_new_sale(app, org, customer)
    clock.set(at("2026-09-22 23:59"))
    status = app.services.customers.hand_over_file(org.sales.id, f.id, org.service.id)
    assert not status.handed_over_late
    assert audit_events(app, f.id, "file.handover_late") == []
    assert len(audit_events(app, f.id, "file.handover_incomplete")) == 1


def test_cus3_receiver_must_be_someone_else(app: Any, org: Any, customer: Any) -> None:
    f = open_new_sale(app, org, customer)
    before = snapshot(app)
    with pytest.raises(ValidationError) as info:
        app.services.customers.hand_over_file(org.sales.id, f.id, org.sales.id)
    assert info.value.field == "received_by"
    assert snapshot(app) == before
    with pytest.raises(NotFound):
        app.services.customers.hand_over_file(org.sales.id, f.id, "stf_nobody")


def test_cus3_a_file_is_handed_over_once(app: Any, org: Any, customer: Any) -> None:
    f = open_new_sale(app, org, customer)
    app.services.customers.hand_over_file(org.sales.id, f.id, org.service.id)
    with pytest.raises(InvalidTransition):
        app.services.customers.hand_over_file(org.sales.id, f.id, org.sales2.id)


# ------------------------------------------------------------------ overdue report
def test_cus3_overdue_report_lists_files_after_their_deadline_with_missing_items(
    app: Any, org: Any, customer: Any
) -> None:
    f = open_new_sale(app, org, customer)  # due 2026-09-22
    app.services.customers.add_documents(org.sales.id, f.id, {"contract": "box 1"})
    svc = app.services.customers
    assert svc.overdue_files(org.sales.id, as_of=d("2026-09-22")) == []
    (late,) = svc.overdue_files(org.sales.id, as_of=d("2026-09-23"))
    assert late.file_id == f.id
    assert late.overdue
    assert late.due_on == d("2026-09-22")
    assert late.missing_items == [i for i in NEW_SALE_ITEMS if i != "contract"]


def test_cus3_overdue_report_defaults_to_today(
    app: Any, org: Any, customer: Any, clock: FixedClock
) -> None:
    f = open_new_sale(app, org, customer)
    clock.set(at("2026-09-22 17:00"))
    assert app.services.customers.overdue_files(org.sales.id) == []
    clock.set(at("2026-09-23 08:00"))
    assert [s.file_id for s in app.services.customers.overdue_files(org.sales.id)] == [f.id]
    assert app.services.customers.file_statuses(org.sales.id, customer.id)[0].overdue


def test_cus3_a_complete_handed_over_file_is_not_overdue(
    app: Any, org: Any, customer: Any, clock: FixedClock
) -> None:
    f = open_new_sale(app, org, customer)
    app.services.customers.add_documents(org.sales.id, f.id, dict.fromkeys(NEW_SALE_ITEMS, "b"))
    app.services.customers.hand_over_file(org.sales.id, f.id, org.service.id)
    assert app.services.customers.overdue_files(org.sales.id, as_of=d("2026-10-30")) == []


def test_cus3_an_incomplete_handed_over_file_stays_overdue(
    app: Any, org: Any, customer: Any
) -> None:
    f = open_new_sale(app, org, customer)
    app.services.customers.hand_over_file(org.sales.id, f.id, org.service.id)
    (s,) = app.services.customers.overdue_files(org.sales.id, as_of=d("2026-09-23"))
    assert s.file_id == f.id and len(s.missing_items) == 12


def test_cus3_overdue_report_respects_visibility(app: Any, org: Any, customer: Any) -> None:
    open_new_sale(app, org, customer)
    assert app.services.customers.overdue_files(org.sales2.id, as_of=d("2026-10-30")) == []
    assert len(app.services.customers.overdue_files(org.sales.id, as_of=d("2026-10-30"))) == 1


# ------------------------------------------------------------------ X-5 confidentiality
def test_x5_reading_a_file_needs_read_top_secret(app: Any, org: Any, customer: Any) -> None:
    f = open_new_sale(app, org, customer)
    before = snapshot(app)
    for who in (org.sales, org.manager, org.gm, org.admin):
        with pytest.raises(PermissionDenied) as info:
            app.services.customers.read_file(who.id, f.id)
        assert info.value.rule == "X-5"
    assert snapshot(app) == before  # a refused read leaves no log entry


def test_x5_read_secret_is_not_enough_for_a_top_secret_file(
    app: Any, org: Any, customer: Any
) -> None:
    f = open_new_sale(app, org, customer)
    app.services.org.grant_permission(org.gm.id, org.manager.id, Permission.READ_SECRET, "audit")
    with pytest.raises(PermissionDenied):
        app.services.customers.read_file(org.manager.id, f.id)


@pytest.mark.parametrize("granter", ["admin", "manager", "deputy", "supervisor", "sales"])
def test_x5_only_the_gm_grants_confidential_reads(app: Any, org: Any, granter: str) -> None:
    before = snapshot(app)
    with pytest.raises(PermissionDenied) as info:
        app.services.org.grant_permission(
            getattr(org, granter).id, org.sales2.id, Permission.READ_TOP_SECRET, "needs it"
        )
    assert info.value.rule == "X-5"
    assert snapshot(app) == before


def test_x5_gm_grant_allows_reading_and_every_read_is_logged(
    app: Any, org: Any, customer: Any, clock: FixedClock
) -> None:
    f = open_new_sale(app, org, customer)
    app.services.customers.add_documents(org.sales.id, f.id, {"contract": "archive 12/3"})
    staff = app.services.org.grant_permission(
        org.gm.id, org.manager.id, Permission.READ_TOP_SECRET, "quarterly file audit"
    )
    assert staff.has_permission(Permission.READ_TOP_SECRET)
    (granted,) = audit_events(app, org.manager.id, "permission.granted")
    assert granted.actor_id == org.gm.id
    assert granted.reason == "quarterly file audit"

    clock.set(at("2026-09-21 09:15"))
    read = app.services.customers.read_file(org.manager.id, f.id)
    assert read.documents == {"contract": "archive 12/3"}
    clock.set(at("2026-09-21 11:40"))
    app.services.customers.read_file(org.manager.id, f.id)

    log = app.services.customers.access_log(org.manager.id, record_id=f.id)  # top secret covers
    assert [(e.reader_id, e.at, e.level, e.record_kind) for e in log] == [
        (org.manager.id, at("2026-09-21 09:15"), "top_secret", "customer_file"),
        (org.manager.id, at("2026-09-21 11:40"), "top_secret", "customer_file"),
    ]


def test_x5_revoking_the_permission_stops_reads(app: Any, org: Any, customer: Any) -> None:
    f = open_new_sale(app, org, customer)
    org_svc = app.services.org
    org_svc.grant_permission(org.gm.id, org.sales.id, Permission.READ_TOP_SECRET, "temp")
    app.services.customers.read_file(org.sales.id, f.id)
    org_svc.revoke_permission(org.gm.id, org.sales.id, Permission.READ_TOP_SECRET, "done")
    with pytest.raises(PermissionDenied):
        app.services.customers.read_file(org.sales.id, f.id)
    assert len(audit_events(app, org.sales.id, "permission.revoked")) == 1


def test_x5_unknown_permission_is_refused(app: Any, org: Any) -> None:
    with pytest.raises(ValidationError):
        app.services.org.grant_permission(org.gm.id, org.sales.id, "read_everything", "x")


@pytest.mark.parametrize("who", ["manager", "deputy"])
def test_x5_access_log_is_readable_by_manager_and_above_with_read_secret(
    app: Any, org: Any, who: str
) -> None:
    reader = getattr(org, who)
    app.services.org.grant_permission(org.gm.id, reader.id, Permission.READ_SECRET, "audit")
    assert app.services.customers.access_log(reader.id) == []
    # reading the (secret) access log is itself logged
    (entry,) = app.services.customers.access_log(reader.id)
    assert (entry.reader_id, entry.record_kind, entry.level) == (reader.id, "access_log", "secret")


@pytest.mark.parametrize("who", ["manager", "deputy", "gm"])
def test_x5_access_log_needs_read_secret(app: Any, org: Any, who: str) -> None:
    before = snapshot(app)
    with pytest.raises(PermissionDenied) as info:
        app.services.customers.access_log(getattr(org, who).id)
    assert (info.value.rule, info.value.action) == ("X-5", "customers.access_log.read")
    assert snapshot(app) == before


@pytest.mark.parametrize("who", ["sales", "supervisor"])
def test_x5_access_log_is_not_readable_below_manager(app: Any, org: Any, who: str) -> None:
    reader = getattr(org, who)
    app.services.org.grant_permission(org.gm.id, reader.id, Permission.READ_SECRET, "audit")
    with pytest.raises(PermissionDenied) as info:
        app.services.customers.access_log(reader.id)
    assert info.value.action == "customers.access_log.read"


# ------------------------------------------------------------------ X-6 retention
def test_x6_file_is_kept_ten_years(app: Any, org: Any, customer: Any) -> None:
    assert open_new_sale(app, org, customer).retention_until == d("2036-09-18")


def test_x6_destruction_before_ten_years_is_refused(
    app: Any, org: Any, customer: Any, clock: FixedClock
) -> None:
    f = open_new_sale(app, org, customer)
    clock.set(at("2036-09-17 16:00"))
    before = snapshot(app)
    with pytest.raises(Conflict) as info:
        app.services.customers.request_destruction(org.supervisor.id, f.id, "expired")
    assert info.value.rule == "X-6"
    assert "2036-09-18" in info.value.message
    assert snapshot(app) == before


def destroy(app: Any, org: Any, file_id: Any, reason: str = "retention period over") -> Any:
    """The X-6 flow: the supervisor requests, the department head reviews, the GM approves."""
    svc = app.services.customers
    req = svc.request_destruction(org.supervisor.id, file_id, reason)
    svc.review_destruction(org.manager.id, req.id, approve=True, reason="checked")
    return svc.approve_destruction(org.gm.id, req.id, approve=True, reason="approved")


def test_x6_destruction_after_retention_leaves_a_record_naming_all_three_signers(
    app: Any, org: Any, customer: Any, clock: FixedClock
) -> None:
    f = open_new_sale(app, org, customer)
    app.services.customers.add_documents(org.sales.id, f.id, {"contract": "box 1"})
    clock.set(at("2036-09-18 09:00"))
    req = destroy(app, org, f.id)
    assert req.state.value == "approved"
    (rec,) = app.services.customers.destructions(org.manager.id)
    assert (rec.file_id, rec.customer_id, rec.request_id) == (f.id, customer.id, req.id)
    assert (rec.requested_by, rec.reviewed_by, rec.approved_by) == (
        org.supervisor.id,
        org.manager.id,
        org.gm.id,
    )
    assert rec.reason == "retention period over"
    assert rec.at == at("2036-09-18 09:00")
    assert rec.retention_until == d("2036-09-18")
    with app.storage.unit_of_work() as uow:
        stored = uow.files.get(f.id)
    assert stored.documents == {}
    assert stored.destroyed_at == at("2036-09-18 09:00")
    (event,) = audit_events(app, f.id, "file.destroyed")
    assert event.reason == "retention period over"
    assert event.data == {
        "requested_by": org.supervisor.id,
        "reviewed_by": org.manager.id,
        "approved_by": org.gm.id,
        "request_id": req.id,
    }
    # a destroyed file is gone from the overdue report, takes no documents, is not destroyed twice
    assert app.services.customers.overdue_files(org.sales.id) == []
    with pytest.raises(InvalidTransition):
        app.services.customers.add_documents(org.sales.id, f.id, {"photos": "x"})
    with pytest.raises(InvalidTransition):
        app.services.customers.request_destruction(org.supervisor.id, f.id, "again")


@pytest.fixture
def expired_file(app: Any, org: Any, customer: Any, clock: FixedClock) -> Any:
    f = open_new_sale(app, org, customer)
    clock.set(at("2037-01-04 10:00"))
    return f


def test_x6_reviewer_must_be_the_department_head(app: Any, org: Any, expired_file: Any) -> None:
    other_manager = app.services.org.add_staff(
        org.admin.id, name="Other Mgr", role="manager", department_id=org.manager.department_id
    )
    req = app.services.customers.request_destruction(org.supervisor.id, expired_file.id, "old")
    before = snapshot(app)
    for reviewer in (other_manager, org.gm, org.deputy):
        with pytest.raises(PermissionDenied) as info:
            app.services.customers.review_destruction(reviewer.id, req.id, approve=True)
        assert info.value.rule == "X-6"
        assert "customers.destruction.review" in info.value.message
    with pytest.raises(PermissionDenied) as info:  # below the table's min role
        app.services.customers.review_destruction(org.supervisor.id, req.id, approve=True)
    assert info.value.action == "customers.destruction.review"
    assert snapshot(app) == before


@pytest.mark.parametrize("approver", ["manager", "deputy", "admin", "supervisor"])
def test_x6_approver_must_be_the_gm(app: Any, org: Any, expired_file: Any, approver: str) -> None:
    svc = app.services.customers
    req = svc.request_destruction(org.supervisor.id, expired_file.id, "old")
    svc.review_destruction(org.manager.id, req.id, approve=True)
    before = snapshot(app)
    with pytest.raises(PermissionDenied) as info:
        svc.approve_destruction(getattr(org, approver).id, req.id, approve=True)
    assert info.value.action == "customers.destruction.approve"
    assert snapshot(app) == before


def test_x6_steps_run_in_order(app: Any, org: Any, expired_file: Any) -> None:
    svc = app.services.customers
    req = svc.request_destruction(org.supervisor.id, expired_file.id, "old")
    with pytest.raises(InvalidTransition):  # approval before the review
        svc.approve_destruction(org.gm.id, req.id, approve=True)
    with pytest.raises(Conflict):  # one open request per file
        svc.request_destruction(org.manager.id, expired_file.id, "again")


def test_x6_a_rejected_request_leaves_the_file_and_allows_a_new_request(
    app: Any, org: Any, expired_file: Any
) -> None:
    svc = app.services.customers
    req = svc.request_destruction(org.supervisor.id, expired_file.id, "old")
    with pytest.raises(ValidationError):
        svc.review_destruction(org.manager.id, req.id, approve=False, reason=" ")
    rejected = svc.review_destruction(org.manager.id, req.id, approve=False, reason="keep it")
    assert (rejected.state.value, rejected.rejected_by) == ("rejected", org.manager.id)
    with app.storage.unit_of_work() as uow:
        assert uow.files.get(expired_file.id).destroyed_at is None
    assert svc.destructions(org.gm.id) == []
    again = svc.request_destruction(org.supervisor.id, expired_file.id, "really old now")
    assert {r.id for r in svc.destruction_requests(org.gm.id, expired_file.id)} == {
        req.id,
        again.id,
    }


def test_x6_destruction_needs_a_reason(app: Any, org: Any, expired_file: Any) -> None:
    with pytest.raises(ValidationError):
        app.services.customers.request_destruction(org.supervisor.id, expired_file.id, " ")


def test_x6_destruction_records_are_for_manager_and_above(app: Any, org: Any) -> None:
    with pytest.raises(PermissionDenied):
        app.services.customers.destructions(org.supervisor.id)
    assert app.services.customers.destructions(org.gm.id) == []


def test_x6_retention_runs_from_the_event_date_including_29_february(
    app: Any, org: Any, customer: Any
) -> None:
    f = app.services.customers.open_file(org.sales.id, customer.id, "service", d("2028-02-29"))
    assert f.retention_until == d("2038-02-28")


def test_cus3_file_statuses_after_time_passes(
    app: Any, org: Any, customer: Any, clock: FixedClock
) -> None:
    open_new_sale(app, org, customer)
    clock.advance(timedelta(days=10))
    (s,) = app.services.customers.file_statuses(org.sales.id, customer.id)
    assert s.overdue and not s.complete and s.handed_over_at is None
