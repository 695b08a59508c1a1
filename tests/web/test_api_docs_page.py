"""/api/docs: Swagger UI from the vendored files, under the page's own policy, without a login."""

from __future__ import annotations

import re

from resilience.core.security import api_docs_policy

ASSET = re.compile(r'(?:src|href)="([^"]+)"')


def test_the_docs_page_loads_only_vendored_files_of_this_origin(app):
    client = app.test_client()
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == api_docs_policy()
    html = response.get_data(as_text=True)
    assert 'data-spec="/api/openapi.json"' in html
    urls = ASSET.findall(html)
    assert urls and all(u.startswith("/assets/") or u == "/api/openapi.json" for u in urls), urls
    bundle = next(u for u in urls if "swagger-ui-bundle.js" in u)
    served = client.get(bundle, headers={"Accept-Encoding": "gzip"})
    assert served.status_code == 200 and served.headers["Content-Encoding"] == "gzip"
    assert "immutable" in served.headers["Cache-Control"]  # the content hash is in the URL


def test_the_app_keeps_its_own_policy(app):
    response = app.test_client().get("/login")
    assert response.headers["Content-Security-Policy"] == app.config["CONTENT_SECURITY_POLICY"]
