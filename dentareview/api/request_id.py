"""A request id for every HTTP request: in the answer's `X-Request-ID` and in every log
line written while the request is handled.

A well-formed incoming `X-Request-ID` (from a proxy or the client) is kept, so one id
follows the request across hosts; anything else is replaced by a fresh one rather than
refused: the header is a tracing aid, not input the service acts on.
"""

from __future__ import annotations

import uuid
from typing import Final

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dentareview.linear_re import compile_linear
from dentareview.observability.logging import REQUEST_ID, REQUEST_SCOPE

HEADER: Final = "X-Request-ID"
# Letters, digits and `-._:` (UUIDs, hex, W3C trace ids, `host:seq`): nothing that could
# forge a log line, carry personal data in bulk or inject into a header.
_WELL_FORMED: Final = compile_linear(r"[A-Za-z0-9._:-]{8,64}")


def request_id_of(headers: Headers) -> str:
    """The incoming id if well formed, else a new one (32 hex digits)."""
    given = headers.get(HEADER)
    if given is not None and _WELL_FORMED.fullmatch(given):
        return given
    return uuid.uuid4().hex


class RequestId:
    """Pure ASGI middleware, added outermost among ours so every answer carries the id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(Headers(scope=scope))
        # Each request runs in a task of its own, so the values set here stay with it,
        # also for the 500 handler and uvicorn's access line written after an exception.
        REQUEST_ID.set(request_id)
        REQUEST_SCOPE.set(scope)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        await self.app(scope, receive, send_with_id)
