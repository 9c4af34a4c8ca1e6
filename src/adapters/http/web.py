"""Small server-rendered pages for teams without an API client (no JavaScript build).

Sign-in takes an API token, checks it with the same ``authenticate`` as the API and starts a
server-side session (``adapters.http.sessions``): the cookie holds only the session id, never
the token. Every page resolves the session to an active staff member, and forms call the same
use cases, so the rules (CUS-1 ownership, visibility) and their error messages are the API's.
Forms carry a per-session CSRF token.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response as BaseResponse

from adapters.http import sessions
from adapters.http.problems import problem_for
from adapters.http.rest import services
from adapters.serialization import structure
from csdomain.customers.commands import RegisterCustomer
from csdomain.customers.model import CustomerKind, CustomerStatus, FileStatus, LegalForm, Source
from csdomain.kernel.bounds import MAX_INT
from csdomain.kernel.errors import DomainError, NotFound, PermissionDenied
from csdomain.kernel.ids import CustomerId
from csdomain.org.model import Staff

web = Blueprint("web", __name__, template_folder="templates")

PAGE_SIZE = 25
_TEXT_FIELDS = (
    "name",
    "phone",
    "id_number",
    "contact_name",
    "address",
    "intermediary_name",
    "notes",
    "referrer_customer_id",
)
_CHOICE_FIELDS = ("kind", "legal_form", "source")
_FLAGS = ("intermediary", "wants_referrer_owner")
CHOICES = {
    "kind": [k.value for k in CustomerKind],
    "legal_form": [f.value for f in LegalForm],
    "source": [s.value for s in Source],
}
CHOICES_STATUS = [s.value for s in CustomerStatus]


def _csrf_token() -> str:
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        session["csrf"] = token
    return token


def _check_csrf() -> None:
    sent = request.form.get("csrf", "")
    expected = session.get("csrf")
    if not isinstance(expected, str) or not secrets.compare_digest(sent, expected):
        abort(400, "the form expired; reload the page and try again")


@web.app_context_processor
def _template_globals() -> dict[str, Any]:
    return {"csrf_token": _csrf_token}


def _signed_in() -> Staff | None:
    return sessions.signed_in_staff()


def _sign_in_redirect() -> BaseResponse:
    return redirect(url_for("web.sign_in", next=request.full_path.rstrip("?")))


def _safe_next(target: str | None) -> str:
    """Only same-site paths, so the sign-in form cannot redirect elsewhere."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("web.customers")


@web.get("/")
def index() -> BaseResponse:
    return redirect(url_for("web.customers"))


@web.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> str | BaseResponse:
    error = None
    if request.method == "POST":
        _check_csrf()
        token = request.form.get("token", "").strip()
        try:
            staff = services().org.authenticate(token)
        except (NotFound, PermissionDenied):
            error = "That token is unknown, revoked, or its owner is inactive."
        else:
            sessions.sign_in(staff, token)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("sign_in.html", error=error, me=None)


@web.post("/sign-out")
def sign_out() -> BaseResponse:
    _check_csrf()
    sessions.sign_out()
    return redirect(url_for("web.sign_in"))


@web.get("/customers")
def customers() -> str | BaseResponse:
    me = _signed_in()
    if me is None:
        return _sign_in_redirect()
    status_text = request.args.get("status", "")
    status = CustomerStatus(status_text) if status_text in CHOICES_STATUS else None
    try:
        # bounded like the API's offset: 2^63 would overflow SQLite's OFFSET
        offset = min(max(int(request.args.get("offset", "0")), 0), MAX_INT - PAGE_SIZE - 1)
    except ValueError:
        offset = 0
    query = request.args.get("q", "").strip()[:64]
    if query:  # search: name, pinyin, initials, phone or ID number (issue 11)
        rows = list(services().customers.search(me.id, query, limit=PAGE_SIZE + 1, offset=offset))
    else:
        rows = list(
            services().customers.list(me.id, status=status, limit=PAGE_SIZE + 1, offset=offset)
        )
    staff = {s.id: s.name for s in services().org.list_staff(me.id)}
    return render_template(
        "customers.html",
        me=me,
        customers=rows[:PAGE_SIZE],
        staff=staff,
        status=status_text,
        q=query,
        statuses=CHOICES_STATUS,
        offset=offset,
        page_size=PAGE_SIZE,
        has_next=len(rows) > PAGE_SIZE,
    )


@web.route("/customers/new", methods=["GET", "POST"])
def register() -> str | BaseResponse | Response:
    me = _signed_in()
    if me is None:
        return _sign_in_redirect()
    form: dict[str, Any] = {"kind": "end_consumer", "legal_form": "individual", "source": "walk_in"}
    errors: dict[str, str] = {}
    message = None
    status = 200
    if request.method == "POST":
        _check_csrf()
        form = _form_data()
        try:
            customer = services().customers.register(me.id, structure(form, RegisterCustomer))
        except DomainError as exc:
            problem = problem_for(exc)
            errors = {f: d for f, d in problem.errors if f}
            message = problem.detail
            status = problem.status
        else:
            return redirect(url_for("web.customer", customer_id=customer.id))
    html = render_template(
        "register.html", me=me, form=form, errors=errors, message=message, choices=CHOICES
    )
    return Response(html, status=status, mimetype="text/html")


def _form_data() -> dict[str, Any]:
    """The form as the JSON body the API would get: blank optional fields left out."""
    data: dict[str, Any] = {}
    for name in _TEXT_FIELDS:
        value = request.form.get(name, "").strip()
        if value or name in ("name", "phone"):
            data[name] = value
    for name in _CHOICE_FIELDS:
        value = request.form.get(name, "")
        if value:
            data[name] = value
    for name in _FLAGS:
        if request.form.get(name):
            data[name] = True
    return data


@web.get("/customers/<customer_id>")
def customer(customer_id: str) -> str | BaseResponse:
    me = _signed_in()
    if me is None:
        return _sign_in_redirect()
    cid = CustomerId(customer_id)
    found = services().customers.get(me.id, cid)
    files: list[FileStatus] | None
    try:  # the register is secret for anyone but the owner without the permission
        files = services().customers.file_statuses(me.id, cid)
    except PermissionDenied:
        files = None
    owner = services().org.get_staff(me.id, found.owner_id)
    return render_template("customer.html", me=me, customer=found, files=files, owner=owner)
