"""Notifier adapters (CASE-5): log, and e-mail over SMTP."""

from adapters.notify.notifiers import LoggingNotifier, SmtpNotifier, SmtpSettings

__all__ = ["LoggingNotifier", "SmtpNotifier", "SmtpSettings"]
