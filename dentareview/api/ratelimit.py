"""Rate limits on the write endpoints: per client IP and per known wallet.

The counters live in Redis (`DENTAREVIEW_REDIS_URL`) with the `limits` library's
moving window, so every worker process and every host shares one limit. Without
Redis they live in the process's memory, which is right for one process only; the
service says so in its start-up log.

Each limit allows `burst` writes in the time they take to refill at `per_minute` (the
moving-window reading of a token bucket) and, when `burst` is smaller than
`per_minute`, at most `per_minute` in any 60 seconds.

The client IP is grouped by /64 for IPv6 (one subscriber usually holds a whole /64).
The wallet is the *recovered signer* of the posted message, never an address the
body merely claims, and it gets a counter only once it is known: the registered
dentist who signed a visit, or the patient of the visit a review names. A random
signature recovers to a random address and must not get a fresh counter of its own
(it would dodge the limit and fill the store); it is still counted against its IP.
The services count the signer (`wallet_counter`) at the point where they have checked
it, so the signature is recovered and the visit read once per request.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.routing import APIRoute
from limits import RateLimitItem, RateLimitItemPerSecond
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter
from starlette.concurrency import run_in_threadpool

from dentareview.api.openapi import error_responses
from dentareview.config import Settings
from dentareview.errors import RateLimited
from dentareview.redaction import protect_url, scrub

log = logging.getLogger(__name__)

# A Redis outage must not take the write path down with it: the limits are a flood
# guard, the real limits (one review per visit, reward limits) live in the database
# and the contract. An outage is logged at most this often.
_OUTAGE_LOG_SECONDS = 60.0


def window_items(*, per_minute: int, burst: int) -> list[RateLimitItem]:
    """The moving windows of one limit; empty (no limit) when `per_minute <= 0`."""
    if per_minute <= 0:
        return []
    burst = max(burst, 1)
    refill = RateLimitItemPerSecond(burst, max(1, math.ceil(60 * burst / per_minute)))
    if burst >= per_minute:
        return [refill]  # e.g. 2 at once, then 1 a minute: 2 in any 120 s
    return [RateLimitItemPerSecond(per_minute, 60), refill]


def client_key(host: str) -> str:
    """The IP a limit counts against: IPv6 grouped by /64, IPv4(-mapped) as is."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host[:100]  # a test client's name, a unix socket: counted as given
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def make_storage(settings: Settings, *, key_prefix: str | None = None) -> tuple[Storage, bool]:
    """The counters' store and whether it is shared (Redis) or this process's memory."""
    url = settings.redis_url.get_secret_value() if settings.redis_url is not None else None
    if not url:
        return MemoryStorage(), False
    protect_url(url)  # a password in the URL never reaches a log line
    prefix = key_prefix or settings.rate_limit_key_prefix
    return RedisStorage(url, key_prefix=prefix, socket_timeout=1.0), True


@dataclass
class Limit:
    """One limit (per IP or per wallet) over a shared or local store."""

    name: str
    items: list[RateLimitItem]
    limiter: MovingWindowRateLimiter
    clock: Callable[[], float] = time.time

    @property
    def enabled(self) -> bool:
        return bool(self.items)

    def take(self, key: str) -> float:
        """Count one write: 0.0 when allowed, else the seconds until one is."""
        for item in self.items:
            if not self.limiter.hit(item, self.name, key):
                stats = self.limiter.get_window_stats(item, self.name, key)
                return max(stats.reset_time - self.clock(), 1.0)
        return 0.0


class WriteLimits:
    """The per-IP and per-wallet limits of the write endpoints, and the per-IP limit on
    flagging reviews, all over one store."""

    def __init__(self, *, ip: Limit, wallet: Limit, flags: Limit, shared: bool) -> None:
        self.ip = ip
        self.wallet = wallet
        self.flags = flags
        self.shared = shared
        self._outage_logged_at = -math.inf

    @classmethod
    def from_settings(cls, settings: Settings, *, key_prefix: str | None = None) -> WriteLimits:
        storage, shared = make_storage(settings, key_prefix=key_prefix)
        limiter = MovingWindowRateLimiter(storage)
        ip = window_items(
            per_minute=settings.rate_limit_ip_per_minute, burst=settings.rate_limit_ip_burst
        )
        wallet = window_items(
            per_minute=settings.rate_limit_wallet_per_minute,
            burst=settings.rate_limit_wallet_burst,
        )
        # A burst of DENTAREVIEW_FLAG_BURST flags, then one a minute; 0 switches it off.
        flags = window_items(
            per_minute=1 if settings.flag_burst else 0, burst=settings.flag_burst
        )
        return cls(
            ip=Limit("ip", ip, limiter),
            wallet=Limit("wallet", wallet, limiter),
            flags=Limit("flags", flags, limiter),
            shared=shared,
        )

    def describe(self) -> str:
        if self.shared:
            return "rate limits are shared through Redis (DENTAREVIEW_REDIS_URL)"
        return (
            "rate limits are kept in this process's memory (DENTAREVIEW_REDIS_URL is not set): "
            "right for a single process; with several workers or hosts set DENTAREVIEW_REDIS_URL"
        )

    def check(self, limit: Limit, key: str, what: str) -> None:
        """Count one write against `key`; RateLimited with Retry-After when over."""
        if not limit.enabled:
            return
        try:
            wait = limit.take(key)
        except Exception as error:  # noqa: BLE001 - the store's client raises its own tree
            self._log_outage(error)
            return
        if wait > 0:
            raise RateLimited(
                f"too many requests from this {what}; retry later",
                retry_after_seconds=math.ceil(wait),
            )

    def count_client(self, host: str) -> None:
        """Count one write against the client's IP (its /64 for IPv6)."""
        self.check(self.ip, client_key(host), "client address")

    def count_wallet(self, wallet: str) -> None:
        """Count one write against a known signer's wallet."""
        self.check(self.wallet, wallet, "wallet")

    def _log_outage(self, error: Exception) -> None:
        now = time.monotonic()
        if now - self._outage_logged_at >= _OUTAGE_LOG_SECONDS:
            self._outage_logged_at = now
            log.error(
                "rate-limit store unreachable, writes are not rate limited meanwhile: %s",
                scrub(f"{type(error).__name__}: {error}"),
            )


async def wallet_counter(request: Request) -> Callable[[str], None]:
    """The per-wallet count of this request, for the service to call once it knows the
    signer is a known wallet (blocking with Redis: called in the route's thread; the
    dependency itself is `async` only to spare a thread hop)."""
    limits: WriteLimits = request.app.state.write_limits
    return limits.count_wallet


WalletCounter = Annotated[Callable[[str], None], Depends(wallet_counter)]


def check_client_ip(request: Request) -> None:
    """Count a request against its client IP only (blocking: call from a `def`)."""
    limits: WriteLimits = request.app.state.write_limits
    limits.count_client(request.client.host if request.client is not None else "unknown")


async def limit_writes(request: Request) -> None:
    """Router dependency: a POST counts against its client IP. Its signer is counted by
    the service, which learns who it is anyway (see `wallet_counter`)."""
    if request.method != "POST":
        return
    limits: WriteLimits = request.app.state.write_limits
    if not limits.ip.enabled:
        return  # nothing to count: no thread hop
    await run_in_threadpool(check_client_ip, request)


def include_write_router(app: FastAPI, router: APIRouter) -> None:
    """Include a router whose POST routes are rate limited, declaring their 413 and 429."""
    limited = error_responses("PAYLOAD_TOO_LARGE", "RATE_LIMITED")
    for route in router.routes:
        if isinstance(route, APIRoute) and "POST" in (route.methods or ()):
            route.responses = {**limited, **route.responses}
    app.include_router(router, dependencies=[Depends(limit_writes)])
