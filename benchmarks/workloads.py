"""The workloads: each runs its raw baseline, then csdomain, on the same fresh database.

Every baseline does the work the use case does, in SQL written by hand: the same rows (cloned
from rows the product itself wrote, so the representation is identical), the same reads the
rule needs, one transaction where the use case has one. Data is deterministic (no random).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from benchmarks.harness import (
    Backend,
    Counter,
    Result,
    insert_sql,
    peak_mib,
    reset_peak,
    rss_mib,
    timed,
)

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 4, 10, 0, tzinfo=TZ)  # a Wednesday


def _app(b: Backend, now: datetime = NOW) -> tuple[Any, Any, Any, Any]:
    """The product over the workload's database: (app, admin, staff, manager)."""
    from adapters.bootstrap import bootstrap
    from adapters.settings import Settings
    from csdomain.kernel.clock import FixedClock

    app = bootstrap(Settings(database_url=b.url), clock=FixedClock(now))
    admin, _ = app.services.org.bootstrap_admin("Admin")
    staff = app.services.org.add_staff(admin.id, name="Li", role="staff")
    manager = app.services.org.add_staff(admin.id, name="Wang", role="manager")
    return app, admin, staff, manager


def _rows(b: Backend, table: sa.Table, where: sa.ColumnElement[bool]) -> list[dict[str, Any]]:
    """Rows as Python values (through the column types), to clone for generated data."""
    engine = b.engine()
    try:
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(sa.select(table).where(where))]
    finally:
        engine.dispose()


def _measure(
    b: Backend,
    name: str,
    size: str,
    items: int,
    app: Any,
    baseline: Callable[[], int],
    product: Callable[[], object],
    notes: str = "",
    *,
    close: bool = True,
) -> Result:
    """Baseline first (returns its statement count), then csdomain with counting on."""
    import gc
    import time

    # the generated data is the benchmark's, not the product's: freeze it out of the
    # collector, so neither side pays for full collections over it (the product's own
    # garbage is still collected as usual)
    gc.collect()
    gc.freeze()
    start = time.perf_counter()
    raw_statements = baseline()
    base = time.perf_counter() - start
    counter = Counter()
    counter.attach(app.storage.engine)
    reset_peak()
    before = rss_mib()
    ours = timed(product)
    peak = max(0.0, peak_mib() - before)
    counter.detach(app.storage.engine)
    gc.unfreeze()
    if close:
        app.close()
    return Result(
        workload=name,
        backend=b.name,
        size=size,
        csdomain=ours,
        baseline=base,
        items=items,
        statements=counter.n / items,
        baseline_statements=raw_statements / items,
        peak_mib=peak,
        notes=notes,
    )


def _values(row: dict[str, Any], **changes: Any) -> dict[str, Any]:
    out = {k: v for k, v in row.items() if k != "seq"}
    out.update(changes)
    return out


def _core_floor(
    b: Backend, app: Any, n: int, actor_id: str, item: Callable[[sa.Connection, int], None]
) -> float:
    """The baseline's statements sent through SQLAlchemy Core on the product's own engine
    (its pool, pragmas and column types), one transaction per item taking the write lock as
    the product does: what SQLAlchemy itself costs before any ORM or domain work, the floor
    of an adapter built on it (issue 10's targets are against raw DB-API)."""
    import time

    from adapters.sql import tables as t

    engine = app.storage.engine
    actor = sa.select(t.staff).where(t.staff.c.id == sa.bindparam("id"))
    start = time.perf_counter()
    for i in range(n):
        with engine.connect() as conn, conn.begin():
            if b.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            conn.execute(actor, {"id": actor_id}).one()  # every use case loads its actor
            item(conn, i)
    return time.perf_counter() - start


def _with_floor(result: Result, core: float) -> Result:
    """Report the Core floor beside the row: its ratio to raw and csdomain's ratio to it."""
    result.extra["sqlalchemy_core"] = core
    per_item = core / result.items * 1000
    result.notes = (
        f"SQLAlchemy Core, same statements: {per_item:.2f} ms/item = "
        f"{core / result.baseline:.1f}× raw; csdomain {result.csdomain / core:.1f}× Core"
    )
    return result


def registration(b: Backend, n: int) -> Result:
    """CUS-1 registration through the service: actor, identity check, customer, audit."""
    from adapters import search_keys
    from adapters.sql import tables as t
    from csdomain.customers.commands import RegisterCustomer

    app, _, staff, _ = _app(b)
    first = app.services.customers.register(
        staff.id, RegisterCustomer(name="T", phone="13700000000")
    )
    customer = _rows(b, t.customers, t.customers.c.id == first.id)[0]
    audit = _rows(b, t.audit_events, t.audit_events.c.subject_id == first.id)[0]
    rows = [
        (
            b.bind_row(t.customers, _values(customer, id=f"cus_b{i}", phone=f"1390{i:07d}")),
            b.bind_row(t.audit_events, _values(audit, id=f"evt_b{i}", subject_id=f"cus_b{i}")),
        )
        for i in range(n)
    ]
    ins_c, ins_a = insert_sql(t.customers), insert_sql(t.audit_events)
    ins_k = insert_sql(t.customer_search_keys)

    def baseline() -> int:
        raw = b.raw()
        for i, (c_row, a_row) in enumerate(rows):
            raw.begin(write=True)
            raw.execute("SELECT * FROM staff WHERE id = ?", (staff.id,)).fetchone()
            raw.execute(
                "SELECT * FROM customers WHERE phone = ? OR id_number = ?", (c_row[4], None)
            ).fetchall()
            raw.execute(ins_c, c_row)
            raw.execute(ins_a, a_row)
            # the search keys (issue 11) of the customer's name and phone, as the product
            # computes them (pinyin, initials, phone digits)
            keys = search_keys.customer_keys(customer["name"], c_row[4], None)
            raw.executemany(ins_k, [(key, f"cus_b{i}") for key in sorted(keys)])
            raw.commit()
        raw.close()
        return raw.n

    def product() -> None:
        for i in range(n):
            app.services.customers.register(
                staff.id, RegisterCustomer(name=f"C{i}", phone=f"1380{i:07d}")
            )

    c, k = t.customers, t.customer_search_keys
    by_identity = sa.select(c).where(
        sa.or_(c.c.phone == sa.bindparam("phone"), c.c.id_number == sa.bindparam("id_number"))
    )

    def core_item(conn: sa.Connection, i: int) -> None:
        cid, phone = f"cus_c{i}", f"1391{i:07d}"
        conn.execute(by_identity, {"phone": phone, "id_number": None}).all()
        conn.execute(c.insert(), _values(customer, id=cid, phone=phone))
        conn.execute(t.audit_events.insert(), _values(audit, id=f"evt_c{i}", subject_id=cid))
        keys = search_keys.customer_keys(customer["name"], phone, None)
        conn.execute(k.insert(), [{"key": key, "customer_id": cid} for key in sorted(keys)])

    core = _core_floor(b, app, n, staff.id, core_item)
    result = _measure(b, "registration", f"{n:,}", n, app, baseline, product)
    return _with_floor(result, core)


def _receive(staff_id: str) -> Any:
    from csdomain.cases.commands import ReceiveCase

    return ReceiveCase(
        type="complaint", category="price", channel="email", content="x", customer_name="Y"
    )


def intake(b: Backend, n: int) -> Result:
    """CASE-1 intake: actor, monthly number, case with its clocks, the received event."""
    from adapters.sql import tables as t

    app, _, staff, _ = _app(b)
    first = app.services.cases.receive(staff.id, _receive(staff.id))
    case = _rows(b, t.cases, t.cases.c.id == first.id)[0]
    ev = _rows(b, t.case_events, t.case_events.c.case_id == first.id)[0]
    rows = [
        (
            _values(case, id=f"cas_b{i}"),
            b.bind_row(t.case_events, _values(ev, id=f"cev_b{i}", case_id=f"cas_b{i}")),
        )
        for i in range(n)
    ]
    ins_c, ins_e = insert_sql(t.cases), insert_sql(t.case_events)
    upsert = (
        "INSERT INTO case_numbers (month, last) VALUES (?, 1) ON CONFLICT (month) "
        "DO UPDATE SET last = case_numbers.last + 1 RETURNING last"
    )

    def baseline() -> int:
        raw = b.raw()
        for c_vals, e_row in rows:
            raw.begin(write=True)
            raw.execute("SELECT * FROM staff WHERE id = ?", (staff.id,)).fetchone()
            last = raw.execute(upsert, ("BENCH",)).fetchone()[0]
            raw.execute(ins_c, b.bind_row(t.cases, {**c_vals, "number": f"BENCH-{last:06d}"}))
            raw.execute(ins_e, e_row)
            raw.commit()
        raw.close()
        return raw.n

    def product() -> None:
        for _ in range(n):
            app.services.cases.receive(staff.id, _receive(staff.id))

    ev_values = _values(ev)

    def core_item(conn: sa.Connection, i: int) -> None:
        last = conn.exec_driver_sql(
            upsert if b.name == "sqlite" else upsert.replace("?", "%s"), ("CORE",)
        ).scalar_one()
        cid = f"cas_c{i}"
        conn.execute(t.cases.insert(), {**case, "id": cid, "number": f"CORE-{last:06d}"})
        conn.execute(t.case_events.insert(), {**ev_values, "id": f"cev_c{i}", "case_id": cid})

    core = _core_floor(b, app, n, staff.id, core_item)
    result = _measure(b, "case intake", f"{n:,}", n, app, baseline, product)
    return _with_floor(result, core)


def sweep(b: Backend, open_cases: int, breached: int) -> Result:
    """CASE-7 sweep over ``open_cases`` open cases of which ``breached`` have breached.

    The baseline sweeps its own equally sized set, due before an earlier instant, so the two
    never touch the same rows; both read only breached cases through ``next_due_at``."""
    from adapters.sql import tables as t
    from csdomain.cases.model import OPEN_STATES

    app, _, staff, _ = _app(b, NOW - timedelta(hours=30))
    template = app.services.cases.receive(staff.id, _receive(staff.id))
    app.close()
    base_now = NOW - timedelta(hours=7)
    shift = timedelta(hours=-7)  # baseline cases: received 37 h before NOW, due before base_now
    case = _rows(b, t.cases, t.cases.c.id == template.id)[0]
    events = _rows(b, t.case_events, t.case_events.c.case_id == template.id)
    # what one product sweep writes for a breached case, to clone in the baseline
    probe_app, _, _, _ = _app_existing(b, NOW)
    probe = probe_app.services.cases.sweep(probe_app.services.org.system_account().id)
    probe_app.close()
    assert len(probe.breaches) == 1, probe
    after = _rows(b, t.cases, t.cases.c.id == template.id)[0]
    breach_row = _rows(b, t.case_breaches, t.case_breaches.c.case_id == template.id)[0]
    sweep_ev = _rows(
        b,
        t.case_events,
        sa.and_(t.case_events.c.case_id == template.id, t.case_events.c.kind == "clock_breached"),
    )[0]
    # where a swept case's next clock falls (None: no clock left running)
    next_offset = (
        after["next_due_at"] - case["received_at"] if after["next_due_at"] is not None else None
    )
    cases: list[dict[str, Any]] = []
    evs: list[dict[str, Any]] = []
    far = NOW + timedelta(days=30)
    for i in range(open_cases):
        which = "p" if i < breached else ("b" if i < 2 * breached else "o")
        moved = shift if which == "b" else timedelta(0)
        due = case["next_due_at"] + moved if which in "pb" else far + timedelta(seconds=i)
        cid = f"cas_{which}{i}"
        cases.append(
            _values(
                case,
                id=cid,
                number=f"S{i:09d}",
                received_at=case["received_at"] + moved,
                next_due_at=due,
            )
        )
        evs.extend(
            _values(e, id=f"cev_{which}{i}_{k}", case_id=cid, at=e["at"] + moved)
            for k, e in enumerate(events)
        )
    b.insert_rows(t.cases, cases)
    b.insert_rows(t.case_events, evs)
    del cases, evs
    states = sorted(s.value for s in OPEN_STATES)
    in_states = ", ".join("?" * len(states))
    lock = " FOR UPDATE SKIP LOCKED" if b.name == "postgres" else ""
    select = (
        f"SELECT id, escalation_level, received_at, version FROM cases WHERE next_due_at IS "
        f"NOT NULL AND next_due_at <= ? AND state IN ({in_states}) "
        f"ORDER BY next_due_at, id LIMIT 200{lock}"
    )
    base_when = b.bind_row(t.cases, {"next_due_at": base_now})
    when_param = next(v for v in base_when if v is not None)
    ins_b, ins_e = insert_sql(t.case_breaches), insert_sql(t.case_events)

    def baseline() -> int:
        raw = b.raw()
        k = 0
        while True:
            raw.begin(write=True)
            batch = raw.execute(select, (when_param, *states)).fetchall()
            if not batch:
                raw.commit()
                break
            ids = [r[0] for r in batch]
            marks = ", ".join("?" * len(ids))
            raw.execute(
                f"SELECT * FROM case_events WHERE case_id IN ({marks}) ORDER BY case_id, at, seq",
                ids,
            ).fetchall()
            raw.execute(
                f"SELECT case_id, clock FROM case_breaches WHERE case_id IN ({marks})", ids
            ).fetchall()
            breaches, sweep_events, updates = [], [], []
            for cid, level, _received, _version in batch:
                k += 1
                due = case["next_due_at"] + shift
                breaches.append(
                    b.bind_row(
                        t.case_breaches,
                        _values(breach_row, id=f"brc_b{k}", case_id=cid, due_at=due),
                    )
                )
                sweep_events.append(
                    b.bind_row(t.case_events, _values(sweep_ev, id=f"cev_s{k}", case_id=cid))
                )
                nxt = None
                if next_offset is not None:
                    moved = case["received_at"] + shift + next_offset
                    nxt = next(v for v in b.bind_row(t.cases, {"next_due_at": moved}) if v)
                updates.append((level + 1, nxt, cid))
            raw.executemany(ins_b, breaches)
            raw.executemany(ins_e, sweep_events)
            raw.executemany(
                "UPDATE cases SET escalation_level = ?, next_due_at = ?, "
                "version = version + 1 WHERE id = ?",
                updates,
            )
            raw.commit()
        raw.close()
        return raw.n

    app, _, _, _ = _app_existing(b, NOW)
    recorded: list[int] = []

    system = app.services.org.system_account().id  # the scheduler's account (issue 7)

    def product() -> None:
        while True:
            result = app.services.cases.sweep(system)
            recorded.append(len(result.breaches))
            if result.checked == 0:
                return

    res = _measure(
        b,
        "sweep",
        f"{open_cases:,} open / {breached:,} breached",
        breached,
        app,
        baseline,
        product,
    )
    if sum(recorded) != breached:
        res.notes = f"recorded {sum(recorded)} breaches, expected {breached}"
    return res


def _app_existing(b: Backend, now: datetime) -> tuple[Any, None, None, None]:
    from adapters.bootstrap import bootstrap
    from adapters.settings import Settings
    from csdomain.kernel.clock import FixedClock

    return bootstrap(Settings(database_url=b.url), clock=FixedClock(now)), None, None, None


def settlement(b: Backend, staff_count: int, entries: int) -> Result:
    """PEN-10 settlement of ``staff_count`` people × ``entries`` entries in a month (every
    fifth a PEN-6 capped complaint deduction, a bonus for everyone). The baseline settles
    September by hand, csdomain then settles October (carrying September's excess)."""
    from adapters.sql import tables as t
    from csdomain.penalties.model import EntryKind

    app, _, _, manager = _app(b, datetime(2026, 11, 5, 10, 0, tzinfo=TZ))
    template = _rows(b, t.staff, t.staff.c.id == manager.id)[0]
    people = [f"stf_b{i:06d}" for i in range(staff_count)]
    b.insert_rows(
        t.staff, [_values(template, id=p, name=f"S{i}", role="staff") for i, p in enumerate(people)]
    )
    for month in ("2026-09", "2026-10"):
        y, m = (int(x) for x in month.split("-"))
        rows = []
        for k in range(entries):
            capped = k % 5 == 0
            rows.append(
                {
                    "id": f"pen_{month}_{k}",
                    "staff_id": people[k % staff_count],
                    "month": month,
                    "kind": EntryKind.COMPLAINT_LOSS if capped else EntryKind.VIOLATION,
                    "amount": _money("600.00" if capped else "50.00"),
                    "explanation": "generated for the benchmark",
                    "recorded_at": datetime(y, m, 1 + k % 28, 10, 0, tzinfo=TZ)
                    + timedelta(microseconds=k),
                    "recorded_by": manager.id,
                    "occurred_on": date(y, m, 1 + k % 28),
                    "caused_by": [],
                }
            )
        b.insert_rows(t.penalty_entries, rows)
        b.insert_rows(
            t.bonus_records,
            [
                {
                    "id": f"bon_{month}_{p}",
                    "staff_id": p,
                    "month": month,
                    "bonus": _money("2000.00"),
                    "version": 1,
                }
                for p in people
            ],
        )
        del rows
    ins_s = insert_sql(t.statements)

    def baseline() -> int:
        raw = b.raw()
        raw.begin(write=True)
        raw.execute("SELECT * FROM staff WHERE id = ?", (manager.id,)).fetchone()
        raw.execute("SELECT * FROM settled_months WHERE month = ?", ("2026-09",)).fetchone()
        cur = raw.execute(
            "SELECT id, staff_id, kind, amount, explanation, occurred_on FROM penalty_entries "
            "WHERE month = ? ORDER BY recorded_at, seq",
            ("2026-09",),
        )
        rows = cur.fetchall()
        raw.execute(
            "SELECT staff_id, carried_over FROM statements WHERE month = ?", ("2026-08",)
        ).fetchall()
        bonuses = dict(
            raw.execute(
                "SELECT staff_id, bonus FROM bonus_records WHERE month = ?", ("2026-09",)
            ).fetchall()
        )
        per: dict[str, list[Any]] = {}
        for row in rows:
            per.setdefault(row[1], []).append(row)
        out = []
        for sid in sorted(per):
            fines = Decimal(0)
            due = Decimal(0)
            lines = []
            for eid, _sid, kind, amount, explanation, occurred in per[sid]:
                value = Decimal(amount)
                lines.append(
                    {
                        "entry_id": eid,
                        "kind": kind,
                        "amount": f"{value:.2f}",
                        "explanation": explanation,
                        "occurred_on": str(occurred),
                    }
                )
                if kind == "complaint_loss":
                    due += value
                else:
                    fines += value
            cap = (Decimal(bonuses.get(sid, 0)) / 2).quantize(Decimal("0.01"))
            deducted = min(due, cap)
            out.append(
                b.bind_row(
                    t.statements,
                    {
                        "id": f"stm_b{sid}",
                        "staff_id": sid,
                        "month": "2026-09",
                        "lines": lines,
                        "fines": _money(fines),
                        "complaint_due": _money(due),
                        "complaint_deducted": _money(deducted),
                        "carried_over": _money(due - deducted),
                        "rewards": _money(0),
                        "total": _money(fines + deducted),
                        "sanction": "",
                        "settled_at": NOW,
                    },
                )
            )
        raw.executemany(ins_s, out)
        raw.execute(
            insert_sql(t.settled_months),
            b.bind_row(
                t.settled_months,
                {"month": "2026-09", "settled_at": NOW, "settled_by": manager.id},
            ),
        )
        raw.execute(
            insert_sql(t.audit_events),
            b.bind_row(
                t.audit_events,
                {
                    "id": "evt_settle",
                    "kind": "penalty.month_settled",
                    "subject_id": "2026-09",
                    "actor_id": manager.id,
                    "at": NOW,
                    "reason": "",
                    "data": {"statements": str(len(out))},
                },
            ),
        )
        raw.commit()
        raw.close()
        return raw.n

    issued: list[int] = []

    def product() -> None:
        issued.append(len(app.services.penalties.settle_month(manager.id, "2026-10")))

    res = _measure(
        b,
        "settlement",
        f"{staff_count:,} staff × {entries:,} entries",
        staff_count,
        app,
        baseline,
        product,
    )
    if issued != [staff_count]:
        res.notes = f"issued {issued} statements, expected {staff_count}"
    return res


def _money(value: Any) -> Any:
    from csdomain.kernel.money import Money

    return Money.of(str(value)) if not isinstance(value, Decimal) else Money.of(f"{value:.2f}")


def customer_page(b: Backend, owned: int, pages: int) -> Result:
    """One staff member's customer list, a page of 20 (the first ten pages in turn), with
    ``owned`` customers of theirs among as many of someone else's."""
    from adapters.sql import tables as t
    from csdomain.customers.commands import RegisterCustomer

    if owned < 20:
        raise ValueError("customer_page needs at least 20 owned customers (one full page)")
    app, admin, staff, _ = _app(b)
    other = app.services.org.add_staff(admin.id, name="Zhao", role="staff")
    first = app.services.customers.register(
        staff.id, RegisterCustomer(name="T", phone="13700000000")
    )
    template = _rows(b, t.customers, t.customers.c.id == first.id)[0]
    rows = []
    for i in range(2 * owned):
        owner = staff.id if i % 2 == 0 else other.id
        rows.append(
            _values(
                template,
                id=f"cus_g{i:08d}",
                name=f"G{i}",
                phone=f"1360{i:07d}",
                owner_id=owner,
                registered_at=NOW - timedelta(seconds=2 * owned - i),
            )
        )
    b.insert_rows(t.customers, rows)
    del rows
    spread = max(1, min(10, owned // 20))  # pages in turn, all full
    query = (
        "SELECT * FROM customers WHERE owner_id = ? ORDER BY registered_at, id LIMIT 20 OFFSET ?"
    )

    def baseline() -> int:
        raw = b.raw()
        for p in range(pages):
            raw.begin()
            raw.execute("SELECT * FROM staff WHERE id = ?", (staff.id,)).fetchone()
            found = raw.execute(query, (staff.id, 20 * (p % spread))).fetchall()
            assert len(found) == 20
            raw.commit()
        raw.close()
        return raw.n

    def product() -> None:
        for p in range(pages):
            got = app.services.customers.list(staff.id, limit=20, offset=20 * (p % spread))
            assert len(got) == 20

    return _measure(
        b, "customer page", f"{owned:,} owned, {pages:,} pages", pages, app, baseline, product
    )


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _latency_notes(ours: list[float], base: list[float], window_sum: list[float]) -> str:
    p50, p99 = _quantile(ours, 0.5), _quantile(ours, 0.99)
    b50, b99 = _quantile(base, 0.5), _quantile(base, 0.99)
    w99 = _quantile(window_sum, 0.99)
    return (
        f"p50 {1000 * p50:.2f} vs {1000 * b50:.2f} ms; p99 {1000 * p99:.2f} vs "
        f"{1000 * b99:.2f} ms ({p99 / b99:.1f}×); p99 vs the window SUM alone "
        f"({1000 * w99:.2f} ms): {p99 / w99:.1f}×"
    )


def credit(b: Backend, invoices: int, decisions: int) -> list[Result]:
    """CRD-2/CRD-3 with ``invoices`` invoices (and a payment per customer) in the ledger:

    - *credit position* — ``credit.position`` (actor, customer, line and balance by indexed
      SUMs) beside a raw transaction doing the same reads;
    - *credit authorization* — ``credit.authorize_shipment`` (the customer's lock, actor,
      customer, eligibility: files, account, last year's balance; line, balance, the
      decision, shipment + invoice + audit rows, commit) beside a raw transaction doing the
      same work under the same lock.

    Each also reports p50/p99 latency and its p99 against the raw indexed ``SUM`` over the
    30-day window alone (issue 13's yardstick)."""
    import time

    from adapters.sql import tables as t
    from adapters.sql.storage import lock_id
    from csdomain.credit.commands import AuthorizeShipment, OpenCreditAccount
    from csdomain.credit.services import credit_lock
    from csdomain.customers.commands import RegisterCustomer
    from csdomain.kernel.money import Money

    app, _, staff, manager = _app(b)
    s = app.services
    customers = []
    for i in range(20):
        c = s.customers.register(staff.id, RegisterCustomer(name=f"K{i}", phone=f"1350{i:07d}"))
        f = s.customers.open_file(staff.id, c.id, "new_sale", date(2026, 1, 5))
        s.customers.add_documents(staff.id, f.id, {"id_copy": "box"})
        s.credit.open_account(
            manager.id,
            OpenCreditAccount(
                customer_id=c.id,
                contract_type="distribution",
                contract_no=f"K-{i}",
                contract_signed_on=date(2026, 1, 5),
                settlement_agreement=True,
            ),
        )
        customers.append(c.id)
    start_day = NOW.date() - timedelta(days=300)  # this year only: last year's balance is 0
    rows = [
        {
            "id": f"led_b{i:09d}",
            "customer_id": customers[i % len(customers)],
            "kind": "invoice",
            "amount": Money.of("100.00"),
            "on": start_day + timedelta(days=(i * 7) % 300),
            "reference": f"B{i}",
            "recorded_by": staff.id,
            "recorded_at": NOW - timedelta(days=1),
            "shipment_id": None,
        }
        for i in range(invoices)
    ]
    # one recent invoice each, so every line is at least 1 000 元 whatever the size …
    rows += [
        {**rows[0], "id": f"led_r{i:03d}", "customer_id": c, "amount": Money.of("1000.00"),
         "reference": f"R{i}", "on": NOW.date() - timedelta(days=5)}
        for i, c in enumerate(customers)
    ]  # fmt: skip
    invoiced = {c: Money.zero() for c in customers}
    for row in rows:
        invoiced[row["customer_id"]] += row["amount"]
    # … and everything paid: the shipments below are decided within the line (CRD-3)
    rows += [
        {**rows[0], "id": f"led_p{i:03d}", "customer_id": c, "kind": "payment",
         "amount": invoiced[c], "reference": f"P{i}", "on": NOW.date() - timedelta(days=2)}
        for i, c in enumerate(customers)
    ]  # fmt: skip
    b.insert_rows(t.credit_ledger, rows)
    del rows
    # one decision by the product, to clone the rows it writes (same representation)
    probe = s.credit.authorize_shipment(
        staff.id,
        AuthorizeShipment(customer_id=customers[0], amount=Money.of("1.00"), reference="SH-P"),
    )
    assert probe.allowed, probe.shipment.why
    shipment = _rows(b, t.credit_shipments, t.credit_shipments.c.id == probe.shipment.id)[0]
    ledger = _rows(b, t.credit_ledger, t.credit_ledger.c.shipment_id == probe.shipment.id)[0]
    audit = _rows(b, t.audit_events, t.audit_events.c.subject_id == probe.shipment.id)[0]
    written = [
        (
            b.bind_row(t.credit_shipments, _values(shipment, id=f"shp_b{i}", reference=f"R{i}")),
            b.bind_row(
                t.credit_ledger,
                _values(ledger, id=f"led_s{i}", shipment_id=f"shp_b{i}", reference=f"R{i}"),
            ),
            b.bind_row(t.audit_events, _values(audit, id=f"evt_s{i}", subject_id=f"shp_b{i}")),
        )
        for i in range(decisions)
    ]
    ins_s, ins_l, ins_a = (insert_sql(x) for x in (t.credit_shipments, t.credit_ledger,
                                                   t.audit_events))  # fmt: skip
    today = NOW.date()
    window = (today - timedelta(days=30), today - timedelta(days=1))
    last_year_end = date(today.year - 1, 12, 31)
    window_sum = (
        'SELECT SUM(amount) FROM credit_ledger WHERE customer_id = ? AND kind = ? AND "on" >= ? '
        'AND "on" <= ?'
    )
    balance_sum = (
        "SELECT SUM(CASE WHEN kind = 'invoice' THEN amount ELSE -amount END) FROM credit_ledger "
        'WHERE customer_id = ? AND "on" <= ?'
    )
    sum_lat: list[float] = []

    def raw_window_sums() -> None:
        """The yardstick: the raw indexed window SUM alone, one transaction each."""
        raw = b.raw()
        for i in range(decisions):
            t0 = time.perf_counter()
            raw.begin()
            raw.execute(window_sum, (customers[i % len(customers)], "invoice", *window))
            raw.commit()
            sum_lat.append(time.perf_counter() - t0)
        raw.close()

    def raw_reads(raw: Any, customer_id: str) -> None:
        raw.execute("SELECT * FROM staff WHERE id = ?", (staff.id,)).fetchone()
        raw.execute("SELECT * FROM customers WHERE id = ?", (customer_id,)).fetchone()
        raw.execute(window_sum, (customer_id, "invoice", *window)).fetchone()
        raw.execute(balance_sum, (customer_id, today)).fetchone()

    results = []
    for name in ("credit position", "credit authorization"):
        base_lat: list[float] = []
        our_lat: list[float] = []
        writes = name == "credit authorization"

        def baseline(base_lat: list[float] = base_lat, writes: bool = writes) -> int:
            raw = b.raw()
            for i in range(decisions):
                customer_id = customers[i % len(customers)]
                t0 = time.perf_counter()
                raw.begin(write=writes)
                if writes and b.name != "sqlite":
                    lock = lock_id(credit_lock(customer_id))
                    raw.execute("SELECT pg_advisory_xact_lock(?)", (lock,)).fetchone()
                raw_reads(raw, customer_id)
                if writes:  # CRD-1 eligibility, then the decision's three rows
                    raw.execute(
                        "SELECT * FROM customer_files WHERE customer_id = ?", (customer_id,)
                    ).fetchall()
                    raw.execute(
                        "SELECT * FROM credit_accounts WHERE customer_id = ?", (customer_id,)
                    ).fetchone()
                    raw.execute(balance_sum, (customer_id, last_year_end)).fetchone()
                    s_row, l_row, a_row = written[i]
                    raw.execute(ins_s, s_row)
                    raw.execute(ins_l, l_row)
                    raw.execute(ins_a, a_row)
                raw.commit()
                base_lat.append(time.perf_counter() - t0)
            raw.close()
            return raw.n

        def product(our_lat: list[float] = our_lat, writes: bool = writes) -> None:
            for i in range(decisions):
                customer_id = customers[i % len(customers)]
                t0 = time.perf_counter()
                if writes:
                    s.credit.authorize_shipment(
                        staff.id,
                        AuthorizeShipment(
                            customer_id=customer_id, amount=Money.of("1.00"), reference=f"SH{i}"
                        ),
                    )
                else:
                    s.credit.position(staff.id, customer_id, today)
                our_lat.append(time.perf_counter() - t0)

        if not sum_lat:
            raw_window_sums()
        result = _measure(
            b, name, f"{invoices:,} invoices", decisions, app, baseline, product, close=writes
        )
        result.notes = _latency_notes(our_lat, base_lat, sum_lat)
        result.extra.update(
            {
                "p50": _quantile(our_lat, 0.5),
                "p99": _quantile(our_lat, 0.99),
                "p50_baseline": _quantile(base_lat, 0.5),
                "p99_baseline": _quantile(base_lat, 0.99),
                "p99_window_sum": _quantile(sum_lat, 0.99),
            }
        )
        results.append(result)
    return results


def policy_replay(b: Backend, staff: int, customers: int, months: int) -> Result:
    """Issue 15: the demo company's history (``staff`` people, ``customers`` customers,
    ``months`` months, made by the demo generator through the use cases) replayed under a
    candidate policy — service advisers' file fines doubling from the 2nd violation (PEN-2),
    the late hand-over fine at 80 元 (PEN-1), a 48-hour acknowledge clock (CASE-7) and a
    45-day credit window (CRD-2) — beside the policy in force, writing nothing.
    The baseline reads by hand what the customers, cases, service-jobs and penalties
    replayers read (each month's violations, staff, entries and bonuses, files due,
    registers, loans and jobs, each month's cases a page at a time with their events) and
    computes nothing: the I/O floor under the product's re-evaluation (the credit, visits
    and surveys reads are not reproduced; they are small beside these)."""
    import tomllib

    from adapters.bootstrap import bootstrap, make_storage
    from adapters.demo import DemoSize, load_demo
    from adapters.policy_file import DEFAULT_POLICY_PATH, parse_policy
    from adapters.settings import Settings
    from csdomain.kernel.clock import FixedClock
    from csdomain.policy_lab.replay import windows

    # the demo's own minimums (every role and position, one settled month), whatever --scale
    staff, customers, months = max(16, staff), max(10, customers), max(2, months)
    as_of = date(2026, 12, 2)
    settings = Settings(database_url=b.url)
    storage = make_storage(settings, create_schema=False)
    try:
        demo = load_demo(
            settings,
            storage,
            as_of=as_of,
            size=DemoSize(staff=staff, customers=customers, months=months),
        )
    finally:
        storage.close()
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    text = text.replace(
        "from_nth = { sales_adviser = 2, service_adviser = 3 }",
        "from_nth = { sales_adviser = 2, service_adviser = 2 }",
    ).replace(
        'stop_event = "acknowledged"\nduration = 24', 'stop_event = "acknowledged"\nduration = 48'
    )
    late = 'code = "file_late"\ndescription = "Customer file handed over late"\namount = '
    text = text.replace(late + '"50.00"', late + '"80.00"').replace(
        "window_days = 30", "window_days = 45"
    )
    candidate = parse_policy(tomllib.loads(text), "candidate")
    app = bootstrap(settings, clock=FixedClock(datetime(2026, 12, 3, 9, 0, tzinfo=TZ)))
    manager = demo.person("manager")
    parts = windows(demo.start, demo.end)
    probe = b.raw()
    events = probe.execute("SELECT COUNT(*) FROM audit_events").fetchone()[0]
    events += probe.execute("SELECT COUNT(*) FROM case_events").fetchone()[0]
    first = datetime.combine(demo.start, datetime.min.time(), tzinfo=TZ)
    after = datetime.combine(demo.end + timedelta(days=1), datetime.min.time(), tzinfo=TZ)
    items = probe.execute(
        "SELECT COUNT(*) FROM violations WHERE occurred_on >= ? AND occurred_on <= ?",
        (demo.start, demo.end),
    ).fetchone()[0]
    items += probe.execute(
        "SELECT COUNT(*) FROM cases WHERE received_at >= ? AND received_at < ?", (first, after)
    ).fetchone()[0]
    probe.close()
    report: list[Any] = []

    def baseline() -> int:
        raw = b.raw()
        raw.begin()
        raw.execute("SELECT * FROM staff WHERE id = ?", (manager.id,)).fetchone()
        for w in parts:
            raw.execute(
                "SELECT * FROM violations WHERE occurred_on >= ? AND occurred_on < ? "
                "ORDER BY occurred_on, recorded_at, seq",
                (w.start, w.end),
            ).fetchall()
            raw.execute("SELECT * FROM staff").fetchall()
            # the month's statement inputs (PEN-5/6/7/11) and the customers capability's
            # records (CUS-3 files due, CUS-1 registers, CUS-7 loans), as the replayers read
            raw.execute(
                "SELECT * FROM penalty_entries WHERE month = ? ORDER BY recorded_at, seq",
                (w.month,),
            ).fetchall()
            raw.execute("SELECT * FROM bonus_records WHERE month = ?", (w.month,)).fetchall()
            raw.execute(
                "SELECT * FROM customer_files WHERE due_on >= ? AND due_on < ? ORDER BY due_on, id",
                (w.start, w.end),
            ).fetchall()
            raw.execute(
                "SELECT * FROM daily_registers WHERE day >= ? AND day < ? ORDER BY day, staff_id",
                (w.start, w.end),
            ).fetchall()
        for w in parts:
            start = datetime.combine(w.start, datetime.min.time(), tzinfo=TZ)
            end = datetime.combine(w.end, datetime.min.time(), tzinfo=TZ)
            for table, column in (("file_loans", "decided_at"), ("service_jobs", "registered_at")):
                raw.execute(
                    f"SELECT * FROM {table} WHERE {column} >= ? AND {column} < ? "
                    f"ORDER BY {column}, id",
                    (start, end),
                ).fetchall()
        for w in parts:
            start = datetime.combine(w.start, datetime.min.time(), tzinfo=TZ)
            end = datetime.combine(w.end, datetime.min.time(), tzinfo=TZ)
            offset = 0
            while True:
                ids = [
                    r[0]
                    for r in raw.execute(
                        "SELECT id FROM cases WHERE received_at >= ? AND received_at < ? "
                        "ORDER BY received_at, id LIMIT 500 OFFSET ?",
                        (start, end, offset),
                    ).fetchall()
                ]
                if not ids:
                    break
                marks = ", ".join("?" * len(ids))
                raw.execute(f"SELECT * FROM cases WHERE id IN ({marks})", ids).fetchall()
                raw.execute(
                    f"SELECT * FROM case_events WHERE case_id IN ({marks}) ORDER BY seq", ids
                ).fetchall()
                offset += len(ids)
                if len(ids) < 500:
                    break
        raw.commit()
        raw.close()
        return raw.n

    def product() -> None:
        report.append(app.services.replay.replay(manager.id, candidate, demo.start, demo.end))

    result = _measure(
        b,
        "policy replay",
        f"{staff} staff, {customers} customers, {months} months ({events} audit and case events)",
        max(1, items),
        app,
        baseline,
        product,
    )
    done = report[0]
    compared = sum(s.compared for s in done.sections)
    # per record re-evaluated (violations, cases, shipments, customer periods), both sides
    assert result.statements is not None and result.baseline_statements is not None
    result.statements = result.statements * result.items / max(1, compared)
    result.baseline_statements = result.baseline_statements * result.items / max(1, compared)
    result.items = max(1, compared)
    per = ", ".join(f"{s.compared} {s.capability}" for s in done.sections)
    result.notes = (
        f"{compared} records re-evaluated ({per}), {done.differing} differing; "
        "baseline: the reads of the customers, cases, service-jobs and penalties replayers, "
        "no computation"
    )
    read = sum(s.compared for s in done.sections if s.capability in ("penalties", "cases"))
    if read != items:
        result.notes += f"; expected {items} violations and cases, replayed {read}"
    return result


WORKLOADS: dict[str, Callable[..., Result | list[Result]]] = {
    "policy_replay": policy_replay,
    "credit": credit,
    "registration": registration,
    "intake": intake,
    "sweep": sweep,
    "settlement": settlement,
    "customer_page": customer_page,
}


def sizes(full: bool, scale: float = 1.0) -> dict[str, Sequence[int]]:
    """Arguments of each workload: the issue's sizes with ``--full``, a smoke run without."""
    if full:
        table = {
            "registration": [100_000],
            "intake": [20_000],
            "sweep": [1_000_000, 10_000],
            "settlement": [5_000, 500_000],
            "customer_page": [50_000, 1_000],
            "credit": [1_000_000, 1_000],
            # issue 15: a year of a 200-person company, ≈ 50 000 events (audit and case
            # events) made by the demo generator at that size
            "policy_replay": [200, 5_000, 12],
            "http": [2_000],
            "cli": [10],
        }
    else:
        table = {
            "registration": [300],
            "intake": [300],
            "sweep": [3_000, 200],
            "settlement": [200, 4_000],
            "customer_page": [2_000, 100],
            "credit": [5_000, 100],
            "policy_replay": [30, 300, 2],
            "http": [200],
            "cli": [5],
        }
    return {k: [max(1, int(v * scale)) for v in vs] for k, vs in table.items()}
