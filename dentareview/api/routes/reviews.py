"""POST /v1/reviews and GET /v1/reviews/{id}."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from dentareview.api.bounds import ReviewIdPath
from dentareview.api.convert import (
    review_from_wire,
    review_to_wire,
    reward_to_wire,
    signature_from_wire,
)
from dentareview.api.deps import DbSession, State
from dentareview.api.openapi import error_responses
from dentareview.api.ratelimit import WalletCounter
from dentareview.api.schemas import ReviewOut, RewardOut, SignedReview, SubmittedReviewOut
from dentareview.services.reviews import (
    ReviewState,
    SubmittedReview,
    load_review,
    submit_review,
    wait_for_anchor,
)

router = APIRouter(tags=["reviews"])
log = logging.getLogger(__name__)


def _submitted(state: ReviewState) -> SubmittedReviewOut:
    review = state.review
    return SubmittedReviewOut(
        id=review.id,
        digest=review.digest,
        status=review.status,
        rewarded=review.rewardable,
        reward=reward_to_wire(state.reward),
        txHash=review.tx_hash,
    )


def _pending(submitted: SubmittedReview) -> SubmittedReviewOut:
    decision = submitted.decision
    return SubmittedReviewOut(
        id=submitted.review_id,
        digest=submitted.digest,
        status="pending",
        rewarded=decision.rewarded,
        reward=RewardOut(
            rewarded=decision.rewarded,
            amount=str(submitted.reward_amount),
            status="pending" if decision.rewarded else "none",
            reasonCode=decision.reason_code,
            reason=decision.reason,
        ),
    )


@router.post(
    "/v1/reviews",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=SubmittedReviewOut,
    responses={
        201: {"model": SubmittedReviewOut, "description": "Anchored within `wait` seconds"},
        **error_responses(
            "VALIDATION_ERROR",
            "INVALID_SIGNATURE",
            "VISIT_NOT_FOUND",
            "NOT_VISIT_PATIENT",
            "DUPLICATE_REVIEW",
            "REVIEW_WINDOW_CLOSED",
            "SIGNATURE_EXPIRED",
            "DEADLINE_TOO_FAR",
            "TEXT_TOO_SHORT",
            "TEXT_TOO_LONG",
            "TOO_FEW_WORDS",
            "INVALID_RATING",
            "NOT_DEPLOYED",
        ),
    },
)
def post_review(
    body: SignedReview,
    state: State,
    session: DbSession,
    count_wallet: WalletCounter,
    wait: Annotated[
        float, Query(ge=0, le=30, description="Seconds to wait for anchoring before answering")
    ] = 0,
) -> Response:
    """Accept a patient's signed `Review`: stored at once as `pending` (202), anchored and
    rewarded by the background worker; `201` when it was anchored within `wait` seconds."""
    submitted = submit_review(
        session,
        domain=state.domain(),
        review=review_from_wire(body.message),
        signature=signature_from_wire(body.signature),
        now=state.clock(),
        policy=state.settings.policy(),
        reward_amount=state.gateway.manifest().reward_amount,
        contracts=state.gateway.contract_accounts(),
        count_signer=count_wallet,
        language=body.language,
    )
    session.commit()  # durable before we answer: nothing accepted is ever lost
    # With the request's id: the anchoring worker's lines name the review id, so a
    # review is followed from its request to its anchor.
    log.info("review %d accepted", submitted.review_id, extra={"review_id": submitted.review_id})
    if state.anchor_loop is not None:
        state.anchor_loop.wake()
    if state.news_loop is not None:  # the practice hears of it at once
        state.news_loop.wake()
    if wait == 0:
        return _json(_pending(submitted), status.HTTP_202_ACCEPTED)  # no re-read
    review = wait_for_anchor(state.sessions, review_id=submitted.review_id, timeout=wait)
    anchored = review.review.status == "anchored"
    return _json(
        _submitted(review), status.HTTP_201_CREATED if anchored else status.HTTP_202_ACCEPTED
    )


def _json(body: SubmittedReviewOut, status_code: int) -> Response:
    # Serialised once by the model itself: FastAPI would validate it again against the
    # response model first (the declared model still documents the answer).
    return Response(body.model_dump_json(), status_code, media_type="application/json")


@router.get(
    "/v1/reviews/{review_id}",
    response_model=ReviewOut,
    responses=error_responses("VALIDATION_ERROR", "REVIEW_NOT_FOUND"),
)
def get_review(review_id: ReviewIdPath, session: DbSession) -> ReviewOut:
    """The public view of a review (the patient's wallet is not shown)."""
    return review_to_wire(load_review(session, review_id=review_id).review)
