"""The public transparency page of an event: ``/transparansi/{id}``, no login.

Off until a coordinator turns the event's ``public`` flag on (PATCH /events/{id} ``{"public":
true}``); a page that is off, or an event that does not exist, is a 404 and says nothing more.
It shows the aggregates of :mod:`resilience.reports.public` (per kelurahan, small cells
suppressed), the audit head, and a QR code of its own address so the printed page (one or two
sheets for a musyawarah desa) leads readers back to the live one. Bahasa Indonesia by default,
English with ``?lang=en``. Anonymous responses set no cookie and may be cached for five minutes
by browsers and proxies.
"""

from __future__ import annotations

from flask import Response, abort, current_app, g, render_template, session, url_for

from resilience.events.models import FloodEvent
from resilience.extensions import db
from resilience.reports.operations import build_report
from resilience.reports.public import SMALL, public_view
from resilience.vocabulary import NEED_CATEGORIES
from resilience.web.blueprint import bp

CACHE_SECONDS = 300


def _public_event(event_id: int) -> FloodEvent:
    event = db.session.get(FloodEvent, event_id)
    if event is None or not event.public:
        abort(404)
    return event


def page_url(event_id: int) -> str:
    """The page's address as readers reach it: under PUBLIC_BASE_URL when it is set."""
    base = current_app.config["SETTINGS"].public_base_url
    path = url_for("web.transparency", event_id=event_id)
    return base.rstrip("/") + path if base else url_for("web.transparency", event_id=event_id, _external=True)


def qr_svg(text: str) -> str:
    """A QR code of ``text`` as SVG (vector: sharp on paper at any size; no image library)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2,
                        error_correction=qrcode.constants.ERROR_CORRECT_M)
    return image.to_string(encoding="unicode")


def _public(response: Response) -> Response:
    response.cache_control.public = True
    response.cache_control.max_age = CACHE_SECONDS
    if g.get("web_user") is None:
        session.modified = False  # a ?lang= choice is not stored: no cookie on a public page
    return response


@bp.get("/transparansi/<int:event_id>")
def transparency(event_id: int):
    event = _public_event(event_id)
    view = public_view(build_report(db.session, event, stock_days=None))
    html = render_template("transparansi.html", data=view, small=SMALL, categories=NEED_CATEGORIES,
                           page_url=page_url(event_id))
    return _public(Response(html, mimetype="text/html"))


@bp.get("/transparansi/<int:event_id>/qr.svg")
def transparency_qr(event_id: int):
    _public_event(event_id)
    return _public(Response(qr_svg(page_url(event_id)), mimetype="image/svg+xml"))
