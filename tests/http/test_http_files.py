"""Customer files over HTTP: hand-over deadlines in working days (CUS-3, X-1), confidential
reads with their access log (X-5), destruction after retention (X-6)."""

from __future__ import annotations

from typing import Any

from http_support import Api, at, problem


def _open_sale_file(api: Api, who: str = "sales") -> tuple[dict[str, Any], dict[str, Any]]:
    customer = api.register(who)
    resp = api.post(
        f"/api/v1/customers/{customer['id']}/files",
        who,
        json={"kind": "new_sale", "event_date": "2026-09-18"},
    )
    assert resp.status_code == 201, resp.get_json()
    return customer, resp.get_json()


def test_overdue_report_lists_a_new_sale_file_three_working_days_after_a_friday_sale(
    api: Api, org: Any, clock: Any
) -> None:
    """Friday 2026-09-18 sale; Sunday 09-20 is a make-up working day (调休), so the third
    working day is Tuesday 09-22 and the file is overdue from Wednesday 09-23."""
    customer, opened = _open_sale_file(api)
    assert opened["due_on"] == "2026-09-22"
    added = api.post(
        f"/api/v1/files/{opened['id']}/documents",
        "sales",
        json={"documents": {"contract": "box 7", "invoice_copy": "scan 12"}},
    )
    assert added.status_code == 200
    assert "contract" not in added.get_json()["missing_items"]

    # X-5: the register of others' customers is secret: 403 until the GM grants read_secret
    assert problem(api.get("/api/v1/files/overdue", "supervisor"), 403)["rule"] == "X-5"
    grant = {"permission": "read_secret", "reason": "hand-over follow-up"}
    api.post(f"/api/v1/staff/{org.supervisor.id}/permission-grants", "gm", json=grant)
    clock.set(at("2026-09-22 17:00"))
    assert api.get("/api/v1/files/overdue", "supervisor").get_json()["items"] == []

    clock.set(at("2026-09-23 09:00"))
    report = api.get("/api/v1/files/overdue", "supervisor").get_json()["items"]
    assert [r["file_id"] for r in report] == [opened["id"]]
    row = report[0]
    assert row["customer_id"] == customer["id"] and row["overdue"] is True
    assert len(row["missing_items"]) == 10 and "id_copy" in row["missing_items"]
    # the owner sees it too, another adviser does not
    assert len(api.get("/api/v1/files/overdue", "sales").get_json()["items"]) == 1
    assert api.get("/api/v1/files/overdue", "sales2").get_json()["items"] == []
    # and an explicit as_of works as a what-if
    early = api.get("/api/v1/files/overdue?as_of=2026-09-22", "supervisor").get_json()
    assert early["items"] == []
    assert (
        problem(api.get("/api/v1/files/overdue?as_of=22/09/2026", "supervisor"), 422)["field"]
        == "as_of"
    )
    statuses = api.get(f"/api/v1/customers/{customer['id']}/files", "sales").get_json()["items"]
    assert statuses[0]["overdue"] is True


def test_unknown_document_items_are_refused(api: Api) -> None:
    _, opened = _open_sale_file(api)
    resp = api.post(
        f"/api/v1/files/{opened['id']}/documents", "sales", json={"documents": {"tattoo": "x"}}
    )
    body = problem(resp, 422)
    assert (body["field"], body["rule"]) == ("documents", "CUS-3")
    bad_kind = api.post(
        f"/api/v1/customers/{opened['customer_id']}/files",
        "sales",
        json={"kind": "yacht", "event_date": "2026-09-18"},
    )
    assert problem(bad_kind, 422)["field"] == "kind"
    bad_date = api.post(
        f"/api/v1/customers/{opened['customer_id']}/files",
        "sales",
        json={"kind": "new_sale", "event_date": "18.09.2026"},
    )
    assert problem(bad_date, 422)["field"] == "event_date"


def test_hand_over_notes_missing_items_once(api: Api, org: Any) -> None:
    _, opened = _open_sale_file(api)
    url = f"/api/v1/files/{opened['id']}/handover"
    assert (
        problem(api.post(url, "sales", json={"received_by": org.sales.id}), 422)["field"]
        == "received_by"
    )
    resp = api.post(url, "sales", json={"received_by": org.supervisor.id, "note": "signed"})
    assert resp.status_code == 200
    status = resp.get_json()
    assert status["handed_over_at"] == "2026-09-18T10:00:00+08:00"
    assert status["complete"] is False and len(status["missing_items"]) == 12
    again = api.post(url, "sales", json={"received_by": org.supervisor.id})
    assert problem(again, 409)["type"] == "urn:csdomain:problem:invalid-transition"


def test_confidential_read_needs_a_gm_grant_and_is_logged(api: Api, org: Any) -> None:
    """X-5: 403 without the permission; after the GM grants read_top_secret the read
    succeeds and appears in the access log with reader and time."""
    _, opened = _open_sale_file(api)
    api.post(
        f"/api/v1/files/{opened['id']}/documents",
        "sales",
        json={"documents": {"contract": "box 7"}},
    )
    url = f"/api/v1/files/{opened['id']}"

    denied = problem(api.get(url, "sales"), 403)
    assert denied["rule"] == "X-5" and "read_top_secret" in denied["detail"]
    # the access log is secret itself: the manager needs read_secret, and reads of it are logged
    assert problem(api.get("/api/v1/access-log", "manager"), 403)["rule"] == "X-5"
    audit = {"permission": "read_secret", "reason": "reviews the access log"}
    api.post(f"/api/v1/staff/{org.manager.id}/permission-grants", "gm", json=audit)
    assert api.get("/api/v1/access-log", "manager").get_json()["items"] == []

    grant = {"permission": "read_top_secret", "reason": "handles archive audits"}
    grants = f"/api/v1/staff/{org.sales.id}/permission-grants"
    assert problem(api.post(grants, "manager", json=grant), 403)["rule"] == "X-5"
    assert problem(api.post(grants, "admin", json=grant), 403)["rule"] == "X-5"
    bad = api.post(grants, "gm", json={**grant, "permission": "read_everything"})
    assert problem(bad, 422)["field"] == "permission"
    granted = api.post(grants, "gm", json=grant)
    assert granted.status_code == 200
    assert granted.get_json()["permissions"] == ["read_top_secret"]

    read = api.get(url, "sales")
    assert read.status_code == 200
    assert read.get_json()["documents"] == {"contract": "box 7"}

    log = api.get("/api/v1/access-log", "manager").get_json()["items"]
    files_read = [e for e in log if e["record_kind"] == "customer_file"]
    assert {e["record_kind"] for e in log} == {"customer_file", "access_log"}
    assert [(e["reader_id"], e["record_id"], e["at"], e["level"]) for e in files_read] == [
        (org.sales.id, opened["id"], "2026-09-18T10:00:00+08:00", "top_secret")
    ]
    by_record = api.get(f"/api/v1/access-log?record_id={opened['id']}", "manager").get_json()
    assert [e["record_kind"] for e in by_record["items"]] == ["customer_file"]
    assert api.get("/api/v1/access-log?record_id=rec_other", "manager").get_json()["items"] == []
    assert problem(api.get("/api/v1/access-log", "sales"), 403)["rule"] == "X-5"

    revoked = api.post(
        f"/api/v1/staff/{org.sales.id}/permission-revocations",
        "gm",
        json={**grant, "reason": "audit finished"},
    )
    assert revoked.get_json()["permissions"] == []
    problem(api.get(url, "sales"), 403)
    log = api.get("/api/v1/access-log", "manager").get_json()["items"]
    assert len([e for e in log if e["record_kind"] == "customer_file"]) == 1  # refused: unlogged


def test_destruction_only_after_retention(api: Api, org: Any, clock: Any) -> None:
    """X-6: request (supervisor) → review (head of the owner's department) → approval (GM),
    three people; only after the retention period."""
    _, opened = _open_sale_file(api)
    url = f"/api/v1/files/{opened['id']}/destruction-requests"
    early = problem(api.post(url, "supervisor", json={"reason": "retention over"}), 409)
    assert early["rule"] == "X-6" and "2036-09-18" in early["detail"]
    clock.set(at("2036-09-19 10:00"))
    assert problem(api.post(url, "sales", json={"reason": "old"}), 403)["rule"] == "X-6"
    made = api.post(url, "supervisor", json={"reason": "retention over"})
    assert made.status_code == 201
    request = made.get_json()
    assert (request["state"], request["requested_by"]) == ("requested", org.supervisor.id)
    review = f"/api/v1/destruction-requests/{request['id']}/review"
    approval = f"/api/v1/destruction-requests/{request['id']}/approval"
    assert problem(api.post(approval, "gm", json={"approve": True}), 409)["rule"] == "X-6"
    assert problem(api.post(review, "gm", json={"approve": True}), 403)["rule"] == "X-6"
    assert api.post(review, "manager", json={"approve": True}).status_code == 200
    assert problem(api.post(approval, "deputy", json={"approve": True}), 403)["rule"] == "X-6"
    done = api.post(approval, "gm", json={"approve": True})
    assert done.status_code == 200
    assert done.get_json()["approved_by"] == org.gm.id
    records = api.get("/api/v1/destructions", "manager").get_json()["items"]
    assert [r["file_id"] for r in records] == [opened["id"]]
    assert [(r["requested_by"], r["reviewed_by"], r["approved_by"]) for r in records] == [
        (org.supervisor.id, org.manager.id, org.gm.id)
    ]
    listed = api.get(f"/api/v1/destruction-requests?file_id={opened['id']}", "gm").get_json()
    assert [r["state"] for r in listed["items"]] == ["approved"]
    problem(api.get("/api/v1/destructions", "sales"), 403)
