"""POST /v1/reviews/{id}/edit and /erase: the patient's signed later word on a review."""

from __future__ import annotations

from fastapi import APIRouter, status

from dentareview.api.bounds import ReviewIdPath
from dentareview.api.convert import edit_from_wire, erasure_from_wire, signature_from_wire
from dentareview.api.deps import DbSession, State
from dentareview.api.openapi import error_responses
from dentareview.api.schemas import RevisionOut, SignedReviewEdit, SignedReviewErasure
from dentareview.services.revisions import AcceptedRevision, edit_review, erase_review

router = APIRouter(tags=["reviews"])

_ERRORS = (
    "VALIDATION_ERROR",
    "INVALID_SIGNATURE",
    "REVIEW_NOT_FOUND",
    "NOT_REVIEW_AUTHOR",
    "REVISION_CONFLICT",
    "REVIEW_ERASED",
    "SIGNATURE_EXPIRED",
    "DEADLINE_TOO_FAR",
)


def _out(accepted: AcceptedRevision) -> RevisionOut:
    return RevisionOut(
        reviewId=accepted.review_id,
        seq=accepted.seq,
        kind=accepted.kind,
        digest=accepted.digest,
        state="edited" if accepted.kind == "edit" else "erased",
        anchored=False,
    )


@router.post(
    "/v1/reviews/{review_id}/edit",
    status_code=status.HTTP_201_CREATED,
    response_model=RevisionOut,
    responses=error_responses(
        *_ERRORS, "TEXT_TOO_SHORT", "TEXT_TOO_LONG", "TOO_FEW_WORDS", "INVALID_RATING"
    ),
)
def post_edit(
    review_id: ReviewIdPath, body: SignedReviewEdit, state: State, session: DbSession
) -> RevisionOut:
    """A new version of the review, signed by its patient as `ReviewEdit`; it supersedes
    the version whose digest it names. The reward is not paid again."""
    accepted = edit_review(
        session,
        domain=state.domain(),
        review_id=review_id,
        edit=edit_from_wire(body.message),
        signature=signature_from_wire(body.signature),
        now=state.clock(),
        policy=state.settings.policy(),
        contracts=state.gateway.contract_accounts(),
    )
    session.commit()
    return _out(accepted)


@router.post(
    "/v1/reviews/{review_id}/erase",
    status_code=status.HTTP_201_CREATED,
    response_model=RevisionOut,
    responses=error_responses(*_ERRORS, "REVIEW_NOT_ANCHORED"),
)
def post_erasure(
    review_id: ReviewIdPath, body: SignedReviewErasure, state: State, session: DbSession
) -> RevisionOut:
    """Erase the review, signed by its patient as `ReviewErasure`: the text of every
    version is deleted; the digest and the signed request remain as the proof."""
    accepted = erase_review(
        session,
        domain=state.domain(),
        review_id=review_id,
        erasure=erasure_from_wire(body.message),
        signature=signature_from_wire(body.signature),
        now=state.clock(),
        policy=state.settings.policy(),
        contracts=state.gateway.contract_accounts(),
    )
    session.commit()
    return _out(accepted)
