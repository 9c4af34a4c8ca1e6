"""The test kit behind ``adapters.testing.kit`` (issue 15).

- ``adapters.testing.lab``: ``Lab``, a memory-backed company under a policy file with a
  clock you control (PRC calendar);
- ``adapters.testing.scenario``: the given/when/then ``Scenario`` builder;
- ``adapters.testing.plugin``: the pytest plugin (entry point ``pytest11``) exposing the
  fixtures ``csd_policy``, ``csd_lab`` and ``csd_scenario``.

This package module imports nothing, so loading the plugin imports no csdomain code until a
fixture is used. Import the kit from ``adapters.testing.kit``.
"""
