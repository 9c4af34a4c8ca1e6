"""Customer use cases (CUS-1…CUS-4, CUS-6, X-3, X-5, X-6, X-7).

Every method opens one unit of work, checks the rule, records an audit event and commits;
a refused request raises before ``commit()`` so stored data stays exactly as it was.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from datetime import date

import attrs

from csdomain.context import ServiceContext, load_actor, record
from csdomain.customers.commands import RegisterCustomer, UpdateCustomer
from csdomain.customers.model import (
    AccessLogEntry,
    Customer,
    CustomerFile,
    CustomerStatus,
    Deregistration,
    DeregistrationState,
    DestructionRecord,
    FileStatus,
    GradeChange,
    Source,
)
from csdomain.kernel.calendar import add_working_days
from csdomain.kernel.dates import add_months, add_years
from csdomain.kernel.errors import (
    ConcurrencyConflict,
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from csdomain.kernel.events import AuditEvent
from csdomain.kernel.ids import CustomerId, DeregistrationId, FileId, StaffId
from csdomain.kernel.money import Money
from csdomain.kernel.roles import Permission, Role
from csdomain.org.model import Staff
from csdomain.policy.model import FileKindPolicy
from csdomain.ports import UnitOfWork

_LIVE = (CustomerStatus.PROSPECT, CustomerStatus.CLOSED_DEAL, CustomerStatus.DEREGISTERING)
_ALLOWED_STATUS_CHANGES = {
    (CustomerStatus.PROSPECT, CustomerStatus.CLOSED_DEAL),
}


class CustomerService:
    SEARCH_MAX = 64  # characters of a search query (the width of a stored search key)

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    # ------------------------------------------------------------------ helpers
    def _is_at_least(self, actor: Staff, minimum: str) -> bool:
        return actor.role != Role.ADMIN.value and self.ctx.policy.authority.at_least(
            actor.role, minimum
        )

    def _can_see(self, actor: Staff, customer: Customer) -> bool:
        """The owner sees their customer; supervisors and above (and admins) see all."""
        return (
            customer.owner_id == actor.id
            or actor.role == Role.ADMIN.value
            or self.ctx.policy.authority.at_least(actor.role, Role.SUPERVISOR.value)
        )

    def _visible(self, uow: UnitOfWork, actor: Staff, customer_id: CustomerId) -> Customer:
        customer = uow.customers.get(customer_id)
        if not self._can_see(actor, customer):
            raise PermissionDenied(
                "only the customer's owner or a supervisor and above may see this customer",
                rule="CUS-1",
            )
        return customer

    def _file_kind(self, kind: str) -> FileKindPolicy:
        kinds = self.ctx.policy.customers.files
        if kind not in kinds:
            raise ValidationError(
                f"unknown file kind {kind!r}; the policy defines {', '.join(sorted(kinds))}",
                field="kind",
                rule="CUS-3",
            )
        return kinds[kind]

    def _check_identity_free(
        self,
        uow: UnitOfWork,
        phone: str,
        id_number: str | None,
        *,
        owner_id: StaffId,
        except_id: CustomerId | None = None,
    ) -> None:
        """CUS-1: the earliest registration owns the customer; later claims are refused."""
        matches = [
            c
            for c in uow.customers.find_by_identity(phone, id_number)
            if c.id != except_id and c.status in _LIVE
        ]
        if not matches:
            return
        first = min(matches, key=lambda c: (c.registered_at, c.id))
        owner = uow.staff.get(first.owner_id)
        field = "phone" if first.phone == phone else "id_number"
        who = "you" if first.owner_id == owner_id else f"{owner.name} ({owner.id})"
        raise Conflict(
            f"customer {first.name!r} ({first.id}) is already registered by {who} "
            f"at {first.registered_at.isoformat(timespec='minutes')}; the earliest registration "
            "owns the customer",
            rule="CUS-1",
            field=field,
        )

    # ------------------------------------------------------------ registration
    def register(self, actor_id: StaffId, command: RegisterCustomer) -> Customer:
        """CUS-1: register a customer; refuse a customer someone already owns."""
        with self.ctx.uow() as uow:
            actor = load_actor(uow, actor_id)
            owner_id = actor.id
            if command.owner_id is not None and command.owner_id != actor.id:
                owner_id = uow.staff.get(command.owner_id).id  # on-duty staff registered for
            if command.source == Source.REFERRAL:
                if command.referrer_customer_id is None:
                    raise ValidationError(
                        "a referral names the referring customer",
                        field="referrer_customer_id",
                        rule="CUS-1",
                    )
                referrer = uow.customers.get(command.referrer_customer_id)
                if command.wants_referrer_owner:
                    # CUS-1: goes to the referrer's owner only if the customer asks for that person
                    owner_id = referrer.owner_id
            elif command.referrer_customer_id is not None or command.wants_referrer_owner:
                raise ValidationError(
                    "only a referral names a referrer", field="referrer_customer_id", rule="CUS-1"
                )
            if command.intermediary_name and not command.intermediary:
                raise ValidationError(
                    "intermediary_name given but intermediary is false",
                    field="intermediary",
                    rule="CUS-1",
                )
            self._check_identity_free(uow, command.phone, command.id_number, owner_id=owner_id)
            customer = Customer(
                name=command.name.strip(),
                kind=command.kind,
                legal_form=command.legal_form,
                phone=command.phone,
                id_number=command.id_number,
                owner_id=owner_id,
                registered_by=actor.id,
                registered_at=self.ctx.now(),
                source=command.source,
                contact_name=command.contact_name,
                address=command.address,
                referrer_customer_id=command.referrer_customer_id,
                intermediary=command.intermediary,
                intermediary_name=command.intermediary_name,
                notes=command.notes,
            )
            uow.customers.add(customer)
            record(
                uow,
                self.ctx,
                "customer.registered",
                customer.id,
                actor.id,
                owner_id=owner_id,
                source=command.source.value,
            )
            uow.commit()
            return customer

    def get(self, actor_id: StaffId, customer_id: CustomerId) -> Customer:
        with self.ctx.uow() as uow:
            return self._visible(uow, load_actor(uow, actor_id), customer_id)

    def list(
        self,
        actor_id: StaffId,
        *,
        owner_id: StaffId | None = None,
        status: CustomerStatus | None = None,
        grade: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Sequence[Customer]:
        """Staff see their own customers; supervisors and above see everyone's."""
        if not 1 <= limit <= 1000:
            raise ValidationError("must be between 1 and 1000", field="limit")
        if offset < 0:
            raise ValidationError("must be >= 0", field="offset")
        with self.ctx.uow() as uow:
            actor = load_actor(uow, actor_id)
            if not (
                actor.role == Role.ADMIN.value
                or self.ctx.policy.authority.at_least(actor.role, Role.SUPERVISOR.value)
            ):
                if owner_id is not None and owner_id != actor.id:
                    raise PermissionDenied("staff may list only their own customers", rule="CUS-1")
                owner_id = actor.id
            return list(
                uow.customers.list(
                    owner_id=owner_id, status=status, grade=grade, limit=limit, offset=offset
                )
            )

    def search(
        self, actor_id: StaffId, text: str, *, limit: int = 50, offset: int = 0
    ) -> Sequence[Customer]:
        """Find customers by name (substring, pinyin, pinyin initials), phone or ID number.

        The same visibility as ``list`` (CUS-1): staff find only their own customers,
        supervisors and above everyone's. The storage answers through an index.
        """
        query = text.strip()
        if not 1 <= len(query) <= self.SEARCH_MAX:
            raise ValidationError(
                f"must be 1 to {self.SEARCH_MAX} characters", field="q", rule="CUS-1"
            )
        if not 1 <= limit <= 1000:
            raise ValidationError("must be between 1 and 1000", field="limit")
        if offset < 0:
            raise ValidationError("must be >= 0", field="offset")
        with self.ctx.uow() as uow:
            actor = load_actor(uow, actor_id)
            sees_all = actor.role == Role.ADMIN.value or self.ctx.policy.authority.at_least(
                actor.role, Role.SUPERVISOR.value
            )
            owner = None if sees_all else actor.id
            return list(uow.customers.search(query, owner_id=owner, limit=limit, offset=offset))

    def update(
        self, actor_id: StaffId, customer_id: CustomerId, command: UpdateCustomer
    ) -> Customer:
        """Change details; refused with ConcurrencyConflict if the customer changed meanwhile."""
        with self.ctx.uow() as uow:
            actor = load_actor(uow, actor_id)
            customer = self._visible(uow, actor, customer_id)
            if customer.version != command.expected_version:
                raise ConcurrencyConflict(
                    f"customer {customer_id} is at version {customer.version}, "
                    f"not {command.expected_version}; reload and try again",
                    field="expected_version",
                )
            if customer.status == CustomerStatus.DEREGISTERED:
                raise InvalidTransition("a deregistered customer cannot be changed", rule="CUS-6")
            changes = {
                k: v
                for k, v in attrs.asdict(command, recurse=False).items()
                if k != "expected_version" and v is not None
            }
            if "status" in changes and changes["status"] != customer.status:
                if (customer.status, changes["status"]) not in _ALLOWED_STATUS_CHANGES:
                    raise InvalidTransition(
                        f"status cannot change from {customer.status.value} to "
                        f"{changes['status'].value} here (deregistration has its own flow)",
                        field="status",
                        rule="CUS-2",
                    )
                if customer.cooperation_since is None:
                    customer.cooperation_since = self.ctx.today()
            if "phone" in changes or "id_number" in changes:
                self._check_identity_free(
                    uow,
                    changes.get("phone", customer.phone),
                    changes.get("id_number", customer.id_number),
                    owner_id=customer.owner_id,
                    except_id=customer.id,
                )
            if "name" in changes:
                changes["name"] = changes["name"].strip()
            for key, value in changes.items():
                setattr(customer, key, value)
            record(
                uow,
                self.ctx,
                "customer.updated",
                customer.id,
                actor.id,
                fields=",".join(sorted(changes)),
            )
            uow.commit()
            return customer

    def transfer(
        self,
        actor_id: StaffId,
        customer_id: CustomerId,
        new_owner_id: StaffId,
        reason: str,
        expected_version: int,
    ) -> Customer:
        """Move a customer to another owner (e.g. a resolved 客户冲撞); needs authority."""
        if not reason.strip():
            raise ValidationError("a transfer needs a reason", field="reason", rule="X-7")
        with self.ctx.uow() as uow:
            actor = load_actor(uow, actor_id)
            self.ctx.policy.authority.require(
                actor.role,
                self.ctx.policy.customers.registration.transfer_role,
                decision="transferring a customer",
            )
            customer = uow.customers.get(customer_id)
            if customer.version != expected_version:
                raise ConcurrencyConflict(
                    f"customer {customer_id} changed meanwhile; reload and try again",
                    field="expected_version",
                )
            new_owner = uow.staff.get(new_owner_id)
            old = customer.owner_id
            customer.owner_id = new_owner.id
            record(
                uow,
                self.ctx,
                "customer.transferred",
                customer.id,
                actor.id,
                reason,
                from_owner=old,
                to_owner=new_owner.id,
            )
            uow.commit()
            return customer

    # ------------------------------------------------------------------ files
    def open_file(
        self, actor_id: StaffId, customer_id: CustomerId, kind: str, event_date: date
    ) -> CustomerFile:
        """CUS-3: open a file; it must be handed over within the kind's working days."""
        kind_policy = self._file_kind(kind)
        with self.ctx.uow() as uow:
            actor = load_actor(uow, actor_id)
            customer = self._visible(uow, actor, customer_id)
            if customer.status == CustomerStatus.DEREGISTERED:
                raise InvalidTransition("deregistered customers get no new files", rule="CUS-6")
            due = add_working_days(self.ctx.calendar, event_date, kind_policy.handover_working_days)
            customer_file = CustomerFile(
                customer_id=customer.id,
                kind=kind,
                event_date=event_date,
                due_on=due,
                opened_at=self.ctx.now(),
                opened_by=actor.id,
                retention_until=add_years(
                    event_date, self.ctx.policy.customers.retention.customer_file_years
                ),
            )
            uow.files.add(customer_file)
            record(
                uow,
                self.ctx,
                "file.opened",
                customer_file.id,
                actor.id,
                customer_id=customer.id,
                kind=kind,
                due_on=due.isoformat(),
            )
            uow.commit()
            return customer_file

    def add_documents(
        self, actor_id: StaffId, file_id: FileId, documents: Mapping[str, str]
    ) -> FileStatus:
        """Record where checklist documents are (item code → archive reference)."""
        with self.ctx.uow() as uow:
            actor = load_actor(uow, actor_id)
            customer_file = uow.files.get(file_id)
            self._visible(uow, actor, customer_file.customer_id)
            if customer_file.destroyed:
                raise InvalidTransition("the file was destroyed", rule="X-6")
            kind_policy = self._file_kind(customer_file.kind)
            unknown = sorted(set(documents) - set(kind_policy.item_codes()))
            if unknown:
                raise ValidationError(
                    f"not on the {customer_file.kind} checklist: {', '.join(unknown)}; "
                    f"items are {', '.join(kind_policy.item_codes())}",
                    field="documents",
                    rule="CUS-3",
                )
            empty = sorted(code for code, ref in documents.items() if not ref.strip())
            if empty:
                raise ValidationError(
                    f"a document reference must not be empty: {', '.join(empty)}",
                    field="documents",
                    rule="CUS-3",
                )
            merged = dict(customer_file.documents)
            merged.update(documents)
            customer_file.documents = merged
            record(
                uow,
                self.ctx,
                "file.documents_added",
                file_id,
                actor.id,
                items=",".join(sorted(documents)),
            )
            uow.commit()
            return self._status(customer_file, kind_policy, self.ctx.today())

    def hand_over_file(
        self, actor_id: StaffId, file_id: FileId, received_by: StaffId, note: str = ""
    ) -> FileStatus:
        """CUS-3: both sides sign the hand-over register; missing items are noted.

        Emits ``file.handover_late`` / ``file.handover_incomplete`` events that the penalty
        capability (PEN-1) turns into violations.
        """
        with self.ctx.uow() as uow:
            actor = load_actor(uow, actor_id)
            customer_file = uow.files.get(file_id)
            self._visible(uow, actor, customer_file.customer_id)
            receiver = load_actor(uow, received_by)
            if receiver.id == actor.id:
                raise ValidationError(
                    "the receiver must be another person", field="received_by", rule="CUS-3"
                )
            if customer_file.handed_over_at is not None:
                raise InvalidTransition("the file was already handed over", rule="CUS-3")
            if customer_file.destroyed:
                raise InvalidTransition("the file was destroyed", rule="X-6")
            kind_policy = self._file_kind(customer_file.kind)
            now = self.ctx.now()
            customer_file.handed_over_at = now
            customer_file.handed_over_by = actor.id
            customer_file.received_by = receiver.id
            customer_file.missing_at_handover = customer_file.missing_items(
                kind_policy.item_codes()
            )
            record(
                uow, self.ctx, "file.handed_over", file_id, actor.id, note, received_by=receiver.id
            )
            if now.date() > customer_file.due_on:
                record(
                    uow,
                    self.ctx,
                    "file.handover_late",
                    file_id,
                    actor.id,
                    due_on=customer_file.due_on.isoformat(),
                    handed_over_on=now.date().isoformat(),
                )
            if customer_file.missing_at_handover:
                record(
                    uow,
                    self.ctx,
                    "file.handover_incomplete",
                    file_id,
                    actor.id,
                    missing=",".join(customer_file.missing_at_handover),
                )
            uow.commit()
            return self._status(customer_file, kind_policy, now.date())

    def _status(self, f: CustomerFile, kind_policy: FileKindPolicy, as_of: date) -> FileStatus:
        missing = f.missing_items(kind_policy.item_codes())
        complete = not missing and f.handed_over_at is not None
        return FileStatus(
            file_id=f.id,
            customer_id=f.customer_id,
            kind=f.kind,
            event_date=f.event_date,
            due_on=f.due_on,
            handed_over_at=f.handed_over_at,
            handed_over_late=f.handed_over_at is not None and f.handed_over_at.date() > f.due_on,
            missing_items=missing,
            complete=complete,
            overdue=not complete and not f.destroyed and as_of > f.due_on,
            destroyed=f.destroyed,
        )

    def file_statuses(
        self, actor_id: StaffId, customer_id: CustomerId
    ) -> builtins.list[FileStatus]:
        """The hand-over register view of a customer's files (not confidential)."""
        with self.ctx.uow() as uow:
            actor = load_actor(uow, actor_id)
            self._visible(uow, actor, customer_id)
            today = self.ctx.today()
            return [
                self._status(f, self._file_kind(f.kind), today)
                for f in uow.files.list_for_customer(customer_id)
            ]

    def overdue_files(
        self, actor_id: StaffId, as_of: date | None = None
    ) -> builtins.list[FileStatus]:
        """CUS-3: files not complete after their hand-over deadline, with the missing items."""
        with self.ctx.uow() as uow:
            actor = load_actor(uow, actor_id)
            day = as_of or self.ctx.today()
            result = []
            for f in uow.files.list_due_before(day):
                status = self._status(f, self._file_kind(f.kind), day)
                if status.overdue and self._can_see(actor, uow.customers.get(f.customer_id)):
                    result.append(status)
            return sorted(result, key=lambda s: (s.due_on, s.file_id))

    def read_file(self, actor_id: StaffId, file_id: FileId) -> CustomerFile:
        """X-5: reading a confidential file needs the permission and is logged."""
        with self.ctx.uow() as uow:
            actor = load_actor(uow, actor_id)
            customer_file = uow.files.get(file_id)
            level = self.ctx.policy.confidentiality.levels.get("customer_file", "top_secret")
            needed = Permission.READ_TOP_SECRET if level == "top_secret" else Permission.READ_SECRET
            allowed = actor.has_permission(needed) or (
                needed == Permission.READ_SECRET
                and actor.has_permission(Permission.READ_TOP_SECRET)
            )
            if not allowed:
                raise PermissionDenied(
                    f"reading a {level} customer file needs the {needed.value} permission, "
                    f"granted by {self.ctx.policy.confidentiality.grant_role}",
                    rule="X-5",
                )
            uow.access_log.add(
                AccessLogEntry(
                    reader_id=actor.id,
                    record_kind="customer_file",
                    record_id=file_id,
                    level=level,
                    at=self.ctx.now(),
                )
            )
            uow.commit()
            return customer_file

    def access_log(
        self, actor_id: StaffId, record_id: str | None = None
    ) -> builtins.list[AccessLogEntry]:
        with self.ctx.uow() as uow:
            actor = load_actor(uow, actor_id)
            role = self.ctx.policy.confidentiality.access_log_reader_role
            if actor.role != Role.ADMIN.value:
                self.ctx.policy.authority.require(
                    actor.role, role, decision="reading the access log", rule="X-5"
                )
            return list(uow.access_log.list(record_id=record_id))

    # -------------------------------------------------------------- retention
    def destroy_file(
        self,
        actor_id: StaffId,
        file_id: FileId,
        *,
        reviewed_by: StaffId,
        approved_by: StaffId,
        reason: str,
    ) -> DestructionRecord:
        """X-6: destroy only after retention, reviewed by the department head, approved by GM."""
        if not reason.strip():
            raise ValidationError("destruction needs a reason", field="reason", rule="X-6")
        retention = self.ctx.policy.customers.retention
        with self.ctx.uow() as uow:
            load_actor(uow, actor_id)
            customer_file = uow.files.get(file_id)
            if customer_file.destroyed:
                raise InvalidTransition("the file was already destroyed", rule="X-6")
            today = self.ctx.today()
            if today < customer_file.retention_until:
                raise Conflict(
                    f"the file must be kept until {customer_file.retention_until} "
                    f"({retention.customer_file_years} years)",
                    rule="X-6",
                    field="file_id",
                )
            reviewer = load_actor(uow, reviewed_by)
            approver = load_actor(uow, approved_by)
            customer = uow.customers.get(customer_file.customer_id)
            owner = uow.staff.get(customer.owner_id)
            if owner.department_id is not None:
                dept = uow.departments.get(owner.department_id)
                if dept.head_id is not None and dept.head_id != reviewer.id:
                    raise PermissionDenied(
                        f"the review must be by the head of {dept.name}",
                        rule="X-6",
                        field="reviewed_by",
                    )
            if not self._is_at_least(reviewer, retention.reviewer_role):
                raise PermissionDenied(
                    f"the reviewer must be {retention.reviewer_role} or above",
                    rule="X-6",
                    field="reviewed_by",
                )
            if not self._is_at_least(approver, retention.approver_role):
                raise PermissionDenied(
                    f"destruction must be approved by {retention.approver_role}",
                    rule="X-6",
                    field="approved_by",
                )
            destruction = DestructionRecord(
                file_id=customer_file.id,
                customer_id=customer_file.customer_id,
                reviewed_by=reviewer.id,
                approved_by=approver.id,
                reason=reason,
                retention_until=customer_file.retention_until,
                at=self.ctx.now(),
            )
            customer_file.destroyed_at = destruction.at
            customer_file.documents = {}
            uow.destructions.add(destruction)
            record(
                uow,
                self.ctx,
                "file.destroyed",
                file_id,
                actor_id,
                reason,
                reviewed_by=reviewer.id,
                approved_by=approver.id,
            )
            uow.commit()
            return destruction

    def destructions(self, actor_id: StaffId) -> builtins.list[DestructionRecord]:
        with self.ctx.uow() as uow:
            actor = load_actor(uow, actor_id)
            if actor.role != Role.ADMIN.value:
                self.ctx.policy.authority.require(
                    actor.role,
                    self.ctx.policy.customers.retention.reviewer_role,
                    decision="reading destruction records",
                    rule="X-6",
                )
            return list(uow.destructions.list())

    # ---------------------------------------------------------------- grading
    def compute_score(self, scores: Mapping[str, int]) -> tuple[int, str]:
        """CUS-4: the policy-weighted score (0…max_score) and the grade band it falls in."""
        grading = self.ctx.policy.customers.grading
        missing = sorted(set(grading.weights) - set(scores))
        unknown = sorted(set(scores) - set(grading.weights))
        if missing or unknown:
            raise ValidationError(
                f"scores need exactly the criteria {', '.join(sorted(grading.weights))}"
                + (f"; missing {', '.join(missing)}" if missing else "")
                + (f"; unknown {', '.join(unknown)}" if unknown else ""),
                field="scores",
                rule="CUS-4",
            )
        for name, value in scores.items():
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                or not 0 <= value <= grading.max_score
            ):
                raise ValidationError(
                    f"must be a whole number 0…{grading.max_score}",
                    field=f"scores.{name}",
                    rule="CUS-4",
                )
        weighted = sum(grading.weights[k] * scores[k] for k in grading.weights)
        score = (weighted + 50) // 100  # round half up to a whole point
        grade = next(b.grade for b in grading.bands if score >= b.min_score)
        return score, grade

    def _in_window(self, day: date) -> bool:
        g = self.ctx.policy.customers.grading
        return g.window_start <= day.strftime("%m-%d") <= g.window_end

    def _next_window(self, day: date) -> date:
        g = self.ctx.policy.customers.grading
        month, dd = (int(x) for x in g.window_start.split("-"))
        this_year = date(day.year, month, dd)
        return this_year if this_year > day else date(day.year + 1, month, dd)

    def evaluate_grade(
        self,
        actor_id: StaffId,
        customer_id: CustomerId,
        scores: Mapping[str, int],
        reason: str,
        proposed_by: StaffId | None = None,
    ) -> GradeChange:
        """CUS-4: grade a customer from weighted scores.

        Allowed in the annual window, or when the customer's evaluation date has come, or for a
        customer never graded. A customer cooperating for less than the policy's months gets a
        provisional grade and an evaluation date at the end of that period; otherwise the next
        evaluation is the next annual window (no grade is permanent).
        """
        score, grade = self.compute_score(scores)
        grading = self.ctx.policy.customers.grading
        with self.ctx.uow() as uow:
            actor = load_actor(uow, actor_id)
            if not self._is_at_least(actor, grading.change_approver_role):
                raise PermissionDenied(
                    f"grades are decided by {grading.change_approver_role} or above", rule="CUS-4"
                )
            if not reason.strip():  # CUS-4 "with a reason"; X-7
                raise ValidationError(
                    "a grade decision needs a reason", field="reason", rule="CUS-4"
                )
            customer = uow.customers.get(customer_id)
            today = self.ctx.today()
            due = customer.next_evaluation_on is not None and customer.next_evaluation_on <= today
            if customer.grade is not None and not self._in_window(today) and not due:
                raise InvalidTransition(
                    f"grading runs once a year ({grading.window_start}…{grading.window_end}) or "
                    f"when the evaluation date {customer.next_evaluation_on} comes; use a grade "
                    "change with a reason instead",
                    rule="CUS-4",
                )
            since = customer.cooperation_since
            provisional = since is None or add_months(since, grading.provisional_months) > today
            if provisional:
                start = since or today
                next_on = add_months(start, grading.provisional_months)
            else:
                next_on = self._next_window(today)
            change = self._apply_grade(
                uow,
                customer,
                grade,
                score,
                provisional,
                next_on,
                reason,
                proposed_by or actor.id,
                actor.id,
            )
            uow.commit()
            return change

    def change_grade(
        self,
        actor_id: StaffId,
        customer_id: CustomerId,
        new_grade: str,
        reason: str,
        proposed_by: StaffId,
        expected_version: int,
    ) -> GradeChange:
        """CUS-4: an out-of-cycle grade change, proposed by the owning unit, decided by the
        policy's role (the actor), always with a reason."""
        grading = self.ctx.policy.customers.grading
        if new_grade not in grading.grades():
            raise ValidationError(
                f"grade must be one of {', '.join(grading.grades())}", field="grade", rule="CUS-4"
            )
        if not reason.strip():
            raise ValidationError("a grade change needs a reason", field="reason", rule="CUS-4")
        with self.ctx.uow() as uow:
            actor = load_actor(uow, actor_id)
            if not self._is_at_least(actor, grading.change_approver_role):
                raise PermissionDenied(
                    f"grade changes are decided by {grading.change_approver_role} or above",
                    rule="CUS-4",
                )
            load_actor(uow, proposed_by)
            customer = uow.customers.get(customer_id)
            if customer.version != expected_version:
                raise ConcurrencyConflict(
                    f"customer {customer_id} changed meanwhile", field="expected_version"
                )
            change = self._apply_grade(
                uow,
                customer,
                new_grade,
                None,
                customer.grade_provisional,
                customer.next_evaluation_on or self._next_window(self.ctx.today()),
                reason,
                proposed_by,
                actor.id,
            )
            uow.commit()
            return change

    def _apply_grade(
        self,
        uow: UnitOfWork,
        customer: Customer,
        grade: str,
        score: int | None,
        provisional: bool,
        next_on: date,
        reason: str,
        proposed_by: StaffId,
        approved_by: StaffId,
    ) -> GradeChange:
        change = GradeChange(
            customer_id=customer.id,
            from_grade=customer.grade,
            to_grade=grade,
            score=score,
            provisional=provisional,
            reason=reason,
            proposed_by=proposed_by,
            approved_by=approved_by,
            at=self.ctx.now(),
            next_evaluation_on=next_on,
        )
        customer.grade = grade
        customer.grade_score = score
        customer.grade_provisional = provisional
        customer.next_evaluation_on = next_on
        uow.grade_changes.add(change)
        record(
            uow,
            self.ctx,
            "customer.graded",
            customer.id,
            approved_by,
            reason,
            grade=grade,
            provisional=str(provisional).lower(),
        )
        return change

    def grade_history(
        self, actor_id: StaffId, customer_id: CustomerId
    ) -> builtins.list[GradeChange]:
        with self.ctx.uow() as uow:
            self._visible(uow, load_actor(uow, actor_id), customer_id)
            return list(uow.grade_changes.list_for_customer(customer_id))

    def due_for_evaluation(
        self, actor_id: StaffId, as_of: date | None = None
    ) -> builtins.list[Customer]:
        """Customers whose (provisional or annual) evaluation date has come (CUS-4)."""
        day = as_of or self.ctx.today()
        with self.ctx.uow() as uow:
            actor = load_actor(uow, actor_id)
            result: builtins.list[Customer] = []
            offset = 0
            while True:
                page = uow.customers.list(limit=500, offset=offset)
                result.extend(
                    c
                    for c in page
                    if c.next_evaluation_on is not None
                    and c.next_evaluation_on <= day
                    and c.status in _LIVE
                    and self._can_see(actor, c)
                )
                if len(page) < 500:
                    return result
                offset += 500

    # ---------------------------------------------------------- deregistration
    def apply_deregistration(
        self, actor_id: StaffId, customer_id: CustomerId, reason: str
    ) -> Deregistration:
        """CUS-6: the first step; the customer is 'deregistering' until the chain completes."""
        if not reason.strip():
            raise ValidationError("an application needs a reason", field="reason", rule="CUS-6")
        with self.ctx.uow() as uow:
            actor = load_actor(uow, actor_id)
            customer = self._visible(uow, actor, customer_id)
            if customer.status not in (CustomerStatus.PROSPECT, CustomerStatus.CLOSED_DEAL):
                raise InvalidTransition(
                    f"a {customer.status.value} customer cannot apply for deregistration",
                    rule="CUS-6",
                )
            dereg = Deregistration(
                customer_id=customer.id,
                applied_by=actor.id,
                applied_at=self.ctx.now(),
                reason=reason,
                status_before=customer.status,
            )
            customer.status = CustomerStatus.DEREGISTERING
            uow.deregistrations.add(dereg)
            record(
                uow,
                self.ctx,
                "deregistration.applied",
                dereg.id,
                actor.id,
                reason,
                customer_id=customer.id,
            )
            uow.commit()
            return dereg

    def advance_deregistration(
        self,
        actor_id: StaffId,
        deregistration_id: DeregistrationId,
        *,
        approve: bool,
        reason: str = "",
        refund: Money | None = None,
    ) -> Deregistration:
        """CUS-6: the next step of the policy's chain, by a role at least the step's."""
        steps = self.ctx.policy.customers.deregistration.steps
        with self.ctx.uow() as uow:
            actor = load_actor(uow, actor_id)
            dereg = uow.deregistrations.get(deregistration_id)
            if dereg.state != DeregistrationState.OPEN:
                raise InvalidTransition(f"the deregistration is {dereg.state.value}", rule="CUS-6")
            step = steps[len(dereg.completed_steps)]
            if not self._is_at_least(actor, step.role):
                raise PermissionDenied(
                    f"step {step.name!r} needs {step.role} or above; {actor.role} is not enough",
                    rule="X-3",
                )
            customer = uow.customers.get(dereg.customer_id)
            if not approve:
                if not reason.strip():
                    raise ValidationError(
                        "a rejection needs a reason", field="reason", rule="CUS-6"
                    )
                dereg.state = DeregistrationState.REJECTED
                customer.status = dereg.status_before
                record(
                    uow,
                    self.ctx,
                    "deregistration.rejected",
                    dereg.id,
                    actor.id,
                    reason,
                    step=step.name,
                )
                uow.commit()
                return dereg
            if step.settles_balance:
                if refund is None:
                    raise ValidationError(
                        f"step {step.name!r} records the refunded balance",
                        field="refund",
                        rule="CUS-6",
                    )
                if refund.is_negative():
                    raise ValidationError("a refund cannot be negative", field="refund", rule="X-2")
                dereg.refund = refund
            elif refund is not None:
                raise ValidationError(
                    f"step {step.name!r} does not settle money", field="refund", rule="CUS-6"
                )
            dereg.completed_steps = [*dereg.completed_steps, step.name]
            record(
                uow,
                self.ctx,
                "deregistration.step",
                dereg.id,
                actor.id,
                reason,
                step=step.name,
                **({"refund": str(refund.amount)} if refund is not None else {}),
            )
            if len(dereg.completed_steps) == len(steps):
                dereg.state = DeregistrationState.COMPLETED
                customer.status = CustomerStatus.DEREGISTERED
                record(uow, self.ctx, "customer.deregistered", customer.id, actor.id, reason)
            uow.commit()
            return dereg

    def deregistrations(
        self, actor_id: StaffId, customer_id: CustomerId
    ) -> builtins.list[Deregistration]:
        with self.ctx.uow() as uow:
            self._visible(uow, load_actor(uow, actor_id), customer_id)
            return list(uow.deregistrations.list_for_customer(customer_id))

    def history(self, actor_id: StaffId, subject_id: str) -> builtins.list[AuditEvent]:
        """The audit trail of one record (X-7)."""
        with self.ctx.uow() as uow:
            actor = load_actor(uow, actor_id)
            if actor.role != Role.ADMIN.value and not self.ctx.policy.authority.at_least(
                actor.role, Role.SUPERVISOR.value
            ):
                raise PermissionDenied("the audit trail is for supervisors and above", rule="X-7")
            return list(uow.audit.list(subject_id=subject_id))


__all__ = ["CustomerService", "NotFound"]
