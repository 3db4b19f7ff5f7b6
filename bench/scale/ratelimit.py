"""What the shared rate limits cost per write: the limits' checks of one POST (client IP
and wallet, moving windows) against Redis and against process memory."""

from __future__ import annotations

import secrets
import statistics
import time
from typing import Any

import redis

from dentareview.api.ratelimit import WriteLimits
from dentareview.config import Settings
from tests.support.redis_server import redis_base_url

CHECKS = 2_000


def _time_checks(limits: WriteLimits) -> dict[str, float]:
    latencies = []
    for i in range(CHECKS):
        started = time.perf_counter()
        limits.check(limits.ip, f"198.51.100.{i % 200}", "client address")
        limits.check(limits.wallet, f"0x{i % 500:040x}", "wallet")
        latencies.append(time.perf_counter() - started)
    latencies.sort()
    return {
        "p50_us": round(statistics.median(latencies) * 1e6, 1),
        "p99_us": round(latencies[int(len(latencies) * 0.99)] * 1e6, 1),
    }


def measure() -> dict[str, Any]:
    settings = Settings(rate_limit_ip_per_minute=10**6, rate_limit_ip_burst=10**5)
    results: dict[str, Any] = {
        "checks": CHECKS,
        "memory": _time_checks(WriteLimits.from_settings(settings)),
    }
    url = redis_base_url()
    prefix = f"dentareview-bench-{secrets.token_hex(4)}"
    shared = WriteLimits.from_settings(
        Settings(redis_url=url, rate_limit_ip_per_minute=10**6, rate_limit_ip_burst=10**5),
        key_prefix=prefix,
    )
    try:
        results["redis"] = _time_checks(shared)
    finally:
        client = redis.Redis.from_url(url)
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
    return results


if __name__ == "__main__":
    import json

    print(json.dumps(measure(), indent=2))
