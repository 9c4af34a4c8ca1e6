"""Per-invocation CLI state: settings, the lazily built App, the actor and the output mode.

The App is built on first use, not when the group runs, so ``--help`` and ``policy validate``
work without a database. Tests may inject a prebuilt App (``cli.main(obj=app)``); then it is
used as is and never closed here (whoever built it owns it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import attrs
import click

from adapters.settings import Settings
from csdomain.kernel.ids import StaffId

if TYPE_CHECKING:  # imported where used: ``csdomain --help`` must not load them (issue 10)
    from adapters.bootstrap import App, Storage
    from csdomain.policy.model import Policy


@runtime_checkable
class Upgradable(Protocol):
    """Storage with a schema (SQL); the memory store has none."""

    def upgrade(self) -> None: ...


def upgrade_schema(storage: Storage) -> bool:
    """Bring the schema to the latest revision; False when the storage has no schema."""
    if isinstance(storage, Upgradable):
        storage.upgrade()
        return True
    return False


def mask_url(url: str) -> str:
    """A database URL safe to print: the password replaced by ``***``."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=_json_default)


@attrs.define
class CliState:
    settings: Settings
    json: bool = False
    debug: bool = False
    injected: App | None = None
    _app: App | None = None

    # --------------------------------------------------------------- the App
    def app(self, *, create_schema: bool = False) -> App:
        """The App for this invocation, built once. ``create_schema`` upgrades the schema of a
        freshly built App (and of an injected or already built one)."""
        if self.injected is not None:
            if create_schema:
                upgrade_schema(self.injected.storage)
            return self.injected
        if self._app is None:
            from adapters.bootstrap import bootstrap

            self._app = bootstrap(self.settings, create_schema=create_schema)
        elif create_schema:
            upgrade_schema(self._app.storage)
        return self._app

    def storage(self) -> tuple[Storage, Callable[[], None]]:
        """Storage alone (no policy needed), with how to release it: for ``db upgrade``."""
        if self.injected is not None:
            return self.injected.storage, lambda: None
        if self._app is not None:
            return self._app.storage, lambda: None
        from adapters.bootstrap import make_storage

        storage = make_storage(self.settings)
        return storage, storage.close

    def policy(self) -> Policy:
        """The effective policy, without building the App (no database needed)."""
        if self.injected is not None:
            return self.injected.policy
        if self._app is not None:
            return self._app.policy
        from adapters.policy_file import default_policy, load_policy

        if self.settings.policy_file:
            return load_policy(self.settings.policy_file)
        return default_policy()

    def close(self) -> None:
        if self._app is not None:
            self._app.close()
            self._app = None

    # ------------------------------------------------------------- the actor
    def acting(self) -> tuple[App, StaffId]:
        """The App and the actor, the actor checked first: a missing ``--as`` is a usage
        error that must not need (or touch) the database."""
        actor = self.actor()
        app = self.app()
        if actor == SYSTEM_ALIAS:
            return app, app.services.org.system_account().id
        return app, actor

    def scheduler(self) -> tuple[App, StaffId]:
        """The App and the actor of a periodic action (sweep, recurrences, …): ``--as`` when
        given, else the system account ``csdomain init`` created — so cron needs no id."""
        if self.settings.actor:
            return self.acting()
        app = self.app()
        return app, app.services.org.system_account().id

    def actor(self) -> StaffId:
        """The acting staff member (``--as`` or CSDOMAIN_ACTOR); the core checks it exists."""
        if not self.settings.actor:
            raise click.UsageError(
                "this command acts as a staff member: pass --as STAFF_ID or set CSDOMAIN_ACTOR "
                "(`csdomain init` prints the first admin's id)"
            )
        return StaffId(self.settings.actor)

    # ---------------------------------------------------------------- output
    def emit(self, obj: Any, human: Callable[[], str], *, data: Any = None) -> None:
        """Print ``obj`` as JSON (``--json``) or the human text. ``data`` overrides the JSON."""
        if self.json:
            from adapters.serialization import to_json

            click.echo(dumps(to_json(obj) if data is None else data))
        else:
            text = human()
            if text:
                click.echo(text)


pass_state = click.make_pass_decorator(CliState)

# `--as system` acts as the scheduler's system account (X-3: only periodic actions)
SYSTEM_ALIAS = "system"


def set_json(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """Callback of the per-command ``--json`` flag: switch the whole invocation to JSON."""
    if value:
        state = ctx.find_object(CliState)
        if state is not None:
            state.json = True
