"""HTTP caching of the public reads: an ETag on each answer, Cache-Control, and 304.

The public GET answers (reputation, reviews, the directory, proofs, chain facts) are
the same for every visitor, so a shared cache (a CDN) may keep them for `max_age`
seconds, and browsers keep them but revalidate each time: a client sending the ETag
back in If-None-Match gets 304 with no body while nothing changed. The ETag is the SHA-256 of
the body itself, so every process and host gives the same one without sharing state.
Anything signed-in (`/v1/me`, `/v1/patients`, `/v1/auth`) and the invitation's
capability URL (`/v1/visits/…`) are left alone.
"""

from __future__ import annotations

import hashlib
from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PUBLIC_PREFIXES: Final = ("/v1/dentists", "/v1/reviews/", "/v1/chain", "/v1/eip712")


def etag_of(body: bytes) -> bytes:
    return b'"' + hashlib.sha256(body).hexdigest()[:32].encode() + b'"'


def _matches(if_none_match: bytes, etag: bytes) -> bool:
    candidates = {tag.strip().removeprefix(b"W/") for tag in if_none_match.split(b",")}
    return etag in candidates or b"*" in candidates


class PublicCache:
    """Pure ASGI middleware for the public GET routes' 200 answers."""

    def __init__(self, app: ASGIApp, *, max_age: int) -> None:
        self.app = app
        # Browsers revalidate every time (max-age=0: a 304 costs no body), so a page
        # shows a review as soon as it is anchored; shared caches (a CDN) may serve an
        # answer for `max_age` seconds before revalidating it.
        self.cache_control = f"public, max-age=0, s-maxage={max_age}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if scope.get("method") != "GET" or not path.startswith(PUBLIC_PREFIXES):
            await self.app(scope, receive, send)
            return
        request_headers = dict(scope.get("headers") or [])
        if_none_match = request_headers.get(b"if-none-match")
        start: Message | None = None
        chunks: list[bytes] = []

        async def caching_send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                if message["status"] != 200:
                    await send(message)
                    return
                start = message
                return
            if start is None:  # not a 200: passed through untouched
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            await self._answer(start, b"".join(chunks), if_none_match, send)

        await self.app(scope, receive, caching_send)

    async def _answer(
        self, start: Message, body: bytes, if_none_match: bytes | None, send: Send
    ) -> None:
        etag = etag_of(body)
        headers = [
            (k, v) for k, v in start["headers"] if k.lower() not in (b"etag", b"cache-control")
        ]
        headers += [(b"etag", etag), (b"cache-control", self.cache_control)]
        if if_none_match is not None and _matches(if_none_match, etag):
            kept = [(k, v) for k, v in headers if k.lower() not in (b"content-length",)]
            kept = [(k, v) for k, v in kept if k.lower() != b"content-type"]
            await send({"type": "http.response.start", "status": 304, "headers": kept})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body})
