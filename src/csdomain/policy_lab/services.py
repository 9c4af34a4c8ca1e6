"""Policy-lab use cases (issue 15): upload and validate a draft, list versions, diff two,
activate one with the general manager's approval, and look up the version in force on a day.

Numbers are drawn under the lock ``policy-versions`` (a unique key on the number is the
backstop); one active version per effective date is a unique key too, and activating a
version for a day that already has one supersedes that one in the same transaction. The
uploader never approves their own draft (X-4: ``not_subject`` in the permission table).
Activation is forward-only: a version takes effect on a day not before the activation day,
so no decision already taken is judged again (X-7).
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import date

from csdomain.authz import Resource, use_case
from csdomain.context import ServiceContext, authorize, record
from csdomain.kernel.errors import InvalidTransition, NotFound, PolicyError, ValidationError
from csdomain.kernel.ids import StaffId
from csdomain.policy.model import Policy
from csdomain.policy_lab.commands import UploadPolicy, ValidatePolicy
from csdomain.policy_lab.diff import PolicyChange, diff_policies
from csdomain.policy_lab.model import (
    BASE_VERSION,
    InForce,
    PolicyHistory,
    PolicyVersion,
    VersionState,
    sha256_of,
)
from csdomain.policy_lab.ports import PolicyParser
from csdomain.ports import UnitOfWork

LOCK = "policy-versions"
RULE = "X-7"  # a decision keeps the version it used; a version is never rewritten


def draft_problems(parser: PolicyParser, document: str) -> list[tuple[str, str]]:
    """Every bad key of a draft as (path, why); [] when it is a valid policy."""
    try:
        parser.parse(document, "<draft>")
    except PolicyError as exc:
        return exc.problems or [("$", exc.message)]
    return []


def _invalid(problems: list[tuple[str, str]]) -> ValidationError:
    """A draft that is not a valid policy: every bad key's path and why in ``errors``."""
    error = ValidationError(
        f"the draft has {len(problems)} problem(s)", field="document", rule="X-8"
    )
    error.errors = problems  # type: ignore[attr-defined]
    return error


def load_history(uow: UnitOfWork, base: Policy, parser: PolicyParser) -> PolicyHistory:
    """The policies in force: ``base`` as version 1, then every active stored version."""
    active = uow.policy_versions.list(state=VersionState.ACTIVE)
    return PolicyHistory.of(base, [(v, _stored(parser, v, base)) for v in active])


def _stored(parser: PolicyParser, version: PolicyVersion, base: Policy) -> Policy:
    return parser.parse_stored(version.document, f"policy version {version.number}", base)


def refresh_history(ctx: ServiceContext, parser: PolicyParser) -> bool:
    """Read the history again when the stored active versions are not the ones in force
    (another process activated one); True when it changed. One small query otherwise."""
    with ctx.uow() as uow:
        active = uow.policy_versions.list(state=VersionState.ACTIVE)
        stored = {v.number for v in active} - {BASE_VERSION}
        known = {e.number for e in ctx.history.entries} - {BASE_VERSION}
        if stored == known:
            return False
        ctx.history = PolicyHistory.of(
            ctx.base_policy, [(v, _stored(parser, v, ctx.base_policy)) for v in active]
        )
        return True


class PolicyLabService:
    def __init__(self, ctx: ServiceContext, parser: PolicyParser | None = None) -> None:
        self.ctx = ctx
        self.parser = parser

    def _parser(self) -> PolicyParser:
        if self.parser is None:  # the composition root gives one (adapters.bootstrap)
            raise PolicyError("no policy parser is configured", [("$", "no parser")])
        return self.parser

    def _base_version(self) -> PolicyVersion:
        """Version 1: the started-with policy, when no version 1 is stored."""
        base = self.ctx.base_policy
        text = self._parser().dump(base)
        return PolicyVersion(
            number=BASE_VERSION,
            effective_from=base.bounds.earliest_date,
            document=text,
            sha256=sha256_of(text),
            uploaded_by="",
            uploaded_at=self.ctx.now(),
            note="the policy the application was started with",
            state=VersionState.ACTIVE,
            id="pol_base",
        )

    def _get(self, uow: UnitOfWork, number: int) -> PolicyVersion:
        if number == BASE_VERSION:
            try:
                return uow.policy_versions.get(number)
            except NotFound:
                return self._base_version()
        return uow.policy_versions.get(number)

    def _check_day(self, day: date, field: str) -> None:
        low, high = self.ctx.base_policy.bounds.date_range
        if not low <= day <= high:
            raise ValidationError(
                f"must be between {low.isoformat()} and {high.isoformat()}", field=field, rule="X-8"
            )

    # ------------------------------------------------------------------ drafts
    @use_case("policy.upload")
    def validate(self, actor_id: StaffId, document: str) -> builtins.list[tuple[str, str]]:
        """Every problem of a draft as (path, why), without storing it ([] when valid)."""
        with self.ctx.uow() as uow:
            authorize(uow, self.ctx, actor_id, "policy.upload")
        ValidatePolicy(document=document)  # bounded
        return draft_problems(self._parser(), document)

    @use_case("policy.upload")
    def upload(self, actor_id: StaffId, cmd: UploadPolicy) -> PolicyVersion:
        """Store a valid draft as the next version number; an invalid one is refused with
        every bad key's path (ValidationError.errors)."""
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "policy.upload")
            self._check_day(cmd.effective_from, "effective_from")
            problems = draft_problems(self._parser(), cmd.document)
            if problems:
                raise _invalid(problems)
            uow.lock(LOCK)
            number = max(uow.policy_versions.last_number(), BASE_VERSION) + 1
            version = PolicyVersion(
                number=number,
                effective_from=cmd.effective_from,
                document=cmd.document,
                sha256=sha256_of(cmd.document),
                uploaded_by=grant.actor.id,
                uploaded_at=self.ctx.now(),
                note=cmd.note,
            )
            uow.policy_versions.add(version)
            record(
                uow,
                self.ctx,
                "policy.uploaded",
                version.id,
                grant.actor.id,
                cmd.note,
                number=str(number),
                effective_from=cmd.effective_from.isoformat(),
                sha256=version.sha256,
            )
            uow.commit()
            return version

    # ------------------------------------------------------------------ reading
    @use_case("policy.versions")
    def list(self, actor_id: StaffId) -> builtins.list[PolicyVersion]:
        """Every version by number, version 1 (the started-with policy) first."""
        with self.ctx.uow() as uow:
            authorize(uow, self.ctx, actor_id, "policy.versions")
            stored = builtins.list(uow.policy_versions.list())
        if not any(v.number == BASE_VERSION for v in stored):
            stored.insert(0, self._base_version())
        return stored

    @use_case("policy.versions")
    def get(self, actor_id: StaffId, number: int) -> PolicyVersion:
        with self.ctx.uow() as uow:
            authorize(uow, self.ctx, actor_id, "policy.versions")
            return self._get(uow, number)

    @use_case("policy.versions")
    def diff(self, actor_id: StaffId, old: int, new: int) -> builtins.list[PolicyChange]:
        """Every changed key from version ``old`` to version ``new``, with its rule IDs."""
        parser = self._parser()
        with self.ctx.uow() as uow:
            authorize(uow, self.ctx, actor_id, "policy.versions")
            before, after = self._get(uow, old), self._get(uow, new)
        base = self.ctx.base_policy
        return diff_policies(
            parser.to_dict(_stored(parser, before, base)),
            parser.to_dict(_stored(parser, after, base)),
        )

    @use_case("policy.read")
    def in_force(self, actor_id: StaffId, day: date) -> InForce:
        """The version in force on ``day`` (its number and policy)."""
        self._check_day(day, "day")
        with self.ctx.uow() as uow:
            authorize(uow, self.ctx, actor_id, "policy.read")
        return self.ctx.in_force(day)

    # --------------------------------------------------------------- activation
    @use_case("policy.activate")
    def activate(self, actor_id: StaffId, number: int) -> PolicyVersion:
        """Put a draft in force from its effective date (GM; never its uploader, X-4). A
        version active for the same day becomes superseded; nothing already decided changes."""
        parser = self._parser()
        with self.ctx.uow() as uow:
            grant = authorize(uow, self.ctx, actor_id, "policy.activate")
            uow.lock(LOCK)
            version = uow.policy_versions.get(number)
            grant.require(
                Resource.of(f"policy version {number}", subjects=[StaffId(version.uploaded_by)]),
                field="number",
            )
            if version.state != VersionState.DRAFT:
                raise InvalidTransition(
                    f"policy version {number} is {version.state}, only a draft is activated",
                    field="number",
                    rule=RULE,
                )
            today = self.ctx.today()
            if version.effective_from < today:
                raise ValidationError(
                    f"takes effect on {version.effective_from.isoformat()}, before today "
                    f"({today.isoformat()}): a version never changes what was already decided; "
                    "upload it again with a later effective date",
                    field="effective_from",
                    rule=RULE,
                )
            try:  # still a valid policy for this release
                _stored(parser, version, self.ctx.base_policy)
            except PolicyError as exc:
                raise _invalid(exc.problems or [("$", exc.message)]) from None
            superseded: Sequence[PolicyVersion] = [
                v
                for v in uow.policy_versions.list(state=VersionState.ACTIVE)
                if v.effective_from == version.effective_from
            ]
            for old in superseded:
                old.state = VersionState.SUPERSEDED
            if superseded:  # before the new one takes the day's unique key
                uow.policy_versions.flush()
            version.state = VersionState.ACTIVE
            version.approved_by = grant.actor.id
            version.approved_at = self.ctx.now()
            record(
                uow,
                self.ctx,
                "policy.activated",
                version.id,
                grant.actor.id,
                "",
                number=str(number),
                effective_from=version.effective_from.isoformat(),
                supersedes=",".join(str(v.number) for v in superseded),
            )
            uow.commit()
        self._refresh_history()
        return version

    def _refresh_history(self) -> None:
        """Read the stored history again after an activation (other processes call
        ``refresh_history`` now and then, see ``adapters.bootstrap.App.refresh_policy``)."""
        refresh_history(self.ctx, self._parser())
