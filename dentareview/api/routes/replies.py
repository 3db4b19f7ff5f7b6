"""The practice's public reply to a review: sign, read the history, check for PHI."""

from __future__ import annotations

from fastapi import APIRouter, status

from dentareview.api.bounds import ReviewIdPath
from dentareview.api.convert import anchor_to_wire, reply_from_wire, signature_from_wire
from dentareview.api.deps import DbSession, State
from dentareview.api.openapi import MALFORMED_BODY, error_responses
from dentareview.api.schemas import (
    PhiWarningOut,
    ReplyCheckIn,
    ReplyCheckOut,
    ReplyHistoryOut,
    ReplyOut,
    ReplyVersionOut,
    SignedReviewReply,
    StatementAnchorOut,
)
from dentareview.domain.phi import check_reply_text
from dentareview.services.replies import reply_history, reply_to_review

router = APIRouter(tags=["replies"])


@router.post(
    "/v1/reviews/{review_id}/reply",
    status_code=status.HTTP_201_CREATED,
    response_model=ReplyOut,
    responses=error_responses(
        "VALIDATION_ERROR",
        "INVALID_SIGNATURE",
        "REVIEW_NOT_FOUND",
        "NOT_VISIT_DENTIST",
        "DENTIST_INACTIVE",
        "REVIEW_ERASED",
        "REPLY_CONFLICT",
        "REPLY_VERSION_LIMIT",
        "REPLY_TEXT_INVALID",
        "SIGNATURE_EXPIRED",
        "DEADLINE_TOO_FAR",
    ),
)
def post_reply(
    review_id: ReviewIdPath, body: SignedReviewReply, state: State, session: DbSession
) -> ReplyOut:
    """The practice's public reply, signed by the visit's dentist as `ReviewReply`: the
    first (`previousDigest` zero) or a new version superseding the latest. Its digest is
    queued for anchoring on-chain (`anchorStatements`) in the same transaction."""
    accepted = reply_to_review(
        session,
        domain=state.domain(),
        review_id=review_id,
        reply=reply_from_wire(body.message),
        signature=signature_from_wire(body.signature),
        now=state.clock(),
        policy=state.settings.policy(),
        contracts=state.gateway.contract_accounts(),
    )
    session.commit()
    return ReplyOut(
        reviewId=accepted.review_id,
        seq=accepted.seq,
        digest=accepted.digest,
        previousDigest=accepted.previous_digest,
        edited=accepted.seq > 1,
        signedAt=accepted.created_at,
        anchor=StatementAnchorOut(
            status="pending", final=False, txHash=None, blockNumber=None, anchoredAt=None
        ),
    )


@router.get(
    "/v1/reviews/{review_id}/replies",
    response_model=ReplyHistoryOut,
    responses=error_responses("VALIDATION_ERROR", "REVIEW_NOT_FOUND"),
)
def get_replies(review_id: ReviewIdPath, session: DbSession) -> ReplyHistoryOut:
    """Every signed version of the practice's reply, oldest first, each with its
    signature: anyone can recompute each digest and recover the dentist."""
    found = reply_history(session, review_id=review_id)
    return ReplyHistoryOut(
        reviewId=found.review_id,
        visitId=found.visit_id,
        dentist=found.dentist,
        erased=found.erased,
        versions=[
            ReplyVersionOut(
                seq=v.seq,
                digest=v.digest,
                reviewDigest=v.review_digest,
                previousDigest=v.previous_digest,
                text=v.text,
                textHash=v.text_hash,
                deadline=v.deadline,
                signature=v.signature,
                signedAt=v.signed_at,
                anchor=anchor_to_wire(v.anchor),
            )
            for v in found.versions
        ],
    )


@router.post(
    "/v1/replies/check",
    response_model=ReplyCheckOut,
    responses={**MALFORMED_BODY, **error_responses("VALIDATION_ERROR")},
)
def post_check(body: ReplyCheckIn) -> ReplyCheckOut:
    """Warnings when a reply text seems to disclose patient health information (a name,
    a visit's date or time, a treatment tied to the patient, a phone, an email, an age).
    A heuristic: it warns, it never blocks; nothing is stored."""
    return ReplyCheckOut(
        warnings=[
            PhiWarningOut(code=w.code, start=w.start, end=w.end, match=w.match, message=w.message)
            for w in check_reply_text(body.text)
        ]
    )
