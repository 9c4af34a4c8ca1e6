"""The OpenAPI document matches the real endpoints (paths, methods) and is well-formed."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def _flask_operations(app: Flask) -> set[tuple[str, str]]:
    ops = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in rule.methods or ():
            if method not in IGNORED_METHODS:
                ops.add((path, method))
    return ops


def _document(client: FlaskClient) -> dict[str, Any]:
    resp = client.get("/api/v1/openapi.json")  # public: no token
    assert resp.status_code == 200
    doc: dict[str, Any] = resp.get_json()
    return doc


def test_every_rule_is_documented_and_every_documented_operation_exists(
    flask_app: Flask, client: FlaskClient
) -> None:
    doc = _document(client)
    documented = {(path, method.upper()) for path, item in doc["paths"].items() for method in item}
    assert _flask_operations(flask_app) == documented


def test_document_shape(client: FlaskClient) -> None:
    doc = _document(client)
    assert doc["openapi"].startswith("3.1")
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert doc["security"] == [{"bearerAuth": []}]
    schemas = doc["components"]["schemas"]
    for path, item in doc["paths"].items():
        for method, op in item.items():
            names = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert names == set(re.findall(r"{([^}]+)}", path)), (path, method)
            assert "500" in op["responses"]
            if op.get("security") != []:
                assert {"401", "403"} <= op["responses"].keys(), (path, method)
            if "requestBody" in op:
                assert {"400", "422"} <= op["responses"].keys(), (path, method)
                ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
                assert ref.split("/")[-1] in schemas
    for name in doc["components"]["responses"]:
        content = doc["components"]["responses"][name]["content"]
        assert "application/problem+json" in content
    # every $ref resolves
    text = str(doc)
    for ref in re.findall(r"#/components/(schemas|responses)/(\w+)", text):
        assert ref[1] in doc["components"][ref[0]], ref


def test_request_schemas_follow_the_commands(client: FlaskClient) -> None:
    schemas = _document(client)["components"]["schemas"]
    register = schemas["RegisterCustomer"]
    assert set(register["required"]) == {"name", "phone"}
    assert register["additionalProperties"] is False
    assert register["properties"]["kind"]["enum"] == ["end_consumer", "agent", "franchisee"]
    assert "version" in schemas["Customer"]["required"]
