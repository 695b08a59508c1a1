"""The coordinator web app: server-rendered pages on top of the same operations as the API.

Sessions (signed cookie), a per-session CSRF token on every non-GET request, rate-limited
login, Bahasa Indonesia by default with English switchable. Nothing here is under /api/v1/,
so the API's bearer-only guard is untouched.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("web", __name__, url_prefix="", template_folder="templates",
               static_folder="static", static_url_path="/assets")


@bp.record_once
def _configure(state) -> None:
    app = state.app
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    from resilience.web.session import init_login_limiter

    init_login_limiter(app)


from resilience.web import session as _session  # noqa: E402,F401  (guards, login, language)
from resilience.web import dashboard as _dashboard  # noqa: E402,F401
from resilience.web import matching as _matching  # noqa: E402,F401
from resilience.web import people as _people  # noqa: E402,F401
