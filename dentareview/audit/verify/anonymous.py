"""Verify an anonymous review (the answer of GET /v1/anonymous-reviews/{id}) with a node
alone: its digest recomputed from its text, its Semaphore proof valid (an eth_call to the
verifier AnonymousReviews itself uses), its root a committed root of the practice's group,
and its digest anchored by AnonymousReviews.

The registry (the EIP-712 domain) comes from the auditor (--registry or --manifest), never
from the review; so does AnonymousReviews when a manifest is given. With --registry only,
the review's contract is used only if it names that registry as its own.
"""

from __future__ import annotations

from typing import Any

from eth_utils.hexadecimal import decode_hex, encode_hex
from web3 import Web3

from dentareview.audit.verify.checks import Check
from dentareview.chain.anonymous import AnonymousContract
from dentareview.domain.anonymous import (
    AnonymousReviewText,
    SemaphoreProof,
    message_of,
    public_signals,
    scope_of,
)
from dentareview.domain.models import Eip712Domain, parse_address
from dentareview.errors import DentaReviewError


class AnonymousFormatError(ValueError):
    """The file is not an anonymous review as GET /v1/anonymous-reviews/{id} gives it."""


def parse_anonymous(data: object) -> tuple[AnonymousReviewText, SemaphoreProof, dict[str, Any]]:
    if not isinstance(data, dict):
        raise AnonymousFormatError("an anonymous review is a JSON object")
    try:
        proof = data["proof"]
        review = AnonymousReviewText(
            dentist=parse_address(data["dentist"], "dentist"),
            period=int(data["period"]),
            rating=int(data["rating"]),
            treatment=int(data["treatment"]),
            bedside=int(data["bedside"]),
            wait_time=int(data["waitTime"]),
            text=str(data["text"]),
            reward_to=parse_address(data["rewardTo"], "rewardTo"),
        )
        semaphore = SemaphoreProof(
            merkle_tree_root=int(proof["merkleTreeRoot"]),
            merkle_tree_depth=int(proof["merkleTreeDepth"]),
            nullifier=int(proof["nullifier"]),
            points=tuple(int(point) for point in proof["points"]),
        )
    except (KeyError, TypeError, ValueError, DentaReviewError) as error:
        raise AnonymousFormatError(f"not an anonymous review: {error}") from None
    if len(semaphore.points) != 8:
        raise AnonymousFormatError("a Semaphore proof has 8 points")
    return review, semaphore, data


def verify_anonymous(
    w3: Web3,
    data: dict[str, Any],
    review: AnonymousReviewText,
    proof: SemaphoreProof,
    *,
    registry: str,
    anonymous_address: str | None,
) -> list[Check]:
    checks: list[Check] = []
    chain_id = int(w3.eth.chain_id)
    digest = review.digest(Eip712Domain(chain_id=chain_id, verifying_contract=registry))
    stated = str(data.get("digest", "")).lower()
    checks.append(
        Check(
            "digest",
            stated == encode_hex(digest),
            f"EIP-712 AnonymousReviewText digest {encode_hex(digest)} "
            + ("equals the stated one" if stated == encode_hex(digest) else f"!= stated {stated}"),
        )
    )
    address = anonymous_address or str(data.get("contract") or "")
    if not address:
        return [*checks, Check("contract", False, "no AnonymousReviews address to check against")]
    contract = AnonymousContract(w3, address)
    if anonymous_address is None:
        named = Web3.to_checksum_address(str(contract.contract.functions.registry().call()))
        bound = named == Web3.to_checksum_address(registry)
        checks.append(
            Check(
                "contract",
                bound,
                f"AnonymousReviews {contract.address} names registry {named}"
                + ("" if bound else f", not the trusted {registry}"),
            )
        )
        if not bound:
            return checks
    signals = public_signals(
        proof,
        scope=scope_of(review.dentist, review.period),
        message=message_of(digest, review.reward_to),
    )
    valid = contract.verify_proof(proof.points, signals, proof.merkle_tree_depth)
    checks.append(
        Check(
            "proof",
            valid,
            f"Semaphore proof (depth {proof.merkle_tree_depth}) "
            + ("verifies" if valid else "does not verify")
            + f" at verifier {contract.verifier_address()} for this digest, reward address, "
            "practice and period",
        )
    )
    committed, replaced, size = contract.group_root(review.dentist, proof.merkle_tree_root)
    checks.append(
        Check(
            "group-root",
            committed != 0,
            f"root committed for {review.dentist} at {committed}, group of {size}"
            + (f", replaced at {replaced}" if replaced else "")
            if committed
            else f"root is not a committed root of {review.dentist}'s group",
        )
    )
    anchored = contract.anchored_at(decode_hex(encode_hex(digest)))
    nullified = contract.nullifier_used(proof.nullifier)
    checks.append(
        Check(
            "anchored",
            anchored != 0 and nullified,
            f"digest anchored by AnonymousReviews at {anchored}, its nullifier used"
            if anchored and nullified
            else "digest not anchored by AnonymousReviews",
        )
    )
    return checks
