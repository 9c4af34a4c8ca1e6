"""The csdomain pytest plugin (entry point ``pytest11``: ``csdomain``), issue 15.

A company's repository needs only ``pip install csdomain``: pytest loads this plugin and its
tests ask for the fixtures

- ``csd_policy`` — the policy under test (a ``Policy``),
- ``csd_lab`` — a ``Lab``: a memory-backed company under that policy, clock on the PRC
  calendar,
- ``csd_scenario`` — a ``Scenario`` over ``csd_lab`` named after the test (its docstring's
  first line, else its name).

Which policy file: the ``@pytest.mark.csd_policy("path")`` marker (relative to the test
file), else ``--csd-policy PATH``, else the ``csd_policy`` ini option (relative to the ini
file), else the built-in default policy. The clock starts at the ``csd_start`` ini option
(default ``2026-10-01 09:00``) or the ``@pytest.mark.csd_start("...")`` marker.

Nothing here is autouse and nothing of csdomain is imported until a fixture is used, so the
plugin leaves other test suites alone (``pytest -p no:csdomain`` switches it off).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from adapters.testing.lab import Lab
    from adapters.testing.scenario import Scenario
    from csdomain.policy.model import Policy

_LOADED: dict[str, Policy] = {}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("csdomain", "csdomain policy tests")
    group.addoption(
        "--csd-policy",
        dest="csd_policy",
        default=None,
        metavar="PATH",
        help="policy file the csd_policy / csd_lab fixtures load (adapters.testing.kit)",
    )
    parser.addini(
        "csd_policy", "policy file for the csd_lab fixture, relative to the ini file", default=""
    )
    parser.addini("csd_start", "where the csd_lab clock starts (company time zone)", default="")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "csd_policy(path): the policy file csd_lab loads (relative to the test file)"
    )
    config.addinivalue_line(
        "markers", "csd_start(moment): where the csd_lab clock starts, e.g. '2026-10-01 09:00'"
    )


def _policy_path(request: pytest.FixtureRequest) -> Path | None:
    marker = request.node.get_closest_marker("csd_policy")
    if marker is not None:
        return Path(request.node.path).parent / str(marker.args[0])
    option = request.config.getoption("csd_policy")
    if option:
        return Path(str(option)).resolve()
    ini = str(request.config.getini("csd_policy"))
    if ini:
        base = request.config.inipath.parent if request.config.inipath else Path.cwd()
        return base / ini
    return None


@pytest.fixture
def csd_policy(request: pytest.FixtureRequest) -> Policy:
    """The policy under test, loaded and validated once per file per session."""
    from adapters.testing.lab import as_policy
    from csdomain.kernel.errors import PolicyError

    path = _policy_path(request)
    key = str(path.resolve()) if path is not None else ""
    if key not in _LOADED:
        problem = ""
        try:
            _LOADED[key] = as_policy(path)
        except PolicyError as exc:  # every (path, why), as `csdomain policy validate` says
            problem = f"{exc}" + "".join(f"\n  {where}: {what}" for where, what in exc.problems)
        if problem:
            pytest.fail(problem, pytrace=False)
    return _LOADED[key]


@pytest.fixture
def csd_lab(request: pytest.FixtureRequest, csd_policy: Policy) -> Lab:
    """A fresh memory-backed company under ``csd_policy`` for each test."""
    from adapters.testing.lab import DEFAULT_START, Lab

    marker = request.node.get_closest_marker("csd_start")
    start = str(marker.args[0]) if marker is not None else str(request.config.getini("csd_start"))
    return Lab(csd_policy, start=start or DEFAULT_START)


@pytest.fixture
def csd_scenario(request: pytest.FixtureRequest, csd_lab: Lab) -> Scenario:
    """A ``Scenario`` over ``csd_lab``, named by the test's docstring or name."""
    from adapters.testing.scenario import Scenario

    doc = getattr(request.function, "__doc__", None) or ""
    name = doc.strip().splitlines()[0] if doc.strip() else request.node.name
    return Scenario(csd_lab, name)
