"""HTTP and intake metrics, from one pure ASGI middleware at the edge of the app.

Requests are labelled by their route template (`/v1/reviews/{review_id}`), never by
the raw path, which carries ids. A signed write (visit, review, edit, erasure, reply)
is accepted when it is answered 2xx, else refused with the catalogued code its error
body carries, read from that body for those few routes only.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from time import perf_counter
from typing import Final

from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dentareview.errors import ERROR_CATALOG
from dentareview.linear_re import LinearPattern, compile_linear
from dentareview.observability.metrics import (
    HTTP_DURATION,
    HTTP_REQUESTS,
    INTAKE_ACCEPTED,
    INTAKE_REFUSED,
    UNMATCHED_ROUTE,
)

# (method, route template) of each signed write, and its intake kind.
INTAKE_ROUTES: Final = {
    ("POST", "/v1/visits"): "visit",
    ("POST", "/v1/reviews"): "review",
    ("POST", "/v1/reviews/{review_id}/edit"): "edit",
    ("POST", "/v1/reviews/{review_id}/erase"): "erasure",
    ("POST", "/v1/reviews/{review_id}/reply"): "reply",
}
KNOWN_CODES: Final = frozenset(error.code for error in ERROR_CATALOG)
UNKNOWN_CODE: Final = "UNKNOWN"  # an error body without a catalogued code (never expected)
KNOWN_METHODS: Final = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_MAX_ERROR_BODY = 16 * 1024


class HttpMetrics:
    """Counts and times every HTTP request; counts signed writes accepted and refused."""

    def __init__(self, app: ASGIApp, *, templates: Callable[[], Iterable[str]]) -> None:
        self.app = app
        # The app's route templates, to name a request answered before routing.
        self._templates = templates
        self._compiled: list[tuple[LinearPattern, str]] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = perf_counter()
        status = 500  # if the app raises before answering, the server answers 500
        body = bytearray()
        intake: str | None = None

        async def observe(message: Message) -> None:
            nonlocal status, intake
            if message["type"] == "http.response.start":
                status = int(message["status"])
                intake = INTAKE_ROUTES.get((scope["method"], self._template(scope)))
            elif intake is not None and status >= 400 and len(body) < _MAX_ERROR_BODY:
                body.extend(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, observe)
        finally:
            method = scope["method"] if scope["method"] in KNOWN_METHODS else "OTHER"
            route = self._template(scope)
            HTTP_REQUESTS.labels(method, route, str(status)).inc()
            HTTP_DURATION.labels(method, route).observe(perf_counter() - start)
            if intake is not None:
                if status < 400:
                    INTAKE_ACCEPTED.labels(intake).inc()
                else:
                    INTAKE_REFUSED.labels(intake, _error_code(bytes(body))).inc()

    def _template(self, scope: Scope) -> str:
        path = getattr(scope.get("route"), "path", None)
        if isinstance(path, str):
            return path
        # Answered before routing (a body too large, say), or no route: match it here.
        if self._compiled is None:
            self._compiled = [
                (compile_linear(compile_path(t)[0].pattern), t) for t in self._templates()
            ]
        found = (t for regex, t in self._compiled if regex.match(scope["path"]))
        return next(found, UNMATCHED_ROUTE)


def _error_code(body: bytes) -> str:
    try:
        code = json.loads(body)["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return UNKNOWN_CODE
    return code if code in KNOWN_CODES else UNKNOWN_CODE
