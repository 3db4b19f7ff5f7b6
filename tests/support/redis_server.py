"""The real Redis for tests, with a key prefix per test so runs never share counters.

Redis comes from DENTAREVIEW_TEST_REDIS_URL (default: the local server, database 0).
When it is unreachable the tests that need it are skipped, except under CI, where they fail.
"""

from __future__ import annotations

import functools
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_base_url() -> str:
    return os.environ.get("DENTAREVIEW_TEST_REDIS_URL", DEFAULT_REDIS_URL)


@functools.cache
def _redis_problem(url: str) -> str | None:
    try:
        redis.Redis.from_url(url, socket_timeout=2).ping()
    except redis.RedisError as error:
        return str(error)
    return None


def redis_url_or_skip() -> str:
    url = redis_base_url()
    problem = _redis_problem(url)
    if problem is not None:
        message = f"Redis not reachable: {problem}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return url


def keys_with_prefix(url: str, prefix: str) -> list[str]:
    client = redis.Redis.from_url(url, decode_responses=True)
    return sorted(client.scan_iter(match=f"{prefix}:*"))


@contextmanager
def redis_prefix() -> Iterator[tuple[str, str]]:
    """(url, prefix) with a fresh prefix; its keys are deleted afterwards."""
    url = redis_url_or_skip()
    prefix = f"dentareview-test-{secrets.token_hex(6)}"
    try:
        yield url, prefix
    finally:
        client = redis.Redis.from_url(url)
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
