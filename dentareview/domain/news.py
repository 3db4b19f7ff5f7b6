"""News for a practice: what each event says, when a failed delivery is tried again,
and which webhook targets are refused.

Payloads carry public facts only (the review's id, rating and public links, a flag's or
removal's reason): never a patient's wallet, email address or the visit's time.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any, Final, Literal

EventKind = Literal["review.published", "review.flagged", "review.removed", "reply.overdue"]
EVENT_KINDS: Final[tuple[EventKind, ...]] = (
    "review.published",
    "review.flagged",
    "review.removed",
    "reply.overdue",
)
# What each event means, in the words of the email and the delivery log.
EVENT_WORDS: Final[dict[str, str]] = {
    "review.published": "A new review was published",
    "review.flagged": "A review was reported",
    "review.removed": "A review was removed by moderation",
    "reply.overdue": "A review is waiting for your reply",
}
# The facts an event's `data` may hold; anything else is dropped before storing.
PUBLIC_FACTS: Final = frozenset({"rating", "reason", "waitingDays"})


@dataclass(frozen=True)
class NewsEvent:
    id: int
    kind: str
    review_id: int
    dentist: str
    data: dict[str, Any]
    created_at: int


def public_facts(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k in PUBLIC_FACTS}


def payload(event: NewsEvent, *, public_url: str) -> dict[str, Any]:
    """The JSON body of a webhook (Standard Webhooks: `type`, `timestamp`, `data`)."""
    base = public_url.rstrip("/")
    return {
        "type": event.kind,
        "timestamp": event.created_at,
        "data": {
            "eventId": event.id,
            "practice": event.dentist,
            "reviewId": event.review_id,
            **public_facts(event.data),
            "links": {
                "review": f"{base}/v1/reviews/{event.review_id}",
                "verify": f"{base}/verify/{event.review_id}",
                "reply": f"{base}/practice/reviews",
            },
        },
    }


def email_text(event: NewsEvent, *, practice_name: str, public_url: str) -> tuple[str, str]:
    """The subject and plain-text body of an event's email."""
    words = EVENT_WORDS[event.kind]
    links = payload(event, public_url=public_url)["data"]["links"]
    lines = [f"{words} for {practice_name}.", "", f"Review {event.review_id}"]
    facts = public_facts(event.data)
    if "rating" in facts:
        lines.append(f"Rating: {facts['rating']} of 5")
    if "reason" in facts:
        lines.append(f"Reason: {facts['reason']}")
    if "waitingDays" in facts:
        lines.append(f"Waiting for a reply for {facts['waitingDays']} days")
    lines += ["", f"See it: {links['verify']}", f"Reply: {links['reply']}", ""]
    return f"{words} (review {event.review_id})", "\n".join(lines)


def retry_delay(attempts: int, *, base_seconds: int, max_seconds: int) -> int:
    """Seconds before the next try after `attempts` failed ones: doubling, capped."""
    return int(min(base_seconds * 2 ** max(attempts - 1, 0), max_seconds))


def public_address(address: str) -> bool:
    """True for a globally routable unicast address; False for loopback, private,
    link-local, shared (CGNAT), multicast, reserved, unspecified and the like."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast
