"""The test kit for policy owners (issue 15): ``from adapters.testing.kit import Lab, Scenario``.

A test kit is a composition root, like ``adapters.bootstrap``: it wires the memory adapter,
the PRC calendar and the policy-file loader around the core, so it lives with the adapters
(the pure core imports none of them). The pytest fixtures (``csd_policy``, ``csd_lab``,
``csd_scenario``) come with the plugin registered through the ``pytest11`` entry point; see
docs/policy-lab.md.
"""

from adapters.testing.lab import DEFAULT_START, Lab, Moment, PolicySource, as_policy, total_of
from adapters.testing.scenario import Given, Scenario, ScenarioFailed, Then, When

__all__ = [
    "DEFAULT_START",
    "Given",
    "Lab",
    "Moment",
    "PolicySource",
    "Scenario",
    "ScenarioFailed",
    "Then",
    "When",
    "as_policy",
    "total_of",
]
