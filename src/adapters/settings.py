"""Settings from the environment, read once by the composition root.

| variable | meaning | default |
| --- | --- | --- |
| CSDOMAIN_DATABASE_URL | SQLAlchemy URL (SQLite or PostgreSQL) | sqlite:///./csdomain.db |
| CSDOMAIN_STORAGE | ``sql`` or ``memory`` | sql |
| CSDOMAIN_POLICY_FILE | a policy TOML file | the built-in default policy |
| CSDOMAIN_ACTOR | the staff id the CLI acts as | (none) |
| CSDOMAIN_SMTP_HOST (+ _PORT, _SENDER, _USERNAME, _PASSWORD, _STARTTLS) | e-mail | log |
| CSDOMAIN_WEBHOOK_URL (+ _FORMAT json/wecom/dingtalk, _SECRET, _TIMEOUT) | webhook | off |
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import attrs

from adapters.notify.notifiers import SmtpSettings
from adapters.notify.webhook import WebhookSettings

DEFAULT_DATABASE_URL = "sqlite:///./csdomain.db"


@attrs.frozen
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    storage: str = "sql"
    policy_file: str | None = None
    actor: str | None = None
    smtp: SmtpSettings | None = None
    webhook: WebhookSettings | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        e = os.environ if env is None else env
        storage = e.get("CSDOMAIN_STORAGE", "sql").strip().lower() or "sql"
        if storage not in ("sql", "memory"):
            raise ValueError(f"CSDOMAIN_STORAGE must be 'sql' or 'memory', got {storage!r}")
        return cls(
            database_url=e.get("CSDOMAIN_DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL,
            storage=storage,
            policy_file=e.get("CSDOMAIN_POLICY_FILE") or None,
            actor=e.get("CSDOMAIN_ACTOR") or None,
            smtp=SmtpSettings.from_env(e),
            webhook=WebhookSettings.from_env(e),
        )
