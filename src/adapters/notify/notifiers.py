"""Notifiers: tell people at once when a case becomes major, a repair is overdue, a contract
needs renewal (CASE-5, CASE-12).

``LoggingNotifier`` writes to the ``csdomain.notify`` logger (the default). ``SmtpNotifier``
sends one e-mail per message to the recipients' ``Staff.email`` and also logs; recipients
without an address are logged only. A failing mail server never undoes the business decision
that was already committed: the failure is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence

import attrs

from csdomain.kernel.ids import StaffId

log = logging.getLogger("csdomain.notify")


class LoggingNotifier:
    def __init__(self) -> None:
        self.sent: list[tuple[list[StaffId], str, str]] = []

    def notify(self, recipients: Sequence[StaffId], subject: str, body: str) -> None:
        self.sent.append((list(recipients), subject, body))
        log.warning("notify %s: %s — %s", ",".join(recipients), subject, body)


@attrs.frozen
class SmtpSettings:
    host: str
    port: int = 25
    sender: str = "csdomain@localhost"
    username: str = ""
    password: str = ""
    starttls: bool = False
    timeout: float = 10.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SmtpSettings | None:
        """``CSDOMAIN_SMTP_HOST`` (required to enable), ``_PORT``, ``_SENDER``, ``_USERNAME``,
        ``_PASSWORD``, ``_STARTTLS`` (1/true)."""
        host = env.get("CSDOMAIN_SMTP_HOST", "").strip()
        if not host:
            return None
        return cls(
            host=host,
            port=int(env.get("CSDOMAIN_SMTP_PORT", "25")),
            sender=env.get("CSDOMAIN_SMTP_SENDER", "csdomain@localhost"),
            username=env.get("CSDOMAIN_SMTP_USERNAME", ""),
            password=env.get("CSDOMAIN_SMTP_PASSWORD", ""),
            starttls=env.get("CSDOMAIN_SMTP_STARTTLS", "").lower() in ("1", "true", "yes"),
        )


class SmtpNotifier(LoggingNotifier):
    def __init__(self, settings: SmtpSettings, address_of: Callable[[StaffId], str]) -> None:
        super().__init__()
        self.settings = settings
        self.address_of = address_of

    def notify(self, recipients: Sequence[StaffId], subject: str, body: str) -> None:
        super().notify(recipients, subject, body)
        addresses = [a for a in (self.address_of(r) for r in recipients) if a]
        if not addresses:
            return
        import smtplib  # here, not at import: the CLI's start-up never sends mail (issue 10)
        from email.message import EmailMessage

        message = EmailMessage()
        message["From"] = self.settings.sender
        message["To"] = ", ".join(addresses)
        message["Subject"] = subject
        message.set_content(body)
        s = self.settings
        try:
            with smtplib.SMTP(s.host, s.port, timeout=s.timeout) as smtp:
                if s.starttls:
                    smtp.starttls()
                if s.username:
                    smtp.login(s.username, s.password)
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            log.error("e-mail to %s failed: %s", ", ".join(addresses), exc)
