"""Notifier adapters (CASE-5): a major case e-mails the department head and the GM."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from typing import Any, ClassVar

import pytest

from adapters.bootstrap import bootstrap
from adapters.notify import SmtpNotifier
from adapters.policy_file import default_policy
from adapters.settings import Settings
from csd_support import at
from csdomain.cases.commands import ReceiveCase
from csdomain.kernel.clock import FixedClock


class FakeSMTP:
    sent: ClassVar[list[EmailMessage]] = []

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.host = host

    def __enter__(self) -> FakeSMTP:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def send_message(self, message: EmailMessage) -> None:
        FakeSMTP.sent.append(message)


def test_settings_enable_smtp_from_environment() -> None:
    settings = Settings.from_env({"CSDOMAIN_SMTP_HOST": "mail.local", "CSDOMAIN_SMTP_PORT": "2525"})
    assert settings.smtp is not None and settings.smtp.port == 2525
    assert Settings.from_env({}).smtp is None


def test_case5_major_case_is_emailed_to_head_and_gm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    FakeSMTP.sent = []
    settings = Settings.from_env({"CSDOMAIN_STORAGE": "memory", "CSDOMAIN_SMTP_HOST": "mail.local"})
    app = bootstrap(settings, clock=FixedClock(at("2026-09-18 10:00")), policy=default_policy())
    assert isinstance(app.services.cases.notifier, SmtpNotifier)
    org = app.services.org
    admin, _ = org.bootstrap_admin("Admin")
    gm = org.add_staff(admin.id, name="GM", role="gm", email="gm@example.com")
    desk = org.add_staff(admin.id, name="Desk", role="staff")
    app.services.cases.receive(
        desk.id,
        ReceiveCase(
            type="complaint",
            category="product_safety",
            channel="phone",
            content="smoke",
            customer_name="Z",
            major_reasons=["product_safety"],
        ),
    )
    assert len(FakeSMTP.sent) == 1
    assert FakeSMTP.sent[0]["To"] == "gm@example.com"
    assert "Major case" in FakeSMTP.sent[0]["Subject"]
    assert gm.email == "gm@example.com"


def test_mail_failure_is_logged_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError("connection refused")

    monkeypatch.setattr(smtplib, "SMTP", broken)
    settings = Settings.from_env({"CSDOMAIN_SMTP_HOST": "mail.local"})
    assert settings.smtp is not None
    notifier = SmtpNotifier(settings.smtp, lambda _: "a@example.com")
    notifier.notify(["stf_1"], "s", "b")  # type: ignore[list-item]
    assert notifier.sent
