"""The practice's news: where it goes (a webhook, an email address), the webhook
secret, and the delivery log. Signed-in dentists only."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from dentareview.api.auth import SignedInWallet
from dentareview.api.bounds import NO_CONTROL_CHARACTERS, PageOffset, PageSize
from dentareview.api.deps import DbSession, State
from dentareview.api.openapi import error_responses
from dentareview.services.news import (
    DeliveryView,
    NewsSettingsView,
    practice_deliveries,
    practice_news,
    rotate_practice_secret,
    set_practice_news,
)

router = APIRouter(tags=["practice"])

_REFUSALS = ("NOT_SIGNED_IN", "NOT_A_DENTIST", "DENTIST_INACTIVE")


class NewsSettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    webhookUrl: str | None = Field(
        default=None,
        max_length=2000,
        pattern=NO_CONTROL_CHARACTERS,
        description="https URL that receives the events; null for none",
    )
    email: str | None = Field(
        default=None,
        max_length=254,
        pattern=NO_CONTROL_CHARACTERS,
        description="address that receives the events by email; null for none",
    )


class NewsSettingsOut(BaseModel):
    webhookUrl: str | None
    email: str | None
    hasSecret: bool = Field(description="a webhook secret exists (it is shown only once)")
    secret: str | None = Field(
        default=None,
        description="the webhook secret (whsec_...), only in the answer that created it",
    )


class DeliveryOut(BaseModel):
    id: int
    event: str = Field(description="review.published, review.flagged, review.removed, ...")
    eventWords: str
    reviewId: int
    channel: str = Field(description="webhook or email")
    status: str = Field(description="pending, delivered, failed (given up) or dropped")
    attempts: int
    lastStatus: str | None = Field(description="e.g. delivered, HTTP 500, timeout")
    nextAttemptAt: int | None = Field(description="while pending: when it is tried next")
    deliveredAt: int | None
    createdAt: int = Field(description="when the event happened")


class DeliveriesOut(BaseModel):
    deliveries: list[DeliveryOut]


def _settings_out(view: NewsSettingsView, response: Response) -> NewsSettingsOut:
    response.headers["Cache-Control"] = "no-store"
    return NewsSettingsOut(
        webhookUrl=view.webhook_url, email=view.email, hasSecret=view.has_secret, secret=view.secret
    )


def _delivery_out(d: DeliveryView) -> DeliveryOut:
    return DeliveryOut(
        id=d.id,
        event=d.event,
        eventWords=d.event_words,
        reviewId=d.review_id,
        channel=d.channel,
        status=d.status,
        attempts=d.attempts,
        lastStatus=d.last_status,
        nextAttemptAt=d.next_attempt_at,
        deliveredAt=d.delivered_at,
        createdAt=d.created_at,
    )


@router.get(
    "/v1/practice/news", response_model=NewsSettingsOut, responses=error_responses(*_REFUSALS)
)
def get_news(wallet: SignedInWallet, session: DbSession, response: Response) -> NewsSettingsOut:
    """Where the signed-in practice's news goes (the secret itself is never shown again)."""
    return _settings_out(practice_news(session, wallet=wallet.wallet), response)


@router.put(
    "/v1/practice/news",
    response_model=NewsSettingsOut,
    responses=error_responses(
        *_REFUSALS, "CROSS_SITE_REQUEST", "VALIDATION_ERROR", "WEBHOOK_URL_REFUSED"
    ),
)
def put_news(
    body: NewsSettingsIn,
    wallet: SignedInWallet,
    state: State,
    session: DbSession,
    response: Response,
) -> NewsSettingsOut:
    """Set the webhook URL and the email address (null clears one). The first webhook URL
    gets a secret, returned in `secret` in this answer only."""
    view = set_practice_news(
        session,
        wallet=wallet.wallet,
        webhook_url=body.webhookUrl,
        email=body.email,
        now=state.clock(),
        allow_private=state.settings.webhook_allow_private,
    )
    session.commit()
    return _settings_out(view, response)


@router.post(
    "/v1/practice/news/secret",
    response_model=NewsSettingsOut,
    responses=error_responses(*_REFUSALS, "CROSS_SITE_REQUEST"),
)
def post_secret(
    wallet: SignedInWallet, state: State, session: DbSession, response: Response
) -> NewsSettingsOut:
    """Rotate the webhook secret: the new one is in `secret`, shown this once."""
    view = rotate_practice_secret(session, wallet=wallet.wallet, now=state.clock())
    session.commit()
    return _settings_out(view, response)


@router.get(
    "/v1/practice/news/deliveries",
    response_model=DeliveriesOut,
    responses=error_responses(*_REFUSALS, "VALIDATION_ERROR"),
)
def get_deliveries(
    wallet: SignedInWallet,
    session: DbSession,
    response: Response,
    limit: PageSize = 50,
    offset: PageOffset = 0,
) -> DeliveriesOut:
    """The delivery log, newest first: each event per channel, its attempts, last status,
    next retry and when it was delivered."""
    found = practice_deliveries(session, wallet=wallet.wallet, limit=limit, offset=offset)
    response.headers["Cache-Control"] = "no-store"
    return DeliveriesOut(deliveries=[_delivery_out(d) for d in found])
