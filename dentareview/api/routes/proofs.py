"""GET /v1/reviews/{id}/proof: what an auditor needs besides a node, naming no patient."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from dentareview.api.bounds import ReviewIdPath
from dentareview.api.deps import DbSession, State
from dentareview.api.openapi import error_responses
from dentareview.services.proofs import build_public_proof

router = APIRouter(tags=["audit"])


class SignedMessageOut(BaseModel):
    message: dict[str, Any]
    signature: str = Field(description="65-byte r||s||v as 0x-hex")


class ReviewPartOut(SignedMessageOut):
    textHash: str | None = Field(
        None,
        description="erased by its author: keccak256 of the signed text, which the message "
        "no longer carries (EIP-712 hashes the text to exactly this)",
    )


class RevisionOut(BaseModel):
    kind: Literal["edit", "erasure"]
    primaryType: Literal["ReviewEdit", "ReviewErasure"]
    message: dict[str, Any]
    digest: str = Field(description="EIP-712 hash of the signed message")
    textHash: str | None = Field(None, description="an erased edit's keccak256(text)")
    signature: str | None = Field(None, description="the patient's (full proof only)")


class AuthorOut(BaseModel):
    state: Literal["edited", "erased"]
    label: str = Field(description='"edited by its author" or "erased by its author"')
    types: dict[str, list[dict[str, str]]] = Field(description="ReviewEdit and ReviewErasure")
    revisions: list[RevisionOut] = Field(description="oldest first, each signed by the patient")


class SingleAnchorOut(BaseModel):
    kind: Literal["single"] = Field(description="the review's own ReviewAnchored log")
    txHash: str
    blockNumber: int
    logIndex: int


class BatchAnchorOut(BaseModel):
    kind: Literal["batch"] = Field(
        description="a Merkle path to a root and the root's BatchAnchored log"
    )
    root: str = Field(description="the batch's OpenZeppelin StandardMerkleTree root")
    leafIndex: int = Field(description="the review's position among the sorted leaves")
    proof: list[str] = Field(description="sibling hashes from the leaf to the root, 0x-hex")
    size: int = Field(description="reviews in the batch")
    txHash: str = Field(description="the anchorBatch transaction")
    blockNumber: int
    logIndex: int = Field(description="of the root's BatchAnchored log")
    leafEncoding: list[str] = Field(description='["bytes32"]: the leaf value is the digest')


class _ProofHead(BaseModel):
    version: Literal[1]
    kind: str = Field(description='"full" (for the patient) or "public"')
    reviewId: int | None
    chainId: int
    registry: str = Field(description="the ReviewRegistry: the EIP-712 verifyingContract")
    domain: dict[str, Any] = Field(description="as eth_signTypedData_v4 takes it")
    types: dict[str, list[dict[str, str]]]


class ProofOut(_ProofHead):
    """The full proof: only the review's patient gets it (GET /v1/me/reviews/{id}/proof)."""

    kind: Literal["full"]
    review: ReviewPartOut = Field(description="the Review, signed by the visit's patient")
    visit: SignedMessageOut = Field(description="the Visit, signed by its dentist")
    digest: str = Field(description="EIP-712 hash of the Review: what was anchored")
    anchor: SingleAnchorOut | BatchAnchorOut = Field(discriminator="kind")
    author: AuthorOut | None = Field(
        None, description="the patient's signed edits and erasure, with their signatures"
    )


class PublicMessageOut(BaseModel):
    message: dict[str, Any] = Field(description="the Review as signed (its signature withheld)")
    textHash: str | None = Field(None, description="erased by its author: keccak256(text)")


class PublicProofOut(_ProofHead):
    """The public proof: the full one less what identifies the patient."""

    kind: Literal["public"]
    review: PublicMessageOut
    dentist: str = Field(description="the Visit's dentist (the Visit itself is withheld)")
    digest: str = Field(description="EIP-712 hash of the Review: what was anchored")
    anchor: SingleAnchorOut | BatchAnchorOut = Field(discriminator="kind")
    author: AuthorOut | None = Field(
        None, description="the patient's signed edits and erasure, once there are any"
    )
    withheld: list[str] = Field(
        description="the full proof's members left out: the patient's wallet, the visit "
        "time and both signatures"
    )


@router.get(
    "/v1/reviews/{review_id}/proof",
    response_model=PublicProofOut,
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
