"""Browser security on every response, the session cookie's flags, and the API's rate limit.

- Headers: a Content-Security-Policy without inline script or style (scripts, styles and
  images from this origin only, plus the configured base-map tile server for images; no
  framing), ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: same-origin`` (a search
  query in a URL never reaches the tile server), ``X-Frame-Options: DENY``, a
  ``Permissions-Policy`` that turns off what no page uses, HSTS on HTTPS, and
  ``Cache-Control: no-store`` on API answers and on pages shown to a logged-in user (personal
  data must not stay in a shared computer's cache). A response that sets one of these itself
  keeps its own.
- The session cookie is HttpOnly and SameSite=Lax, and Secure when the request came over HTTPS
  and always in production unless PUBLIC_BASE_URL is plain http://.
- API rate limit: at most API_RATE_LIMIT requests a minute from one client address (Redis when
  REDIS_URL is set, shared by every worker; in this process on the embedded default), counted
  before the token is checked, so guessing tokens is limited too. Over it: 429 problem+json
  with ``Retry-After``.
- Proxies: with ``PROXY_COUNT`` > 0, werkzeug's ProxyFix takes the client address, scheme and
  host from that many hops of ``X-Forwarded-For``/``-Proto``/``-Host`` (so the per-address
  limits and Secure cookies see the client behind nginx, not nginx); 0 trusts no such header.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Flask, g, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from resilience.core.errors import Message, TooManyRequests
from resilience.core.ratelimit import rate_limit
from resilience.core.settings import Settings

API_WINDOW_SECONDS = 60
HSTS = "max-age=31536000"
PERMISSIONS_POLICY = ("accelerometer=(), camera=(), geolocation=(self), gyroscope=(), magnetometer=(), "
                      "microphone=(), payment=(), usb=()")


def tile_origin(tile_url: str | None) -> str | None:
    """The origin base-map tiles come from, as a CSP source (``{s}`` subdomains as ``*``)."""
    if not tile_url:
        return None
    parts = urlsplit(tile_url.replace("{s}", "*"))
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(settings: Settings) -> str:
    return _policy(tile_origin(settings.tile_url))


def api_docs_policy() -> str:
    """The API documentation page's policy (vendored Swagger UI, resilience/web/api_docs.py):
    the app's, without the tile server, since the page shows no map. Swagger UI needs nothing
    more: its styles are set through the DOM, which ``style-src 'self'`` allows, and it
    evaluates no strings (tests/web/test_browser_api_docs.py records every refusal)."""
    return _policy(None)


def _policy(tiles: str | None) -> str:
    images = " ".join(filter(None, ("'self'", "data:", tiles)))
    return "; ".join((
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        f"img-src {images}",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ))


def secure_cookies_always(settings: Settings) -> bool:
    """Production is served over HTTPS (behind a TLS proxy) unless PUBLIC_BASE_URL says http://."""
    return settings.env == "production" and not (settings.public_base_url or "").startswith("http://")


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, marked Secure on any request that came over HTTPS too."""

    def get_cookie_secure(self, app: Flask) -> bool:
        if app.config["SESSION_COOKIE_SECURE"]:
            return True
        return has_request_context() and request.is_secure


def install(app: Flask, settings: Settings, api_prefix: str) -> None:
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure_cookies_always(settings),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_max_hours),
        # The cookie is set when it changes (login, the last-used time each minute), not on
        # every answer; a browser drops it at the absolute lifetime, which the server enforces.
        SESSION_REFRESH_EACH_REQUEST=False,
        CONTENT_SECURITY_POLICY=content_security_policy(settings),
    )
    app.session_interface = SessionInterface()
    if settings.proxy_count:
        n = settings.proxy_count
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    app.extensions["api_rate_limit"] = (
        rate_limit(settings.redis_url, settings.api_rate_limit, API_WINDOW_SECONDS)
        if settings.api_rate_limit else None)

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", app.config["CONTENT_SECURITY_POLICY"])
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", HSTS)
        personal = request.path.startswith(api_prefix) or g.get("web_user") is not None
        if personal and "Cache-Control" not in headers:
            headers["Cache-Control"] = "no-store"
        return response


def check_api_rate(app: Flask) -> None:
    """Count this API request against its client address; raise 429 when over the limit."""
    limiter = app.extensions.get("api_rate_limit")
    if limiter is None:
        return
    wait = limiter.hit(f"resilience:api:{request.remote_addr or '-'}")
    if wait is not None:
        raise TooManyRequests(Message("too many requests from this address; try again in %(seconds)s s",
                                      seconds=wait), retry_after=wait)
