"""Flags by anyone; flags, decisions and anomaly signals for the operators (SIWE wallets)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, status
from pydantic import BaseModel, ConfigDict, Field

from dentareview.api.auth import OPTIONAL_SESSION, SessionId, SignedInWallet
from dentareview.api.bounds import NO_CONTROL_CHARACTERS, ReviewIdPath
from dentareview.api.deps import DbSession, State
from dentareview.api.openapi import MALFORMED_BODY, error_responses
from dentareview.api.ratelimit import WriteLimits, client_key
from dentareview.domain.models import parse_address
from dentareview.domain.moderation import DecisionAction, DecisionReason, FlagReason, SignalSettings
from dentareview.errors import DentaReviewError
from dentareview.services.auth import current_session
from dentareview.services.moderation import (
    Decision,
    decide,
    decide_anonymous,
    dentist_signals,
    flag_anonymous_review,
    flag_review,
    list_open_flags,
    list_under_review,
    mark_signalled,
    require_operator,
)
from dentareview.services.views import FlagView

router = APIRouter(tags=["moderation"])


class FlagIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: FlagReason


class FlagOut(BaseModel):
    id: int
    reviewId: int = Field(description="a named review's id")
    reason: str
    createdAt: int
    state: Literal["under_review", "removed"] | None = Field(
        description="the review's moderation state: it stays online while under review"
    )


class AnonymousFlagOut(BaseModel):
    id: int
    anonymousReviewId: str = Field(description="the anonymous review's id (0x + 16 bytes)")
    reason: str
    createdAt: int
    state: Literal["under_review", "removed"] | None = Field(
        description="the anonymous review's moderation state: it stays online while under review"
    )


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: DecisionAction
    reason: DecisionReason
    note: str | None = Field(None, max_length=500, pattern=NO_CONTROL_CHARACTERS)


class DecisionOut(BaseModel):
    id: int
    reviewId: int | None = Field(description="the named review's id; null for an anonymous one")
    anonymousReviewId: str | None = Field(
        None, description="the anonymous review's id; null for a named one"
    )
    action: str
    reason: str
    note: str | None
    operator: str
    createdAt: int
    resolvedFlags: int = 0


class SignalOut(BaseModel):
    name: str
    raised: bool
    value: float
    threshold: float
    detail: str
    reviewIds: list[int]


class SignalsOut(BaseModel):
    dentist: str
    signals: list[SignalOut]
    marked: list[int] = Field(default_factory=list, description="reviews marked under review")


def operator(wallet: SignedInWallet, state: State) -> str:
    """The signed-in wallet, if it is one of DENTAREVIEW_OPERATOR_ADDRESSES (else 403
    NOT_AN_OPERATOR)."""
    return require_operator(wallet.wallet, state.settings.operators())


Operator = Annotated[str, Depends(operator)]


@router.post(
    "/v1/reviews/{review_id}/flags",
    status_code=status.HTTP_201_CREATED,
    response_model=FlagOut,
    responses={
        **MALFORMED_BODY,
        **error_responses(
            "VALIDATION_ERROR",
            "REVIEW_NOT_FOUND",
            "RATE_LIMITED",
            "PAYLOAD_TOO_LARGE",
            "CROSS_SITE_REQUEST",
        ),
    },
    openapi_extra=OPTIONAL_SESSION,
)
def post_flag(
    review_id: ReviewIdPath,
    body: FlagIn,
    request: Request,
    state: State,
    session: DbSession,
    session_id: SessionId,
) -> FlagOut:
    """Report a review, with a reason from the fixed list; anyone may (the dentist too).
    The review stays online, shown "under review", until an operator decides."""
    client = request.client.host if request.client is not None else "unknown"
    limits: WriteLimits = request.app.state.write_limits
    limits.check(limits.flags, client_key(client), "client address")
    reporter = _reporter(session, state, session_id)
    flag = flag_review(
        session, review_id=review_id, reason=body.reason, reporter=reporter, now=state.clock()
    )
    session.commit()
    return FlagOut(
        id=flag.id,
        reviewId=review_id,
        reason=flag.reason,
        createdAt=flag.created_at,
        state=flag.review_state,
    )


@router.get(
    "/v1/moderation/flags",
    responses=error_responses("NOT_SIGNED_IN", "NOT_AN_OPERATOR", "VALIDATION_ERROR"),
)
def get_flags(
    _operator: Operator,
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> list[FlagOut]:
    """Open flags of named reviews, oldest first (operators only); an anonymous review's
    are at /v1/moderation/anonymous-flags."""
    return [
        FlagOut(
            id=f.id,
            reviewId=f.review_id or 0,
            reason=f.reason,
            createdAt=f.created_at,
            state=f.review_state,
        )  # fmt: skip
        for f in list_open_flags(session, limit=limit, offset=offset)
    ]


class UnderReviewOut(BaseModel):
    reviewId: int
    reason: str = Field(description="why it is under review: a flag reason, or anomaly")
    reasonLabel: str


@router.get(
    "/v1/moderation/under-review",
    responses=error_responses("NOT_SIGNED_IN", "NOT_AN_OPERATOR", "VALIDATION_ERROR"),
)
def get_under_review(
    _operator: Operator,
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> list[UnderReviewOut]:
    """Reviews shown "under review" (flagged, or marked by the anomaly signals), oldest
    first (operators only): each waits for a keep or remove."""
    return [
        UnderReviewOut(reviewId=review_id, reason=reason, reasonLabel=label)
        for review_id, reason, label in list_under_review(session, limit=limit, offset=offset)
    ]


@router.post(
    "/v1/moderation/reviews/{review_id}/decisions",
    status_code=status.HTTP_201_CREATED,
    response_model=DecisionOut,
    responses={
        **MALFORMED_BODY,
        **error_responses(
            "NOT_SIGNED_IN",
            "NOT_AN_OPERATOR",
            "VALIDATION_ERROR",
            "REVIEW_NOT_FOUND",
            "PAYLOAD_TOO_LARGE",
        ),
    },
)
def post_decision(
    review_id: ReviewIdPath,
    body: DecisionIn,
    operator_wallet: Operator,
    state: State,
    session: DbSession,
) -> DecisionOut:
    """Keep or remove a review (or mark it under review), with a reason; recorded with the
    operator's wallet and shown to the public on the review."""
    decision = decide(
        session,
        review_id=review_id,
        action=body.action,
        reason=body.reason,
        note=body.note,
        operator=operator_wallet,
        now=state.clock(),
    )
    session.commit()
    return _decision_out(decision)


def _decision_out(decision: Decision) -> DecisionOut:
    view = decision.decision
    return DecisionOut(
        id=view.id,
        reviewId=view.review_id,
        anonymousReviewId=view.anonymous_review_id,
        action=view.action,
        reason=view.reason,
        note=view.note,
        operator=view.operator,
        createdAt=view.decided_at,
        resolvedFlags=decision.resolved_flags,
    )


def _reporter(session: DbSession, state: State, session_id: str | None) -> str | None:
    """The signed-in reporter's wallet, if any (a report is anyone's)."""
    if session_id is None:
        return None
    try:
        return current_session(session, session_id=session_id, now=state.clock()).wallet
    except DentaReviewError:
        return None


@router.post(
    "/v1/anonymous-reviews/{anonymous_id}/flags",
    status_code=status.HTTP_201_CREATED,
    response_model=AnonymousFlagOut,
    responses={
        **MALFORMED_BODY,
        **error_responses(
            "VALIDATION_ERROR",
            "ANONYMOUS_REVIEW_NOT_FOUND",
            "RATE_LIMITED",
            "PAYLOAD_TOO_LARGE",
            "CROSS_SITE_REQUEST",
        ),
    },
    openapi_extra=OPTIONAL_SESSION,
)
def post_anonymous_flag(
    anonymous_id: Annotated[str, Path(max_length=40)],
    body: FlagIn,
    request: Request,
    state: State,
    session: DbSession,
    session_id: SessionId,
) -> AnonymousFlagOut:
    """Report a published anonymous review, as a named one: a reason from the same list,
    the same limits; it stays online, shown "under review", until an operator decides.
    Nothing of the report concerns its author, whom the service does not know."""
    client = request.client.host if request.client is not None else "unknown"
    limits: WriteLimits = request.app.state.write_limits
    limits.check(limits.flags, client_key(client), "client address")
    flag = flag_anonymous_review(
        session,
        review_id=anonymous_id,
        reason=body.reason,
        reporter=_reporter(session, state, session_id),
        now=state.clock(),
    )
    session.commit()
    return _anonymous_flag_out(flag)


def _anonymous_flag_out(flag: FlagView) -> AnonymousFlagOut:
    return AnonymousFlagOut(
        id=flag.id,
        anonymousReviewId=flag.anonymous_review_id or "",
        reason=flag.reason,
        createdAt=flag.created_at,
        state=flag.review_state,
    )


@router.get(
    "/v1/moderation/anonymous-flags",
    responses=error_responses("NOT_SIGNED_IN", "NOT_AN_OPERATOR", "VALIDATION_ERROR"),
)
def get_anonymous_flags(
    _operator: Operator,
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> list[AnonymousFlagOut]:
    """Open flags of anonymous reviews, oldest first (operators only)."""
    flags = list_open_flags(session, limit=limit, offset=offset, anonymous=True)
    return [_anonymous_flag_out(f) for f in flags]


@router.post(
    "/v1/moderation/anonymous-reviews/{anonymous_id}/decisions",
    status_code=status.HTTP_201_CREATED,
    response_model=DecisionOut,
    responses={
        **MALFORMED_BODY,
        **error_responses(
            "NOT_SIGNED_IN",
            "NOT_AN_OPERATOR",
            "VALIDATION_ERROR",
            "ANONYMOUS_REVIEW_NOT_FOUND",
            "PAYLOAD_TOO_LARGE",
        ),
    },
)
def post_anonymous_decision(
    anonymous_id: Annotated[str, Path(max_length=40)],
    body: DecisionIn,
    operator_wallet: Operator,
    state: State,
    session: DbSession,
) -> DecisionOut:
    """Keep or remove an anonymous review with a reason, recorded as a named review's
    decision; a removed one's text and ratings are no longer shown nor counted."""
    decision = decide_anonymous(
        session,
        review_id=anonymous_id,
        action=body.action,
        reason=body.reason,
        note=body.note,
        operator=operator_wallet,
        now=state.clock(),
    )
    session.commit()
    return _decision_out(decision)


def _signals(address: str, state: State, session: DbSession, *, mark_as: str | None) -> SignalsOut:
    dentist = parse_address(address, "address")
    now = state.clock()
    signals = dentist_signals(session, dentist=dentist, now=now, settings=SignalSettings())
    marked = mark_signalled(session, signals=signals, operator=mark_as, now=now) if mark_as else []
    session.commit()
    return SignalsOut(
        dentist=dentist,
        signals=[
            SignalOut(
                name=s.name,
                raised=s.raised,
                value=s.value,
                threshold=s.threshold,
                detail=s.detail,
                reviewIds=list(s.review_ids),
            )  # fmt: skip
            for s in signals
        ],
        marked=marked,
    )


@router.get(
    "/v1/moderation/dentists/{address}/signals",
    response_model=SignalsOut,
    responses=error_responses(
        "NOT_SIGNED_IN", "NOT_AN_OPERATOR", "VALIDATION_ERROR", "DENTIST_NOT_FOUND"
    ),
)
def get_signals(address: str, _operator: Operator, state: State, session: DbSession) -> SignalsOut:
    """Anomaly signals of a practice (operators only): the share of reviews from wallets
    with no earlier history, bursts against the practice's norm, a rating shift."""
    return _signals(address, state, session, mark_as=None)


@router.post(
    "/v1/moderation/dentists/{address}/signals/mark",
    response_model=SignalsOut,
    responses=error_responses(
        "NOT_SIGNED_IN", "NOT_AN_OPERATOR", "VALIDATION_ERROR", "DENTIST_NOT_FOUND"
    ),
)
def post_mark(
    address: str, operator_wallet: Operator, state: State, session: DbSession
) -> SignalsOut:
    """Mark the reviews a raised signal concerns "under review" (they stay online, and
    still count); each mark is a recorded decision that a later keep or remove resolves."""
    return _signals(address, state, session, mark_as=operator_wallet)
