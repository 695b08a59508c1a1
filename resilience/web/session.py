"""Login, logout, the session user, CSRF and the language switch for every web page.

The signed session cookie carries a random session id (``sid``), whose digest the server keeps
(``accounts.models.WebSession``), and the time it was last used (``seen``). A request is logged
in only while that session row is live (logout and deactivation end it: a copied cookie stops
working), younger than SESSION_MAX_HOURS, and used within SESSION_IDLE_MINUTES.
"""

from __future__ import annotations

import hmac
import secrets
import time
from datetime import timedelta
from functools import wraps
from urllib.parse import urlsplit

from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext, lazy_gettext, refresh

from resilience.vocabulary import WRITE_ROLES
from resilience.accounts.operations import (authenticate_password, end_web_session, start_web_session,
                                            web_session_user)
from resilience.audit.chain import set_actor
from resilience.core import bounds
from resilience.core.db import utcnow
from resilience.core.errors import DomainError
from resilience.core.schemas import show_personal_data
from resilience.extensions import db
from resilience.households.spreadsheet import MAX_FILE_BYTES
from resilience.web.blueprint import NAV, bp
from resilience.web.forms import FormErrors
from resilience.web.query import QueryErrors, accepts, refuse_unknown
from resilience.web.i18n import LANGUAGES, current_language, distance, local_time, message_text, term, terms, zone_label
from resilience.web.labels import LABELS, label
from resilience.web.ratelimit import ip_limiter_key, limiter_key

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


SEEN_EVERY = 60  # seconds: the cookie's last-used time is rewritten at most this often


def login_limiter():
    return current_app.extensions["web_login_limiter"]


def login_ip_limiter():
    """Failed logins per client address, whatever the email: spraying across accounts."""
    return current_app.extensions["web_login_ip_limiter"]


def _forget_login() -> None:
    """Drop the login from this cookie; the language and the CSRF token stay (a form posted
    after the session ended is then answered by the login page, not a CSRF error)."""
    for key in ("sid", "seen", "user_id"):
        session.pop(key, None)


def _session_user():
    """The user of this request's live web session, or None (the cookie's login is dropped when
    the session ended, idled out or outlived SESSION_MAX_HOURS)."""
    sid = session.get("sid")
    if not isinstance(sid, str):
        if "user_id" in session:  # a cookie from before server-side sessions
            _forget_login()
        return None
    settings = current_app.config["SETTINGS"]
    now = time.time()
    seen = session.get("seen")
    if not isinstance(seen, (int, float)) or now - seen > settings.session_idle_minutes * 60:
        _forget_login()
        flash(gettext("Your session ended after a time without activity. Please log in again."), "info")
        return None
    user = web_session_user(db.session, sid, utcnow() - timedelta(hours=settings.session_max_hours))
    if user is None:
        _forget_login()
        return None
    # The dashboard's automatic refresh (its .json reads) is not activity: an open tab alone
    # does not keep a session alive.
    if now - seen >= SEEN_EVERY and not request.path.endswith(".json"):
        session["seen"] = int(now)
    return user


def csrf_token() -> str:
    token = session.get("_csrf")
    if not token:
        token = session["_csrf"] = secrets.token_urlsafe(32)
    return token


# Pages that take a file: a coordinator's upload may be larger than a form (the app's body limit).
UPLOAD_ENDPOINTS = {"web.household_import": MAX_FILE_BYTES + 1024 * 1024}


@bp.before_request
def _load_user_and_check_csrf():
    lang = request.args.get("lang")
    if lang in LANGUAGES:
        session["lang"] = lang
    refresh()  # Flask-Babel caches the locale on g, which a test's app context keeps across requests
    g.web_user = None
    if request.endpoint == "web.static":
        return  # scripts, styles and images need no user (and no database query)
    user = _session_user()
    if user is not None:
        g.web_user = user
        set_actor(f"{user.role}:{user.email}")
        show_personal_data(user.sees_personal_data)
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        if request.endpoint in UPLOAD_ENDPOINTS:  # the app's guard left this form to us (app.UPLOAD_PAGES)
            if user is not None and user.role in WRITE_ROLES:
                request.max_content_length = UPLOAD_ENDPOINTS[request.endpoint]
            if bounds.has_nul(request.form):
                abort(400, description=gettext("The form holds the NUL character."))
        sent = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
        expected = session.get("_csrf") or ""
        if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
            abort(400, description=gettext("The form expired or is not valid (CSRF token). Reload the page and try again."))


@bp.before_request
def _refuse_unknown_query():
    """After the user is known: a page's query string holds only what its view reads."""
    refuse_unknown(LANGUAGES)



@bp.app_template_global("csrf_token")
def _csrf_token_global() -> str:
    return csrf_token()


@bp.context_processor
def _template_context():
    user = g.get("web_user")
    return {
        "label": label,
        "zone_label": zone_label,
        "field_label": field_label,
        "terms": terms,
        "lang": current_language(),
        "languages": LANGUAGES,
        "current_user": user,
        "can_write": bool(user and user.role in WRITE_ROLES),
        "sees_personal": bool(user and user.sees_personal_data),
        "nav": NAV,
    }


def login_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if g.get("web_user") is None:
            return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper


def write_required(view):
    """Coordinators and admins only: officials get the read-only overview."""

    @login_required
    @wraps(view)
    def wrapper(*args, **kwargs):
        if g.web_user.role not in WRITE_ROLES:
            abort(403, description=gettext("This page is not available to the %(role)s role.", role=label("role_" + g.web_user.role)))
        return view(*args, **kwargs)

    return wrapper


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("web.events")


@bp.route("/login", methods=["GET", "POST"])
@accepts("next")
def login():
    if request.method == "GET":
        if g.web_user is not None:
            return redirect(url_for("web.events"))
        return render_template("login.html", email="", next=request.args.get("next", ""))
    email = (request.form.get("email") or "").strip().lower()
    password = request.form.get("password") or ""
    address = request.remote_addr or ""
    key, ip_key = limiter_key(email, address), ip_limiter_key(address)
    limiter, ip_limiter = login_limiter(), login_ip_limiter()
    if limiter.blocked(key) or ip_limiter.blocked(ip_key):
        flash(gettext("Too many failed attempts. Try again in 15 minutes."), "error")
        response = current_app.make_response(
            (render_template("login.html", email=email, next=request.form.get("next", "")), 429))
        response.headers["Retry-After"] = str(int(limiter.window))
        return response
    user = authenticate_password(db.session, email, password)
    if user is None:
        limiter.fail(key)
        ip_limiter.fail(ip_key)
        flash(gettext("Wrong email or password."), "error")
        return render_template("login.html", email=email, next=request.form.get("next", "")), 401
    limiter.reset(key)
    old_sid = session.get("sid")
    if isinstance(old_sid, str):
        end_web_session(db.session, old_sid)
    _forget_login()
    session.pop("_csrf", None)  # a fresh session id and CSRF token on every login: no fixation
    lifetime = timedelta(hours=current_app.config["SETTINGS"].session_max_hours)
    session["sid"] = start_web_session(db.session, user, not_before=utcnow() - lifetime)
    session["seen"] = int(time.time())
    session.permanent = True  # the browser keeps it at most PERMANENT_SESSION_LIFETIME
    return redirect(_safe_next(request.form.get("next")))


@bp.post("/logout")
def logout():
    sid = session.get("sid")
    if isinstance(sid, str):
        end_web_session(db.session, sid)  # a copy of this cookie is refused from now on
    _forget_login()
    session.pop("_csrf", None)
    flash(gettext("You are logged out."), "info")
    return redirect(url_for("web.login"))


@bp.get("/lang/<code>")
@accepts("next")
def set_language(code: str):
    if code in LANGUAGES:
        session["lang"] = code
    return redirect(_safe_next(request.args.get("next")))


# Error pages' titles by HTTP status (the API's English titles stay in the API).
_TITLES = {
    400: lazy_gettext("Bad request"), 401: lazy_gettext("Login required"), 403: lazy_gettext("Not allowed"),
    404: lazy_gettext("Not found"), 409: lazy_gettext("Conflict with the current state"),
    422: lazy_gettext("Please check these fields:"),
}


def _title(status: int) -> str:
    return str(_TITLES.get(status) or gettext("Error"))


@bp.errorhandler(DomainError)
def _domain_error(error: DomainError):
    return render_template("error.html", status=error.status, title=_title(error.status),
                           detail="" if error.errors else message_text(error.detail),
                           errors=error.errors or []), error.status


@bp.errorhandler(400)
@bp.errorhandler(403)
@bp.errorhandler(404)
def _http_error(error):
    # Werkzeug's own descriptions are English; the pages' abort() calls pass translated text.
    detail = "" if error.description == type(error).description else error.description
    return render_template("error.html", status=error.code, title=_title(error.code),
                           detail=detail, errors=[]), error.code


@bp.errorhandler(QueryErrors)
def _query_errors(error: QueryErrors):
    """A page address with a parameter it does not know or a value it cannot read."""
    refused = [{"name": e["field"], "value": request.args.get(e["field"], ""), "message": e["message"]}
               for e in error.errors]
    return render_template("query_error.html", refused=refused, page=request.path), 422


@bp.errorhandler(FormErrors)
def _form_errors(error: FormErrors):
    return render_template("error.html", status=422, title=_title(422), detail="", errors=error.errors), 422


# A UTC time in the TIMEZONE setting's zone with its name: {{ task.created_at|local_time }}.
bp.add_app_template_filter(local_time, "local_time")


# Stored codes in the page language: {{ task.status|term("task_status") }}, {{ metres|km }}.
bp.add_app_template_filter(term, "term")
bp.add_app_template_filter(distance, "km")
# A validation or domain message in the page language: {{ e.message|msg }}.
bp.add_app_template_filter(message_text, "msg")


def field_label(name: str) -> str:
    """A form field's label for an error list (the field's name when it has none)."""
    return label(name) if name in LABELS else name
