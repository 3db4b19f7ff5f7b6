"""The signed-in patient's own reviews and full proofs (Sign-In with Ethereum)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from dentareview.api.auth import SignedInWallet
from dentareview.api.convert import review_to_wire, reward_to_wire
from dentareview.api.deps import DbSession, State
from dentareview.api.openapi import error_responses
from dentareview.api.routes.patients import rewards_out
from dentareview.api.schemas import PatientRewardsOut, ReviewOut, RewardOut
from dentareview.audit.proof_schema import FullProof
from dentareview.services.patients import OwnReview, own_reviews
from dentareview.services.proofs import build_patient_proof

router = APIRouter(tags=["patients"])


class OwnReviewOut(ReviewOut):
    visitedAt: int = Field(description="the attested visit's time (patient-only)")
    reward: RewardOut


class OwnReviewPage(BaseModel):
    patient: str
    total: int
    limit: int
    offset: int
    items: list[OwnReviewOut]


def _own(found: OwnReview) -> OwnReviewOut:
    return OwnReviewOut(
        **review_to_wire(found.review).model_dump(),
        visitedAt=found.visited_at,
        reward=reward_to_wire(found.reward),
    )


@router.get(
    "/v1/me/reviews",
    response_model=OwnReviewPage,
    responses=error_responses("NOT_SIGNED_IN", "VALIDATION_ERROR"),
)
def get_own_reviews(
    wallet: SignedInWallet,
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> OwnReviewPage:
    """The signed-in patient's reviews, newest first, with status, visit time and reward."""
    page = own_reviews(session, patient=wallet.wallet, limit=limit, offset=offset)
    return OwnReviewPage(
        patient=wallet.wallet,
        total=page.total,
        limit=limit,
        offset=offset,
        items=[_own(item) for item in page.items],
    )


@router.get(
    "/v1/me/reviews/{review_id}/proof",
    response_model=FullProof,
    response_model_exclude_unset=True,
    responses=error_responses(
        "NOT_SIGNED_IN", "FORBIDDEN", "REVIEW_NOT_FOUND", "REVIEW_NOT_ANCHORED", "NOT_DEPLOYED"
    ),
)
def get_own_proof(
    review_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    wallet: SignedInWallet,
    state: State,
    session: DbSession,
) -> dict[str, Any]:
    """The full proof (`"kind": "full"`: both signed messages, the patient's wallet and the
    visit time) of one of the signed-in patient's own anchored reviews."""
    proof = build_patient_proof(
        session, review_id=review_id, domain=state.domain(), wallet=wallet.wallet
    )
    return proof.to_json()


@router.get(
    "/v1/me/rewards",
    response_model=PatientRewardsOut,
    responses=error_responses("NOT_SIGNED_IN"),
)
def get_own_rewards(wallet: SignedInWallet, state: State, session: DbSession) -> PatientRewardsOut:
    """The signed-in patient's rewards: as /v1/patients/{address}/rewards, with no wallet
    in the path (so none in access logs)."""
    return rewards_out(state, session, patient=wallet.wallet)
