"""Asset URLs carry the file's content hash and are then cached for a year; without it (or
with a stale one) they are revalidated as before."""

from __future__ import annotations

import re


def test_versioned_assets_are_cached_for_a_year(web_coordinator, seed):
    event = seed.event()
    page = web_coordinator.get(f"/events/{event['id']}").get_data(as_text=True)
    urls = re.findall(r'(?:src|href)="(/assets/[^"]+)"', page)
    assert urls and all("?v=" in u for u in urls), urls
    script = next(u for u in urls if u.startswith("/assets/dashboard.js"))
    response = web_coordinator.get(script.replace("&amp;", "&"))
    assert response.status_code == 200
    cache = response.headers["Cache-Control"]
    assert "max-age=31536000" in cache and "immutable" in cache and "no-cache" not in cache

    path = script.split("?")[0]
    for url in (path, path + "?v=000000000000"):  # no version, an old version
        response = web_coordinator.get(url)
        assert response.status_code == 200 and response.data
        assert "immutable" not in response.headers.get("Cache-Control", ""), url
