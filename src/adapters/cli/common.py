"""Option parsing shared by the case, service-job and penalty commands.

Only what the shell cannot express is parsed here (``KEY=VALUE`` pairs, money strings); a bad
value is a ValidationError naming the field, so it exits 3 like the same mistake through the
HTTP API. Everything else is checked by the core.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

import click

from adapters.cli.state import CliState
from csdomain.cases.numbers import is_case_number
from csdomain.kernel.bounds import RULE, parse_date
from csdomain.kernel.errors import ValidationError
from csdomain.kernel.ids import StaffId
from csdomain.kernel.money import Money


class StrictDate(click.ParamType[datetime]):
    """``YYYY-MM-DD`` only (``20261201``, ``2026-W49-3`` and ``2026-1-1`` are refused, exit 3
    naming the option, as over HTTP); a datetime at midnight, like ``click.DateTime``."""

    name = "YYYY-MM-DD"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        if isinstance(value, datetime):
            return value
        field = (param.name if param is not None else None) or "date"
        return datetime.combine(parse_date(str(value), field, RULE), time())


DATE = StrictDate()


def day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


def given(**options: Any) -> dict[str, Any]:
    """The options the user actually gave: unset options and empty repeated options stay out
    of the command (so the command's defaults apply); repeated options become lists."""
    out: dict[str, Any] = {}
    for key, value in options.items():
        if value is None or value == ():
            continue
        out[key] = list(value) if isinstance(value, tuple) else value
    return out


def money(value: str, field: str) -> Money:
    """``500.00`` → Money; anything else exits 3 naming ``field`` (X-2)."""
    try:
        return Money(value)
    except ValidationError as exc:
        raise ValidationError(exc.message, field=field, rule=exc.rule) from None


def optional_money(value: str | None, field: str) -> Money | None:
    return None if value is None else money(value, field)


def pairs(values: Sequence[str], field: str, rule: str, what: str) -> list[tuple[str, str]]:
    """``KEY=VALUE`` options → (key, value) pairs; a malformed or repeated key exits 3."""
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for pair in values:
        key, sep, value = pair.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key or not value:
            raise ValidationError(f"expected {what}, got {pair!r}", field=field, rule=rule)
        if key in seen:
            raise ValidationError(f"{key} given twice", field=f"{field}.{key}", rule=rule)
        seen.add(key)
        out.append((key, value))
    return out


def whole(value: str, field: str, rule: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValidationError(
            f"must be a whole number, got {value!r}", field=field, rule=rule
        ) from None


def optional_actor(st: CliState) -> StaffId | None:
    """Scheduler commands (sweep, accrue…) run as the system unless ``--as`` is given."""
    return StaffId(st.settings.actor) if st.settings.actor else None


class CaseRef(click.ParamType[str]):
    """A case named by its id (``cas_…``) or its number (``202612-0001``): a number is
    turned into the id through the use case, as the acting staff member, so every command
    that takes a case takes what people read off the screen."""

    name = "case"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        ref = str(value).strip()
        if not is_case_number(ref) or ctx is None:
            return ref
        state = ctx.find_object(CliState)
        if state is None:  # pragma: no cover - the root group always sets it
            return ref
        app, actor = state.acting()
        return app.services.cases.resolve(actor, ref)


CASE_REF = CaseRef()
