"""Adapters: memory and SQL storage, HTTP (Flask), CLI (Click), the PRC calendar, policy files.

Each adapter calls the same use cases in ``csdomain``; ``adapters.bootstrap`` is the single
composition root that wires them from settings.
"""
