"""The OpenAPI 3.1 document, built from the same declarations that register the routes.

Every API view is registered through :func:`operation`, which adds the Flask URL rule *and*
records what the document says about it (body class, response class, query parameters,
problem responses). Schemas are derived from the attrs classes the views structure and
serialize, so the document cannot drift from the code; ``tests/http/test_openapi.py`` checks
that every Flask rule under ``/api/v1`` is documented with the same methods and vice versa
(which catches a view added with a plain ``@bp.route``).

The document is as strict as the code (issue 8): request schemas carry the bounds of
``csdomain.kernel.bounds`` (``maxLength``, ``minimum``/``maximum``, ``maxItems``, money
patterns), the policy's catalogues as ``enum`` (so the document is built for one effective
policy), dates and months as patterns covering exactly the policy's ``[bounds]`` range, and
identifiers in paths as a pattern that the Flask ``id`` converter also enforces (so
``GET /cases/sweep`` is a 405, not a case called "sweep").
"""

from __future__ import annotations

import enum
import re
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar, Union

import attrs
from flask import Blueprint
from werkzeug.routing import BaseConverter

from csdomain.authz.guard import REDACTABLE
from csdomain.kernel import bounds as b
from csdomain.kernel.money import Money
from csdomain.policy.model import Policy

API_PREFIX = "/api/v1"
F = TypeVar("F", bound=Callable[..., Any])
Schema = dict[str, Any]


@attrs.frozen
class Param:
    """A query parameter of an operation."""

    name: str
    schema: Schema
    description: str = ""
    required: bool = False


@attrs.frozen
class Operation:
    """What the document says about one (path, method)."""

    rule: str  # Flask rule relative to API_PREFIX, e.g. "/customers/<customer_id>"
    method: str
    endpoint: str
    summary: str
    tag: str
    description: str = ""
    body: type | None = None
    response: type | None = None
    # "object": the response class itself; "list": an array of it;
    # "page": {items, limit, offset, next_offset}
    shape: str = "object"
    status: int = 200
    query: tuple[Param, ...] = ()
    auth: bool = True
    if_match: bool = False
    problems: tuple[int, ...] = ()
    # the body may be omitted (every field has a default)
    body_required: bool = True
    # a non-JSON success response (e.g. "text/csv"): documented as a string of that type
    media_type: str | None = None
    # the permission table's action the operation is (docs/permissions.md); every
    # authenticated operation has one, and the role test runs before the body is read
    action: str | None = None

    @property
    def path(self) -> str:
        """The OpenAPI path: ``/api/v1/customers/{customer_id}``."""
        return API_PREFIX + re.sub(r"<(?:[a-z_]+:)?([a-z_]+)>", r"{\1}", self.rule)

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"<(?:[a-z_]+:)?([a-z_]+)>", self.rule)


OPERATIONS: list[Operation] = []
PUBLIC_ENDPOINTS: set[str] = set()
# endpoint -> the permission table's action (checked by adapters.http.auth before the view)
ENDPOINT_ACTIONS: dict[str, str] = {}

ID_REGEX = b.ID_REGEX
# the version in If-Match, as the ETag carries it ("3", W/"3" or 3)
IF_MATCH_PATTERN = r'^ *(?:W/)? *"?([0-9]{1,9})"? *$'
_ID_PARAM = re.compile(r"<([a-z_]+_id)>")


class IdConverter(BaseConverter):
    """Path identifiers: only ``ID_REGEX`` routes, so fixed paths beside an id (``/cases/sweep``
    next to ``/cases/<case_id>``) are never taken as one, and NUL or overlong ids never reach
    the storage."""

    regex = ID_REGEX


# a case is named by its id or its number YYYYMM-NNNN (CASE-1)
CASE_REF_REGEX = rf"(?:{ID_REGEX}|[0-9]{{6}}-[0-9]{{4,9}})"


class CaseRefConverter(BaseConverter):
    """``<case_id>`` in a path: the case's id or its number (resolved after authentication)."""

    regex = CASE_REF_REGEX


def _route(rule: str) -> str:
    return _ID_PARAM.sub(
        lambda m: f"<case_ref:{m[1]}>" if m[1] == "case_id" else f"<id:{m[1]}>", rule
    )


def operation(
    bp: Blueprint,
    rule: str,
    method: str,
    *,
    summary: str,
    description: str = "",
    body: type | None = None,
    response: type | None = None,
    shape: str = "object",
    status: int = 200,
    query: Sequence[Param] = (),
    auth: bool = True,
    if_match: bool = False,
    problems: Sequence[int] = (),
    body_required: bool = True,
    media_type: str | None = None,
    action: str | None = None,
) -> Callable[[F], F]:
    """Register ``rule`` on ``bp`` for ``method`` and record it for the OpenAPI document."""

    def decorate(view: F) -> F:
        bp.add_url_rule(_route(rule), view_func=view, methods=[method])
        endpoint = f"api.{bp.name}.{view.__name__}"
        if not auth:
            PUBLIC_ENDPOINTS.add(endpoint)
        if action is not None:
            ENDPOINT_ACTIONS[endpoint] = action
        OPERATIONS.append(
            Operation(
                rule=rule,
                method=method.upper(),
                endpoint=endpoint,
                summary=summary,
                tag=bp.name,
                description=description or (view.__doc__ or "").strip(),
                body=body,
                response=response,
                shape=shape,
                status=status,
                query=tuple(query),
                auth=auth,
                if_match=if_match,
                problems=tuple(problems),
                body_required=body_required,
                media_type=media_type,
                action=action,
            )
        )
        return view

    return decorate


# ------------------------------------------------------------------ schemas
_MONEY_OUT: Schema = {"type": "string", "pattern": r"^-?\d+\.\d{2}$", "description": "RMB 元 (X-2)"}
_MAX_MONEY_INT = int(b.MAX_MONEY)
_MONEY_IN: Schema = {
    "oneOf": [
        {"type": "string", "pattern": b.MONEY_PATTERN, "maxLength": 16},
        {"type": "integer", "minimum": 0, "maximum": _MAX_MONEY_INT},
    ],
    "description": "RMB 元, an exact decimal string or an integer; never a float (X-2); "
    f"at most {b.MAX_MONEY} (X-8)",
}
# an amount that must be positive (``money(minimum=0.01)``): the same shapes, zero excluded
_MONEY_IN_POSITIVE: Schema = {
    "oneOf": [
        {
            "type": "string",
            "pattern": r"^(?!0+(?:\.0{1,2})?$)" + b.MONEY_PATTERN[1:],
            "maxLength": 16,
        },
        {"type": "integer", "minimum": 1, "maximum": _MAX_MONEY_INT},
    ],
    "description": "RMB 元 above zero, an exact decimal string or an integer; never a float "
    f"(X-2); at most {b.MAX_MONEY} (X-8)",
}
_NO_NUL = r"^[^\x00]*$"
_NOT_BLANK = r"^\s*[^\s\x00][^\x00]*$"
PAGE_PARAMS = (
    Param("limit", {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}, "page size"),
    Param(
        "offset",
        {"type": "integer", "minimum": 0, "maximum": b.MAX_INT - 500, "default": 0},
        "items to skip",
    ),
)


def query_names(endpoint: str) -> set[str] | None:
    """The query parameters documented for ``endpoint`` (None: not an API operation)."""
    names: set[str] | None = None
    for op in OPERATIONS:
        if op.endpoint == endpoint:
            names = (names or set()) | {p.name for p in op.query}
    return names


def id_schema() -> Schema:
    return {"type": "string", "pattern": f"^{ID_REGEX}$"}


def query_text(max_length: int = b.MAX_NAME) -> Schema:
    """A free query string, bounded like every text (X-8)."""
    return {"type": "string", "maxLength": max_length, "pattern": _NO_NUL}


def _years(first: int, last: int) -> str:
    return "(?:" + "|".join(str(y) for y in range(first, last + 1)) + ")"


def month_schema(policy: Policy | None) -> Schema:
    """``YYYY-MM`` within the policy's ``[bounds]`` (whole years, see BoundsPolicy)."""
    earliest, latest = _range(policy)
    return {
        "type": "string",
        "pattern": f"^{_years(earliest.year, latest.year)}-(?:0[1-9]|1[0-2])$",
        "description": f"a month YYYY-MM, {earliest:%Y-%m}…{latest:%Y-%m}",
    }


def date_schema(policy: Policy | None) -> Schema:
    """``YYYY-MM-DD`` (a day that exists) within the policy's ``[bounds]``, as one pattern:
    ``format: date`` alone would allow years 0001-9999 the code refuses."""
    earliest, latest = _range(policy)
    years = range(earliest.year, latest.year + 1)
    leap = [y for y in years if y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)]
    days = (
        "(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1\\d|2[0-8])"
        "|(?:0[13-9]|1[0-2])-(?:29|30)"
        "|(?:0[13578]|1[02])-31)"
    )
    alternatives = [f"{_years(earliest.year, latest.year)}-{days}"]
    if leap:
        alternatives.append("(?:" + "|".join(str(y) for y in leap) + ")-02-29")
    return {
        "type": "string",
        "pattern": "^(?:" + "|".join(alternatives) + ")$",
        "description": f"a date YYYY-MM-DD, {earliest}…{latest}",
    }


def _range(policy: Policy | None) -> tuple[date, date]:
    if policy is None:
        return (date(2000, 1, 1), date(2099, 12, 31))
    return policy.bounds.date_range


def _catalogues(policy: Policy) -> dict[str, list[str]]:
    """Policy catalogues named by ``catalogue``/``keys`` field metadata."""
    c, sj = policy.cases, policy.service_jobs
    files = policy.customers.files
    return {
        "case_types": list(c.types),
        "case_categories": list(c.categories),
        "case_channels": list(c.channels),
        "case_demands_or_none": ["", *c.demands],
        "case_urgencies": list(c.urgencies),
        "case_markets_or_default": ["", *c.markets],
        "form_steps": [step.name for step in c.complaint_form.steps],
        "major_reasons": list(c.major_reasons),
        "remedies": list(c.remedies),
        "causes": list(c.causes),
        "non_acceptance_grounds": list(c.non_acceptance_grounds),
        "clocks": [clock.name for clock in c.clocks],
        "zones": list(sj.zones),
        "work_types": list(sj.work_types),
        "survey_items": list(sj.survey_items),
        "survey_levels": list(sj.survey_levels),
        "settlement_kinds": list(policy.settlement.kinds),
        "violation_codes": [v.code for v in policy.penalties.catalogue],
        "grades": policy.customers.grading.grades(),
        "grading_criteria": list(policy.customers.grading.weights),
        "file_kinds": list(files),
        "contract_types": list(policy.credit.eligibility.contract_types),
        "visit_purposes": list(policy.visits.purposes),
        "visit_outcomes": list(policy.visits.outcomes),
        "satisfaction_levels": list(policy.surveys.levels),
        "file_items": sorted({code for kind in files.values() for code in kind.item_codes()}),
    }


def _limits(policy: Policy) -> dict[str, int]:
    """Policy numbers named by ``minimum_from``/``maximum_from`` field metadata."""
    pen = policy.penalties
    return {
        "grading_max_score": policy.customers.grading.max_score,
        "performance_cut_min_percent": pen.performance_cut_min_percent,
        "performance_cut_max_percent": pen.performance_cut_max_percent,
    }


class SchemaBuilder:
    """attrs classes → JSON Schema (2020-12, as OpenAPI 3.1 uses) under components/schemas.

    Request schemas also carry each field's bounds (``csdomain.kernel.bounds`` metadata) and,
    given the effective ``policy``, its catalogues as enums and dates as the policy's range."""

    def __init__(self, policy: Policy | None = None) -> None:
        self.components: dict[str, Schema] = {}
        self.policy = policy
        self.catalogues = _catalogues(policy) if policy is not None else {}
        self.limits = _limits(policy) if policy is not None else {}

    def ref(self, cls: type, *, request: bool) -> Schema:
        name = cls.__name__
        if name not in self.components:
            self.components[name] = {}  # placeholder: breaks recursion
            self.components[name] = self._object(cls, request=request)
        return {"$ref": f"#/components/schemas/{name}"}

    def _object(self, cls: type, *, request: bool) -> Schema:
        hints = typing.get_type_hints(cls)
        props: dict[str, Schema] = {}
        required: list[str] = []
        for field in attrs.fields(cls):
            schema = self.schema(hints[field.name], request=request)
            meta: dict[str, Any] = {}
            if request:
                meta = dict(field.metadata)
                if "max_length" not in meta and b.is_id_field(field.name):
                    meta.update(b.id_text())
                schema = self._bounded(schema, meta)
            hidden = not request and field.name in REDACTABLE.get(cls, frozenset())
            if hidden:
                schema = {
                    **schema,
                    "description": "left out when the reader may not see it (X-5)",
                }
            props[field.name] = schema
            # a text that must not be blank has no usable default: the client must send it
            if hidden:
                pass
            elif not request or field.default is attrs.NOTHING or meta.get("min_length"):
                required.append(field.name)
        out: Schema = {"type": "object", "properties": props, "required": required}
        if request:
            out["additionalProperties"] = False
            extra: Schema = getattr(cls, "__openapi__", {})
            out.update(extra)
        doc = (cls.__doc__ or "").strip()
        if doc and not doc.startswith(f"{cls.__name__}("):
            out["description"] = doc.splitlines()[0]
        return out

    def _bounded(self, schema: Schema, meta: Mapping[str, Any]) -> Schema:
        """``schema`` (of one request field) with the bounds of its metadata and the defaults
        of ``csdomain.kernel.bounds`` — exactly what the code checks."""
        if "anyOf" in schema and {"type": "null"} in schema["anyOf"]:
            inner = next(s for s in schema["anyOf"] if s != {"type": "null"})
            return {"anyOf": [self._bounded(inner, meta), {"type": "null"}]}
        kind = schema.get("type")
        out = dict(schema)
        if schema == _MONEY_IN and Decimal(meta.get("money_minimum", 0)) > 0:
            return dict(_MONEY_IN_POSITIVE)
        if "const" in meta:
            return {**out, "const": meta["const"]}
        if kind == "string" and meta.get("values") is not None:
            return {"type": "string", "enum": list(meta["values"])}
        if kind == "string" and "enum" not in out and "pattern" not in out:
            out["maxLength"] = int(meta.get("max_length", b.MAX_TEXT))
            minimum = int(meta.get("min_length", 0))
            catalogue = meta.get("catalogue")
            if catalogue is not None and catalogue in self.catalogues:
                return {"type": "string", "enum": self.catalogues[catalogue]}
            if meta.get("pattern") == b.MONTH_PATTERN:
                return month_schema(self.policy)
            if minimum:
                out["minLength"] = minimum
            if meta.get("pattern"):
                out["pattern"] = meta["pattern"]
            else:
                out["pattern"] = _NOT_BLANK if minimum else _NO_NUL
        elif kind == "integer":
            out["minimum"] = int(meta.get("minimum", 0))
            out["maximum"] = int(meta.get("maximum", b.MAX_INT))
            if meta.get("minimum_from") in self.limits:
                out["minimum"] = self.limits[meta["minimum_from"]]
            if meta.get("maximum_from") in self.limits:
                out["maximum"] = self.limits[meta["maximum_from"]]
        elif kind == "array":
            out["maxItems"] = int(meta.get("max_items", b.MAX_ITEMS))
            if meta.get("min_items"):
                out["minItems"] = int(meta["min_items"])
            out["items"] = self._bounded(out["items"], _inner(meta))
        elif kind == "object" and "additionalProperties" in out:
            value = self._bounded(out["additionalProperties"], _inner(meta))
            if "maximum_from" in meta and meta["maximum_from"] in self.limits:
                value["maximum"] = self.limits[meta["maximum_from"]]
            keys = meta.get("keys")
            if keys is not None and keys in self.catalogues:
                names = self.catalogues[keys]
                return {
                    "type": "object",
                    "properties": {k: value for k in names},
                    "required": names,
                    "additionalProperties": False,
                }
            out["additionalProperties"] = value
            out["maxProperties"] = int(meta.get("max_items", b.MAX_ITEMS))
            if meta.get("min_items"):
                out["minProperties"] = int(meta["min_items"])
            out["propertyNames"] = {"maxLength": b.MAX_CODE, "pattern": _NO_NUL}
        return out

    def schema(self, tp: Any, *, request: bool) -> Schema:
        supertype = getattr(tp, "__supertype__", None)
        if supertype is not None:  # NewType ids
            return self.schema(supertype, request=request)
        origin = typing.get_origin(tp)
        args = typing.get_args(tp)
        if origin in (Union, types.UnionType):
            options = [self.schema(a, request=request) for a in args if a is not type(None)]
            base = options[0] if len(options) == 1 else {"anyOf": options}
            return {"anyOf": [base, {"type": "null"}]} if type(None) in args else base
        if origin in (list, Sequence, tuple):
            return {"type": "array", "items": self.schema(args[0], request=request)}
        if origin in (dict, Mapping):
            return {"type": "object", "additionalProperties": self.schema(args[1], request=request)}
        if tp is Any or tp is object:
            return {}
        if isinstance(tp, type):
            if issubclass(tp, enum.Enum):
                return {"type": "string", "enum": [str(m.value) for m in tp]}
            if tp is Money:
                return dict(_MONEY_IN if request else _MONEY_OUT)
            if attrs.has(tp):
                return self.ref(tp, request=request)
            simple: dict[type, Schema] = {
                bool: {"type": "boolean"},
                int: {"type": "integer"},
                float: {"type": "number"},  # rates and percentages (never money: X-2)
                str: {"type": "string"},
                Decimal: {"type": "string"},
                datetime: {"type": "string", "format": "date-time"},
                date: date_schema(self.policy) if request else {"type": "string", "format": "date"},
            }
            for kind, sch in simple.items():  # bool before int: bool is an int subclass
                if issubclass(tp, kind):
                    return dict(sch)
        raise TypeError(f"no JSON Schema for {tp!r}")


_PROBLEM_SCHEMA: Schema = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri-reference"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "field": {"type": "string", "description": "the input path at fault"},
        "rule": {"type": "string", "description": "the domain rule ID, e.g. CUS-1"},
        "action": {
            "type": "string",
            "description": "on a 403: the permission table's action refused (docs/permissions.md)",
        },
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "detail"],
                "properties": {"field": {"type": "string"}, "detail": {"type": "string"}},
            },
        },
    },
}

_PROBLEM_TEXT = {
    400: "Malformed request (invalid JSON, a body that is not an object, a bad header)",
    401: "Missing or invalid bearer token",
    403: "The permission table refuses the action: role, scope, separation of duties or a "
    "confidential-read permission (X-3, X-4, X-5); `action` names it",
    404: "No such record",
    409: "Conflicts with the stored state: owned by someone else (CUS-1), a stale version, "
    "or not allowed in the record's state",
    415: "The body must be application/json",
    422: "A field is missing, unknown or invalid; `errors` lists each",
    500: "Unexpected server error (no details are disclosed)",
}


def _problem_codes(op: Operation) -> list[int]:
    codes = set(op.problems) | {500}
    if op.auth:
        codes |= {401, 403}
    if op.body is not None:
        codes |= {400, 415, 422}
        if any(b.is_id_field(f.name) for f in attrs.fields(op.body)):
            codes.add(404)  # a record the body names does not exist
    if op.path_params:
        codes |= {404, 422}
    if op.query or op.if_match:
        codes.add(422)
    if any(b.is_id_field(p.name) for p in op.query):
        codes.add(404)  # a record the query names does not exist
    if op.if_match:
        codes |= {400, 409}
    return sorted(codes)


def _path_param(name: str, policy: Policy | None) -> Schema:
    if name == "month":
        return month_schema(policy)
    if name == "case_id":
        return {
            "type": "string",
            "pattern": f"^{CASE_REF_REGEX}$",
            "description": "the case's id (cas_…) or its number (202612-0001)",
        }
    if name.endswith("_id"):
        return id_schema()
    if name == "number":  # a policy version (issue 15)
        return {"type": "string", "pattern": r"^[1-9][0-9]{0,8}$", "description": "a number"}
    return query_text(b.MAX_ID)


def build_document(
    title: str = "csdomain API", version: str = "1", *, policy: Policy | None = None
) -> Schema:
    """The whole OpenAPI 3.1 document for every declared operation; with ``policy`` its
    catalogues and date range are part of the request schemas."""
    builder = SchemaBuilder(policy)
    paths: dict[str, dict[str, Schema]] = {}
    for op in OPERATIONS:
        item = paths.setdefault(op.path, {})
        params: list[Schema] = [
            {"name": n, "in": "path", "required": True, "schema": _path_param(n, policy)}
            for n in op.path_params
        ]
        params += [
            {
                "name": p.name,
                "in": "query",
                "required": p.required,
                "schema": _query_schema(p.schema, policy),
                **({"description": p.description} if p.description else {}),
            }
            for p in op.query
        ]
        if op.if_match:
            params.append(
                {
                    "name": "If-Match",
                    "in": "header",
                    "required": False,
                    "schema": {"type": "string", "pattern": IF_MATCH_PATTERN},
                    "description": "the version you read (the ETag), instead of expected_version",
                }
            )
        doc: Schema = {
            "operationId": op.endpoint.removeprefix("api.").replace(".", "_"),
            "summary": op.summary,
            "tags": [op.tag],
            "responses": {},
        }
        if op.description:
            doc["description"] = op.description
        if op.action is not None:
            doc["x-csdomain-action"] = op.action
            doc["description"] = (
                doc.get("description", "") + f"\n\nAction `{op.action}` (docs/permissions.md)."
            ).strip()
        if params:
            doc["parameters"] = params
        if not op.auth:
            doc["security"] = []
        if op.body is not None:
            doc["requestBody"] = {
                "required": op.body_required,
                "content": {"application/json": {"schema": builder.ref(op.body, request=True)}},
            }
        doc["responses"][str(op.status)] = _success(builder, op)
        for code in _problem_codes(op):
            doc["responses"][str(code)] = {"$ref": f"#/components/responses/Problem{code}"}
        item[op.method.lower()] = doc
    builder.components["Problem"] = _PROBLEM_SCHEMA
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {
            "title": title,
            "version": version,
            "description": "Customer-service management policies (制度) as an HTTP API. "
            "Errors are application/problem+json (RFC 9457).",
        },
        "paths": paths,
        "components": {
            "schemas": builder.components,
            "responses": {
                f"Problem{code}": {
                    "description": text,
                    "content": {
                        "application/problem+json": {
                            "schema": {"$ref": "#/components/schemas/Problem"}
                        }
                    },
                }
                for code, text in _PROBLEM_TEXT.items()
            },
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "an API token issued by POST /api/v1/staff/{id}/tokens",
                }
            },
        },
        "security": [{"bearerAuth": []}],
    }


def _query_schema(schema: Schema, policy: Policy | None) -> Schema:
    """Placeholders in query parameter schemas resolved for the policy (``DATE``/``MONTH``)."""
    if schema is DATE_PARAM:
        return date_schema(policy)
    if schema is MONTH_PARAM:
        return month_schema(policy)
    return schema


# query parameter schemas that depend on the policy's date range
DATE_PARAM: Schema = {"type": "string", "format": "date"}
MONTH_PARAM: Schema = {"type": "string", "pattern": r"^\d{4}-\d{2}$"}


def _inner(meta: Mapping[str, Any]) -> dict[str, Any]:
    """The bounds that apply to each item of a list or mapping field."""
    return {k: v for k, v in meta.items() if k not in ("max_items", "min_items", "keys")}


def _success(builder: SchemaBuilder, op: Operation) -> Schema:
    if op.media_type is not None:
        binary = not op.media_type.startswith("text/")
        content: Schema = {"type": "string", **({"format": "binary"} if binary else {})}
        return {"description": op.summary, "content": {op.media_type: {"schema": content}}}
    if op.response is None:
        return {
            "description": "OK",
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    item = builder.ref(op.response, request=False)
    if op.shape == "page":
        schema: Schema = {
            "type": "object",
            "required": ["items", "limit", "offset", "next_offset"],
            "properties": {
                "items": {"type": "array", "items": item},
                "limit": {"type": "integer"},
                "offset": {"type": "integer"},
                "next_offset": {
                    "anyOf": [{"type": "integer"}, {"type": "null"}],
                    "description": "offset of the next page; null on the last page",
                },
            },
        }
    elif op.shape == "list":
        schema = {"type": "array", "items": item}
    else:
        schema = item
    out: Schema = {"description": op.summary, "content": {"application/json": {"schema": schema}}}
    if op.shape == "object" and "version" in {f.name for f in attrs.fields(op.response)}:
        out["headers"] = {
            "ETag": {"schema": {"type": "string"}, "description": "the version, for If-Match"}
        }
    return out
