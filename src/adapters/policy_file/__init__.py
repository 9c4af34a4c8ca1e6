"""Load, validate and print policy documents (TOML → attrs classes, with cattrs)."""

from adapters.policy_file.loader import (
    DEFAULT_POLICY_PATH,
    default_policy,
    dump_policy,
    load_policy,
    parse_policy,
)

__all__ = ["DEFAULT_POLICY_PATH", "default_policy", "dump_policy", "load_policy", "parse_policy"]
