"""The command-line adapter (Click): ``csdomain``, entry point ``adapters.cli.main:cli``.

Commands call the same use cases as the HTTP API through ``adapters.bootstrap``; exit codes
are mapped once from the domain errors in ``adapters.cli.errors``.
"""
