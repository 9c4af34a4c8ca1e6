"""CUS-1 identities over HTTP: normalized phones and checked resident ID numbers give a
problem naming the field and the rule, and a refused request stores nothing (issue 8)."""

from __future__ import annotations

from typing import Any

import pytest
from http_support import Api, problem

from adapters.bootstrap import App


def _count(app: App) -> int:
    with app.storage.unit_of_work() as uow:
        return len(uow.customers.list(limit=1000))


@pytest.mark.parametrize("typed", ["13900139000", "１３９００１３９０００", "0086 139 0013 9000"])
def test_cus1_one_phone_typed_differently_is_one_customer(
    api: Api, app: App, org: Any, typed: str
) -> None:
    owner = api.register("sales", phone="+86 139-0013-9000")
    assert owner["phone"] == "+8613900139000"
    resp = api.post("/api/v1/customers", "sales2", json={"name": "张三", "phone": typed})
    body = problem(resp, 409)
    assert (body["field"], body["rule"]) == ("phone", "CUS-1")
    assert owner["id"] in body["detail"] and "Li Lei" in body["detail"]
    assert _count(app) == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"phone": "+86 1"}, "phone"),
        ({"phone": "13900139000", "id_number": "110105194912310021"}, "id_number"),
        ({"phone": "13900139000", "id_number": "110105194902300021"}, "id_number"),
        ({"phone": "13900139000", "id_number": "12345"}, "id_number"),
    ],
)
def test_cus1_bad_identities_are_422_naming_field_and_rule(
    api: Api, app: App, org: Any, fields: dict[str, str], field: str
) -> None:
    resp = api.post("/api/v1/customers", "sales", json={"name": "张三", **fields})
    body = problem(resp, 422)
    assert (body["field"], body["rule"]) == (field, "CUS-1")
    assert _count(app) == 0
