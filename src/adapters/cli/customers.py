"""Customer commands: registration and ownership (CUS-1), grading (CUS-4), files (CUS-3, X-5,
X-6), deregistration (CUS-6) and the confidential access log.

Command options are structured into the core's command classes with the shared converter
(``adapters.serialization.structure``), so a bad field exits 3 naming the same field the HTTP
API names; the CLI only parses what the shell cannot express (``criterion=N``, ``item=ref``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import click

from adapters.bootstrap import App
from adapters.cli.commands import Group
from adapters.cli.common import DATE
from adapters.cli.org import fmt
from adapters.cli.render import Formatter, details, table, with_page_hint
from adapters.cli.state import CliState, pass_state
from adapters.serialization import structure
from csdomain.customers.commands import RegisterCustomer, UpdateCustomer
from csdomain.customers.model import (
    Customer,
    CustomerKind,
    CustomerStatus,
    Deregistration,
    DestructionRequest,
    FileStatus,
    LegalForm,
    Source,
)
from csdomain.kernel.errors import NotFound, PermissionDenied, ValidationError
from csdomain.kernel.ids import CustomerId, DeregistrationId, FileId, StaffId
from csdomain.kernel.money import Money


def _choice(enum_cls: Any) -> click.Choice[str]:
    return click.Choice([m.value for m in enum_cls])


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


def _given(**options: Any) -> dict[str, Any]:
    """The options the user actually gave (unset options stay out of the command)."""
    return {k: v for k, v in options.items() if v is not None}


class Names:
    """Staff and customer names for human output, looked up once each per invocation."""

    def __init__(self, app: App, actor: StaffId) -> None:
        self.app = app
        self.actor = actor
        self._staff: dict[str, str] | None = None
        self._departments: dict[str, str] | None = None
        self._customers: dict[str, Customer] = {}
        self._case_numbers: dict[str, str] = {}

    def staff(self, staff_id: str | None) -> str | None:
        if staff_id is None:
            return None
        if self._staff is None:
            self._staff = {s.id: s.name for s in self.app.services.org.list_staff(self.actor)}
        return self._staff.get(staff_id, staff_id)

    def department(self, department_id: str | None) -> str | None:
        """``Sales (dep_…)``: the name people know, with the id scripts need."""
        if department_id is None:
            return None
        if self._departments is None:
            self._departments = {
                d.id: d.name for d in self.app.services.org.list_departments(self.actor)
            }
        name = self._departments.get(department_id)
        return f"{name} ({department_id})" if name else department_id

    def case_number(self, case_id: str) -> str:
        """The number people read (``202612-0001``) of a case id; the id itself when the
        acting person cannot look it up (e.g. the system running ``cases sweep``)."""
        if case_id not in self._case_numbers:
            try:
                number = self.app.services.cases.get(self.actor, case_id).number
            except (NotFound, PermissionDenied):
                number = case_id
            self._case_numbers[case_id] = number
        return self._case_numbers[case_id]

    def customer(self, customer_id: str) -> Customer:
        if customer_id not in self._customers:
            self._customers[customer_id] = self.app.services.customers.get(
                self.actor, CustomerId(customer_id)
            )
        return self._customers[customer_id]


def customer_details(c: Customer, names: Names, f: Formatter) -> str:
    return details(
        [
            ("id", c.id),
            ("name", c.name),
            ("phone", c.phone),
            ("id number", c.id_number),
            ("kind", c.kind),
            ("legal form", c.legal_form),
            ("status", c.status),
            ("owner", f"{names.staff(c.owner_id)} ({c.owner_id})"),
            ("registered", f"{f(c.registered_at)} by {names.staff(c.registered_by)}"),
            ("source", c.source),
            ("referrer", c.referrer_customer_id),
            ("contact", c.contact_name),
            ("address", c.address),
            ("intermediary", c.intermediary_name or c.intermediary),
            (
                "grade",
                f"{c.grade}{' (provisional)' if c.grade_provisional else ''}" if c.grade else None,
            ),
            ("grade score", c.grade_score),
            ("next evaluation", c.next_evaluation_on),
            ("cooperating since", c.cooperation_since),
            ("notes", c.notes),
            ("version", c.version),
        ],
        f,
    )


def customer_table(rows: Sequence[Customer], names: Names, f: Formatter, empty: str) -> str:
    return table(
        ["id", "name", "phone", "kind", "status", "grade", "owner", "registered", "version"],
        [
            (
                c.id,
                c.name,
                c.phone,
                c.kind,
                c.status,
                c.grade,
                names.staff(c.owner_id),
                c.registered_at,
                c.version,
            )
            for c in rows
        ],
        f,
        empty=empty,
    )


def file_status_table(rows: Sequence[FileStatus], f: Formatter, *, empty: str) -> str:
    """A customer's files: the hand-over register view."""
    return table(
        ["file", "kind", "event", "due", "handed over", "late", "missing", "complete", "overdue"],
        [
            (
                s.file_id,
                s.kind,
                s.event_date,
                s.due_on,
                s.handed_over_at,
                s.handed_over_late,
                _missing(s),
                s.complete,
                s.overdue,
            )
            for s in rows
        ],
        f,
        empty=empty,
    )


def overdue_table(rows: Sequence[FileStatus], names: Names, f: Formatter, as_of: date) -> str:
    """The overdue report: whose file, how many calendar days late, what is missing (CUS-3)."""

    def row(s: FileStatus) -> tuple[object, ...]:
        customer = names.customer(s.customer_id)
        return (
            s.file_id,
            customer.name,
            names.staff(customer.owner_id),
            s.kind,
            s.due_on,
            (as_of - s.due_on).days,
            s.handed_over_at,
            _missing(s),
        )

    return table(
        ["file", "customer", "owner", "kind", "due", "days late", "handed over", "missing"],
        [row(s) for s in rows],
        f,
        empty="(no overdue files)",
    )


def _missing(s: FileStatus) -> str | None:
    return f"{len(s.missing_items)}: {', '.join(s.missing_items)}" if s.missing_items else None


def file_status_details(s: FileStatus, f: Formatter) -> str:
    return details(
        [
            ("file", s.file_id),
            ("customer", s.customer_id),
            ("kind", s.kind),
            ("event date", s.event_date),
            ("hand over by", s.due_on),
            ("handed over", s.handed_over_at),
            ("late", s.handed_over_late),
            ("missing", s.missing_items),
            ("complete", s.complete),
            ("overdue", s.overdue),
        ],
        f,
    )


# ----------------------------------------------------------------- customers
@click.group(cls=Group)
def customers() -> None:
    """Register, find, change, transfer and grade customers (CUS-1…CUS-4)."""


@customers.command("register")
@click.option("--name", required=True)
@click.option("--phone", required=True, help="Digits, optionally a leading +; spaces ignored.")
@click.option("--kind", type=_choice(CustomerKind))
@click.option("--legal-form", type=_choice(LegalForm))
@click.option("--source", type=_choice(Source), help="How the customer came (default walk_in).")
@click.option("--id-number", help="National ID or company registration number.")
@click.option("--contact-name")
@click.option("--address")
@click.option(
    "--referrer",
    "referrer_customer_id",
    metavar="CUSTOMER_ID",
    help="The referring customer (with --source referral).",
)
@click.option(
    "--wants-referrer-owner",
    is_flag=True,
    help="The customer asks for the referrer's owner (CUS-1).",
)
@click.option("--intermediary", is_flag=True, help="An intermediary (中介) is involved.")
@click.option("--intermediary-name")
@click.option("--notes")
@click.option(
    "--owner",
    "owner_id",
    metavar="STAFF_ID",
    help="Register for another staff member, e.g. the on-duty adviser.",
)
@pass_state
def customers_register(st: CliState, /, **options: Any) -> None:
    """Register a customer; refused (exit 5) if someone already owns them (CUS-1)."""
    command = structure(_given(**options), RegisterCustomer)
    app, actor = st.acting()
    customer = app.services.customers.register(actor, command)
    st.emit(
        customer,
        lambda: (
            f"Registered {customer.name} ({customer.id}).\n"
            + customer_details(customer, Names(app, actor), fmt(st))
        ),
    )


@customers.command("list")
@click.option("--owner", "owner_id", metavar="STAFF_ID")
@click.option("--status", type=_choice(CustomerStatus))
@click.option("--grade")
@click.option("--limit", default=100, show_default=True, type=int)
@click.option("--offset", default=0, show_default=True, type=int)
@pass_state
def customers_list(
    st: CliState,
    owner_id: str | None,
    status: str | None,
    grade: str | None,
    limit: int,
    offset: int,
) -> None:
    """Your customers; supervisors and above see everyone's."""
    app, actor = st.acting()
    rows = app.services.customers.list(
        actor,
        owner_id=StaffId(owner_id) if owner_id else None,
        status=CustomerStatus(status) if status else None,
        grade=grade,
        limit=limit,
        offset=offset,
    )

    st.emit(
        rows,
        lambda: with_page_hint(
            customer_table(rows, Names(app, actor), fmt(st), "(no customers)"),
            len(rows),
            limit,
            offset,
        ),
    )


@customers.command("find")
@click.argument("query")
@click.option("--limit", default=20, show_default=True, type=int)
@click.option("--offset", default=0, show_default=True, type=int)
@pass_state
def customers_find(st: CliState, query: str, limit: int, offset: int) -> None:
    """Find customers by name (substring, pinyin or initials: `zs` finds 张三), phone (any
    spelling, or its first digits) or ID number. Staff find their own customers; supervisors
    and above everyone's (CUS-1)."""
    app, actor = st.acting()
    rows = app.services.customers.search(actor, query, limit=limit, offset=offset)
    st.emit(
        rows,
        lambda: with_page_hint(
            customer_table(rows, Names(app, actor), fmt(st), f"(no customer matches {query!r})"),
            len(rows),
            limit,
            offset,
        ),
    )


@customers.command("show")
@click.argument("customer_id")
@pass_state
def customers_show(st: CliState, customer_id: str) -> None:
    """One customer's details."""
    app, actor = st.acting()
    customer = app.services.customers.get(actor, CustomerId(customer_id))
    st.emit(customer, lambda: customer_details(customer, Names(app, actor), fmt(st)))


@customers.command("update")
@click.argument("customer_id")
@click.option(
    "--expected-version",
    required=True,
    type=int,
    help="The version you read (`customers show`); refused (exit 6) if it changed.",
)
@click.option("--name")
@click.option("--phone")
@click.option("--id-number")
@click.option("--contact-name")
@click.option("--address")
@click.option("--kind", type=_choice(CustomerKind))
@click.option("--legal-form", type=_choice(LegalForm))
@click.option(
    "--status",
    type=click.Choice([CustomerStatus.CLOSED_DEAL.value]),
    help="closed_deal when the customer buys (deregistration has its own commands).",
)
@click.option("--intermediary/--no-intermediary", default=None)
@click.option("--intermediary-name")
@click.option("--notes")
@pass_state
def customers_update(st: CliState, /, customer_id: str, **options: Any) -> None:
    """Change a customer's details."""
    given = _given(**options)
    if len(given) == 1:
        raise click.UsageError("nothing to change: give at least one field option")
    command = structure(given, UpdateCustomer)
    app, actor = st.acting()
    customer = app.services.customers.update(actor, CustomerId(customer_id), command)
    st.emit(
        customer,
        lambda: f"Updated {customer.name} ({customer.id}); now version {customer.version}.",
    )


@customers.command("transfer")
@click.argument("customer_id")
@click.argument("new_owner_id")
@click.option("--reason", required=True)
@click.option("--expected-version", required=True, type=int)
@pass_state
def customers_transfer(
    st: CliState, customer_id: str, new_owner_id: str, reason: str, expected_version: int
) -> None:
    """Move a customer to another owner (needs the policy's transfer role)."""
    app, actor = st.acting()
    customer = app.services.customers.transfer(
        actor, CustomerId(customer_id), StaffId(new_owner_id), reason, expected_version
    )
    names = Names(app, actor)
    st.emit(
        customer,
        lambda: (
            f"{customer.name} ({customer.id}) now belongs to "
            f"{names.staff(customer.owner_id)} ({customer.owner_id})."
        ),
    )


def parse_scores(pairs: Sequence[str]) -> dict[str, int]:
    """``criterion=N`` options → the mapping the core grades (a bad one is exit 3)."""
    scores: dict[str, int] = {}
    for pair in pairs:
        criterion, sep, value = pair.partition("=")
        criterion = criterion.strip()
        if not sep or not criterion:
            raise ValidationError(
                f"expected criterion=N, got {pair!r}", field="scores", rule="CUS-4"
            )
        if criterion in scores:
            raise ValidationError("given twice", field=f"scores.{criterion}", rule="CUS-4")
        try:
            scores[criterion] = int(value.strip())
        except ValueError:
            raise ValidationError(
                f"must be a whole number, got {value!r}", field=f"scores.{criterion}", rule="CUS-4"
            ) from None
    return scores


@customers.command("grade")
@click.argument("customer_id")
@click.option(
    "--score",
    "scores",
    multiple=True,
    required=True,
    metavar="CRITERION=N",
    help="One per policy criterion, e.g. --score annual_sales=80 (repeat).",
)
@click.option("--reason", required=True)
@click.option(
    "--proposed-by", metavar="STAFF_ID", help="Who in the owning unit proposed it (default: you)."
)
@pass_state
def customers_grade(
    st: CliState, customer_id: str, scores: tuple[str, ...], reason: str, proposed_by: str | None
) -> None:
    """Grade a customer from weighted scores (CUS-4: annual window or when due)."""
    app, actor = st.acting()
    change = app.services.customers.evaluate_grade(
        actor,
        CustomerId(customer_id),
        parse_scores(scores),
        reason,
        StaffId(proposed_by) if proposed_by else None,
    )
    st.emit(
        change,
        lambda: (
            f"Graded {customer_id}: {change.to_grade} (score {change.score}"
            f"{', provisional' if change.provisional else ''}); "
            f"next evaluation {change.next_evaluation_on}."
        ),
    )


@customers.command("change-grade")
@click.argument("customer_id")
@click.argument("grade")
@click.option("--reason", required=True)
@click.option(
    "--proposed-by",
    required=True,
    metavar="STAFF_ID",
    help="Who in the owning unit proposed the change.",
)
@click.option("--expected-version", required=True, type=int)
@pass_state
def customers_change_grade(
    st: CliState,
    customer_id: str,
    grade: str,
    reason: str,
    proposed_by: str,
    expected_version: int,
) -> None:
    """Change a grade out of cycle, with a reason (decided by the policy's role)."""
    app, actor = st.acting()
    change = app.services.customers.change_grade(
        actor, CustomerId(customer_id), grade, reason, StaffId(proposed_by), expected_version
    )
    st.emit(
        change, lambda: f"Grade of {customer_id}: {change.from_grade or '-'} → {change.to_grade}."
    )


@customers.command("grades")
@click.argument("customer_id")
@pass_state
def customers_grades(st: CliState, customer_id: str) -> None:
    """A customer's grade history."""
    app, actor = st.acting()
    rows = app.services.customers.grade_history(actor, CustomerId(customer_id))
    names = Names(app, actor)
    st.emit(
        rows,
        lambda: table(
            [
                "at",
                "from",
                "to",
                "score",
                "provisional",
                "reason",
                "proposed by",
                "approved by",
                "next evaluation",
            ],
            [
                (
                    g.at,
                    g.from_grade,
                    g.to_grade,
                    g.score,
                    g.provisional,
                    g.reason,
                    names.staff(g.proposed_by),
                    names.staff(g.approved_by),
                    g.next_evaluation_on,
                )
                for g in rows
            ],
            fmt(st),
            empty="(never graded)",
        ),
    )


@customers.command("due")
@click.option("--as-of", type=DATE, help="Day to check (default today).")
@pass_state
def customers_due(st: CliState, as_of: datetime | None) -> None:
    """Customers whose (provisional or annual) grade evaluation is due (CUS-4)."""
    app, actor = st.acting()
    rows = app.services.customers.due_for_evaluation(actor, _day(as_of))
    st.emit(
        rows,
        lambda: customer_table(
            rows, Names(app, actor), fmt(st), "(no customer is due for evaluation)"
        ),
    )


@customers.command("history")
@click.argument("record_id", metavar="CUSTOMER_ID")
@pass_state
def customers_history(st: CliState, record_id: str) -> None:
    """The audit trail of a customer (or of any record id: file, deregistration) (X-7)."""
    app, actor = st.acting()
    rows: list[Any] = app.services.customers.history(actor, record_id)
    names = Names(app, actor)
    st.emit(
        rows,
        lambda: table(
            ["at", "event", "by", "reason", "details"],
            [(e.at, e.kind, names.staff(e.actor_id), e.reason, e.data) for e in rows],
            fmt(st),
            empty="(no events)",
        ),
    )


# --------------------------------------------------------------------- files
@click.group(cls=Group)
def files() -> None:
    """Customer files (档案): checklist, hand-over, confidential reads, destruction."""


@files.command("open")
@click.argument("customer_id")
@click.argument("kind")
@click.option("--event-date", type=DATE, help="Sale or hand-over day (default today).")
@pass_state
def files_open(st: CliState, customer_id: str, kind: str, event_date: datetime | None) -> None:
    """Open a file of a policy-defined KIND (e.g. new_sale, service) (CUS-3)."""
    app, actor = st.acting()
    day = _day(event_date) or app.services.ctx.today()
    opened = app.services.customers.open_file(actor, CustomerId(customer_id), kind, day)
    items = app.policy.customers.files[opened.kind].item_codes()
    st.emit(
        opened,
        lambda: "\n".join(
            [
                f"Opened {opened.kind} file {opened.id} for {opened.customer_id}.",
                f"Hand over by {opened.due_on}; keep until {opened.retention_until}.",
                f"Checklist: {', '.join(items)}",
            ]
        ),
    )


@files.command("add-documents")
@click.argument("file_id")
@click.argument("documents", nargs=-1, required=True, metavar="ITEM=REFERENCE...")
@pass_state
def files_add_documents(st: CliState, file_id: str, documents: tuple[str, ...]) -> None:
    """Record where checklist documents are, e.g. contract=box-12/3."""
    refs: dict[str, str] = {}
    for pair in documents:
        item, sep, ref = pair.partition("=")
        if not sep or not item.strip():
            raise ValidationError(
                f"expected ITEM=REFERENCE, got {pair!r}", field="documents", rule="CUS-3"
            )
        refs[item.strip()] = ref
    app, actor = st.acting()
    status = app.services.customers.add_documents(actor, FileId(file_id), refs)
    st.emit(status, lambda: file_status_details(status, fmt(st)))


@files.command("hand-over")
@click.argument("file_id")
@click.option(
    "--to",
    "received_by",
    required=True,
    metavar="STAFF_ID",
    help="Who receives the file (signs the register).",
)
@click.option("--note", default="")
@pass_state
def files_hand_over(st: CliState, file_id: str, received_by: str, note: str) -> None:
    """Hand a file over; missing items and lateness are noted (CUS-3)."""
    app, actor = st.acting()
    status = app.services.customers.hand_over_file(
        actor, FileId(file_id), StaffId(received_by), note
    )
    st.emit(status, lambda: file_status_details(status, fmt(st)))


@files.command("status")
@click.argument("customer_id")
@pass_state
def files_status(st: CliState, customer_id: str) -> None:
    """The hand-over register of a customer's files (not confidential)."""
    app, actor = st.acting()
    rows = app.services.customers.file_statuses(actor, CustomerId(customer_id))
    st.emit(rows, lambda: file_status_table(rows, fmt(st), empty="(no files)"))


@files.command("overdue")
@click.option("--as-of", type=DATE, help="Day to check (default today).")
@pass_state
def files_overdue(st: CliState, as_of: datetime | None) -> None:
    """Files not complete after their hand-over deadline, with the missing items (CUS-3)."""
    app, actor = st.acting()
    day = _day(as_of) or app.services.ctx.today()
    rows = app.services.customers.overdue_files(actor, day)
    st.emit(rows, lambda: overdue_table(rows, Names(app, actor), fmt(st), day))


@files.command("sweep")
@pass_state
def files_sweep(st: CliState) -> None:
    """Record the late hand-over of files never handed over, once (CUS-3), as the scheduler."""
    app, actor = st.scheduler()
    rows = app.services.customers.sweep_unhanded_files(actor)
    st.emit(rows, lambda: f"Recorded {len(rows)} late hand-over(s).")


@files.command("handover-rates")
@click.argument("month")
@pass_state
def files_handover_rates(st: CliState, month: str) -> None:
    """Hand-over timeliness and completeness per department of the files due in MONTH (RPT)."""
    app, actor = st.acting()
    rows = app.services.customers.handover_rates(actor, month)
    st.emit(
        rows,
        lambda: table(
            ["department", "files", "on time", "on time %", "complete", "complete %", "pending"],
            [
                (
                    r.department_name,
                    r.files,
                    r.on_time,
                    r.on_time_percent,
                    r.complete,
                    r.complete_percent,
                    r.pending,
                )
                for r in rows
            ],
            fmt(st),
            empty="(no files due)",
        ),
    )


@files.command("read")
@click.argument("file_id")
@pass_state
def files_read(st: CliState, file_id: str) -> None:
    """Read a confidential file: needs the permission, and the read is logged (X-5)."""
    app, actor = st.acting()
    f = app.services.customers.read_file(actor, FileId(file_id))

    def human() -> str:
        head = details(
            [
                ("file", f.id),
                ("customer", f.customer_id),
                ("kind", f.kind),
                ("event date", f.event_date),
                ("hand over by", f.due_on),
                ("handed over", f.handed_over_at),
                ("received by", f.received_by),
                ("missing at hand-over", f.missing_at_handover),
                ("keep until", f.retention_until),
                ("destroyed", f.destroyed_at),
            ],
            fmt(st),
        )
        docs = table(
            ["item", "reference"],
            sorted(f.documents.items()),
            fmt(st),
            empty="(no documents recorded)",
        )
        return f"{head}\n\n{docs}\n\n(this read was recorded in the access log)"

    st.emit(f, human)


def _request_line(app: Any, actor: StaffId, r: DestructionRequest) -> str:
    names = Names(app, actor)
    signed = [
        f"requested by {names.staff(r.requested_by)}",
        *([f"reviewed by {names.staff(r.reviewed_by)}"] if r.reviewed_by else []),
        *([f"approved by {names.staff(r.approved_by)}"] if r.approved_by else []),
        *(
            [f"rejected by {names.staff(r.rejected_by)}: {r.rejection_reason}"]
            if r.rejected_by
            else []
        ),
    ]
    return f"Destruction request {r.id} for file {r.file_id}: {r.state.value}; " + ", ".join(signed)


@files.command("destroy-request")
@click.argument("file_id")
@click.option("--reason", required=True)
@pass_state
def files_destroy_request(st: CliState, file_id: str, reason: str) -> None:
    """Step 1 of destruction: request it for a file past its retention period (X-6)."""
    app, actor = st.acting()
    r = app.services.customers.request_destruction(actor, FileId(file_id), reason)
    st.emit(r, lambda: _request_line(app, actor, r))


@files.command("destroy-review")
@click.argument("request_id")
@click.option("--reject", is_flag=True, help="Reject the request (needs --reason).")
@click.option("--reason", default="")
@pass_state
def files_destroy_review(st: CliState, request_id: str, reject: bool, reason: str) -> None:
    """Step 2: the head of the owner's department reviews the request (X-6)."""
    app, actor = st.acting()
    r = app.services.customers.review_destruction(
        actor, request_id, approve=not reject, reason=reason
    )
    st.emit(r, lambda: _request_line(app, actor, r))


@files.command("destroy-approve")
@click.argument("request_id")
@click.option("--reject", is_flag=True, help="Reject the request (needs --reason).")
@click.option("--reason", default="")
@pass_state
def files_destroy_approve(st: CliState, request_id: str, reject: bool, reason: str) -> None:
    """Step 3: the GM approves; the file's documents are destroyed, the record names all three
    signers (X-6)."""
    app, actor = st.acting()
    r = app.services.customers.approve_destruction(
        actor, request_id, approve=not reject, reason=reason
    )
    st.emit(r, lambda: _request_line(app, actor, r))


@files.command("destruction-requests")
@click.option("--file", "file_id", metavar="FILE_ID", help="Only requests for this file.")
@pass_state
def files_destruction_requests(st: CliState, file_id: str | None) -> None:
    """Destruction requests and who signed them (X-6)."""
    app, actor = st.acting()
    rows = app.services.customers.destruction_requests(actor, FileId(file_id) if file_id else None)
    st.emit(
        rows,
        lambda: (
            "\n".join(_request_line(app, actor, r) for r in rows) or "(no destruction requests)"
        ),
    )


@files.command("destructions")
@pass_state
def files_destructions(st: CliState) -> None:
    """The destruction records (X-6)."""
    app, actor = st.acting()
    rows = app.services.customers.destructions(actor)
    names = Names(app, actor)
    st.emit(
        rows,
        lambda: table(
            [
                "record",
                "file",
                "customer",
                "at",
                "requested by",
                "reviewed by",
                "approved by",
                "reason",
            ],
            [
                (
                    r.id,
                    r.file_id,
                    r.customer_id,
                    r.at,
                    names.staff(r.requested_by) if r.requested_by else "",
                    names.staff(r.reviewed_by),
                    names.staff(r.approved_by),
                    r.reason,
                )
                for r in rows
            ],
            fmt(st),
            empty="(no files destroyed)",
        ),
    )


# ------------------------------------------------------------ deregistration
@click.group(cls=Group)
def deregistration() -> None:
    """Closing a customer's account, step by step through the policy's chain (CUS-6)."""


def _next_step(app: App, dereg: Deregistration) -> str:
    steps = app.policy.customers.deregistration.steps
    if dereg.state.value != "open" or len(dereg.completed_steps) >= len(steps):
        return "-"
    step = steps[len(dereg.completed_steps)]
    return f"{step.name} ({step.role})"


def _dereg_line(app: App, d: Deregistration) -> str:
    return (
        f"Deregistration {d.id} of {d.customer_id}: {d.state.value}; done: "
        f"{', '.join(d.completed_steps) or 'none'}; next: {_next_step(app, d)}."
    )


@deregistration.command("apply")
@click.argument("customer_id")
@click.option("--reason", required=True)
@pass_state
def deregistration_apply(st: CliState, customer_id: str, reason: str) -> None:
    """Apply to close a customer's account."""
    app, actor = st.acting()
    dereg = app.services.customers.apply_deregistration(actor, CustomerId(customer_id), reason)
    st.emit(dereg, lambda: _dereg_line(app, dereg))


def _money(value: str | None) -> Money | None:
    if value is None:
        return None
    try:
        return Money(value)
    except ValidationError as exc:
        raise ValidationError(exc.message, field="refund", rule=exc.rule) from None


@deregistration.command("advance")
@click.argument("deregistration_id")
@click.option("--reject", is_flag=True, help="Reject at this step (needs --reason).")
@click.option("--reason", default="")
@click.option("--refund", metavar="AMOUNT", help="元, e.g. 1200.50 (the settling step).")
@pass_state
def deregistration_advance(
    st: CliState, deregistration_id: str, reject: bool, reason: str, refund: str | None
) -> None:
    """Complete (or reject) the next step; the role must be at least the step's."""
    app, actor = st.acting()
    dereg = app.services.customers.advance_deregistration(
        actor,
        DeregistrationId(deregistration_id),
        approve=not reject,
        reason=reason,
        refund=_money(refund),
    )
    st.emit(dereg, lambda: _dereg_line(app, dereg))


@deregistration.command("list")
@click.argument("customer_id")
@pass_state
def deregistration_list(st: CliState, customer_id: str) -> None:
    """A customer's deregistration applications."""
    app, actor = st.acting()
    rows = app.services.customers.deregistrations(actor, CustomerId(customer_id))
    names = Names(app, actor)
    st.emit(
        rows,
        lambda: table(
            ["id", "applied", "by", "state", "done", "next", "refund", "reason"],
            [
                (
                    d.id,
                    d.applied_at,
                    names.staff(d.applied_by),
                    d.state,
                    d.completed_steps,
                    _next_step(app, d),
                    d.refund,
                    d.reason,
                )
                for d in rows
            ],
            fmt(st),
            empty="(no deregistrations)",
        ),
    )


# ---------------------------------------------------------------- access log
@click.command("access-log", cls=Group.command_class)
@click.option("--record", "record_id", metavar="RECORD_ID", help="Only reads of this record.")
@pass_state
def access_log(st: CliState, record_id: str | None) -> None:
    """Who read which confidential record, when (X-5)."""
    app, actor = st.acting()
    rows = app.services.customers.access_log(actor, record_id)
    names = Names(app, actor)
    st.emit(
        rows,
        lambda: table(
            ["at", "reader", "record kind", "record", "level"],
            [(e.at, names.staff(e.reader_id), e.record_kind, e.record_id, e.level) for e in rows],
            fmt(st),
            empty="(no confidential reads logged)",
        ),
    )


COMMANDS: list[click.Command] = [customers, files, deregistration, access_log]
