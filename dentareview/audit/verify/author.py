"""The patient's later word: signed edits and an erasure, and their `StatementAnchored` anchors."""

from __future__ import annotations

from eth_utils.hexadecimal import encode_hex
from web3 import Web3
from web3.logs import DISCARD

from dentareview.audit.hashing import digest_from_text_hash
from dentareview.audit.proof import (
    AnyProof,
    ReviewProof,
    Revision,
)
from dentareview.audit.verify.checks import (
    Check,
    finality,
    proof_domain,
    receipt_or_none,
    removed_by_moderation,
    same,
    signed_by,
)
from dentareview.chain.erc1271 import Erc1271Accounts
from dentareview.chain.registry import RegistryContract
from dentareview.domain.typed_data import (
    typed_digest,
)


def _revision_digest(proof: AnyProof, revision: Revision) -> bytes | None:
    try:
        if revision.text_hash is not None and "text" not in revision.message:
            return digest_from_text_hash(
                proof.chain_id,
                proof.registry,
                revision.primary_type,
                revision.message,
                revision.text_hash,
            )
        return typed_digest(proof_domain(proof), revision.primary_type, revision.message)
    except Exception:  # noqa: BLE001 - a message the encoder refuses is not a signed one
        return None


def check_author(proof: AnyProof, contracts: Erc1271Accounts | None = None) -> Check | None:
    """The patient's signed edits and erasure, when there are any: each message hashes to
    its digest, each names what it supersedes, and (full proof) each is the patient's."""
    author = proof.author
    if author is None:
        if proof.text_hash is not None and not removed_by_moderation(proof):
            return Check("author", False, "the text is erased, but no signed erasure is given")
        return None
    latest, erasure = encode_hex(proof.digest), None
    for index, revision in enumerate(author.revisions, start=1):
        name = f"{revision.primary_type} {index}"
        digest = _revision_digest(proof, revision)
        if digest is None or digest != revision.digest:
            return Check("author", False, f"{name} does not hash to its digest")
        if revision.message.get("visitId") != encode_hex(proof.visit_id):
            return Check("author", False, f"{name} names another visit")
        named = str(revision.message.get("previousDigest" if revision.kind == "edit" else "digest"))
        expected = latest if revision.kind == "edit" else encode_hex(proof.digest)
        if named.lower() != expected.lower():
            return Check("author", False, f"{name} names {named}, not {expected}")
        if isinstance(proof, ReviewProof):
            patient = proof.visit.patient
            ok, how = (
                (False, "has no signature")
                if revision.signature is None
                else signed_by(proof, patient, digest, revision.signature, contracts)
            )
            if not ok:
                return Check(
                    "author", False, f"{name}: its signature {how}; the patient is {patient}"
                )
        if revision.kind == "edit":
            latest = encode_hex(digest)
        else:
            erasure = revision
    edits = sum(1 for r in author.revisions if r.kind == "edit")
    who = (
        "signed by the visit's patient"
        if isinstance(proof, ReviewProof)
        else "their signatures are in the patient's full proof"
    )
    if author.state == "erased":
        if erasure is None or proof.text_hash is None:
            return Check("author", False, "marked erased without a signed erasure of this review")
        return Check(
            "author",
            True,
            f"erased by its author: the ReviewErasure of this digest ({who}) asked for it; the "
            f"text is deleted, the digest stays anchored ({edits} earlier edit(s))",
        )
    if erasure is not None:
        return Check("author", False, "a signed erasure is given, but the text is still there")
    return Check(
        "author",
        True,
        f"edited by its author: {edits} signed version(s) supersede the anchored one ({who}); "
        f"the latest is {latest}",
    )


def _statement_anchor(
    w3: Web3, registry: RegistryContract, name: str, revision: Revision
) -> str | None:
    """Why `revision`'s digest is not anchored where its proof says; None if it is."""
    anchor, digest = revision.anchor, encode_hex(revision.digest)
    if anchor is None:
        return f"{name} is not anchored yet: it waits for the next anchoring pass; check again"
    receipt = receipt_or_none(w3, anchor.tx_hash)
    if receipt is None or receipt["status"] != 1:
        return f"{name}: no successful transaction {anchor.tx_hash} on this chain"
    if receipt["blockNumber"] != anchor.block_number:
        return f"{name}: transaction in block {receipt['blockNumber']}, not {anchor.block_number}"
    logged = [
        event
        for event in registry.contract.events.StatementAnchored().process_receipt(
            receipt, errors=DISCARD
        )
        if same(event["address"], registry.address)
        and same(encode_hex(event["args"]["digest"]), digest)
    ]
    if not logged:
        return f"{name}: transaction {anchor.tx_hash} has no StatementAnchored({digest})"
    anchored_at = registry.statement_anchored_at(revision.digest)
    block_time = int(w3.eth.get_block(anchor.block_number)["timestamp"])
    if anchored_at != block_time:
        return f"{name}: statementAnchoredAt is {anchored_at}, block time {block_time}"
    return None


def check_author_anchors(w3: Web3, registry: RegistryContract, proof: AnyProof) -> Check | None:
    """Each signed edit and erasure is anchored: its `StatementAnchored` log is in the
    stated transaction and `statementAnchoredAt(digest)` is that block's time."""
    if proof.author is None or not proof.author.revisions:
        return None
    blocks: list[int] = []
    for index, revision in enumerate(proof.author.revisions, start=1):
        name = f"{revision.primary_type} {index}"
        problem = _statement_anchor(w3, registry, name, revision)
        if problem is not None:
            return Check("author-anchors", False, problem)
        assert revision.anchor is not None
        blocks.append(revision.anchor.block_number)
    count = len(blocks)
    return Check(
        "author-anchors",
        True,
        f"each of the {count} signed statement(s) is anchored by the registry "
        f"(StatementAnchored, statementAnchoredAt); the latest in block {max(blocks)}, "
        f"{finality(w3, max(blocks))}",
    )
