"""Versioned asset URLs: ``url_for('web.static', filename=...)`` gets ``?v=`` and the file's
content hash, and a request carrying the current hash is cached for a year (``immutable``).

A changed file gets a new URL, so browsers never keep a stale script, and an unchanged one is
never asked for again — which matters on the slow mobile links of a flood. Requests without
``v`` (or with an old one) keep the default: revalidated with the ETag every time.

Scripts and styles also go out gzipped to a browser that accepts it (Leaflet: 147 KB → about
43 KB), compressed once per file version and kept in memory. Flask sends static files as a
stream, which the app-wide compression (resilience/app.py) leaves alone.
"""

from __future__ import annotations

import gzip
import hashlib
import os

from flask import request

from resilience.web.blueprint import bp

YEAR = 365 * 24 * 3600
_hashes: dict[str, tuple[float, str]] = {}  # path -> (mtime, hash)
_gzipped: dict[str, tuple[float, bytes]] = {}  # path -> (mtime, gzip of the file)
GZIP_TYPES = ("text/css", "text/javascript", "application/javascript", "image/svg+xml", "application/json")


def content_hash(filename: str) -> str | None:
    """The first 12 hex digits of the file's SHA-256 (recomputed when its mtime changes), or
    None for a file that does not exist."""
    folder = bp.static_folder
    path = os.path.realpath(os.path.join(folder, filename))
    if not path.startswith(os.path.realpath(folder) + os.sep):
        return None
    try:
        mtime = os.path.getmtime(path)
    except OSError:
        return None
    cached = _hashes.get(path)
    if cached and cached[0] == mtime:
        return cached[1]
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:12]
    _hashes[path] = (mtime, digest)
    return digest


@bp.app_url_defaults
def _version_assets(endpoint: str, values: dict) -> None:
    if endpoint == "web.static" and "v" not in values and values.get("filename"):
        version = content_hash(values["filename"])
        if version:
            values["v"] = version


@bp.after_app_request
def _cache_versioned_assets(response):
    if request.endpoint == "web.static" and response.status_code in (200, 304):
        filename = (request.view_args or {}).get("filename")
        if filename and request.args.get("v") and request.args.get("v") == content_hash(filename):
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
            response.cache_control.no_cache = None
    return response


__all__ = ["content_hash"]


def _static_path(filename: str) -> str | None:
    folder = os.path.realpath(bp.static_folder)
    path = os.path.realpath(os.path.join(folder, filename))
    return path if path.startswith(folder + os.sep) and os.path.isfile(path) else None


def _gzip_of(path: str) -> bytes:
    mtime = os.path.getmtime(path)
    cached = _gzipped.get(path)
    if cached and cached[0] == mtime:
        return cached[1]
    with open(path, "rb") as f:
        body = gzip.compress(f.read(), compresslevel=9, mtime=0)
    _gzipped[path] = (mtime, body)
    return body


@bp.after_app_request
def _gzip_assets(response):
    if (request.endpoint != "web.static" or response.status_code != 200 or response.mimetype not in GZIP_TYPES
            or "gzip" not in request.headers.get("Accept-Encoding", "").lower()
            or "Content-Encoding" in response.headers or request.range is not None):
        return response
    path = _static_path((request.view_args or {}).get("filename") or "")
    if path is None:
        return response
    body = _gzip_of(path)
    response.close()  # the file Flask opened for the plain body
    response.direct_passthrough = False
    response.set_data(body)
    response.headers["Content-Encoding"] = "gzip"
    response.headers.pop("Accept-Ranges", None)
    response.vary.add("Accept-Encoding")
    if response.get_etag()[0]:  # a different body from the plain file's: a different tag
        response.set_etag(response.get_etag()[0] + "-gz", weak=response.get_etag()[1])
    return response
