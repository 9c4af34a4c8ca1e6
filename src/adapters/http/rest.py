"""Small helpers that keep API views thin: parse → call the use case → serialize.

Parsing is strict so nothing reaches a use case half-understood: a body must be
``application/json`` (415), valid JSON (400) nested at most ``MAX_JSON_DEPTH`` levels (400)
and an object (400); no string in it (keys included) may hold NUL or a lone surrogate (422,
naming the path); the fields are structured by the shared cattrs converter (422, naming every
bad field), dates within the policy's ``[bounds]``. Query parameters are bounded the same way
(integers up to ``csdomain.kernel.bounds.MAX_INT``, strict dates and months). Serialization
goes through the same converter as the CLI (``adapters.serialization.to_json``).
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, TypeVar

from flask import Response, current_app, g, jsonify, request

from adapters.bootstrap import App
from adapters.http.openapi import IF_MATCH_PATTERN, query_names
from adapters.http.problems import http_problem
from adapters.serialization import structure, to_json
from csdomain.kernel.bounds import (
    ID_REGEX,
    MAX_INT,
    MAX_NAME,
    RULE,
    check_text,
    parse_date,
    parse_month,
    string_problem,
    text,
)
from csdomain.kernel.errors import ValidationError
from csdomain.org.model import Staff
from csdomain.services import Services

T = TypeVar("T")
E = TypeVar("E", bound=enum.Enum)
EXTENSION = "csdomain"
MAX_LIMIT = 500
DEFAULT_LIMIT = 50
_ID = re.compile(f"^{ID_REGEX}$")
_VERSION = re.compile(IF_MATCH_PATTERN)  # the document says the same
MAX_JSON_DEPTH = 16  # the deepest command is 3 levels; this leaves room, not a stack overflow


def app_state() -> App:
    """The composed application (see ``adapters.bootstrap``) this Flask app serves."""
    state: App = current_app.extensions[EXTENSION]
    return state


def services() -> Services:
    return app_state().services


def actor() -> Staff:
    """The authenticated staff member (set by ``adapters.http.auth``)."""
    staff: Staff = g.actor
    return staff


# ------------------------------------------------------------------ input
def json_object() -> dict[str, Any]:
    """The request body as a JSON object, or a 415/400 problem."""
    if not request.is_json:
        raise http_problem(
            415,
            "unsupported-media-type",
            "Unsupported Media Type",
            "send the body as application/json",
        )
    raw = request.get_data(cache=True)
    try:
        data = json.loads(raw)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        raise http_problem(
            400, "malformed-json", "Malformed JSON", f"the body is not valid JSON: {exc}"
        ) from None
    except RecursionError:
        data = None
        _too_deep()
    check_json(data)
    if not isinstance(data, dict):
        raise http_problem(
            400,
            "malformed-json",
            "Malformed JSON",
            f"the body must be a JSON object, not {_json_kind(data)}",
        )
    return data


def _too_deep() -> None:
    raise http_problem(
        400,
        "malformed-json",
        "Malformed JSON",
        f"the body is nested deeper than {MAX_JSON_DEPTH} levels",
    )


def check_json(data: Any) -> None:
    """Refuse JSON nested deeper than ``MAX_JSON_DEPTH`` (400) and strings — keys included —
    that no backend can store: NUL, lone surrogates (422 naming the path). Iterative, so a
    hostile body cannot exhaust the stack."""
    stack: list[tuple[Any, str, int]] = [(data, "", 1)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                _too_deep()
            pairs = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in pairs:
                if isinstance(key, str) and (bad := string_problem(key)):
                    raise ValidationError(f"a field name {bad}", field=path or "body", rule=RULE)
                sub = f"{path}.{key}" if path else str(key)
                stack.append((item, sub, depth + 1))
        elif isinstance(value, str) and (bad := string_problem(value)):
            raise ValidationError(bad, field=path or "body", rule=RULE)


def refuse_unknown_query() -> None:
    """``before_request`` of the API: a query parameter the operation does not document is
    refused (422 naming it), like an unknown body field — a typo must not silently widen a
    listing."""
    allowed = query_names(request.endpoint or "")
    if allowed is None:
        return
    unknown = sorted(set(request.args) - allowed)
    if unknown:
        shown = [name[:40] for name in unknown]
        raise ValidationError(
            "unknown query parameter(s): " + ", ".join(repr(n) for n in shown),
            field=shown[0],
            rule=RULE,
        )


def date_range() -> tuple[date, date]:
    """The policy's range for every date given as input (``[bounds]``)."""
    return app_state().policy.bounds.date_range


def _json_kind(value: Any) -> str:
    kinds: Sequence[tuple[type | tuple[type, ...], str]] = (
        (list, "an array"),
        (str, "a string"),
        (bool, "a boolean"),
        ((int, float), "a number"),
        (type(None), "null"),
    )
    return next((name for kind, name in kinds if isinstance(value, kind)), "something else")


def body(cls: type[T], data: dict[str, Any] | None = None) -> T:
    """The request body structured into ``cls`` (unknown, missing or mistyped fields → 422)."""
    return structure(json_object() if data is None else data, cls, date_range=date_range())


def optional_body(cls: type[T]) -> T:
    """Like :func:`body` for operations whose fields all have defaults: an empty request body
    (no bytes at all) means ``{}``; anything sent is parsed as strictly as ever."""
    if not request.get_data(cache=True):
        return structure({}, cls, date_range=date_range())
    return body(cls)


def if_match_version() -> int | None:
    """The version in ``If-Match`` (the ETag we sent: ``"3"``; ``W/"3"`` and ``3`` accepted)."""
    header = request.headers.get("If-Match")
    if header is None:
        return None
    match = _VERSION.match(header)
    if match is None:
        raise ValidationError(
            f"If-Match must carry one version as sent in the ETag, e.g. '\"3\"'; got {header!r}",
            field="If-Match",
        )
    return int(match.group(1))


def with_version(data: dict[str, Any], field: str = "expected_version") -> dict[str, Any]:
    """Merge ``If-Match`` into the body's ``expected_version`` (they must agree if both given)."""
    header = if_match_version()
    if header is None:
        return data
    given = data.get(field)
    if given is not None and given != header:
        raise ValidationError(
            f"If-Match says version {header} but {field} is {given!r}", field=field
        )
    return {**data, field: header}


def _arg(name: str) -> str | None:
    """A query parameter, refusing text no backend can store (NUL, lone surrogates)."""
    raw = request.args.get(name)
    if raw is not None:
        problems: list[tuple[str, str]] = []
        check_text(raw, name, text(max_length=MAX_NAME), problems)
        if problems:
            raise ValidationError(problems[0][1], field=name, rule=RULE)
    return raw


def query_int(name: str, default: int, *, minimum: int, maximum: int = MAX_INT) -> int:
    """A whole number in ``minimum``…``maximum`` (never beyond what every backend stores)."""
    raw = _arg(name)
    if raw is None:
        return default
    if not raw.lstrip("-").isdigit() or len(raw) > 20:
        raise ValidationError(f"must be a whole number, got {raw!r}", field=name, rule=RULE)
    value = int(raw)
    if not minimum <= value <= maximum:
        raise ValidationError(f"must be between {minimum} and {maximum}", field=name, rule=RULE)
    return value


def query_enum(name: str, cls: type[E]) -> E | None:
    raw = _arg(name)
    if raw is None:
        return None
    try:
        return cls(raw)
    except ValueError:
        allowed = ", ".join(str(m.value) for m in cls)
        raise ValidationError(f"must be one of: {allowed}; got {raw!r}", field=name) from None


def query_date(name: str) -> date | None:
    """``YYYY-MM-DD`` only, within the policy's ``[bounds]``."""
    raw = _arg(name)
    if raw is None:
        return None
    day = parse_date(raw, name, RULE)
    earliest, latest = date_range()
    if not earliest <= day <= latest:
        raise ValidationError(f"must be between {earliest} and {latest}", field=name, rule=RULE)
    return day


def check_month(value: str, name: str = "month") -> str:
    """``YYYY-MM`` only, a month within the policy's ``[bounds]``."""
    parse_month(value, name, RULE)
    earliest, latest = date_range()
    if not earliest.strftime("%Y-%m") <= value <= latest.strftime("%Y-%m"):
        raise ValidationError(
            f"must be between {earliest:%Y-%m} and {latest:%Y-%m}", field=name, rule=RULE
        )
    return value


def query_month(name: str = "month") -> str | None:
    raw = _arg(name)
    return check_month(raw, name) if raw is not None else None


def query_id(name: str) -> str | None:
    """An identifier filter: absent, or an id as the document's pattern says (X-8)."""
    raw = _arg(name)
    if raw is not None and not _ID.match(raw):
        raise ValidationError(
            f"must be an identifier like stf_…, got {raw!r}", field=name, rule=RULE
        )
    return raw


def query_str(name: str) -> str | None:
    return _arg(name) or None


def required_query_str(name: str) -> str:
    value = query_str(name)
    if value is None:
        raise ValidationError("this query parameter is required", field=name)
    return value


def query_bool(name: str, default: bool = False) -> bool:
    """``true``/``false`` (also ``1``/``0``, ``yes``/``no``); anything else is a 422."""
    raw = _arg(name)
    if raw is None:
        return default
    value = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}.get(
        raw.lower()
    )
    if value is None:
        raise ValidationError(f"must be true or false, got {raw!r}", field=name)
    return value


def page_params() -> tuple[int, int]:
    """Explicit pagination: ``limit`` (1…500, default 50) and ``offset`` (0…MAX_INT)."""
    return (
        query_int("limit", DEFAULT_LIMIT, minimum=1, maximum=MAX_LIMIT),
        query_int("offset", 0, minimum=0, maximum=MAX_INT - MAX_LIMIT),
    )


# ----------------------------------------------------------------- output
def respond(obj: Any, status: int = 200, *, location: str | None = None) -> Response:
    """``obj`` as JSON; a versioned object also gets its version as a strong ETag (and a GET
    with a matching ``If-None-Match`` gets 304)."""
    resp = jsonify(to_json(obj))
    resp.status_code = status
    version = getattr(obj, "version", None)
    if isinstance(version, int) and not isinstance(version, bool):
        resp.set_etag(str(version))
        if request.method in ("GET", "HEAD"):
            resp.make_conditional(request)
    if location is not None:
        resp.headers["Location"] = location
    return resp


def page(fetch: Callable[[int, int], Sequence[Any]]) -> Response:
    """One page of a collection. ``fetch(limit, offset)`` is asked for one item more than the
    page so ``next_offset`` is exact (null on the last page)."""
    limit, offset = page_params()
    rows = list(fetch(limit + 1, offset))
    items = rows[:limit]
    next_offset = offset + limit if len(rows) > limit else None
    return jsonify(
        {
            "items": to_json(items),
            "limit": limit,
            "offset": offset,
            "next_offset": next_offset,
        }
    )


def page_of(rows: Sequence[Any]) -> Response:
    """Paginate a collection a use case returns whole (per-customer lists, logs)."""
    return page(lambda limit, offset: rows[offset : offset + limit])
