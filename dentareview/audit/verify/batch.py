"""Batch mode: the Merkle path to a root the registry anchored and itself accepts."""

from __future__ import annotations

from eth_utils.hexadecimal import decode_hex, encode_hex
from web3 import Web3

from dentareview.audit.proof import (
    AnyProof,
    BatchAnchor,
)
from dentareview.audit.verify.checks import (
    Check,
    finality,
    registry_event_at,
    same,
)
from dentareview.chain.batches import BatchRegistry
from dentareview.chain.registry import RegistryContract
from dentareview.domain.merkle import verify_batch_proof


def check_merkle_proof(proof: AnyProof, anchor: BatchAnchor) -> Check:
    """Pure: the path leads from the digest's StandardMerkleTree leaf to the root."""
    if not verify_batch_proof(
        digest=encode_hex(proof.digest), root=anchor.root, proof=list(anchor.proof)
    ):
        return Check(
            "merkle-proof",
            False,
            f"the path of {len(anchor.proof)} nodes does not lead from the digest's leaf "
            f"to the root {anchor.root}",
        )
    return Check(
        "merkle-proof",
        True,
        f"the path of {len(anchor.proof)} nodes leads from the leaf of the digest "
        f'(StandardMerkleTree, ["bytes32"]) to the root {anchor.root}',
    )


def _batch_log(w3: Web3, registry: RegistryContract, anchor: BatchAnchor) -> Check:
    """The proof's `BatchAnchored` log for the root, at the stated place."""
    where = f"log {anchor.log_index} of transaction {anchor.tx_hash}"

    def fail(reason: str) -> Check:
        return Check("anchor-event", False, reason)

    found = registry_event_at(
        w3,
        registry,
        event_name="BatchAnchored",
        tx_hash=anchor.tx_hash,
        block_number=anchor.block_number,
        log_index=anchor.log_index,
    )
    if isinstance(found, str):
        return fail(found)
    args = found.args
    if not same(encode_hex(args["root"]), anchor.root):
        return fail(f"{where} anchors the root {encode_hex(args['root'])}, not {anchor.root}")
    if int(args["size"]) != anchor.size:
        return fail(f"{where} anchors a batch of {args['size']}, not {anchor.size}")
    return Check(
        "anchor-event",
        True,
        f"{where} in block {anchor.block_number} is BatchAnchored(root, size {args['size']}, "
        f"rewarded {args['rewarded']}) from the registry; {finality(w3, anchor.block_number)}",
    )


def check_batch_of(w3: Web3, batches: BatchRegistry, anchor: BatchAnchor) -> Check:
    info = batches.batch_of(decode_hex(anchor.root))
    if info is None:
        return Check("anchored-at", False, f"batchOf({anchor.root}) is empty: never anchored")
    block_time = int(w3.eth.get_block(anchor.block_number)["timestamp"])
    if info.anchored_at != block_time:
        return Check(
            "anchored-at",
            False,
            f"batchOf(root).anchoredAt is {info.anchored_at}; block {anchor.block_number} "
            f"is at {block_time}",
        )
    if info.size != anchor.size:
        return Check("anchored-at", False, f"batchOf(root).size is {info.size}, not {anchor.size}")
    return Check(
        "anchored-at",
        True,
        f"batchOf(root) = anchoredAt {info.anchored_at} (the time of block "
        f"{anchor.block_number}), size {info.size}, rewarded {info.rewarded}",
    )


def check_in_batch(batches: BatchRegistry, proof: AnyProof, anchor: BatchAnchor) -> Check:
    nodes = [decode_hex(node) for node in anchor.proof]
    if not batches.is_review_in_batch(decode_hex(anchor.root), proof.digest, nodes):
        return Check("in-batch", False, "isReviewInBatch(root, digest, proof) is false")
    return Check(
        "in-batch", True, "isReviewInBatch(root, digest, proof) is true: the registry agrees"
    )


def verify_batch_anchor(w3: Web3, registry: RegistryContract, proof: AnyProof) -> list[Check]:
    anchor = proof.anchor
    assert isinstance(anchor, BatchAnchor)
    batches = BatchRegistry(registry.contract)
    return [
        check_merkle_proof(proof, anchor),
        _batch_log(w3, registry, anchor),
        check_batch_of(w3, batches, anchor),
        check_in_batch(batches, proof, anchor),
        Check(
            "reward",
            True,
            "batch mode pays rewards in aggregate (payRewards to patients, naming no review): "
            "the chain does not tie a reward to this review; the audit reconciles payouts",
        ),
    ]
