"""What every use case needs: storage, time, working days and the policy in force."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime

import attrs

from csdomain.authz.guard import Grant, guard
from csdomain.customers.model import AccessLogEntry
from csdomain.kernel.calendar import Calendar
from csdomain.kernel.clock import Clock
from csdomain.kernel.errors import PermissionDenied
from csdomain.kernel.events import AuditEvent
from csdomain.kernel.ids import StaffId
from csdomain.org.model import Staff
from csdomain.policy.model import CalendarPolicy, Policy
from csdomain.policy_lab.model import InForce, PolicyHistory
from csdomain.ports import UnitOfWork, UnitOfWorkFactory


@attrs.define
class ServiceContext:
    """``policy`` (given as ``policy=``) is the started-with policy, version 1 of the history
    when no history is stored. ``ctx.policy`` is the policy in force *today* (the clock's
    date); a decision dated by its event uses ``ctx.policy_at(event_day)`` (issue 15)."""

    uow: UnitOfWorkFactory
    clock: Clock
    calendar: Calendar
    base_policy: Policy = attrs.field(alias="policy")
    # builds the working-day calendar of a [calendar] section (the composition root
    # gives one), so a what-if replay judges a candidate by its own closures (issue 15)
    calendar_of: Callable[[CalendarPolicy], Calendar] | None = None
    # the versions in force by day; none stored: the started-with policy alone (version 1)
    history: PolicyHistory = attrs.field(
        default=attrs.Factory(lambda ctx: PolicyHistory.single(ctx.base_policy), takes_self=True)
    )

    @property
    def policy(self) -> Policy:
        """The policy in force today."""
        only = self.history.only
        if only is not None:  # the common case: no clock read
            return only.policy
        return self.history.at(self.today()).policy

    def policy_at(self, day: date) -> Policy:
        """The policy in force on ``day`` (issue 15: decisions judged by their event's day)."""
        return self.in_force(day).policy

    def in_force(self, day: date) -> InForce:
        """The version in force on ``day``: its number (what a decision records) and policy."""
        only = self.history.only
        return only if only is not None else self.history.at(day)

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return self.clock.now().date()


def authorize(uow: UnitOfWork, ctx: ServiceContext, actor_id: StaffId, action: str) -> Grant:
    """Load the acting staff member and pass the one guard's role test for ``action``
    (docs/permissions.md); check the record afterwards with ``grant.require(resource)``."""
    return guard(ctx.policy, load_actor(uow, actor_id), action)


def log_read(
    uow: UnitOfWork, ctx: ServiceContext, grant: Grant, record_kind: str, record_id: str
) -> None:
    """X-5: every read of a secret or top-secret record is written to the access log."""
    level = grant.confidential_level(record_kind)
    if level:
        uow.access_log.add(
            AccessLogEntry(
                reader_id=grant.actor.id,
                record_kind=record_kind,
                record_id=record_id,
                level=level,
                at=ctx.now(),
            )
        )


_AUTHENTICATED: ContextVar[Staff | None] = ContextVar("csdomain_authenticated", default=None)


@contextmanager
def authenticated(staff: Staff) -> Iterator[None]:
    """Within a request whose adapter has just authenticated ``staff`` (the HTTP API's bearer
    token), use cases acting as that person take this record as the actor instead of reading
    it again: one actor load per request (issue 10). The checks on the actor are unchanged
    (active, role, permissions); only the second read of the same row is saved."""
    token = _AUTHENTICATED.set(staff)
    try:
        yield
    finally:
        _AUTHENTICATED.reset(token)


def load_actor(uow: UnitOfWork, actor_id: StaffId) -> Staff:
    """The acting staff member; inactive staff can do nothing."""
    known = _AUTHENTICATED.get()
    actor = known if known is not None and known.id == actor_id else uow.staff.get(actor_id)
    if not actor.active:
        raise PermissionDenied(f"staff {actor_id} is inactive", field="actor")
    return actor


def record(
    uow: UnitOfWork,
    ctx: ServiceContext,
    kind: str,
    subject_id: str,
    actor_id: str,
    reason: str = "",
    /,
    **data: str,
) -> AuditEvent:
    """Append an audit event (X-7) in the same transaction as the decision it records."""
    event = AuditEvent(
        kind=kind, subject_id=subject_id, actor_id=actor_id, at=ctx.now(), reason=reason, data=data
    )
    uow.audit.add(event)
    return event
