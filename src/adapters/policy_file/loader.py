"""Policy documents: TOML structured into ``csdomain.policy`` classes with cattrs.

``parse_policy`` reports *every* problem at once, each as (path, why), e.g.
``("$.customers.grading.weights", "weights must add up to 100, they add up to 90")``, so a
policy owner can fix a file in one pass. Unknown keys are errors (a typo must not silently
fall back to a default).
"""

from __future__ import annotations

import functools
import tomllib
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import attrs
import cattrs
import tomli_w
from cattrs import transform_error
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
)
from cattrs.gen import make_dict_structure_fn

from csdomain.kernel.errors import PolicyError
from csdomain.policy.model import Policy

DEFAULT_POLICY_PATH = Path(__file__).with_name("default_policy.toml")
SUPPORTED_SCHEMA = 2


def _converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)

    def strict_int(value: Any, _: type) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"expected a whole number, got {value!r}")
        return value

    def strict_str(value: Any, _: type) -> str:
        if not isinstance(value, str):
            raise TypeError(f"expected a string, got {value!r}")
        return value

    def strict_bool(value: Any, _: type) -> bool:
        if not isinstance(value, bool):
            raise TypeError(f"expected true or false, got {value!r}")
        return value

    def strict_date(value: Any, _: type) -> date:
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str):
            return date.fromisoformat(value)
        raise TypeError(f"expected a date (YYYY-MM-DD), got {value!r}")

    conv.register_structure_hook(int, strict_int)
    conv.register_structure_hook(str, strict_str)
    conv.register_structure_hook(bool, strict_bool)
    conv.register_structure_hook(date, strict_date)
    conv.register_unstructure_hook(date, lambda d: d)
    conv.register_structure_hook_factory(_is_policy_class, lambda cls: _policy_hook(conv, cls))
    return conv


def _is_policy_class(cls: Any) -> bool:
    return attrs.has(cls) and getattr(cls, "__module__", "").startswith("csdomain.policy")


def _field_problems(conv: cattrs.Converter, cls: type, data: Any) -> list[Exception]:
    """Run each field validator of ``cls`` on its own, so one bad key cannot hide another
    (attrs stops at the first failing validator). Each problem is noted with its key."""
    if not isinstance(data, Mapping):
        return []
    hints = typing.get_type_hints(cls)
    found: list[Exception] = []
    for field in attrs.fields(cls):
        if field.validator is None or field.name not in data:
            continue
        try:
            value = conv.structure(data[field.name], hints[field.name])
        except Exception:  # a structuring problem: cattrs reports it with its own path
            continue
        try:
            field.validator(None, field, value)
        except (ValueError, TypeError) as exc:
            exc.add_note(
                AttributeValidationNote(
                    f"Structuring class {cls.__qualname__} @ attribute {field.name}",
                    field.name,
                    hints[field.name],
                )
            )
            found.append(exc)
        except Exception:  # needs the whole instance: the construction error reports it
            continue
    return found


def _policy_hook(conv: cattrs.Converter, cls: type) -> Callable[[Any, type], Any]:
    """cattrs' own hook, plus every failing field validator reported at its key's path."""
    base: Callable[[Any, type], Any] = make_dict_structure_fn(cls, conv)

    def hook(data: Any, _: type) -> Any:
        try:
            return base(data, cls)
        except (ClassValidationError, ValueError) as exc:
            found = _field_problems(conv, cls, data)
            if not found:
                raise
            # keep the key/type problems; drop the bare construction error the validators explain
            kept = [
                e
                for e in getattr(exc, "exceptions", ())
                if isinstance(e, ForbiddenExtraKeysError)
                or any(isinstance(n, AttributeValidationNote) for n in getattr(e, "__notes__", ()))
            ]
            raise ClassValidationError(
                f"While structuring {cls.__name__}", [*kept, *found], cls
            ) from None

    return hook


_CONVERTER = _converter()


def _describe(exc: BaseException, _type: Any) -> str:
    if isinstance(exc, KeyError):
        return "required key is missing"
    if isinstance(exc, ForbiddenExtraKeysError):
        return "unknown key(s): " + ", ".join(sorted(exc.extra_fields))
    return str(exc) or type(exc).__name__


def _problems(exc: Exception) -> list[tuple[str, str]]:
    if not isinstance(exc, ClassValidationError | IterableValidationError):
        return [("$", _describe(exc, None))]
    out = []
    for line in transform_error(exc, format_exception=_describe):
        why, _, path = line.rpartition(" @ ")
        out.append((path or "$", why or line))
    return out


_UPGRADE: dict[int, str] = {
    1: (
        "; schema 2 moved the minimum roles (acceptance_role, settlement_role, …) into the "
        "[permissions.actions] table: copy it from `csdomain policy show` and see "
        "docs/permissions.md"
    )
}


def parse_policy(document: dict[str, Any], source: str = "<policy>") -> Policy:
    schema = document.get("schema")
    if schema != SUPPORTED_SCHEMA:
        raise PolicyError(
            f"{source}: unsupported policy schema {schema!r}",
            [
                (
                    "$.schema",
                    f"must be {SUPPORTED_SCHEMA}, got {schema!r}"
                    + _UPGRADE.get(schema if isinstance(schema, int) else 0, ""),
                )
            ],
        )
    try:
        policy = _CONVERTER.structure(document, Policy)
    except Exception as exc:  # cattrs raises groups; attrs validators raise ValueError
        problems = _problems(exc)
        raise PolicyError(f"{source}: {len(problems)} problem(s) in the policy", problems) from exc
    import csdomain.services  # noqa: F401  (declares every use case's action)
    from csdomain.authz.guard import missing_actions

    problems = missing_actions(policy)
    if problems:
        raise PolicyError(
            f"{source}: the permission table does not match the use cases (docs/permissions.md)",
            problems,
        )
    return policy


def load_policy(path: str | Path) -> Policy:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(
            f"cannot read policy file {p}: {exc.strerror}", [("$", str(exc))]
        ) from exc
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{p}: not valid TOML", [("$", str(exc))]) from exc
    return parse_policy(document, str(p))


@functools.cache
def default_policy() -> Policy:
    """The built-in default policy (the numbers of the rule catalogue, docs/rules.md)."""
    return load_policy(DEFAULT_POLICY_PATH)


def policy_to_dict(policy: Policy) -> dict[str, Any]:
    data: dict[str, Any] = _CONVERTER.unstructure(policy)
    return data


def dump_policy(policy: Policy) -> str:
    """The effective policy as TOML (``csdomain policy show``)."""
    return tomli_w.dumps(policy_to_dict(policy))


__all__ = ["attrs"]
