"""The web pages' blueprint and main menu; page modules add their views and menu entries to it.

This module imports no page module, so the pages and the package form no import circle:
``resilience/web/__init__.py`` imports the page modules once, which registers their views.
"""

from __future__ import annotations

from flask import Blueprint

from resilience.web.i18n import init_babel
from resilience.web.ratelimit import IP_LIMIT, limiter_for

bp = Blueprint("web", __name__, url_prefix="", template_folder="templates",
               static_folder="static", static_url_path="/assets")


# The main menu: (endpoint, label key, who sees it: "all" staff or only "write" roles), in
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
    settings = app.config["SETTINGS"]
    app.extensions["web_login_limiter"] = limiter_for(settings.redis_url)
    app.extensions["web_login_ip_limiter"] = limiter_for(settings.redis_url, IP_LIMIT)
    init_babel(app, settings.timezone)
