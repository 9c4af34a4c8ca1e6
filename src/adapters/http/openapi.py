"""The OpenAPI 3.1 document, built from the same declarations that register the routes.

Every API view is registered through :func:`operation`, which adds the Flask URL rule *and*
records what the document says about it (body class, response class, query parameters,
problem responses). Schemas are derived from the attrs classes the views structure and
serialize, so the document cannot drift from the code; ``tests/http/test_openapi.py`` checks
that every Flask rule under ``/api/v1`` is documented with the same methods and vice versa
(which catches a view added with a plain ``@bp.route``).
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

from csdomain.kernel.money import Money

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

    @property
    def path(self) -> str:
        """The OpenAPI path: ``/api/v1/customers/{customer_id}``."""
        return API_PREFIX + re.sub(r"<(?:[a-z_]+:)?([a-z_]+)>", r"{\1}", self.rule)

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"<(?:[a-z_]+:)?([a-z_]+)>", self.rule)


OPERATIONS: list[Operation] = []
PUBLIC_ENDPOINTS: set[str] = set()


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
) -> Callable[[F], F]:
    """Register ``rule`` on ``bp`` for ``method`` and record it for the OpenAPI document."""

    def decorate(view: F) -> F:
        bp.add_url_rule(rule, view_func=view, methods=[method])
        endpoint = f"api.{bp.name}.{view.__name__}"
        if not auth:
            PUBLIC_ENDPOINTS.add(endpoint)
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
            )
        )
        return view

    return decorate


# ------------------------------------------------------------------ schemas
_MONEY_OUT: Schema = {"type": "string", "pattern": r"^-?\d+\.\d{2}$", "description": "RMB 元 (X-2)"}
_MONEY_IN: Schema = {
    "oneOf": [{"type": "string", "pattern": r"^-?\d+(\.\d{1,2})?$"}, {"type": "integer"}],
    "description": "RMB 元, an exact decimal string or an integer; never a float (X-2)",
}
PAGE_PARAMS = (
    Param("limit", {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}, "page size"),
    Param("offset", {"type": "integer", "minimum": 0, "default": 0}, "items to skip"),
)


class SchemaBuilder:
    """attrs classes → JSON Schema (2020-12, as OpenAPI 3.1 uses) under components/schemas."""

    def __init__(self) -> None:
        self.components: dict[str, Schema] = {}

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
            props[field.name] = self.schema(hints[field.name], request=request)
            if not request or field.default is attrs.NOTHING:
                required.append(field.name)
        out: Schema = {"type": "object", "properties": props, "required": required}
        if request:
            out["additionalProperties"] = False
        doc = (cls.__doc__ or "").strip()
        if doc and not doc.startswith(f"{cls.__name__}("):
            out["description"] = doc.splitlines()[0]
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
                str: {"type": "string"},
                Decimal: {"type": "string"},
                datetime: {"type": "string", "format": "date-time"},
                date: {"type": "string", "format": "date"},
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
    403: "The staff member lacks the role or permission (X-3, X-5)",
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
    if op.path_params:
        codes.add(404)
    if op.query or op.if_match:
        codes.add(422)
    if op.if_match:
        codes |= {400, 409}
    return sorted(codes)


def build_document(title: str = "csdomain API", version: str = "1") -> Schema:
    """The whole OpenAPI 3.1 document for every declared operation."""
    builder = SchemaBuilder()
    paths: dict[str, dict[str, Schema]] = {}
    for op in OPERATIONS:
        item = paths.setdefault(op.path, {})
        params: list[Schema] = [
            {"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
            | (
                {"description": "the case's id (cas_…) or its number (202612-0001)"}
                if n == "case_id"
                else {}
            )
            for n in op.path_params
        ]
        params += [
            {
                "name": p.name,
                "in": "query",
                "required": p.required,
                "schema": p.schema,
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
                    "schema": {"type": "string"},
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
