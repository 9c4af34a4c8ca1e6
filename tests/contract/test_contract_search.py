"""Customer search (issue 11) on memory, SQLite and PostgreSQL: name substring, pinyin and
pinyin initials, phone in any spelling, ID number; visibility as for listing (CUS-1)."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.bootstrap import App
from csdomain.customers.commands import RegisterCustomer, UpdateCustomer
from csdomain.kernel.errors import ValidationError


def _names(rows: Any) -> list[str]:
    return [c.name for c in rows]


@pytest.fixture
def people(app: App, org: Any) -> dict[str, Any]:
    svc = app.services.customers
    return {
        "zhang": svc.register(
            org.sales.id,
            RegisterCustomer(name="张三", phone="138 0013 8000", id_number="11010519491231002X"),
        ),
        "zhao": svc.register(org.sales.id, RegisterCustomer(name="李四", phone="13900139000")),
        "company": svc.register(
            org.sales2.id, RegisterCustomer(name="北京汽车有限公司", phone="01065550000")
        ),
    }


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("zs", ["张三"]),  # pinyin initials
        ("zhangsan", ["张三"]),  # full pinyin
        ("Zhang", ["张三"]),  # a pinyin prefix, any case
        ("三", ["张三"]),  # a substring of the name
        ("张", ["张三"]),
        ("汽车", ["北京汽车有限公司"]),  # substring in the middle
        ("bjqc", ["北京汽车有限公司"]),
        ("13800138000", ["张三"]),  # the phone as stored
        ("+86 138-0013-8000", ["张三"]),  # the phone as people type it
        ("139 0013", ["李四"]),  # a phone prefix
        ("11010519491231002x", ["张三"]),  # ID number, any case
        ("wangwu", []),
    ],
)
def test_search_finds_by_name_pinyin_phone_and_id_number(
    app: App, org: Any, people: dict[str, Any], query: str, found: list[str]
) -> None:
    assert _names(app.services.customers.search(org.supervisor.id, query)) == found


def test_staff_find_only_their_own_customers(app: App, org: Any, people: dict[str, Any]) -> None:
    """CUS-1 visibility: the same rule as ``list``."""
    svc = app.services.customers
    assert _names(svc.search(org.sales2.id, "zs")) == []
    assert _names(svc.search(org.sales2.id, "bj")) == ["北京汽车有限公司"]
    assert sorted(_names(svc.search(org.sales.id, "s"))) == ["张三", "李四"]  # san, si
    assert sorted(_names(svc.search(org.manager.id, "s"))) == ["北京汽车有限公司", "张三", "李四"]


def test_a_renamed_customer_is_found_by_its_new_name_only(
    app: App, org: Any, people: dict[str, Any]
) -> None:
    svc = app.services.customers
    zhang = people["zhang"]
    svc.update(org.sales.id, zhang.id, UpdateCustomer(expected_version=1, name="王五"))
    assert _names(svc.search(org.sales.id, "ww")) == ["王五"]
    assert _names(svc.search(org.sales.id, "zs")) == []
    # an unrelated change keeps the keys
    svc.update(org.sales.id, zhang.id, UpdateCustomer(expected_version=2, address="北京"))
    assert _names(svc.search(org.sales.id, "wangwu")) == ["王五"]


@pytest.mark.parametrize("query", ["", "   ", "x" * 65])
def test_queries_out_of_bounds_are_refused_naming_the_field(app: App, org: Any, query: str) -> None:
    with pytest.raises(ValidationError) as info:
        app.services.customers.search(org.sales.id, query)
    assert info.value.field == "q"


def test_limit_bounds_the_result(app: App, org: Any, people: dict[str, Any]) -> None:
    assert len(app.services.customers.search(org.manager.id, "s", limit=2)) == 2
