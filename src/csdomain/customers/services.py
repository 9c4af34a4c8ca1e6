"""Customer use cases (CUS-1…CUS-4, CUS-6, X-3, X-5, X-6, X-7; daily registers, file loans
and key accounts are ``registers``, ``loans`` and ``key_accounts``).

Every method opens one unit of work, checks the rule, records an audit event and commits;
a refused request raises before ``commit()`` so stored data stays exactly as it was.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

import attrs

from csdomain.authz import Grant, Resource, redact, redactable, use_case
from csdomain.context import ServiceContext, authorize, load_actor, log_read, record
from csdomain.customers.commands import RegisterCustomer, UpdateCustomer
from csdomain.customers.deadlines import file_handover_due, file_handover_late
from csdomain.customers.identity import (
    identity_lock_keys,
    normalize_id_number,
    normalize_phone,
)
from csdomain.customers.model import (
    AccessLogEntry,
    Customer,
    CustomerFile,
    CustomerStatus,
    Deregistration,
    DeregistrationState,
    DestructionRecord,
    DestructionRequest,
    DestructionState,
    FileStatus,
    GradeChange,
    HandoverRate,
    LegalForm,
    Source,
)
from csdomain.kernel.bounds import parse_month
from csdomain.kernel.dates import add_months, add_years, month_days
from csdomain.kernel.errors import (
    ConcurrencyConflict,
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from csdomain.kernel.events import AuditEvent
from csdomain.kernel.ids import CustomerId, DepartmentId, DeregistrationId, FileId, StaffId
from csdomain.kernel.money import Money
from csdomain.policy.model import FileKindPolicy, GradingPolicy
from csdomain.ports import UnitOfWork

_LIVE = (CustomerStatus.PROSPECT, CustomerStatus.CLOSED_DEAL, CustomerStatus.DEREGISTERING)
_ALLOWED_STATUS_CHANGES = {
    (CustomerStatus.PROSPECT, CustomerStatus.CLOSED_DEAL),
}
# the customer master data record kind (its level is ``confidentiality.levels``) and the
# fields a reader without the level's permission does not see
MASTER_RECORD = "customer_master"
MASTER_FIELDS = ("id_number", "phone", "address")
redactable(Customer, MASTER_FIELDS)
HANDOVER_RECORD = "handover_record"
_OPEN_DESTRUCTION = (DestructionState.REQUESTED, DestructionState.REVIEWED)
_PAGE = 500


def _percent(part: int, whole: int) -> Decimal | None:
    return None if whole == 0 else (Decimal(part * 100) / whole).quantize(Decimal("0.1"))


def compute_score(grading: GradingPolicy, scores: Mapping[str, int]) -> tuple[int, str]:
    """CUS-4: the policy-weighted score (0…max_score) and the grade band it falls in. Pure:
    it reads no record, so it needs no actor."""
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


class CustomerService:
    SEARCH_MAX = 64  # characters of a search query (the width of a stored search key)

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    # ------------------------------------------------------------------ helpers
    def _resource(self, uow: UnitOfWork, customer: Customer) -> Resource:
        """What the guard needs of a customer: the owner and the owner's department."""
        owner = uow.staff.get(customer.owner_id)
        return Resource.of(
            f"customer {customer.id}", owners=[owner.id], departments=[owner.department_id]
        )

    def _visible(self, uow: UnitOfWork, grant: Grant, customer_id: CustomerId) -> Customer:
        """The customer, if the grant's scope reaches it (403 naming the action otherwise)."""
        customer = uow.customers.get(customer_id)
        grant.require(self._resource(uow, customer))
        return customer

    def _log_master(self, uow: UnitOfWork, grant: Grant, customer: Customer) -> None:
        """X-5: a read of a customer's master data by anyone but its owner (the custodian) is
        written to the access log, in the same transaction as the read."""
        if customer.owner_id != grant.actor.id and grant.may_read(MASTER_RECORD):
            log_read(uow, self.ctx, grant, MASTER_RECORD, customer.id)

    def _shown(self, grant: Grant, customer: Customer) -> Customer:
        """X-5: master data (ID number, phone, address) is shown to the customer's owner or
        to a reader with the level's permission; for anyone else those fields are left out
        (after commit, so the copy carries the stored version)."""
        if customer.owner_id == grant.actor.id or grant.may_read(MASTER_RECORD):
            return customer
        return redact(customer, MASTER_FIELDS)

    def _scope_filter(
        self, uow: UnitOfWork, grant: Grant, owner_id: StaffId | None
    ) -> tuple[StaffId | None, DepartmentId | None]:
        """The repository filter of the grant's scope, so pagination counts only reachable
        customers: ``own`` → the actor's, ``department`` → owners in the actor's department."""
        if owner_id is not None:
            owner = uow.staff.get(owner_id)
            grant.require(
                Resource.of(
                    f"the customers of {owner.name}",
                    owners=[owner.id],
                    departments=[owner.department_id],
                ),
                field="owner_id",
            )
        if grant.scope == "all":
            return owner_id, None
        if grant.scope == "department" and grant.actor.department_id is not None:
            return owner_id, grant.actor.department_id
        return grant.actor.id, None

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

    def _phone(self, raw: str) -> str:
        return normalize_phone(raw, self.ctx.policy.customers.registration.phone_region)

    @staticmethod
    def _id_number(raw: str | None, legal_form: LegalForm) -> str | None:
        if raw is None:
            return None
        return normalize_id_number(raw, individual=legal_form == LegalForm.INDIVIDUAL)

    # ------------------------------------------------------------ registration
    @use_case("customers.register")
    def register(self, actor_id: StaffId, command: RegisterCustomer) -> Customer:
        """CUS-1: register a customer; refuse a customer someone already owns.

        The identity is normalized first (E.164 phone, checked ID number), then locked, so
        of several simultaneous registrations of one person exactly one succeeds and the
        others are told who owns the customer; the unique index is the backstop."""
        phone = self._phone(command.phone)
        id_number = self._id_number(command.id_number, command.legal_form)
        with self.ctx.uow() as uow:
            uow.lock(*identity_lock_keys(phone, id_number))
            grant = authorize(uow, self.ctx, actor_id, "customers.register")
            actor = grant.actor
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
            self._check_identity_free(uow, phone, id_number, owner_id=owner_id)
            customer = Customer(
                name=command.name.strip(),
                kind=command.kind,
                legal_form=command.legal_form,
                phone=phone,
                id_number=id_number,
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
            self._log_master(uow, grant, customer)
            uow.commit()
            return self._shown(grant, customer)

    @use_case("customers.read")
    def get(self, actor_id: StaffId, customer_id: CustomerId) -> Customer:
        """CUS-1 scope, X-5 master data: outside the scope a 403; master data logged or left out."""
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "customers.read")
            customer = self._visible(uow, grant, customer_id)
            self._log_master(uow, grant, customer)
            uow.commit()
            return self._shown(grant, customer)

    @use_case("customers.read")
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
        """The customers the table's scope reaches (own / department / all), filtered in the
        repository so pages stay full; master data as in ``get`` (X-5)."""
        if not 1 <= limit <= 1000:
            raise ValidationError("must be between 1 and 1000", field="limit")
        if offset < 0:
            raise ValidationError("must be >= 0", field="offset")
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "customers.read")
            owner, department = self._scope_filter(uow, grant, owner_id)
            rows = uow.customers.list(
                owner_id=owner,
                status=status,
                grade=grade,
                department_id=department,
                limit=limit,
                offset=offset,
            )
            for c in rows:
                self._log_master(uow, grant, c)
            uow.commit()
            return [self._shown(grant, c) for c in rows]

    @use_case("customers.read")
    def search(
        self, actor_id: StaffId, text: str, *, limit: int = 50, offset: int = 0
    ) -> Sequence[Customer]:
        """Find customers by name (substring, pinyin, pinyin initials), phone or ID number.

        The same scope and confidentiality as ``list`` (CUS-1, X-5): the permission table's
        ``customers.read`` scope filters in the repository, which answers through an index.
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
            grant = authorize(uow, self.ctx, actor_id, "customers.read")
            owner, department = self._scope_filter(uow, grant, None)
            rows = uow.customers.search(
                query, owner_id=owner, department_id=department, limit=limit, offset=offset
            )
            for c in rows:
                self._log_master(uow, grant, c)
            uow.commit()
            return [self._shown(grant, c) for c in rows]

    @use_case("customers.update")
    def update(
        self, actor_id: StaffId, customer_id: CustomerId, command: UpdateCustomer
    ) -> Customer:
        """Change details; refused with ConcurrencyConflict if the customer changed meanwhile.

        A new phone or ID number is normalized and checked under the same identity lock
        as registration (CUS-1)."""
        phone = None if command.phone is None else self._phone(command.phone)
        with self.ctx.uow() as uow:
            # the command's id_number is already NFKC upper-cased: the canonical form the
            # check below keeps, so the key is known before the customer is read
            uow.lock(*identity_lock_keys(phone, command.id_number))
            grant = authorize(uow, self.ctx, actor_id, "customers.update")
            actor = grant.actor
            customer = self._visible(uow, grant, customer_id)
            legal_form = command.legal_form or customer.legal_form
            id_number = self._id_number(command.id_number, legal_form)
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
            if phone is not None:
                changes["phone"] = phone
            if id_number is not None:
                changes["id_number"] = id_number
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
                # a record the 0006 migration flagged as a duplicate rejoins the
                # uniqueness constraint once its identity is its own
                changes["duplicate_of"] = None
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
            self._log_master(uow, grant, customer)
            uow.commit()
            return self._shown(grant, customer)

    @use_case("customers.transfer")
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
            grant = authorize(uow, self.ctx, actor_id, "customers.transfer")
            actor = grant.actor
            customer = self._visible(uow, grant, customer_id)
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
            self._log_master(uow, grant, customer)
            uow.commit()
            return self._shown(grant, customer)

    # ------------------------------------------------------------------ files
    @use_case("customers.files.open")
    def open_file(
        self, actor_id: StaffId, customer_id: CustomerId, kind: str, event_date: date
    ) -> CustomerFile:
        """CUS-3: open a file; it must be handed over within the kind's working days."""
        kind_policy = self._file_kind(kind)
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "customers.files.open")
            actor = grant.actor
            customer = self._visible(uow, grant, customer_id)
            if customer.status == CustomerStatus.DEREGISTERED:
                raise InvalidTransition("deregistered customers get no new files", rule="CUS-6")
            due = file_handover_due(kind_policy, self.ctx.calendar, event_date)
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

    @use_case("customers.files.add_documents")
    def add_documents(
        self, actor_id: StaffId, file_id: FileId, documents: Mapping[str, str]
    ) -> FileStatus:
        """Record where checklist documents are (item code → archive reference)."""
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "customers.files.add_documents")
            actor = grant.actor
            customer_file = uow.files.get(file_id)
            self._visible(uow, grant, customer_file.customer_id)
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

    @use_case("customers.files.hand_over")
    def hand_over_file(
        self, actor_id: StaffId, file_id: FileId, received_by: StaffId, note: str = ""
    ) -> FileStatus:
        """CUS-3: both sides sign the hand-over register; missing items are noted.

        Emits ``file.handover_late`` / ``file.handover_incomplete`` events that the penalty
        capability (PEN-1) turns into violations.
        """
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "customers.files.hand_over")
            actor = grant.actor
            customer_file = uow.files.get(file_id)
            self._visible(uow, grant, customer_file.customer_id)
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
            late = file_handover_late(customer_file.due_on, now, now.date())
            if late and not customer_file.late_recorded:
                # CUS-3: once per file — the sweep may have recorded it when the deadline passed
                customer_file.late_recorded = True
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

    @use_case("scheduler.files_overdue")
    def sweep_unhanded_files(self, actor_id: StaffId) -> builtins.list[FileStatus]:
        """CUS-3: a file never handed over is a late hand-over from its deadline on. Each file
        past its deadline without a hand-over gets its ``file.handover_late`` event once (the
        file's ``late_recorded`` flag, under the sweep's lock and the file's version), naming
        the person who opened it (the adviser who owes the hand-over); a later hand-over does
        not record it again."""
        today = self.ctx.today()
        with self.ctx.uow() as uow:
            uow.lock("files:late-sweep")
            grant = authorize(uow, self.ctx, actor_id, "scheduler.files_overdue")
            flagged = []
            for f in uow.files.list_due_before(today):
                if f.handed_over_at is not None or f.late_recorded:
                    continue
                f.late_recorded = True
                record(
                    uow,
                    self.ctx,
                    "file.handover_late",
                    f.id,
                    grant.actor.id,
                    f"file due {f.due_on.isoformat()} not handed over (CUS-3)",
                    owner_id=f.opened_by,
                    due_on=f.due_on.isoformat(),
                    handed_over_on="",
                )
                flagged.append(self._status(f, self._file_kind(f.kind), today))
            uow.commit()
            return flagged

    @use_case("customers.files.handover_rates")
    def handover_rates(self, actor_id: StaffId, month: str) -> builtins.list[HandoverRate]:
        """RPT (000 篇五 8): per department (of the person who opened the file), the files due
        in ``month``: handed over on time ÷ files, complete (nothing missing at the
        hand-over) ÷ files. Files not handed over whose deadline has not passed are pending
        and left out of both rates; files never handed over count as neither."""
        start, end = month_days(parse_month(month, rule="RPT"))
        today = self.ctx.today()
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "customers.files.handover_rates")
            counts: dict[DepartmentId | None, list[int]] = {}
            for f in uow.files.list_due_between(start, end):
                if f.destroyed:
                    continue
                department = uow.staff.get(f.opened_by).department_id
                if not grant.covers(Resource.of(departments=[department])):
                    continue
                row = counts.setdefault(
                    department, [0, 0, 0, 0]
                )  # files, on time, complete, pending
                if f.handed_over_at is None and f.due_on >= today:
                    row[3] += 1
                    continue
                row[0] += 1
                if f.handed_over_at is not None:
                    row[1] += f.handed_over_at.date() <= f.due_on
                    row[2] += not f.missing_at_handover
            rates = []
            for department, (files, on_time, complete, pending) in counts.items():
                name = uow.departments.get(department).name if department else "(no department)"
                rates.append(
                    HandoverRate(
                        department_id=department,
                        department_name=name,
                        files=files,
                        on_time=on_time,
                        complete=complete,
                        pending=pending,
                        on_time_percent=_percent(on_time, files),
                        complete_percent=_percent(complete, files),
                    )
                )
            return sorted(rates, key=lambda r: (r.department_name, r.department_id or ""))

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
            handed_over_late=f.handed_over_at is not None
            and file_handover_late(f.due_on, f.handed_over_at, as_of),
            missing_items=missing,
            complete=complete,
            overdue=not complete and not f.destroyed and as_of > f.due_on,
            destroyed=f.destroyed,
        )

    @use_case("customers.files.status")
    def file_statuses(
        self, actor_id: StaffId, customer_id: CustomerId
    ) -> builtins.list[FileStatus]:
        """The hand-over register view of a customer's files (X-5: ``handover_record``): the
        customer's owner (the custodian) reads it freely; anyone else needs the level's
        permission and the read is logged."""
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "customers.files.status")
            customer = self._visible(uow, grant, customer_id)
            if customer.owner_id != grant.actor.id:
                grant.require_read(HANDOVER_RECORD)
                log_read(uow, self.ctx, grant, HANDOVER_RECORD, customer.id)
            today = self.ctx.today()
            statuses = [
                self._status(f, self._file_kind(f.kind), today)
                for f in uow.files.list_for_customer(customer_id)
            ]
            uow.commit()
            return statuses

    @use_case("customers.files.overdue")
    def overdue_files(
        self, actor_id: StaffId, as_of: date | None = None
    ) -> builtins.list[FileStatus]:
        """CUS-3: files not complete after their hand-over deadline, with the missing items,
        within the actor's scope. X-5: a register reaching beyond one's own customers needs the
        ``handover_record`` permission; each file of another owner's customer read is logged."""
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "customers.files.overdue")
            if grant.scope != "own":
                grant.require_read(HANDOVER_RECORD)
            day = as_of or self.ctx.today()
            result = []
            for f in uow.files.list_due_before(day):
                status = self._status(f, self._file_kind(f.kind), day)
                if not status.overdue:
                    continue
                customer = uow.customers.get(f.customer_id)
                if not grant.covers(self._resource(uow, customer)):
                    continue
                if customer.owner_id != grant.actor.id:
                    log_read(uow, self.ctx, grant, HANDOVER_RECORD, f.id)
                result.append(status)
            uow.commit()
            return sorted(result, key=lambda s: (s.due_on, s.file_id))

    @use_case("customers.files.read")
    def read_file(self, actor_id: StaffId, file_id: FileId) -> CustomerFile:
        """X-5: reading a confidential file needs the permission of its level and is logged."""
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "customers.files.read")
            customer_file = uow.files.get(file_id)
            grant.require_read()
            log_read(uow, self.ctx, grant, "customer_file", file_id)
            uow.commit()
            return customer_file

    @use_case("customers.access_log.read")
    def access_log(
        self, actor_id: StaffId, record_id: str | None = None
    ) -> builtins.list[AccessLogEntry]:
        """X-5: the access log is itself confidential (``access_log``): the table's role plus
        the level's permission; reading it is logged too."""
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "customers.access_log.read")
            grant.require_read()
            entries = list(uow.access_log.list(record_id=record_id))
            log_read(uow, self.ctx, grant, "access_log", record_id or "*")
            uow.commit()
            return entries

    # -------------------------------------------------------------- retention
    def _open_request(
        self, uow: UnitOfWork, request_id: str, state: DestructionState
    ) -> tuple[DestructionRequest, CustomerFile]:
        request = uow.destruction_requests.get(request_id)
        if request.state != state:
            raise InvalidTransition(
                f"the destruction request is {request.state.value}, not {state.value}",
                rule="X-6",
            )
        return request, uow.files.get(request.file_id)

    def _check_retention(self, customer_file: CustomerFile) -> None:
        if customer_file.destroyed:
            raise InvalidTransition("the file was already destroyed", rule="X-6")
        if self.ctx.today() < customer_file.retention_until:
            raise Conflict(
                f"the file must be kept until {customer_file.retention_until} "
                f"({self.ctx.policy.customers.retention.customer_file_years} years)",
                rule="X-6",
                field="file_id",
            )

    def _reject(
        self,
        uow: UnitOfWork,
        grant: Grant,
        request: DestructionRequest,
        customer_file: CustomerFile,
        reason: str,
    ) -> DestructionRequest:
        request.state = DestructionState.REJECTED
        request.rejected_by = grant.actor.id
        request.rejection_reason = reason
        customer_file.destruction_request_id = None
        record(
            uow,
            self.ctx,
            "file.destruction_rejected",
            request.file_id,
            grant.actor.id,
            reason,
            request_id=request.id,
        )
        uow.commit()
        return request

    @use_case("customers.destruction.request")
    def request_destruction(
        self, actor_id: StaffId, file_id: FileId, reason: str
    ) -> DestructionRequest:
        """X-6 step 1: ask to destroy a file whose retention period is over. One request per
        file at a time: the file names it, and the file's version refuses a concurrent one."""
        if not reason.strip():
            raise ValidationError("destruction needs a reason", field="reason", rule="X-6")
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "customers.destruction.request")
            customer_file = uow.files.get(file_id)
            self._check_retention(customer_file)
            if customer_file.destruction_request_id is not None:
                raise Conflict(
                    f"destruction of file {file_id} is already requested "
                    f"({customer_file.destruction_request_id})",
                    rule="X-6",
                    field="file_id",
                )
            request = DestructionRequest(
                file_id=customer_file.id,
                customer_id=customer_file.customer_id,
                requested_by=grant.actor.id,
                requested_at=self.ctx.now(),
                reason=reason,
            )
            customer_file.destruction_request_id = request.id
            uow.destruction_requests.add(request)
            record(
                uow,
                self.ctx,
                "file.destruction_requested",
                file_id,
                grant.actor.id,
                reason,
                request_id=request.id,
            )
            uow.commit()
            return request

    @use_case("customers.destruction.review")
    def review_destruction(
        self, actor_id: StaffId, request_id: str, *, approve: bool, reason: str = ""
    ) -> DestructionRequest:
        """X-6 step 2: the head of the owner's department reviews (the table's min role);
        not the requester (one step per signer). A rejection needs a reason."""
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "customers.destruction.review")
            request, customer_file = self._open_request(uow, request_id, DestructionState.REQUESTED)
            grant.require(Resource.of(f"destruction request {request.id}", signers=request.signers))
            owner = uow.staff.get(uow.customers.get(request.customer_id).owner_id)
            if owner.department_id is not None:
                dept = uow.departments.get(owner.department_id)
                if dept.head_id is not None and dept.head_id != grant.actor.id:
                    raise PermissionDenied(
                        f"customers.destruction.review: the review must be by the head of "
                        f"{dept.name}, the department of the customer's owner",
                        rule="X-6",
                        action="customers.destruction.review",
                    )
            if not approve:
                if not reason.strip():
                    raise ValidationError("a rejection needs a reason", field="reason", rule="X-6")
                return self._reject(uow, grant, request, customer_file, reason)
            self._check_retention(customer_file)
            request.state = DestructionState.REVIEWED
            request.reviewed_by = grant.actor.id
            request.reviewed_at = self.ctx.now()
            record(
                uow,
                self.ctx,
                "file.destruction_reviewed",
                request.file_id,
                grant.actor.id,
                reason,
                request_id=request.id,
            )
            uow.commit()
            return request

    @use_case("customers.destruction.approve")
    def approve_destruction(
        self, actor_id: StaffId, request_id: str, *, approve: bool, reason: str = ""
    ) -> DestructionRequest:
        """X-6 step 3: the GM approves (a third person: one step per signer); the file's
        documents are destroyed and the record names requester, reviewer and approver."""
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "customers.destruction.approve")
            request, customer_file = self._open_request(uow, request_id, DestructionState.REVIEWED)
            grant.require(Resource.of(f"destruction request {request.id}", signers=request.signers))
            if not approve:
                if not reason.strip():
                    raise ValidationError("a rejection needs a reason", field="reason", rule="X-6")
                return self._reject(uow, grant, request, customer_file, reason)
            self._check_retention(customer_file)
            now = self.ctx.now()
            request.state = DestructionState.APPROVED
            request.approved_by = grant.actor.id
            request.approved_at = now
            assert request.reviewed_by is not None  # REVIEWED has a reviewer
            destruction = DestructionRecord(
                file_id=customer_file.id,
                customer_id=customer_file.customer_id,
                reviewed_by=request.reviewed_by,
                approved_by=grant.actor.id,
                reason=request.reason,
                retention_until=customer_file.retention_until,
                at=now,
                requested_by=request.requested_by,
                request_id=request.id,
            )
            customer_file.destroyed_at = now
            customer_file.documents = {}
            uow.destructions.add(destruction)
            record(
                uow,
                self.ctx,
                "file.destroyed",
                customer_file.id,
                grant.actor.id,
                request.reason,
                requested_by=request.requested_by,
                reviewed_by=request.reviewed_by,
                approved_by=grant.actor.id,
                request_id=request.id,
            )
            uow.commit()
            return request

    @use_case("customers.destruction.list")
    def destructions(self, actor_id: StaffId) -> builtins.list[DestructionRecord]:
        with self.ctx.uow() as uow:
            authorize(uow, self.ctx, actor_id, "customers.destruction.list")
            return list(uow.destructions.list())

    @use_case("customers.destruction.list")
    def destruction_requests(
        self, actor_id: StaffId, file_id: FileId | None = None
    ) -> builtins.list[DestructionRequest]:
        with self.ctx.uow() as uow:
            authorize(uow, self.ctx, actor_id, "customers.destruction.list")
            return list(uow.destruction_requests.list(file_id=file_id))

    # ---------------------------------------------------------------- grading
    def _in_window(self, day: date) -> bool:
        g = self.ctx.policy.customers.grading
        return g.window_start <= day.strftime("%m-%d") <= g.window_end

    def _next_window(self, day: date) -> date:
        g = self.ctx.policy.customers.grading
        month, dd = (int(x) for x in g.window_start.split("-"))
        this_year = date(day.year, month, dd)
        return this_year if this_year > day else date(day.year + 1, month, dd)

    @use_case("customers.grades.evaluate")
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
        grading = self.ctx.policy.customers.grading
        score, grade = compute_score(grading, scores)
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "customers.grades.evaluate")
            actor = grant.actor
            if not reason.strip():  # CUS-4 "with a reason"; X-7
                raise ValidationError(
                    "a grade decision needs a reason", field="reason", rule="CUS-4"
                )
            customer = uow.customers.get(customer_id)
            if proposed_by is not None:
                load_actor(uow, proposed_by)
            # nobody grades a customer they own, nor decides what they proposed
            grant.require(
                Resource.of(
                    f"the grade of customer {customer.id}",
                    subjects=[customer.owner_id, proposed_by],
                )
            )
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

    @use_case("customers.grades.change")
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
            grant = authorize(uow, self.ctx, actor_id, "customers.grades.change")
            actor = grant.actor
            load_actor(uow, proposed_by)
            customer = uow.customers.get(customer_id)
            # the decider is neither the proposer nor the customer's owner
            grant.require(
                Resource.of(
                    f"the grade change of customer {customer.id}",
                    subjects=[customer.owner_id, proposed_by],
                )
            )
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

    @use_case("customers.grades.read")
    def grade_history(
        self, actor_id: StaffId, customer_id: CustomerId
    ) -> builtins.list[GradeChange]:
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "customers.grades.read")
            self._visible(uow, grant, customer_id)
            return list(uow.grade_changes.list_for_customer(customer_id))

    @use_case("customers.grades.read")
    def due_for_evaluation(
        self, actor_id: StaffId, as_of: date | None = None
    ) -> builtins.list[Customer]:
        """Customers whose (provisional or annual) evaluation date has come (CUS-4)."""
        day = as_of or self.ctx.today()
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "customers.grades.read")
            owner, department = self._scope_filter(uow, grant, None)
            result: builtins.list[Customer] = []
            offset = 0
            while True:
                page = uow.customers.list(
                    owner_id=owner, department_id=department, limit=_PAGE, offset=offset
                )
                result.extend(
                    c
                    for c in page
                    if c.next_evaluation_on is not None
                    and c.next_evaluation_on <= day
                    and c.status in _LIVE
                )
                if len(page) < _PAGE:
                    for c in result:
                        self._log_master(uow, grant, c)
                    uow.commit()
                    return [self._shown(grant, c) for c in result]
                offset += _PAGE

    # ---------------------------------------------------------- deregistration
    @use_case("customers.deregistration.apply")
    def apply_deregistration(
        self, actor_id: StaffId, customer_id: CustomerId, reason: str
    ) -> Deregistration:
        """CUS-6: the first step; the customer is 'deregistering' until the chain completes."""
        if not reason.strip():
            raise ValidationError("an application needs a reason", field="reason", rule="CUS-6")
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "customers.deregistration.apply")
            actor = grant.actor
            customer = self._visible(uow, grant, customer_id)
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

    @use_case("customers.deregistration.advance")
    def advance_deregistration(
        self,
        actor_id: StaffId,
        deregistration_id: DeregistrationId,
        *,
        approve: bool,
        reason: str = "",
        refund: Money | None = None,
    ) -> Deregistration:
        """CUS-6: the next step of the policy's chain, by a role at least the step's, and by
        someone who signed no earlier step nor applied (one step per signer); the customer's
        signature step is the customer's, only recorded by staff, so it counts no signer."""
        steps = self.ctx.policy.customers.deregistration.steps
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "customers.deregistration.advance")
            actor = grant.actor
            dereg = uow.deregistrations.get(deregistration_id)
            if dereg.state != DeregistrationState.OPEN:
                raise InvalidTransition(f"the deregistration is {dereg.state.value}", rule="CUS-6")
            step = steps[len(dereg.completed_steps)]
            signers = () if step.customer_signature else self._dereg_signers(uow, dereg)
            grant.require(
                Resource.of(
                    f"deregistration {dereg.id}",
                    signers=signers,
                    required_role=step.role,
                    needed_for=f"step {step.name!r}",
                )
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

    def _dereg_signers(self, uow: UnitOfWork, dereg: Deregistration) -> builtins.list[StaffId]:
        """Who applied and who signed the steps so far (from the chain's audit events, written
        in the same transaction as each step)."""
        steps = {s.name: s for s in self.ctx.policy.customers.deregistration.steps}
        signed = [
            StaffId(e.actor_id)
            for e in uow.audit.list(subject_id=dereg.id, kind="deregistration.step")
            if not (s := steps.get(e.data.get("step", ""))) or not s.customer_signature
        ]
        return [dereg.applied_by, *signed]

    @use_case("customers.deregistration.read")
    def deregistrations(
        self, actor_id: StaffId, customer_id: CustomerId
    ) -> builtins.list[Deregistration]:
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "customers.deregistration.read")
            self._visible(uow, grant, customer_id)
            return list(uow.deregistrations.list_for_customer(customer_id))

    @use_case("customers.history")
    def history(self, actor_id: StaffId, subject_id: str) -> builtins.list[AuditEvent]:
        """The audit trail of one record (X-7)."""
        with self.ctx.uow() as uow:
            authorize(uow, self.ctx, actor_id, "customers.history")
            return list(uow.audit.list(subject_id=subject_id))


__all__ = ["CustomerService", "NotFound", "compute_score"]
