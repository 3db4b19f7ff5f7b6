"""Inclusion proofs of batch-anchored reviews, for the proof endpoint, `verify` and audits.

`batch_proof` reads one review's batch from the database and rebuilds the batch's tree
(OpenZeppelin StandardMerkleTree, leaf type bytes32) from its members' digests; the pure
check anyone repeats with the proof alone is `domain.merkle.verify_batch_proof` (it
matches `MerkleProof.verify` and the registry's `isReviewInBatch`).
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_utils.hexadecimal import decode_hex, encode_hex
from sqlalchemy.orm import Session

from dentareview.db.queries.batches import batch_digests, get_batch
from dentareview.db.queries.reviews import get_review
from dentareview.domain.merkle import MerkleTree, leaf_hash


@dataclass(frozen=True)
class BatchProof:
    """Where a review sits in an anchored batch, and the path from its leaf to the root."""

    review_id: int
    digest: str  # the review's EIP-712 digest (the leaf's value)
    leaf: str  # keccak256(keccak256(digest)): the StandardMerkleTree leaf
    batch_id: int
    root: str
    size: int
    leaf_index: int
    proof: list[str]  # sibling hashes, leaf to root
    tx_hash: str  # the anchorBatch transaction
    block_number: int
    log_index: int  # of its BatchAnchored event
    anchored_at: int  # block timestamp



class BatchProofError(Exception):
    """The database's batch does not reproduce its recorded root (a corrupted batch)."""


def batch_tree(session: Session, *, batch_id: int) -> MerkleTree:
    """The batch's tree rebuilt from its members' digests (an audit checks its root)."""
    return MerkleTree.of(decode_hex(d) for d in batch_digests(session, batch_id=batch_id))


def batch_proof(session: Session, *, review_id: int) -> BatchProof | None:
    """The proof of a review anchored in a batch; None if it is not (yet) in an anchored batch."""
    review = get_review(session, review_id=review_id)
    if review is None or review.batch_id is None or review.leaf_index is None:
        return None
    batch = get_batch(session, batch_id=review.batch_id)
    if batch is None or batch.status != "anchored":
        return None
    tree = batch_tree(session, batch_id=batch.id)
    if encode_hex(tree.root) != batch.root or tree.values[review.leaf_index] != decode_hex(
        review.digest
    ):
        raise BatchProofError(f"batch {batch.id} does not rebuild to its recorded root")
    assert batch.tx_hash is not None and batch.block_number is not None  # anchored: see checks
    assert batch.log_index is not None and batch.anchored_at is not None
    return BatchProof(
        review_id=review.id,
        digest=review.digest,
        leaf=encode_hex(leaf_hash(decode_hex(review.digest))),
        batch_id=batch.id,
        root=batch.root,
        size=batch.size,
        leaf_index=review.leaf_index,
        proof=[encode_hex(node) for node in tree.proof(review.leaf_index)],
        tx_hash=batch.tx_hash,
        block_number=batch.block_number,
        log_index=batch.log_index,
        anchored_at=batch.anchored_at,
    )

