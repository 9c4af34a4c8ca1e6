"""Issue 7: every public service method is a declared action that the policy's permission
table covers, and a use case that forgets the guard cannot pass unnoticed."""

from __future__ import annotations

import inspect
import typing

import attrs
import pytest

from adapters.policy_file import default_policy
from csdomain.authz import use_case
from csdomain.authz.guard import missing_actions
from csdomain.services import Services


def _public_methods() -> list[tuple[str, object]]:
    out = []
    hints = typing.get_type_hints(Services)
    for field in attrs.fields(Services):
        cls = hints[field.name]
        if not inspect.isclass(cls) or cls.__module__ == "csdomain.context":
            continue
        for name, member in inspect.getmembers(cls):
            if name.startswith("_") or not inspect.isfunction(member):
                continue
            out.append((f"{cls.__name__}.{name}", member))
    return out


def test_services_expose_their_use_cases() -> None:
    assert len(_public_methods()) > 80


@pytest.mark.parametrize(("name", "method"), _public_methods(), ids=lambda v: str(v)[:60])
def test_every_public_service_method_declares_its_action(name: str, method: object) -> None:
    assert getattr(method, "__csd_action__", None), f"{name} has no @use_case(action)"


def test_the_default_policy_covers_every_declared_action_and_no_other() -> None:
    assert missing_actions(default_policy()) == []


def test_a_use_case_that_skips_the_guard_fails() -> None:
    class Careless:
        @use_case("cases.read")
        def peek(self) -> int:
            return 1

    with pytest.raises(AssertionError, match="did not pass the guard"):
        Careless().peek()
