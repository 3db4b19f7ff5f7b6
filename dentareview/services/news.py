"""News for practices: events recorded with what caused them, where the practice wants
them (a webhook, an email address), the overdue-reply sweep and the delivery log.

An event and its deliveries are written in the caller's transaction (the review, the
flag or the decision that raised it), so none is lost; the delivery worker
(news/worker.py) sends them later.
"""

from __future__ import annotations

import base64
import json
import secrets
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from dentareview.db.models import (
    NewsChannel,
    PracticeDeliveryRow,
    PracticeEventRow,
    PracticeNewsSettingsRow,
)
from dentareview.db.queries.news import (
    add_deliveries,
    add_event,
    delivery_log,
    insert_event,
    news_settings,
    news_settings_for_update,
    overdue_reviews,
)
from dentareview.domain.news import EVENT_WORDS, EventKind, public_address, public_facts
from dentareview.domain.policy import DAY
from dentareview.errors import ValidationError, WebhookUrlRefused
from dentareview.services.practice import practice_of

MAX_URL_CHARS = 2000
MAX_EMAIL_CHARS = 254
SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32  # Standard Webhooks: between 24 and 64 random bytes


def channels_of(settings: PracticeNewsSettingsRow | None) -> list[NewsChannel]:
    """The channels an event goes to now: a webhook with its secret, an email address."""
    if settings is None:
        return []
    found: list[NewsChannel] = []
    if settings.webhook_url and settings.webhook_secret:
        found.append("webhook")
    if settings.email:
        found.append("email")
    return found


def new_message_id() -> str:
    return "msg_" + secrets.token_hex(16)


def record_event(
    session: Session,
    *,
    dentist: str,
    kind: EventKind,
    review_id: int,
    ref: str,
    data: dict[str, Any],
    now: int,
    may_exist: bool = False,
) -> int | None:
    """Record an event and a pending delivery per channel the practice has now. Only
    public facts are kept. `may_exist`: the fact (`ref`) may have been recorded before
    (a sweep); then None, without failing the caller's transaction."""
    row = PracticeEventRow(
        dentist=dentist,
        kind=kind,
        ref=ref,
        review_id=review_id,
        data=json.dumps(public_facts(data), separators=(",", ":")),
        created_at=now,
    )
    event = insert_event(session, row=row) if may_exist else add_event(session, row=row)
    if event is None:
        return None
    channels = channels_of(news_settings(session, dentist=dentist))
    add_deliveries(
        session,
        [
            PracticeDeliveryRow(
                event_id=event.id,
                dentist=dentist,
                channel=channel,
                message_id=new_message_id(),
                status="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
            for channel in channels
        ],
    )
    return event.id


def raise_overdue_replies(session: Session, *, now: int, days: int, limit: int = 500) -> int:
    """`reply.overdue` for each review that has waited more than `days` days for the
    practice's reply (once per review); the number raised."""
    raised = 0
    for review_id, dentist, rating, submitted_at in overdue_reviews(
        session, submitted_before=now - days * DAY, limit=limit
    ):
        found = record_event(
            session,
            dentist=dentist,
            kind="reply.overdue",
            review_id=review_id,
            ref=f"reply.overdue:{review_id}",
            data={"rating": rating, "waitingDays": (now - submitted_at) // DAY},
            now=now,
            may_exist=True,  # another process's sweep may have raised it meanwhile
        )
        raised += found is not None
    return raised


# ------------------------------------------------------------------ webhook targets


def resolve_host(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    return sorted({str(info[4][0]) for info in infos})


def check_webhook_url(url: str, *, allow_private: bool) -> None:
    """WEBHOOK_URL_REFUSED unless `url` is https (http only when private targets are
    allowed) and every address its host resolves to is public (unless allowed): a
    practice must not make the service call into its own network (SSRF)."""
    if len(url) > MAX_URL_CHARS:
        raise WebhookUrlRefused(
            f"the webhook URL may have at most {MAX_URL_CHARS} characters", field="webhookUrl"
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise WebhookUrlRefused("the webhook URL is not a URL", field="webhookUrl") from None
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes or not parts.hostname:
        raise WebhookUrlRefused(
            "the webhook URL must be an https:// URL with a host", field="webhookUrl"
        )
    if parts.username is not None or parts.password is not None:
        raise WebhookUrlRefused("the webhook URL may not hold credentials", field="webhookUrl")
    addresses = resolve_host(parts.hostname, port or (443 if parts.scheme == "https" else 80))
    if not addresses:
        raise WebhookUrlRefused("the webhook URL's host does not resolve", field="webhookUrl")
    if not allow_private and not all(public_address(a) for a in addresses):
        raise WebhookUrlRefused(
            "the webhook URL's host is a loopback, private, link-local or other non-public address",
            field="webhookUrl",
        )


def _check_email(email: str) -> None:
    local, _, domain = email.rpartition("@")
    if (
        len(email) > MAX_EMAIL_CHARS
        or not local
        or "." not in domain
        or any(c.isspace() or ord(c) < 32 or c in '<>,;"' for c in email)
    ):
        raise ValidationError("email must be one email address", field="email")


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and base64 of random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


# ------------------------------------------------------------------ the practice's side


@dataclass(frozen=True)
class NewsSettingsView:
    webhook_url: str | None
    email: str | None
    has_secret: bool
    secret: str | None = None  # only in the answer that created or rotated it


def _view(row: PracticeNewsSettingsRow | None, secret: str | None = None) -> NewsSettingsView:
    if row is None:
        return NewsSettingsView(None, None, False)
    return NewsSettingsView(row.webhook_url, row.email, row.webhook_secret is not None, secret)


def practice_news(session: Session, *, wallet: str) -> NewsSettingsView:
    practice = practice_of(session, wallet=wallet)
    return _view(news_settings(session, dentist=practice.address))


def set_practice_news(
    session: Session,
    *,
    wallet: str,
    webhook_url: str | None,
    email: str | None,
    now: int,
    allow_private: bool,
) -> NewsSettingsView:
    """Set (or clear, with None) the webhook URL and the email address. The first
    webhook URL gets a secret, returned in this answer only."""
    practice = practice_of(session, wallet=wallet)
    webhook_url = webhook_url.strip() if webhook_url else None
    email = email.strip() if email else None
    if webhook_url is not None:
        check_webhook_url(webhook_url, allow_private=allow_private)
    if email is not None:
        _check_email(email)
    row = news_settings_for_update(session, dentist=practice.address, now=now)
    secret = None
    if webhook_url is not None and row.webhook_secret is None:
        secret = row.webhook_secret = new_secret()
    row.webhook_url, row.email, row.updated_at = webhook_url, email, now
    return _view(row, secret)


def rotate_practice_secret(session: Session, *, wallet: str, now: int) -> NewsSettingsView:
    """A new webhook secret, shown once; deliveries from now on are signed with it."""
    practice = practice_of(session, wallet=wallet)
    row = news_settings_for_update(session, dentist=practice.address, now=now)
    row.webhook_secret, row.updated_at = new_secret(), now
    return _view(row, row.webhook_secret)


@dataclass(frozen=True)
class DeliveryView:
    id: int
    event: str
    event_words: str
    review_id: int
    channel: str
    status: str
    attempts: int
    last_status: str | None
    next_attempt_at: int | None
    delivered_at: int | None
    created_at: int


def practice_deliveries(
    session: Session, *, wallet: str, limit: int, offset: int
) -> list[DeliveryView]:
    practice = practice_of(session, wallet=wallet)
    return [
        DeliveryView(
            id=e.delivery.id,
            event=e.kind,
            event_words=EVENT_WORDS.get(e.kind, e.kind),
            review_id=e.review_id,
            channel=e.delivery.channel,
            status=e.delivery.status,
            attempts=e.delivery.attempts,
            last_status=e.delivery.last_status,
            next_attempt_at=e.delivery.next_attempt_at if e.delivery.status == "pending" else None,
            delivered_at=e.delivery.delivered_at,
            created_at=e.event_at,
        )
        for e in delivery_log(session, dentist=practice.address, limit=limit, offset=offset)
    ]
