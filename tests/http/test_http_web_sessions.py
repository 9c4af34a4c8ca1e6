"""Web sessions (issue 7, item 7; X-3) on memory, SQLite and PostgreSQL: the cookie carries a
server-side session id, never the API token; sign-out, expiry, idleness and deactivation end
it; a forged cookie is nobody; the signing key is made once and shared by every worker."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from adapters.bootstrap import App, Storage, bootstrap
from adapters.http import create_app
from adapters.http.sessions import SECRET_NAME, hash_session_id, store_for
from adapters.policy_file import default_policy
from adapters.settings import Settings
from backend_fixtures import backend_app
from csdomain.kernel.clock import FixedClock
from csdomain.org.model import hash_token

COOKIE = "session"


@pytest.fixture
def app(storage: Storage, clock: FixedClock) -> App:
    """Overrides the root ``app``: the application over the parametrized backend."""
    return backend_app(storage, clock)


def _csrf(client: FlaskClient, path: str = "/sign-in") -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match, page
    return match.group(1)


def _sign_in(client: FlaskClient, token: str) -> None:
    resp = client.post("/sign-in", data={"token": token, "csrf": _csrf(client)})
    assert resp.status_code == 302 and resp.headers["Location"] == "/customers"


def _cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    return cookie.value


def _contents(flask_app: Flask, value: str) -> dict[str, Any]:
    serializer = flask_app.session_interface.get_signing_serializer(flask_app)  # type: ignore[attr-defined]
    data: dict[str, Any] = serializer.loads(value)
    return data


def _with_cookie(flask_app: Flask, value: str) -> FlaskClient:
    """A different browser that was handed ``value`` (e.g. a copied cookie)."""
    other = flask_app.test_client()
    other.set_cookie(COOKIE, value)
    return other


def _signed_in(client: FlaskClient) -> bool:
    resp = client.get("/customers")
    if resp.status_code == 302:
        assert resp.headers["Location"].startswith("/sign-in")
        return False
    assert resp.status_code == 200
    return True


def test_sign_in_starts_a_server_side_session_and_the_cookie_holds_no_token(
    app: App, flask_app: Flask, client: FlaskClient, tokens: dict[str, str], org: Any
) -> None:
    _sign_in(client, tokens["sales"])
    value = _cookie(client)
    assert tokens["sales"] not in value
    contents = _contents(flask_app, value)
    assert set(contents) <= {"sid", "csrf"} and tokens["sales"] not in contents.values()
    sid = contents["sid"]
    store = store_for(app.storage)
    assert store.find(sid) is None  # only the hash is stored
    row = store.find(hash_session_id(sid))
    assert row is not None
    now = app.services.ctx.now()
    assert row.staff_id == org.sales.id and row.token_hash == hash_token(tokens["sales"])
    assert row.created_at == row.last_seen_at == now and row.ended_at is None
    assert row.expires_at == now + timedelta(hours=app.settings.web_session_hours)
    assert _signed_in(client)


def test_sign_in_replaces_the_cookie_it_was_given(
    flask_app: Flask, client: FlaskClient, tokens: dict[str, str]
) -> None:
    """No session fixation: signing in never keeps an id the browser already had."""
    _sign_in(client, tokens["sales"])
    first = _contents(flask_app, _cookie(client))["sid"]
    _sign_in(client, tokens["sales2"])
    assert _contents(flask_app, _cookie(client))["sid"] != first


def test_sign_out_ends_the_session_server_side(
    app: App, flask_app: Flask, client: FlaskClient, tokens: dict[str, str]
) -> None:
    _sign_in(client, tokens["sales"])
    copied = _cookie(client)
    sid = _contents(flask_app, copied)["sid"]
    resp = client.post("/sign-out", data={"csrf": _csrf(client, "/customers")})
    assert resp.status_code == 302 and resp.headers["Location"] == "/sign-in"
    assert not _signed_in(client)
    assert not _signed_in(_with_cookie(flask_app, copied))  # the old cookie no longer works
    row = store_for(app.storage).find(hash_session_id(sid))
    assert row is not None and row.ended_at == app.services.ctx.now()


def test_a_session_expires_after_its_lifetime_even_when_in_use(
    app: App, client: FlaskClient, clock: FixedClock, tokens: dict[str, str]
) -> None:
    _sign_in(client, tokens["sales"])
    lifetime = timedelta(hours=app.settings.web_session_hours)
    step = timedelta(minutes=app.settings.web_session_idle_minutes) / 2
    used = timedelta()
    while used + step < lifetime:
        clock.advance(step)
        used += step
        assert _signed_in(client)
    clock.advance(lifetime - used)
    assert not _signed_in(client)
    clock.advance(-lifetime)  # a later clock correction does not revive it: it was ended
    assert not _signed_in(client)


def test_an_idle_session_ends(
    app: App, client: FlaskClient, clock: FixedClock, tokens: dict[str, str]
) -> None:
    _sign_in(client, tokens["sales"])
    idle = timedelta(minutes=app.settings.web_session_idle_minutes)
    clock.advance(idle - timedelta(minutes=1))
    assert _signed_in(client)  # activity moves last-seen on
    clock.advance(idle - timedelta(minutes=1))
    assert _signed_in(client)
    clock.advance(idle)
    assert not _signed_in(client)


def test_forged_cookies_are_nobody(
    app: App, flask_app: Flask, client: FlaskClient, tokens: dict[str, str]
) -> None:
    _sign_in(client, tokens["sales"])
    real = _cookie(client)
    sid = _contents(flask_app, real)["sid"]
    serializer = flask_app.session_interface.get_signing_serializer(flask_app)  # type: ignore[attr-defined]
    other_key = Flask("forger")
    other_key.secret_key = "not-the-key"
    forger = other_key.session_interface.get_signing_serializer(other_key)  # type: ignore[attr-defined]
    forged = [
        "garbage",
        real[:-3] + ("aaa" if not real.endswith("aaa") else "bbb"),  # tampered signature
        forger.dumps({"sid": sid}),  # a real id, signed with another key
        serializer.dumps({"sid": "an-id-that-was-never-issued"}),  # signed, unknown id
        serializer.dumps({"sid": hash_session_id(sid)}),  # the stored hash is not a key
        serializer.dumps({"token": tokens["sales"]}),  # the old cookie format
    ]
    for value in forged:
        assert not _signed_in(_with_cookie(flask_app, value)), value
    assert _signed_in(client)  # the genuine session is unaffected


def test_a_deactivated_staff_members_session_stops_working(
    app: App, flask_app: Flask, client: FlaskClient, tokens: dict[str, str], org: Any
) -> None:
    _sign_in(client, tokens["sales"])
    sid = _contents(flask_app, _cookie(client))["sid"]
    assert _signed_in(client)
    app.services.org.deactivate_staff(org.gm.id, org.sales.id, "left the company")
    assert not _signed_in(client)
    row = store_for(app.storage).find(hash_session_id(sid))
    assert row is not None and row.ended_at is not None  # ended server-side


def test_revoking_the_token_ends_the_sessions_signed_in_with_it(
    app: App, flask_app: Flask, tokens: dict[str, str], org: Any
) -> None:
    """A lost laptop: revoking the token also signs its browser out (X-3)."""
    laptop = flask_app.test_client()
    _sign_in(laptop, tokens["sales"])
    desk = flask_app.test_client()
    _sign_in(desk, app.services.org.issue_token(org.sales.id, org.sales.id, "desk"))
    app.services.org.revoke_tokens(org.gm.id, org.sales.id, "laptop lost")
    assert not _signed_in(laptop) and not _signed_in(desk)


def test_two_workers_on_the_same_data_agree_on_the_key_and_the_sessions(
    storage: Storage, clock: FixedClock, tokens: dict[str, str], client: FlaskClient
) -> None:
    """A second Flask app over the same store (another worker) accepts the first's cookie
    and generates no key of its own (memory: the same process; SQL: the same database)."""
    _sign_in(client, tokens["sales"])
    worker2 = create_app(backend_app(storage, clock))
    assert _signed_in(_with_cookie(worker2, _cookie(client)))


def test_the_signing_key_is_created_once_however_many_workers_race(
    storage: Storage, app: App
) -> None:
    store = store_for(app.storage)
    results: list[str] = []
    barrier = threading.Barrier(4)

    def start(i: int) -> None:
        barrier.wait()
        results.append(store.secret("race", f"candidate-{i}", app.services.ctx.now()))

    threads = [threading.Thread(target=start, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(results) == 4 and len(set(results)) == 1
    assert store.secret("race", "later", app.services.ctx.now()) == results[0]


def test_csdomain_secret_key_overrides_the_stored_key(
    storage: Storage, clock: FixedClock, org: Any
) -> None:
    app = bootstrap(
        Settings(storage="sql", secret_key="from-the-environment"),
        storage=storage,
        clock=clock,
        policy=default_policy(),
    )
    flask_app = create_app(app)
    client = flask_app.test_client()
    token = app.services.org.issue_token(org.admin.id, org.sales.id, "web")
    _sign_in(client, token)
    assert flask_app.secret_key == "from-the-environment"
    assert _signed_in(client)
    stored = store_for(storage).secret(SECRET_NAME, "fresh", clock.now())
    assert stored != "from-the-environment"  # never written to the database


def test_cookie_flags_http_only_lax_and_secure_over_https(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    csrf = _csrf(client)
    plain = client.post("/sign-in", data={"token": tokens["sales"], "csrf": csrf})
    header = plain.headers["Set-Cookie"]
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Secure" not in header
    secure_client = client.application.test_client()
    page = secure_client.get("/sign-in", base_url="https://localhost")
    found = re.search(r'name="csrf" value="([^"]+)"', page.get_data(as_text=True))
    assert found and "Secure" in page.headers["Set-Cookie"]
    resp = secure_client.post(
        "/sign-in",
        data={"token": tokens["sales"], "csrf": found.group(1)},
        base_url="https://localhost",
    )
    assert resp.status_code == 302
    header = resp.headers["Set-Cookie"]
    assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CSDOMAIN_WEB_SESSION_HOURS", "0"),
        ("CSDOMAIN_WEB_SESSION_HOURS", "721"),
        ("CSDOMAIN_WEB_SESSION_HOURS", "twelve"),
        ("CSDOMAIN_WEB_SESSION_IDLE_MINUTES", "4"),
    ],
)
def test_session_settings_out_of_bounds_stop_start_up_naming_the_variable(
    name: str, value: str
) -> None:
    with pytest.raises(ValueError, match=name):
        Settings.from_env({name: value})


def test_session_settings_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "CSDOMAIN_SECRET_KEY": "cookie-key-7f3a",
            "CSDOMAIN_WEB_SESSION_HOURS": "8",
            "CSDOMAIN_WEB_SESSION_IDLE_MINUTES": "30",
        }
    )
    assert (settings.secret_key, settings.web_session_hours) == ("cookie-key-7f3a", 8)
    assert settings.web_session_idle_minutes == 30
    # a distinctive key: a one-letter one would be found in any field name of the repr
    assert "cookie-key-7f3a" not in repr(settings)


def test_settings_repr_hides_every_secret() -> None:
    """Settings end up in logs and tracebacks: the cookie key, the database and SMTP
    passwords, the webhook's access token and signing secret never show in the repr, while
    the values themselves are kept for use."""
    secrets = {
        "CSDOMAIN_SECRET_KEY": "cookie-key-7f3a",
        "CSDOMAIN_DATABASE_URL": "postgresql+psycopg://csd:db-pass-91c2@db:5432/csd",
        "CSDOMAIN_SMTP_HOST": "mail.example.com",
        "CSDOMAIN_SMTP_PASSWORD": "smtp-pass-4b8e",
        "CSDOMAIN_WEBHOOK_URL": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=tok-55d1",
        "CSDOMAIN_WEBHOOK_FORMAT": "wecom",
        "CSDOMAIN_WEBHOOK_SECRET": "sign-secret-e07a",
    }
    settings = Settings.from_env(secrets)
    shown = repr(settings)
    for hidden in (
        "cookie-key-7f3a",
        "db-pass-91c2",
        "smtp-pass-4b8e",
        "tok-55d1",
        "sign-secret-e07a",
    ):
        assert hidden not in shown, shown
    assert "db:5432/csd" in shown and "mail.example.com" in shown  # the rest stays useful
    assert settings.database_url == secrets["CSDOMAIN_DATABASE_URL"]
    assert settings.smtp is not None and settings.smtp.password == "smtp-pass-4b8e"
    assert settings.webhook is not None and settings.webhook.url.endswith("key=tok-55d1")
    assert settings.webhook.secret == "sign-secret-e07a"
    assert "sqlite:///./csdomain.db" in repr(Settings())  # nothing hidden, nothing changed
