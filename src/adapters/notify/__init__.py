"""Notifier adapters (CASE-5): log, e-mail over SMTP, and webhooks (JSON, WeCom, DingTalk)."""

from adapters.notify.notifiers import LoggingNotifier, SmtpNotifier, SmtpSettings
from adapters.notify.webhook import WebhookNotifier, WebhookSettings

__all__ = ["LoggingNotifier", "SmtpNotifier", "SmtpSettings", "WebhookNotifier", "WebhookSettings"]
