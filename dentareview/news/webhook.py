"""One webhook attempt: a JSON body signed per Standard Webhooks, POSTed once."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

import httpx
from standardwebhooks.webhooks import Webhook

USER_AGENT = "DentaReview-Webhooks/1"
# httpx logs each request's URL at INFO: a practice's webhook URL may hold a token of its
# own, so only warnings pass (the delivery log and our own lines say what happened).
logging.getLogger("httpx").setLevel(logging.WARNING)


def signed_request(
    *, secret: str, message_id: str, body: dict[str, Any], now: int
) -> tuple[bytes, dict[str, str]]:
    """The body bytes and headers: `webhook-id` (the same on every retry, receivers
    dedupe on it), `webhook-timestamp` and `webhook-signature` (v1, HMAC-SHA256)."""
    data = json.dumps(body, separators=(",", ":"), sort_keys=True).encode()
    timestamp = datetime.fromtimestamp(now, UTC)
    signature = Webhook(secret).sign(message_id, timestamp, data)
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": message_id,
        "webhook-timestamp": str(now),
        "webhook-signature": signature,
    }
    return data, headers


def post_webhook(url: str, data: bytes, headers: dict[str, str], *, timeout: float) -> str | None:
    """None when the receiver answered 2xx; else what went wrong, in a few words (no
    redirect is followed: a 3xx is a failure, so a URL cannot bounce to an inner host)."""
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
            response = client.post(url, content=data, headers=headers)
    except httpx.TimeoutException:
        return "timeout"
    except httpx.HTTPError as error:
        return f"connection failed ({type(error).__name__})"[:64]
    if 200 <= response.status_code < 300:
        return None
    return f"HTTP {response.status_code}"
