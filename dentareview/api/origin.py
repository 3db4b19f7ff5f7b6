"""Refuse cross-site changes made with the session cookie (cross-site request forgery).

The cookie is SameSite=Strict, but a site is a scheme and a registrable domain with no
port: a page on another port of the same host (or on a sibling subdomain) is same-site,
and its form posts carry the cookie. So a state-changing request that presents the
cookie must also show that it comes from this service's own pages: its `Origin` is the
public URL's origin (on loopback, either loopback name), or, when a browser sends no
`Origin`, its `Sec-Fetch-Site` is `same-origin`.

A request with neither header is let through: every browser sends `Origin` on a
cross-origin POST (and `Sec-Fetch-Site` on every request), so such a request comes from
a program that holds the cookie itself (a script, curl), which no other site can make
send anything.
"""

from __future__ import annotations

from typing import Final

from starlette.requests import Request

from dentareview.domain.siwe import accepted_origins
from dentareview.errors import CrossSiteRequest

SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})


def require_same_origin(request: Request, public_url: str) -> None:
    """403 CROSS_SITE_REQUEST unless a state-changing request comes from our own pages."""
    if request.method in SAFE_METHODS:
        return
    origin = request.headers.get("origin")
    if origin is not None:
        if origin.lower() in {o.lower() for o in accepted_origins(public_url)}:
            return
        raise CrossSiteRequest("the request was sent by a page of another site (its Origin)")
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is None or fetch_site.lower() == "same-origin":
        return
    raise CrossSiteRequest("the request was sent by a page of another site (Sec-Fetch-Site)")
