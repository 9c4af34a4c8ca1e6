"""The organisation: departments, staff with roles and permissions, API tokens."""
