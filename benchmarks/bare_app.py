"""The HTTP baseline: a bare Flask app doing the same SQL as the product's registration and
intake, with the same bearer-token check (hash lookup, token not revoked, owner active).

Served by gunicorn with the same worker count as the product::

    BENCH_BACKEND=sqlite BENCH_TARGET=/tmp/x.db gunicorn 'benchmarks.bare_app:create()'

Each worker opens one raw connection (sqlite3 / psycopg) after the fork. Rows are built from
template rows the product wrote (``BENCH_CUSTOMER`` / ``BENCH_CASE`` ids), so the stored
representation is the product's.
"""

from __future__ import annotations

import hashlib
import os
import threading
import uuid
from datetime import datetime
from typing import Any

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue

from benchmarks.harness import Backend, Raw, insert_sql
from benchmarks.workloads import TZ, _rows, _values

UPSERT = (
    "INSERT INTO case_numbers (month, last) VALUES (?, 1) ON CONFLICT (month) "
    "DO UPDATE SET last = case_numbers.last + 1 RETURNING last"
)


def create() -> Flask:
    from adapters import search_keys
    from adapters.sql import tables as t

    name = os.environ["BENCH_BACKEND"]
    target = os.environ["BENCH_TARGET"]
    if name == "sqlite":
        b = Backend("sqlite", f"sqlite:///{target}", path=target)
    else:
        b = Backend("postgres", target, schema=os.environ["BENCH_SCHEMA"])
    customer = _rows(b, t.customers, t.customers.c.id == os.environ["BENCH_CUSTOMER"])[0]
    audit = _rows(b, t.audit_events, t.audit_events.c.subject_id == customer["id"])[0]
    case = _rows(b, t.cases, t.cases.c.id == os.environ["BENCH_CASE"])[0]
    event = _rows(b, t.case_events, t.case_events.c.case_id == case["id"])[0]
    ins = {n: insert_sql(getattr(t, n)) for n in ("customers", "audit_events", "cases")}
    ins_ev = insert_sql(t.case_events)
    ins_keys = insert_sql(t.customer_search_keys)
    local = threading.local()
    app = Flask(__name__)

    def raw() -> Raw:
        if not hasattr(local, "raw"):
            local.raw = Raw(b)
        con: Raw = local.raw
        return con

    def actor(db: Raw) -> Any:
        header = request.headers.get("Authorization", "")
        token = header.partition(" ")[2].strip()
        digest = hashlib.sha256(token.encode()).hexdigest()
        row = db.execute(
            "SELECT staff.id, staff.active FROM api_tokens JOIN staff ON staff.id = "
            "api_tokens.staff_id WHERE api_tokens.token_hash = ? AND NOT api_tokens.revoked",
            (digest,),
        ).fetchone()
        return row[0] if row is not None and row[1] else None

    @app.get("/healthz")
    def healthz() -> ResponseReturnValue:
        return {"status": "ok"}

    @app.post("/api/v1/customers")
    def register() -> ResponseReturnValue:
        body = request.get_json()
        db = raw()
        db.begin(write=True)
        staff_id = actor(db)
        if staff_id is None:
            db.con.rollback()
            return {"title": "Unauthenticated"}, 401
        phone = str(body["phone"])
        db.execute(
            "SELECT * FROM customers WHERE phone = ? OR id_number = ?", (phone, None)
        ).fetchall()
        cid = "cus_" + uuid.uuid4().hex
        now = datetime.now(TZ)
        values = _values(
            customer,
            id=cid,
            name=str(body["name"]),
            phone=phone,
            owner_id=staff_id,
            registered_by=staff_id,
            registered_at=now,
        )
        db.execute(ins["customers"], b.bind_row(t.customers, values))
        ev = _values(audit, id="evt_" + uuid.uuid4().hex, subject_id=cid, actor_id=staff_id, at=now)
        db.execute(ins["audit_events"], b.bind_row(t.audit_events, ev))
        keys = sorted(search_keys.customer_keys(values["name"], phone, None))  # issue 11
        db.executemany(ins_keys, [(key, cid) for key in keys])
        db.commit()
        return jsonify({k: str(v) for k, v in values.items()}), 201

    @app.post("/api/v1/cases")
    def receive() -> ResponseReturnValue:
        body = request.get_json()
        db = raw()
        db.begin(write=True)
        staff_id = actor(db)
        if staff_id is None:
            db.con.rollback()
            return {"title": "Unauthenticated"}, 401
        now = datetime.now(TZ)
        month = now.strftime("%Y%m")
        last = db.execute(UPSERT, (month,)).fetchone()[0]
        cid = "cas_" + uuid.uuid4().hex
        values = _values(
            case,
            id=cid,
            number=f"{month}-{last:04d}",
            content=str(body["content"]),
            received_by=staff_id,
            received_at=now,
        )
        db.execute(ins["cases"], b.bind_row(t.cases, values))
        ev = _values(event, id="cev_" + uuid.uuid4().hex, case_id=cid, actor_id=staff_id, at=now)
        db.execute(ins_ev, b.bind_row(t.case_events, ev))
        db.commit()
        return jsonify({k: str(v) for k, v in values.items()}), 201

    return app
