"""The API's reference, readable in a browser: Swagger UI at ``/api/docs`` on the OpenAPI
document (``/api/openapi.json``), from files vendored in ``static/vendor/swagger-ui`` — no
CDN, so it works in a posko without internet.

Public like the document it shows (it holds no data; "Try it out" calls the API with the bearer
token a reader enters, under the API's own checks). The page has its own
Content-Security-Policy (:func:`resilience.core.security.api_docs_policy`): the rest of the app
keeps its strict one.
"""

from __future__ import annotations

from flask import Response, render_template, url_for

from resilience.core.security import api_docs_policy
from resilience.web.blueprint import bp


@bp.get("/api/docs")
def api_docs():
    html = render_template("api_docs.html", spec_url=url_for("api-docs.openapi_json"))
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = api_docs_policy()
    return response
