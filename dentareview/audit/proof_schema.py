"""The review proof's JSON: the one definition of its shape.

`audit/proof.py` writes proofs through these models and reads them back through them;
the API declares them as its response models, so the OpenAPI document, what the service
hands out and what `dentareview verify` accepts cannot drift apart. Field names are the
wire's (camelCase). Values are checked for form here (hex, integers, addresses); what
they mean (digests, signatures, the chain) is the verifier's business.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt

from dentareview.domain.models import parse_address
from dentareview.linear_re import compile_linear

_BYTES32 = compile_linear(r"0x[0-9a-fA-F]{64}")
_HEX = compile_linear(r"0x(?:[0-9a-fA-F]{2})+")


def _bytes32(value: str) -> str:
    if not _BYTES32.fullmatch(value):
        raise ValueError("must be 0x followed by 64 hex digits")
    return value.lower()


def _hex_bytes(value: str) -> str:
    if not _HEX.fullmatch(value):
        raise ValueError("must be 0x followed by an even number of hex digits")
    return value.lower()


def _address(value: str) -> str:
    return parse_address(value, "address")


Bytes32 = Annotated[str, AfterValidator(_bytes32)]
HexBytes = Annotated[str, AfterValidator(_hex_bytes)]
Address = Annotated[str, AfterValidator(_address)]
TypedDataTypes = dict[str, list[dict[str, str]]]


class _Part(BaseModel):
    model_config = ConfigDict(strict=True)


class SignedMessage(_Part):
    message: dict[str, Any]
    signature: HexBytes = Field(
        description="0x-hex: 65-byte r||s||v (a wallet, or a practice's visit-signing key), a "
        "smart-contract account's signature (ERC-1271), or a passkey account's WebAuthn "
        "assertion, ERC-6492-wrapped while the account is not deployed"
    )


class ReviewPart(SignedMessage):
    textHash: Bytes32 | None = Field(
        None,
        description="erased by its author: keccak256 of the signed text, which the message "
        "no longer carries (EIP-712 hashes the text to exactly this)",
    )


class PublicReviewPart(_Part):
    message: dict[str, Any] = Field(description="the Review as signed (its signature withheld)")
    textHash: Bytes32 | None = Field(None, description="erased by its author: keccak256(text)")


class StatementAnchorPart(_Part):
    """Where a signed statement's digest was anchored: its `StatementAnchored` log."""

    txHash: Bytes32 = Field(description="the anchorStatements transaction")
    blockNumber: StrictInt


class RevisionPart(_Part):
    kind: Literal["edit", "erasure"]
    primaryType: Literal["ReviewEdit", "ReviewErasure"]
    message: dict[str, Any]
    digest: Bytes32 = Field(description="EIP-712 hash of the signed message")
    textHash: Bytes32 | None = Field(None, description="an erased edit's keccak256(text)")
    signature: HexBytes | None = Field(None, description="the patient's (full proof only)")
    anchor: StatementAnchorPart | None = Field(
        None, description="where the digest is anchored; absent while it waits to be"
    )


class AuthorPart(_Part):
    state: Literal["edited", "erased"]
    label: str = Field("", description='"edited by its author" or "erased by its author"')
    types: TypedDataTypes = Field(default_factory=dict, description="ReviewEdit and ReviewErasure")
    revisions: list[RevisionPart] = Field(description="oldest first, each signed by the patient")


class SingleAnchorPart(_Part):
    kind: Literal["single"] = Field(description="the review's own ReviewAnchored log")
    txHash: Bytes32
    blockNumber: StrictInt
    logIndex: StrictInt


class BatchAnchorPart(_Part):
    kind: Literal["batch"] = Field(
        description="a Merkle path to a root and the root's BatchAnchored log"
    )
    root: Bytes32 = Field(description="the batch's OpenZeppelin StandardMerkleTree root")
    leafIndex: StrictInt = Field(description="the review's position among the sorted leaves")
    proof: list[Bytes32] = Field(description="sibling hashes from the leaf to the root")
    size: StrictInt = Field(description="reviews in the batch")
    txHash: Bytes32 = Field(description="the anchorBatch transaction")
    blockNumber: StrictInt
    logIndex: StrictInt = Field(description="of the root's BatchAnchored log")
    leafEncoding: list[str] = Field(
        default_factory=lambda: ["bytes32"],
        description='["bytes32"]: the leaf value is the digest',
    )


AnchorPart = Annotated[SingleAnchorPart | BatchAnchorPart, Field(discriminator="kind")]


class _ProofHead(_Part):
    version: Literal[1]
    kind: str = Field(description='"full" (for the patient) or "public"')
    reviewId: StrictInt | None = None
    chainId: StrictInt
    registry: Address = Field(description="the ReviewRegistry: the EIP-712 verifyingContract")
    domain: dict[str, Any] = Field(description="as eth_signTypedData_v4 takes it")
    types: dict[str, Any]
    digest: Bytes32 = Field(description="EIP-712 hash of the Review: what was anchored")
    anchor: AnchorPart


class FullProof(_ProofHead):
    """The full proof: only the review's patient gets it (GET /v1/me/reviews/{id}/proof)."""

    kind: Literal["full"] = "full"
    review: ReviewPart = Field(description="the Review, signed by the visit's patient")
    visit: SignedMessage = Field(description="the Visit, signed by its dentist")
    author: AuthorPart | None = Field(
        None, description="the patient's signed edits and erasure, with their signatures"
    )


class PublicProof(_ProofHead):
    """The public proof: the full one less what identifies the patient."""

    kind: Literal["public"]
    review: PublicReviewPart
    dentist: Address = Field(description="the Visit's dentist (the Visit itself is withheld)")
    author: AuthorPart | None = Field(
        None, description="the patient's signed edits and erasure, once there are any"
    )
    withheld: list[str] = Field(
        default_factory=list,
        description="the full proof's members left out: the patient's wallet, the visit "
        "time and both signatures",
    )
