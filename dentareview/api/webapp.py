"""The web app: the Vite build shipped in the package, served at `/`.

Hashed assets under /assets are cached for a year; the HTML shell, served for every
page route, and the API reference at /docs (Swagger UI, bundled from npm by the same
build) are revalidated on each load so a new build is picked up at once; both carry the
Content-Security-Policy below, which loads nothing from another origin. A missing
build answers a plain page that says how to build it. CORS lets the widget read the
public GET API from a practice's own site.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

WEBAPP_DIR: Final = Path(__file__).resolve().parent.parent / "webapp"

# Pages the front-end router knows; anything else keeps the API's JSON 404.
PAGE_ROUTES: Final = (
    "/",
    "/dentists/{address}",
    "/invite/{visit_id}",
    "/verify",
    "/verify/{review_id}",
    "/verify/anonymous/{review_id}",
    "/me",
    "/checkin/{code}",
    "/practice",
    "/practice/visits",
    "/operator",
    "/practice/reviews",
    "/how-reviews-work",
)
DOCS_ROUTE: Final = "/docs"
# Smaller answers gain less from gzip than its header costs.
GZIP_MIN_BYTES: Final = 500

# The pages talk to our API and to any RPC node or wallet the visitor picks.
CONTENT_SECURITY_POLICY: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self' http: https: ws: wss:; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
PAGE_HEADERS: Final = {
    "Cache-Control": "no-cache",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

NOT_BUILT: Final = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>DentaReview: web app not built</title></head>
<body style="font-family:system-ui,sans-serif;max-width:40em;margin:2em auto;padding:0 1em">
<h1>The web app is not built</h1>
<p>The API works (see <a href="/openapi.json">/openapi.json</a>), but the pages have not
been built.
From the project directory, run <code>make install</code> (or <code>npm ci</code> then
<code>npm run build:web</code>) and reload this page.</p>
</body></html>
"""


class ImmutableAssets(StaticFiles):
    """Content-hashed files: a name never changes meaning, so caches may keep them."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
            response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def _shell(web_dir: Path, name: str = "index.html") -> Response:
    index = web_dir / name
    if not index.is_file():
        return HTMLResponse(NOT_BUILT, status_code=503, headers={"Cache-Control": "no-store"})
    return FileResponse(index, media_type="text/html; charset=utf-8", headers=PAGE_HEADERS)


def _root_file(web_dir: Path, name: str, media_type: str, max_age: int) -> Response:
    path = web_dir / name
    if not path.is_file():
        return Response(status_code=404, headers={"Cache-Control": "no-store"})
    headers = {"Cache-Control": f"public, max-age={max_age}", "X-Content-Type-Options": "nosniff"}
    return FileResponse(path, media_type=media_type, headers=headers)


def install_webapp(app: FastAPI, web_dir: Path = WEBAPP_DIR) -> None:
    """Serve the pages, their assets and /widget.js; allow cross-origin reads of the API;
    gzip every answer of some size for a client that asks (pages, scripts and JSON)."""
    app.add_middleware(
        CORSMiddleware, allow_origins=["*"], allow_methods=["GET"], allow_credentials=False
    )
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MIN_BYTES)

    def shell() -> Response:
        return _shell(web_dir)

    for path in PAGE_ROUTES:
        app.add_api_route(path, shell, methods=["GET"], include_in_schema=False)

    def docs() -> Response:
        return _shell(web_dir, "docs.html")

    app.add_api_route(DOCS_ROUTE, docs, methods=["GET"], include_in_schema=False)

    def widget() -> Response:
        # Short cache: practices embed this URL, so a fix must reach them soon.
        return _root_file(web_dir, "widget.js", "text/javascript; charset=utf-8", 300)

    def favicon() -> Response:
        return _root_file(web_dir, "favicon.svg", "image/svg+xml", 86_400)

    app.add_api_route("/widget.js", widget, methods=["GET"], include_in_schema=False)
    app.add_api_route("/favicon.svg", favicon, methods=["GET"], include_in_schema=False)
    app.mount("/assets", ImmutableAssets(directory=web_dir / "assets", check_dir=False))
