"""Rate limits on the write endpoints: a token bucket per client IP and per wallet.

The buckets live in the process: with N uvicorn workers a client may get up to N
times the configured rate (each worker refills its own buckets). That bounds abuse
well enough for the write path, whose real limits (one review per visit, reward
limits) are enforced by the database and the contract anyway.

The wallet is the *recovered signer* of the posted message, never an address the
body merely claims, so nobody can exhaust another wallet's bucket with junk.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from dentareview.api.convert import review_from_wire, signature_from_wire, visit_from_wire
from dentareview.api.deps import AppState
from dentareview.api.openapi import error_responses
from dentareview.api.schemas import SignedReview, SignedVisit
from dentareview.domain.typed_data import recover_review_signer, recover_visit_signer
from dentareview.errors import DentaReviewError, RateLimited

# Bounds memory under a flood of distinct keys; an evicted key just starts full again.
MAX_TRACKED_KEYS = 100_000


class TokenBuckets:
    """`burst` tokens per key, refilled at `per_minute`; `per_minute <= 0` disables."""

    def __init__(
        self,
        *,
        per_minute: int,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = MAX_TRACKED_KEYS,
    ) -> None:
        self.enabled = per_minute > 0
        self._rate = per_minute / 60.0
        self._burst = float(max(burst, 1))
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Spend one token: 0.0 when allowed, else the seconds until one is available."""
        if not self.enabled:
            return 0.0
        with self._lock:
            now = self._clock()
            tokens, last = self._buckets.pop(key, (self._burst, now))
            tokens = min(self._burst, tokens + (now - last) * self._rate)
            wait = 0.0 if tokens >= 1 else (1 - tokens) / self._rate
            if wait == 0.0:
                tokens -= 1
            self._buckets[key] = (tokens, now)  # most recently used last
            while len(self._buckets) > self._max_keys:
                self._buckets.popitem(last=False)
            return wait


class WriteLimits:
    """The per-IP and per-wallet buckets of one process."""

    def __init__(self, *, ip: TokenBuckets, wallet: TokenBuckets) -> None:
        self.ip = ip
        self.wallet = wallet

    @staticmethod
    def check(buckets: TokenBuckets, key: str, what: str) -> None:
        wait = buckets.take(key)
        if wait > 0:
            raise RateLimited(
                f"too many requests from this {what}; retry later",
                retry_after_seconds=math.ceil(wait),
            )


def signer_of(path: str, body: Any, state: AppState) -> str | None:
    """The wallet that signed a posted visit or review, or None if the body is unusable
    (the route then answers with the precise error). Blocking: may load the manifest."""
    try:
        domain = state.domain()
        if path == "/v1/visits":
            visit_body = SignedVisit.model_validate(body)
            return recover_visit_signer(
                domain,
                visit_from_wire(visit_body.message),
                signature_from_wire(visit_body.signature),
            )
        if path == "/v1/reviews":
            review_body = SignedReview.model_validate(body)
            return recover_review_signer(
                domain,
                review_from_wire(review_body.message),
                signature_from_wire(review_body.signature),
            )
    except (ValueError, DentaReviewError):  # pydantic's ValidationError is a ValueError
        return None
    return None


async def limit_writes(request: Request) -> None:
    """Router dependency: a POST spends a token of its client IP, then of its signer."""
    if request.method != "POST":
        return
    limits: WriteLimits = request.app.state.write_limits
    client = request.client.host if request.client is not None else "unknown"
    limits.check(limits.ip, client, "client address")
    if not limits.wallet.enabled:
        return
    try:
        body = json.loads(await request.body())
    except ValueError:
        return  # the route reports the malformed body
    state: AppState = request.app.state.dentareview
    wallet = await run_in_threadpool(signer_of, request.url.path, body, state)
    if wallet is not None:
        limits.check(limits.wallet, wallet, "wallet")


def include_write_router(app: FastAPI, router: APIRouter) -> None:
    """Include a router whose POST routes are rate limited, declaring their 413 and 429."""
    limited = error_responses("PAYLOAD_TOO_LARGE", "RATE_LIMITED")
    for route in router.routes:
        if isinstance(route, APIRoute) and "POST" in (route.methods or ()):
            route.responses = {**limited, **route.responses}
    app.include_router(router, dependencies=[Depends(limit_writes)])
