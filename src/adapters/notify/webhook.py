"""Webhook notifier (CASE-5, CASE-12): where Chinese teams read alerts — a WeCom (企业微信) or
DingTalk (钉钉) group robot, or any HTTPS endpoint of your own.

Three message formats, chosen by ``CSDOMAIN_WEBHOOK_FORMAT``:

- ``json`` (default): ``{"subject", "body", "recipients": [{"id", "name"}], "sent_at"}``,
  signed when a secret is set: ``X-Csdomain-Timestamp: <unix seconds>`` and
  ``X-Csdomain-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">``, so the
  receiver can check origin and reject replays;
- ``wecom``: a group robot ``text`` message (the URL carries the robot's ``key``);
- ``dingtalk``: a group robot ``text`` message; with a secret (加签, ``SEC…``) the URL gets
  ``timestamp`` (ms) and ``sign`` = urlencode(base64(HMAC-SHA256(secret, "ts\\nsecret"))).

Like e-mail, a failing endpoint never undoes the business decision already committed: the
failure is logged, and the message is always logged first.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import attrs

from adapters.notify.notifiers import LoggingNotifier
from csdomain.kernel.ids import StaffId

if TYPE_CHECKING:  # urllib.request (http.client, ssl: ~25 ms) only when a message is sent
    import urllib.request

log = logging.getLogger("csdomain.notify")

FORMATS = ("json", "wecom", "dingtalk")
SIGNATURE_HEADER = "X-Csdomain-Signature"
TIMESTAMP_HEADER = "X-Csdomain-Timestamp"


@attrs.frozen
class WebhookSettings:
    url: str
    format: str = "json"
    secret: str = attrs.field(default="", repr=False)
    timeout: float = 5.0

    def __attrs_post_init__(self) -> None:
        if self.format not in FORMATS:
            raise ValueError(
                f"CSDOMAIN_WEBHOOK_FORMAT must be one of {', '.join(FORMATS)}, got {self.format!r}"
            )
        if urllib.parse.urlsplit(self.url).scheme not in ("http", "https"):
            raise ValueError(f"CSDOMAIN_WEBHOOK_URL must be an http(s) URL, got {self.url!r}")

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> WebhookSettings | None:
        """``CSDOMAIN_WEBHOOK_URL`` (required to enable), ``_FORMAT`` (json, wecom,
        dingtalk), ``_SECRET`` (HMAC key; DingTalk's ``SEC…`` signing secret), ``_TIMEOUT``
        (seconds, default 5)."""
        url = env.get("CSDOMAIN_WEBHOOK_URL", "").strip()
        if not url:
            return None
        try:
            timeout = float(env.get("CSDOMAIN_WEBHOOK_TIMEOUT", "5"))
        except ValueError:
            raise ValueError("CSDOMAIN_WEBHOOK_TIMEOUT must be a number of seconds") from None
        if not 0 < timeout <= 60:
            raise ValueError("CSDOMAIN_WEBHOOK_TIMEOUT must be between 0 and 60 seconds")
        return cls(
            url=url,
            format=env.get("CSDOMAIN_WEBHOOK_FORMAT", "json").strip().lower() or "json",
            secret=env.get("CSDOMAIN_WEBHOOK_SECRET", ""),
            timeout=timeout,
        )


def json_signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` over ``<timestamp>.<body>``: what a receiver recomputes to verify."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's 加签: base64(HMAC-SHA256(secret, "<timestamp>\\n<secret>")), URL-encoded."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


class WebhookNotifier(LoggingNotifier):
    """POSTs each message to one webhook; logs it first (and hands it to ``then``, e.g. the
    SMTP notifier, when both are configured)."""

    def __init__(
        self,
        settings: WebhookSettings,
        name_of: Callable[[StaffId], str],
        *,
        then: LoggingNotifier | None = None,
        now: Callable[[], float] = time.time,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.name_of = name_of
        self.then = then
        self.now = now

    def notify(self, recipients: Sequence[StaffId], subject: str, body: str) -> None:
        if self.then is not None:
            self.then.notify(recipients, subject, body)
            self.sent.append((list(recipients), subject, body))
        else:
            super().notify(recipients, subject, body)
        import urllib.request

        try:
            request = self.request(recipients, subject, body)
            with urllib.request.urlopen(request, timeout=self.settings.timeout) as response:
                answer = response.read(4096)
            self._check_robot_answer(answer)
        except (OSError, ValueError) as exc:  # URLError/HTTPError are OSErrors
            log.error("webhook %s failed: %s", self._where(), exc)

    def request(
        self, recipients: Sequence[StaffId], subject: str, body: str
    ) -> urllib.request.Request:
        """The HTTP request for one message (separate so tests can inspect it)."""
        import urllib.request

        names = [self.name_of(r) or r for r in recipients]
        s = self.settings
        url = s.url
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if s.format == "json":
            payload: dict[str, object] = {
                "subject": subject,
                "body": body,
                "recipients": [
                    {"id": r, "name": n} for r, n in zip(recipients, names, strict=True)
                ],
                "sent_at": datetime.fromtimestamp(self.now(), UTC).isoformat(),
            }
        else:
            text = f"{subject}\n{body}" + (f"\n→ {', '.join(names)}" if names else "")
            payload = {"msgtype": "text", "text": {"content": text}}
        data = json.dumps(payload, ensure_ascii=False).encode()
        if s.format == "json" and s.secret:
            timestamp = str(int(self.now()))
            headers[TIMESTAMP_HEADER] = timestamp
            headers[SIGNATURE_HEADER] = json_signature(s.secret, timestamp, data)
        if s.format == "dingtalk" and s.secret:
            timestamp_ms = int(self.now() * 1000)
            sep = "&" if urllib.parse.urlsplit(url).query else "?"
            url = f"{url}{sep}timestamp={timestamp_ms}&sign={dingtalk_sign(s.secret, timestamp_ms)}"
        return urllib.request.Request(url, data=data, headers=headers, method="POST")

    def _check_robot_answer(self, answer: bytes) -> None:
        """WeCom and DingTalk answer 200 with ``errcode`` != 0 on a refusal (bad key, bad
        sign, keyword missing): log it like any other failure."""
        if self.settings.format == "json":
            return
        try:
            reply = json.loads(answer or b"{}")
        except ValueError:
            return
        if isinstance(reply, dict) and reply.get("errcode", 0) != 0:
            log.error(
                "webhook %s refused the message: %s %s",
                self._where(),
                reply.get("errcode"),
                reply.get("errmsg", ""),
            )

    def _where(self) -> str:
        """The endpoint without its query (which holds the robot's key or token)."""
        parts = urllib.parse.urlsplit(self.settings.url)
        return f"{parts.scheme}://{parts.netloc}{parts.path}"
