"""The coordinator web app: server-rendered pages on top of the same operations as the API.

Sessions (signed cookie), a per-session CSRF token on every non-GET request, rate-limited
login, Bahasa Indonesia by default with English switchable. Nothing here is under /api/v1/,
so the API's bearer-only guard is untouched.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("web", __name__, url_prefix="", template_folder="templates",
               static_folder="static", static_url_path="/assets")


# The main menu: (endpoint, message key, who sees it: "all" staff or only "write" roles), in
# menu order. Each page module adds its own entry with ``nav_item`` when it is imported.
NAV: list[tuple[str, str, str]] = []


def nav_item(endpoint: str, label_key: str, who: str = "all") -> None:
    if who not in ("all", "write"):
        raise ValueError(f"nav_item who={who!r}: expected 'all' or 'write'")
    if all(entry[0] != endpoint for entry in NAV):
        NAV.append((endpoint, label_key, who))


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
from resilience.web import households as _households  # noqa: E402,F401
from resilience.web import roster as _roster  # noqa: E402,F401
from resilience.web import stock as _stock  # noqa: E402,F401
from resilience.web import report as _report  # noqa: E402,F401
from resilience.web import assets as _assets  # noqa: E402,F401
