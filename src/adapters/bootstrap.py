"""The one composition root: settings → policy, clock, calendar, storage → Services.

HTTP, CLI, examples and tests all build their services here, so they run the same use cases
over the same wiring. ``storage`` is kept so adapters can close or migrate it.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

import attrs

from adapters.calendar import VersionedCalendar, calendar_from_policy
from adapters.clock import SystemClock
from adapters.memory import MemoryStore
from adapters.notify import LoggingNotifier, SmtpNotifier, WebhookNotifier
from adapters.policy_file import default_policy, load_policy
from adapters.policy_file.parser import TomlPolicyParser
from adapters.replay_jobs import MemoryReplayJobs, ReplayJobStore
from adapters.settings import Settings
from csdomain.cases.ports import Notifier
from csdomain.context import ServiceContext
from csdomain.kernel.calendar import Calendar
from csdomain.kernel.clock import Clock
from csdomain.kernel.errors import NotFound
from csdomain.kernel.ids import StaffId
from csdomain.org.model import Staff
from csdomain.policy.model import Policy
from csdomain.policy_lab.services import load_history, refresh_history
from csdomain.ports import UnitOfWork
from csdomain.services import Services

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

T = TypeVar("T")


class Storage(Protocol):
    def unit_of_work(self) -> UnitOfWork: ...
    def close(self) -> None: ...


class MemoryStorage:
    def __init__(self) -> None:
        self.store = MemoryStore()

    def unit_of_work(self) -> UnitOfWork:
        return self.store.unit_of_work()

    def close(self) -> None:
        pass


@attrs.define
class App:
    settings: Settings
    services: Services
    storage: Storage
    _refreshed: float = attrs.field(factory=time.monotonic, init=False)

    @property
    def policy(self) -> Policy:
        return self.services.ctx.policy

    def refresh_policy(self, every: float = 0.0) -> bool:
        """Pick up policy versions another process activated (issue 15): reads the stored
        active versions at most once per ``every`` seconds; True when the history changed.
        The HTTP app calls it before requests, the worker before each job."""
        now = time.monotonic()
        if every and now - self._refreshed < every:
            return False
        self._refreshed = now
        parser = self.services.policy_lab.parser
        return parser is not None and refresh_history(self.services.ctx, parser)

    def close(self) -> None:
        self.storage.close()


def make_storage(
    settings: Settings,
    *,
    create_schema: bool = False,
    timezone: str | None = None,
    policy: Policy | None = None,
) -> Storage:
    """The storage the settings name. SQL storage reads datetimes back in the company time
    zone: ``timezone``, else the ``policy``'s, else the default policy's."""
    if settings.storage == "memory":
        return MemoryStorage()
    from adapters.sql import SqlStorage

    if timezone is None:
        timezone = (policy or default_policy()).calendar.timezone
    storage = SqlStorage(settings.database_url, timezone)
    if create_schema:
        storage.upgrade()
    return storage


def bootstrap(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    calendar: Calendar | None = None,
    policy: Policy | None = None,
    storage: Storage | None = None,
    create_schema: bool = False,
) -> App:
    """Build the application. Anything not given comes from settings (tests pass fakes)."""
    settings = settings or Settings.from_env()
    if policy is None:
        policy = load_policy(settings.policy_file) if settings.policy_file else default_policy()
    if storage is None:
        if not create_schema:
            _require_database(settings)
        storage = make_storage(settings, create_schema=create_schema, policy=policy)
    ctx = ServiceContext(
        uow=storage.unit_of_work,
        clock=clock or SystemClock(policy.calendar.timezone),
        # issue 15: each day's status from the version in force on it, so activating a
        # version that changes [calendar] closures needs no restart
        calendar=calendar or VersionedCalendar(lambda day: ctx.policy_at(day).calendar),
        calendar_of=calendar_from_policy,
        policy=policy,
    )
    parser = TomlPolicyParser()
    # issue 15: the stored policy versions in force from their days (none stored: the
    # started-with policy alone, version 1)
    with storage.unit_of_work() as uow:
        ctx.history = load_history(uow, policy, parser)
    return App(
        settings=settings,
        services=Services.build(ctx, make_notifier(settings, storage), parser),
        storage=storage,
    )


# adapter state kept beside a storage's data (web sessions, replay jobs): on SQL a table
# every worker reads; on memory one store per storage, so Flask apps over the same data share
_BESIDE: weakref.WeakKeyDictionary[Storage, dict[object, Any]] = weakref.WeakKeyDictionary()
_BESIDE_LOCK = threading.Lock()


def beside(storage: Storage, sql: Callable[[Engine], T], memory: Callable[[], T]) -> T:
    """The store of one kind of adapter state beside ``storage``'s data: ``sql(engine)`` on
    a SQL storage, else the one ``memory()`` instance of this storage (made on first use)."""
    from adapters.sql import SqlStorage  # late, as in make_storage

    if isinstance(storage, SqlStorage):
        return sql(storage.engine)
    with _BESIDE_LOCK:
        stores = _BESIDE.setdefault(storage, {})
        store = stores.get(memory)
        if store is None:
            store = stores[memory] = memory()
        return cast(T, store)


def replay_job_store(storage: Storage) -> ReplayJobStore:
    """Where the HTTP replay keeps its jobs (issue 15), beside ``storage``'s data: the
    ``replay_jobs`` table that every worker reads, or this process's memory."""

    def sql(engine: Engine) -> ReplayJobStore:
        from adapters.sql.replay_jobs import SqlReplayJobs

        return SqlReplayJobs(engine)

    return beside(storage, sql, MemoryReplayJobs)


def _require_database(settings: Settings) -> None:
    """A SQLite file that does not exist yet is refused *before* connecting, which would
    create an empty file without a schema and leave it behind: say how to create it."""
    if settings.storage != "sql":
        return
    from adapters.sql.storage import sqlite_file

    path = sqlite_file(settings.database_url)
    if path is not None and not path.exists():
        raise NotFound(
            f"there is no database at {path}; create it with `csdomain init` (or "
            "`csdomain init --demo`), or in Python with bootstrap(create_schema=True)",
            field="database_url",
        )


def make_notifier(settings: Settings, storage: Storage) -> Notifier:
    """Log notifications; with SMTP settings also e-mail them to ``Staff.email``, with
    webhook settings also POST them to the webhook (WeCom/DingTalk robot or JSON) (CASE-5)."""

    def staff_of(staff_id: StaffId) -> Staff | None:
        with storage.unit_of_work() as uow:
            try:
                return uow.staff.get(staff_id)
            except NotFound:
                return None

    def address_of(staff_id: StaffId) -> str:
        staff = staff_of(staff_id)
        return staff.email if staff is not None else ""

    def name_of(staff_id: StaffId) -> str:
        staff = staff_of(staff_id)
        return staff.name if staff is not None else ""

    notifier: LoggingNotifier = (
        LoggingNotifier() if settings.smtp is None else SmtpNotifier(settings.smtp, address_of)
    )
    if settings.webhook is not None:
        then = notifier if settings.smtp is not None else None
        notifier = WebhookNotifier(settings.webhook, name_of, then=then)
    return notifier
