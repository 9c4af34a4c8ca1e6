"""Penalty commands: violations and their fines (PEN-1/2/3/8), complaint losses (PEN-5/6),
performance cuts (PEN-4), rewards (PEN-11), appeals and the monthly settlement (PEN-10).

Every amount is computed by the core when the entry is recorded and each entry carries the
words that explain it; the tables here show those words. ``penalties accrue`` and
``penalties from-events`` are for schedulers (idempotent; they act as the system account
``csdomain init`` created, so cron needs no ``--as``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import click

from adapters.cli.commands import Group
from adapters.cli.common import CASE_REF, DATE, day, money, optional_money, pairs, whole
from adapters.cli.customers import Names
from adapters.cli.org import fmt
from adapters.cli.render import Formatter, details, table
from adapters.cli.state import CliState, pass_state
from adapters.export import statements_csv, statements_xlsx
from adapters.serialization import to_json
from csdomain.kernel.ids import StaffId
from csdomain.penalties.model import Appeal, AppealState, PenaltyEntry, Statement


def entry_table(rows: Sequence[PenaltyEntry], names: Names, f: Formatter, empty: str) -> str:
    return table(
        ["entry", "staff", "month", "kind", "amount", "occurred", "explanation"],
        [
            (
                e.id,
                names.staff(e.staff_id),
                e.month + (f" (for {e.adjusts_month})" if e.adjusts_month else ""),
                e.kind,
                e.amount,
                e.occurred_on,
                e.explanation,
            )
            for e in rows
        ],
        f,
        empty=empty,
    )


def statement_table(rows: Sequence[Statement], names: Names, f: Formatter) -> str:
    return table(
        [
            "staff",
            "name",
            "fines",
            "complaint due",
            "deducted",
            "carried over",
            "rewards",
            "total",
            "sanction",
        ],
        [
            (
                s.staff_id,
                names.staff(s.staff_id),
                s.fines,
                s.complaint_due,
                s.complaint_deducted,
                s.carried_over,
                s.rewards,
                s.total,
                s.sanction,
            )
            for s in rows
        ],
        f,
        empty="(nobody has entries this month)",
    )


def _appeal_line(a: Appeal) -> str:
    if a.state == AppealState.OPEN:
        return f"Appeal {a.id} of entry {a.entry_id} filed."
    reduced = f" to {a.new_amount.amount:.2f} 元" if a.new_amount is not None else ""
    return f"Appeal {a.id} of entry {a.entry_id}: {a.state.value}{reduced}."


@click.group(cls=Group)
def penalties() -> None:
    """Violations, fines, rewards, appeals and each month's statements (PEN-1…PEN-11)."""


@penalties.command("record")
@click.argument("staff_id")
@click.option("--code", required=True, help="A catalogue code, e.g. file_late (PEN-1).")
@click.option("--on", "occurred_on", required=True, type=DATE, help="When it happened.")
@click.option("--evidence", required=True, help="What shows it happened.")
@click.option(
    "--units", default=1, show_default=True, type=int, help="Items, pieces or vehicle instances."
)
@click.option("--amount", metavar="AMOUNT", help="元, within the type's range (PEN-9).")
@click.option("--issue", default="", help="The customer issue; a repeat doubles (PEN-2).")
@click.option(
    "--no-culprit",
    is_flag=True,
    help="No direct culprit in STAFF_ID's group: the group leader pays (PEN-8).",
)
@click.option("--access-log", "access_log_id", metavar="ENTRY_ID", help="The read (PEN-9).")
@pass_state
def penalties_record(
    st: CliState,
    staff_id: str,
    code: str,
    occurred_on: datetime,
    evidence: str,
    units: int,
    amount: str | None,
    issue: str,
    no_culprit: bool,
    access_log_id: str | None,
) -> None:
    """Record a violation; the fine (with repeat doubling, PEN-2) and the supervisor's joint
    share (PEN-8) are computed now and explained. A third CS breach of one rule or a serious
    leak records a dismissal recommendation (`penalties recommendations`)."""
    chosen = optional_money(amount, "amount")
    app, actor = st.acting()
    rows = app.services.penalties.record_violation(
        actor,
        StaffId(staff_id),
        code,
        occurred_on.date(),
        units=units,
        evidence=evidence,
        amount=chosen,
        issue=issue,
        no_culprit=no_culprit,
        access_log_id=access_log_id,
    )
    names = Names(app, actor)
    st.emit(
        rows,
        lambda: (
            f"Recorded {code} of {names.staff(staff_id)} on "
            f"{occurred_on.date()}:\n" + entry_table(rows, names, fmt(st), "")
        ),
    )


@penalties.command("correct")
@click.argument("violation_id")
@click.option("--on", "corrected_on", required=True, type=DATE, help="The day it was corrected.")
@pass_state
def penalties_correct(st: CliState, violation_id: str, corrected_on: datetime) -> None:
    """A violation was corrected: it stops counting again from this day (PEN-3)."""
    app, actor = st.acting()
    v = app.services.penalties.correct_violation(actor, violation_id, corrected_on.date())
    st.emit(v, lambda: f"Violation {v.id} ({v.code}) corrected on {v.corrected_on}.")


@penalties.command("accrue")
@click.option("--as-of", type=DATE, help="Count up to this day, at most today (default today).")
@pass_state
def penalties_accrue(st: CliState, as_of: datetime | None) -> None:
    """Count uncorrected violations again for each working day past their deadline (PEN-3).
    Idempotent: run it daily."""
    app, actor = st.scheduler()
    rows = app.services.penalties.accrue_recurrences(actor, day(as_of))
    names = Names(app, actor)
    st.emit(
        rows,
        lambda: (
            f"Recorded {len(rows)} recurrence(s)."
            + ("\n" + entry_table(rows, names, fmt(st), "") if rows else "")
        ),
    )


@penalties.command("from-events")
@pass_state
def penalties_from_events(st: CliState) -> None:
    """Turn late file hand-overs and case clock breaches into violations, once each (PEN-1)."""
    app, actor = st.scheduler()
    rows = app.services.penalties.record_from_events(actor)
    names = Names(app, actor)
    st.emit(
        rows,
        lambda: (
            f"Recorded {len(rows)} entr{'y' if len(rows) == 1 else 'ies'} from "
            "events." + ("\n" + entry_table(rows, names, fmt(st), "") if rows else "")
        ),
    )


@penalties.command("charge-loss")
@click.argument("case_id", type=CASE_REF)
@click.option(
    "--share",
    "shares",
    multiple=True,
    metavar="STAFF_ID=POINTS",
    help="A responsible person's base points; repeat. Default: the case's CASE-10 "
    "responsibility and the staff's base points.",
)
@pass_state
def penalties_charge_loss(st: CliState, case_id: str, shares: tuple[str, ...]) -> None:
    """Charge a closed case's loss to the responsible people by base points (PEN-5)."""
    parsed = [
        (StaffId(staff), whole(points, f"shares.{staff}", "PEN-5"))
        for staff, points in pairs(shares, "shares", "PEN-5", "STAFF_ID=POINTS")
    ]
    app, actor = st.acting()
    rows = app.services.penalties.charge_case_loss(actor, case_id, parsed or None)
    st.emit(rows, lambda: entry_table(rows, Names(app, actor), fmt(st), ""))


@penalties.command("bonus")
@click.argument("staff_id")
@click.option("--month", required=True, metavar="YYYY-MM")
@click.option("--amount", required=True, metavar="AMOUNT", help="元, e.g. 3000.00.")
@pass_state
def penalties_bonus(st: CliState, staff_id: str, month: str, amount: str) -> None:
    """Set a person's monthly efficiency bonus: the base of the complaint cap (PEN-6)."""
    value = money(amount, "bonus")
    app, actor = st.acting()
    b = app.services.penalties.set_bonus(actor, StaffId(staff_id), month, value)
    st.emit(b, lambda: f"Bonus of {staff_id} for {b.month}: {b.bonus.amount:.2f} 元.")


@penalties.command("cut")
@click.argument("staff_id")
@click.option("--month", required=True, metavar="YYYY-MM")
@click.option("--percent", required=True, type=int, help="Within the policy's band (10–30).")
@click.option("--performance-pay", required=True, metavar="AMOUNT", help="元, e.g. 2000.00.")
@click.option("--reason", required=True)
@pass_state
def penalties_cut(
    st: CliState, staff_id: str, month: str, percent: int, performance_pay: str, reason: str
) -> None:
    """Cut a month's performance pay on repeat offences (PEN-4)."""
    pay = money(performance_pay, "performance_pay")
    app, actor = st.acting()
    e = app.services.penalties.performance_cut(
        actor, StaffId(staff_id), month, percent, pay, reason
    )
    st.emit(e, lambda: f"Entry {e.id}: {e.explanation}")


@penalties.command("reward")
@click.argument("staff_id")
@click.option(
    "--proposed-by",
    required=True,
    metavar="STAFF_ID",
    help="The group leader (supervisor) who proposed it.",
)
@click.option("--amount", required=True, metavar="AMOUNT", help="元, e.g. 200.00.")
@click.option("--reason", required=True)
@click.option("--month", metavar="YYYY-MM", help="Default: this month.")
@pass_state
def penalties_reward(
    st: CliState, staff_id: str, proposed_by: str, amount: str, reason: str, month: str | None
) -> None:
    """Grant a reward: same ledger, opposite sign (PEN-11)."""
    value = money(amount, "amount")
    app, actor = st.acting()
    e = app.services.penalties.grant_reward(
        actor, StaffId(staff_id), StaffId(proposed_by), value, reason, month
    )
    st.emit(e, lambda: f"Entry {e.id}: {e.explanation}")


@penalties.command("entries")
@click.option("--staff", "staff_id", metavar="STAFF_ID", help="Default: everyone you may see.")
@click.option("--month", metavar="YYYY-MM")
@pass_state
def penalties_entries(st: CliState, staff_id: str | None, month: str | None) -> None:
    """Ledger entries with their explanations, within your scope (staff: your own;
    supervisors: your department's; managers: everyone's — the policy's permission table)."""
    app, actor = st.acting()
    rows = app.services.penalties.entries(actor, StaffId(staff_id) if staff_id else None, month)
    st.emit(rows, lambda: entry_table(rows, Names(app, actor), fmt(st), "(no entries)"))


@penalties.command("appeal")
@click.argument("entry_id")
@click.option("--reason", required=True)
@pass_state
def penalties_appeal(st: CliState, entry_id: str, reason: str) -> None:
    """Appeal one of your own penalty entries (PEN-10)."""
    app, actor = st.acting()
    a = app.services.penalties.appeal(actor, entry_id, reason)
    st.emit(a, lambda: _appeal_line(a))


@penalties.command("decide")
@click.argument("appeal_id")
@click.option(
    "--decision",
    required=True,
    type=click.Choice([s.value for s in AppealState if s != AppealState.OPEN]),
)
@click.option("--reason", required=True)
@click.option("--new-amount", metavar="AMOUNT", help="With --decision reduced.")
@pass_state
def penalties_decide(
    st: CliState, appeal_id: str, decision: str, reason: str, new_amount: str | None
) -> None:
    """Decide an appeal: reversing (and reduced) entries, never an edit (PEN-10, X-7)."""
    amount = optional_money(new_amount, "new_amount")
    app, actor = st.acting()
    a = app.services.penalties.decide_appeal(
        actor, appeal_id, AppealState(decision), reason, amount
    )
    st.emit(a, lambda: _appeal_line(a))


@penalties.command("statement")
@click.argument("staff_id")
@click.option("--month", required=True, metavar="YYYY-MM")
@pass_state
def penalties_statement(st: CliState, staff_id: str, month: str) -> None:
    """A person's statement: settled, or provisional (computed now)."""
    app, actor = st.acting()
    view = app.services.penalties.statement(actor, StaffId(staff_id), month)
    s = view.statement
    names = Names(app, actor)

    def human() -> str:
        head = details(
            [
                ("staff", f"{names.staff(s.staff_id)} ({s.staff_id})"),
                ("month", s.month),
                ("status", f"settled {fmt(st)(s.settled_at)}" if view.settled else "provisional"),
                ("fines", s.fines),
                ("complaint due", s.complaint_due),
                ("complaint deducted", s.complaint_deducted),
                ("carried over", s.carried_over),
                ("rewards", s.rewards),
                ("total", s.total),
                ("sanction", s.sanction),
            ],
            fmt(st),
        )
        lines = table(
            ["entry", "kind", "amount", "occurred", "explanation"],
            [
                (x["entry_id"], x["kind"], x["amount"], x["occurred_on"], x["explanation"])
                for x in s.lines
            ],
            fmt(st),
            empty="(no entries)",
        )
        return f"{head}\n\n{lines}"

    st.emit(None, human, data={**to_json(s), "settled": view.settled})


@penalties.command("settle")
@click.option("--month", required=True, metavar="YYYY-MM")
@click.option(
    "--csv",
    "csv_file",
    type=click.Path(dir_okay=False, writable=True),
    metavar="FILE",
    help="Also write the payroll export as CSV.",
)
@click.option(
    "--xlsx",
    "xlsx_file",
    type=click.Path(dir_okay=False, writable=True),
    metavar="FILE",
    help="Also write the payroll export as XLSX.",
)
@pass_state
def penalties_settle(st: CliState, month: str, csv_file: str | None, xlsx_file: str | None) -> None:
    """Settle a past month: issue each person's statement (PEN-10). Running it again returns
    the same statements; a settled month never changes."""
    app, actor = st.acting()
    rows = app.services.penalties.settle_month(actor, month)
    written: list[str] = []
    if csv_file or xlsx_file:
        staff_names: dict[str, str] = {s.id: s.name for s in app.services.org.list_staff(actor)}
        if csv_file:
            Path(csv_file).write_text(
                statements_csv(rows, staff_names), encoding="utf-8", newline=""
            )
            written.append(csv_file)
        if xlsx_file:
            Path(xlsx_file).write_bytes(statements_xlsx(rows, staff_names))
            written.append(xlsx_file)

    def human() -> str:
        text = f"Settled {month}: {len(rows)} statement(s).\n" + statement_table(
            rows, Names(app, actor), fmt(st)
        )
        for path in written:
            text += f"\nWrote payroll export {path}"
        return text

    st.emit(None, human, data={"month": month, "statements": to_json(rows), "written": written})


@penalties.command("sanction")
@click.argument("staff_id")
@click.option("--level", "sanction", required=True, help="A policy sanction, e.g. warning.")
@click.option("--month", required=True, metavar="YYYY-MM")
@click.option("--reason", required=True)
@click.option("--amount", metavar="AMOUNT", help="元; default the level's minimum (PEN-7).")
@pass_state
def penalties_sanction(
    st: CliState, staff_id: str, sanction: str, month: str, reason: str, amount: str | None
) -> None:
    """Impose an administrative sanction and the fine it carries (PEN-7)."""
    chosen = optional_money(amount, "amount")
    app, actor = st.acting()
    entry = app.services.penalties.impose_sanction(
        actor, StaffId(staff_id), sanction, month, reason, chosen
    )
    st.emit([entry], lambda: entry_table([entry], Names(app, actor), fmt(st), ""))


@penalties.command("recommendations")
@click.option("--staff", "staff_id", metavar="STAFF_ID", help="Default: everyone you may see.")
@click.option("--open", "open_only", is_flag=True, help="Only those not decided yet.")
@pass_state
def penalties_recommendations(st: CliState, staff_id: str | None, open_only: bool) -> None:
    """Sanction recommendations (dismissal: PEN-2 third CS breach, PEN-9 serious leaks)."""
    app, actor = st.acting()
    rows = app.services.penalties.recommendations(
        actor, StaffId(staff_id) if staff_id else None, open_only=open_only
    )
    names = Names(app, actor)
    st.emit(
        rows,
        lambda: table(
            ["id", "staff", "sanction", "rule", "state", "reason"],
            [
                (r.id, names.staff(r.staff_id), r.sanction, r.rule, r.state.value, r.reason)
                for r in rows
            ],
            fmt(st),
            empty="(no recommendations)",
        ),
    )


@penalties.command("decide-recommendation")
@click.argument("recommendation_id")
@click.option("--accept/--reject", required=True)
@click.option("--reason", required=True)
@pass_state
def penalties_decide_recommendation(
    st: CliState, recommendation_id: str, accept: bool, reason: str
) -> None:
    """Accept (the sanction's fine is booked, PEN-7) or reject a recommended sanction."""
    app, actor = st.acting()
    rec = app.services.penalties.decide_recommendation(actor, recommendation_id, accept, reason)
    st.emit(rec, lambda: f"Recommendation {rec.id} ({rec.sanction}): {rec.state.value}.")


@penalties.command("settlement-report")
@pass_state
def penalties_settlement_report(st: CliState) -> None:
    """Each month's statement deadline (PEN-10 settlement_day, on a working day), when it was
    settled, and the late ones."""
    app, actor = st.acting()
    rows = app.services.penalties.settlement_report(actor)
    st.emit(
        rows,
        lambda: table(
            ["month", "due on", "settled on", "late"],
            [(r.month, r.due_on, r.settled_on, r.late) for r in rows],
            fmt(st),
            empty="(nothing to settle yet)",
        ),
    )


COMMANDS: list[click.Command] = [penalties]
