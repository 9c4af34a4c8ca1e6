"""Settings from the environment, read once by the composition root.

| variable | meaning | default |
| --- | --- | --- |
| CSDOMAIN_DATABASE_URL | SQLAlchemy URL (SQLite or PostgreSQL) | sqlite:///./csdomain.db |
| CSDOMAIN_STORAGE | ``sql`` or ``memory`` | sql |
| CSDOMAIN_POLICY_FILE | a policy TOML file | the built-in default policy |
| CSDOMAIN_ACTOR | the staff id the CLI acts as | (none) |
| CSDOMAIN_SMTP_HOST (+ _PORT, _SENDER, _USERNAME, _PASSWORD, _STARTTLS) | e-mail | log |
| CSDOMAIN_SECRET_KEY | web cookie signing key | generated once, kept in the database |
| CSDOMAIN_WEB_SESSION_HOURS | a web session's lifetime from sign-in (1–720) | 12 |
| CSDOMAIN_WEB_SESSION_IDLE_MINUTES | a web session ends after this long unused (5–43200) | 120 |
| CSDOMAIN_WEBHOOK_URL (+ _FORMAT json/wecom/dingtalk, _SECRET, _TIMEOUT) | webhook | off |
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Mapping

import attrs

from adapters.notify.notifiers import SmtpSettings
from adapters.notify.webhook import WebhookSettings

DEFAULT_DATABASE_URL = "sqlite:///./csdomain.db"
DEFAULT_WEB_SESSION_HOURS = 12
DEFAULT_WEB_SESSION_IDLE_MINUTES = 120


def _bounded_int(e: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    """An integer variable within [low, high]; a wrong value stops start-up naming it."""
    text = e.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, got {text!r}") from None
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value}")
    return value


HIDDEN = "***"


def _hide_url(url: str) -> str:
    """A URL without what may be a credential: the password of ``user:password@`` and the
    query and fragment (WeCom / DingTalk webhooks carry their access token in the query)."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return HIDDEN
    if parts.password is None and not parts.query and not parts.fragment:
        return url
    netloc = parts.netloc
    if parts.password is not None:
        user, _, host = netloc.rpartition("@")
        netloc = f"{user.partition(':')[0]}:{HIDDEN}@{host}"
    query = f"?{HIDDEN}" if parts.query else ""
    fragment = f"#{HIDDEN}" if parts.fragment else ""
    return f"{parts.scheme}://{netloc}{parts.path}{query}{fragment}"


def _repr_url(url: str) -> str:
    return repr(_hide_url(url))


def _repr_smtp(smtp: SmtpSettings | None) -> str:
    """The SMTP settings with the password hidden (logs and tracebacks show a repr)."""
    if smtp is None:
        return "None"
    return repr(attrs.evolve(smtp, password=HIDDEN) if smtp.password else smtp)


def _repr_webhook(webhook: WebhookSettings | None) -> str:
    """The webhook settings with the URL's token hidden (the signing secret is never shown)."""
    if webhook is None:
        return "None"
    return (
        f"WebhookSettings(url={_repr_url(webhook.url)}, format={webhook.format!r}, "
        f"timeout={webhook.timeout!r})"
    )


@attrs.frozen
class Settings:
    """What the composition root needs; its repr hides every secret (the cookie key, the
    SMTP password, passwords in URLs, webhook tokens), since settings end up in logs."""

    database_url: str = attrs.field(default=DEFAULT_DATABASE_URL, repr=_repr_url)
    storage: str = "sql"
    policy_file: str | None = None
    actor: str | None = None
    smtp: SmtpSettings | None = attrs.field(default=None, repr=_repr_smtp)
    # web sessions (adapters.http.sessions); the key is persisted in storage when not set
    secret_key: str | None = attrs.field(default=None, repr=False)
    web_session_hours: int = DEFAULT_WEB_SESSION_HOURS
    web_session_idle_minutes: int = DEFAULT_WEB_SESSION_IDLE_MINUTES
    webhook: WebhookSettings | None = attrs.field(default=None, repr=_repr_webhook)

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
            secret_key=e.get("CSDOMAIN_SECRET_KEY") or None,
            web_session_hours=_bounded_int(
                e, "CSDOMAIN_WEB_SESSION_HOURS", DEFAULT_WEB_SESSION_HOURS, 1, 720
            ),
            web_session_idle_minutes=_bounded_int(
                e, "CSDOMAIN_WEB_SESSION_IDLE_MINUTES", DEFAULT_WEB_SESSION_IDLE_MINUTES, 5, 43200
            ),
            webhook=WebhookSettings.from_env(e),
        )
