"""GET /v1/reviews/{id}/proof: what an auditor needs besides a node, naming no patient."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from dentareview.api.bounds import ReviewIdPath
from dentareview.api.deps import DbSession, State
from dentareview.api.openapi import error_responses
from dentareview.audit.proof_schema import PublicProof
from dentareview.services.proofs import build_public_proof

router = APIRouter(tags=["audit"])


@router.get(
    "/v1/reviews/{review_id}/proof",
    response_model=PublicProof,
    response_model_exclude_unset=True,
    responses=error_responses(
        "VALIDATION_ERROR", "REVIEW_NOT_FOUND", "REVIEW_NOT_ANCHORED", "NOT_DEPLOYED"
    ),
)
def get_review_proof(review_id: ReviewIdPath, state: State, session: DbSession) -> dict[str, Any]:
    """The public proof of an anchored review (`"kind": "public"`): the Review, its digest,
    the dentist and the anchor, without the patient's wallet, the visit time or the
    signatures. `dentareview verify` checks it against a node (see docs/VERIFYING.md)."""
    return build_public_proof(session, review_id=review_id, domain=state.domain()).to_json()
