"""Roles and authority levels (rule X-3 权限核决).

The ranking of roles is policy data (``authority.levels``); this module only names the roles
the HTTP and CLI adapters know, and compares them through the policy's ranking.
"""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    STAFF = "staff"
    SUPERVISOR = "supervisor"
    MANAGER = "manager"
    DEPUTY_GM = "deputy_gm"
    GM = "gm"
    ADMIN = "admin"
    # the scheduler account `csdomain init` creates: runs the periodic actions (sweep,
    # recurrences, …) and nothing else the permission table does not give it
    SYSTEM = "system"


class Permission(enum.StrEnum):
    """Permissions granted individually (X-5: confidential reads need a GM's grant)."""

    READ_TOP_SECRET = "read_top_secret"
    READ_SECRET = "read_secret"
