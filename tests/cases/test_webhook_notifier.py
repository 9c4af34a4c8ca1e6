"""Webhook notifier (CASE-5, issue 11): JSON with an HMAC-SHA256 signature, WeCom and DingTalk
group-robot messages, chosen by settings; against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from adapters.bootstrap import bootstrap
from adapters.notify import SmtpNotifier, WebhookNotifier, WebhookSettings
from adapters.notify.webhook import json_signature
from adapters.policy_file import default_policy
from adapters.settings import Settings
from csd_support import at
from csdomain.cases.commands import ReceiveCase
from csdomain.kernel.clock import FixedClock
from csdomain.kernel.ids import StaffId

NOW = 1_790_000_000.25  # a fixed wall-clock second for signatures


class Receiver:
    """A one-endpoint HTTP server recording each POST (path+query, headers, body)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.answer = b'{"errcode": 0, "errmsg": "ok"}'
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                receiver.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                self.send_response(receiver.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(receiver.answer)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def _notifier(url: str, fmt: str, secret: str = "") -> WebhookNotifier:
    settings = WebhookSettings(url=url, format=fmt, secret=secret, timeout=5)
    names = {"stf_gm": "王总"}
    return WebhookNotifier(settings, lambda s: names.get(s, ""), now=lambda: NOW)


def test_json_webhook_is_signed_with_hmac_sha256(receiver: Receiver) -> None:
    n = _notifier(receiver.url + "/hook", "json", secret="s3cret")
    n.notify([StaffId("stf_gm")], "Major case 202609-0001", "smoke from the engine")
    [req] = receiver.requests
    body = json.loads(req["body"])
    assert body["subject"] == "Major case 202609-0001"
    assert body["recipients"] == [{"id": "stf_gm", "name": "王总"}]
    ts = req["headers"]["X-Csdomain-Timestamp"]
    assert ts == str(int(NOW))
    mac = hmac.new(b"s3cret", ts.encode() + b"." + req["body"], hashlib.sha256)
    expected = "sha256=" + mac.hexdigest()
    assert req["headers"]["X-Csdomain-Signature"] == expected
    assert json_signature("other", ts, req["body"]) != expected  # the key matters


def test_json_webhook_without_secret_is_unsigned(receiver: Receiver) -> None:
    _notifier(receiver.url, "json").notify([], "s", "b")
    assert "X-Csdomain-Signature" not in receiver.requests[0]["headers"]


def test_wecom_robot_gets_a_text_message(receiver: Receiver) -> None:
    _notifier(receiver.url + "/cgi-bin/webhook/send?key=K", "wecom").notify(
        [StaffId("stf_gm")], "维修超时", "工单 J-1 已超过上门时限"
    )
    [req] = receiver.requests
    assert req["path"] == "/cgi-bin/webhook/send?key=K"
    body = json.loads(req["body"])
    assert body["msgtype"] == "text"
    assert body["text"]["content"] == "维修超时\n工单 J-1 已超过上门时限\n→ 王总"


def test_dingtalk_robot_url_is_signed_with_timestamp_and_sign(receiver: Receiver) -> None:
    secret = "SECabc"
    _notifier(receiver.url + "/robot/send?access_token=T", "dingtalk", secret).notify(
        [], "重大投诉", "请立即处理"
    )
    [req] = receiver.requests
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(req["path"]).query)
    ts = int(NOW * 1000)
    assert query["access_token"] == ["T"] and query["timestamp"] == [str(ts)]
    digest = hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()
    assert query["sign"] == [base64.b64encode(digest).decode()]  # parse_qs undoes the urlencode
    content = "重大投诉\n请立即处理"
    assert json.loads(req["body"]) == {"msgtype": "text", "text": {"content": content}}


def test_a_failing_endpoint_is_logged_not_raised(
    receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    receiver.status = 500
    n = _notifier(receiver.url + "/x?key=SECRET", "wecom")
    n.notify([], "s", "b")
    assert n.sent and "webhook http://127.0.0.1" in caplog.text
    assert "SECRET" not in caplog.text  # the robot key stays out of the log
    receiver.status, receiver.answer = 200, b'{"errcode": 93000, "errmsg": "invalid webhook url"}'
    n.notify([], "s", "b")
    assert "93000" in caplog.text


def test_settings_choose_the_webhook_and_validate_it() -> None:
    settings = Settings.from_env(
        {
            "CSDOMAIN_WEBHOOK_URL": "https://oapi.dingtalk.com/robot/send?access_token=T",
            "CSDOMAIN_WEBHOOK_FORMAT": "DingTalk",
            "CSDOMAIN_WEBHOOK_SECRET": "SEC1",
        }
    )
    assert settings.webhook is not None and settings.webhook.format == "dingtalk"
    assert "SEC1" not in repr(settings)
    assert Settings.from_env({}).webhook is None
    with pytest.raises(ValueError, match="CSDOMAIN_WEBHOOK_FORMAT"):
        Settings.from_env({"CSDOMAIN_WEBHOOK_URL": "https://x", "CSDOMAIN_WEBHOOK_FORMAT": "fax"})
    with pytest.raises(ValueError, match="CSDOMAIN_WEBHOOK_URL"):
        Settings.from_env({"CSDOMAIN_WEBHOOK_URL": "ftp://x"})


def test_major_case_reaches_the_webhook_through_the_composition_root(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CASE-5 end to end: bootstrap wires the webhook (after SMTP when both are set)."""
    import smtplib

    monkeypatch.setattr(smtplib, "SMTP", lambda *a, **k: (_ for _ in ()).throw(OSError("down")))
    env = {
        "CSDOMAIN_STORAGE": "memory",
        "CSDOMAIN_WEBHOOK_URL": receiver.url + "/hook",
        "CSDOMAIN_SMTP_HOST": "mail.local",
    }
    app = bootstrap(
        Settings.from_env(env), clock=FixedClock(at("2026-09-18 10:00")), policy=default_policy()
    )
    notifier = app.services.cases.notifier
    assert isinstance(notifier, WebhookNotifier) and isinstance(notifier.then, SmtpNotifier)
    org = app.services.org
    admin, _ = org.bootstrap_admin("Admin")
    org.add_staff(admin.id, name="王总", role="gm")
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
    [req] = receiver.requests
    body = json.loads(req["body"])
    assert "Major case" in body["subject"] and "王总" in [r["name"] for r in body["recipients"]]
