"""Verify a review proof against a node: no database, no trust in the service.

Each check yields a verdict with the evidence in words. The anchor checks depend on
`anchor.kind`; each kind registers its verifier in ANCHOR_VERIFIERS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from eth_utils.hexadecimal import decode_hex, encode_hex
from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import TransactionNotFound, Web3Exception
from web3.logs import DISCARD
from web3.types import TxReceipt

from dentareview.audit.hashing import digest_from_text_hash
from dentareview.audit.proof import (
    AnyProof,
    BatchAnchor,
    PublicReviewProof,
    ReviewProof,
    Revision,
    SingleAnchor,
)
from dentareview.chain.artifacts import load_artifact
from dentareview.chain.batches import BatchRegistry
from dentareview.chain.erc1271 import Erc1271Accounts
from dentareview.chain.registry import OnChainDentistStatus, RegistryContract
from dentareview.domain.merkle import verify_batch_proof
from dentareview.domain.models import Eip712Domain
from dentareview.domain.typed_data import (
    PROOF_TYPES,
    domain_dict,
    recover_signer,
    review_digest,
    review_message,
    typed_digest,
    visit_digest,
)
from dentareview.errors import InvalidSignature

ZERO_ADDRESS: Final = "0x" + "00" * 20


@dataclass(frozen=True)
class Check:
    name: str  # stable, for --json and scripts
    ok: bool
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {"check": self.name, "ok": self.ok, "detail": self.detail}


def _same(a: str, b: str) -> bool:
    return a.lower() == b.lower()


def check_chain(w3: Web3, proof: AnyProof) -> Check:
    chain_id = int(w3.eth.chain_id)
    if chain_id != proof.chain_id:
        return Check(
            "chain", False, f"the node is chain {chain_id}; the proof is for {proof.chain_id}"
        )
    code = w3.eth.get_code(Web3.to_checksum_address(proof.registry))
    if not code:
        return Check("chain", False, f"no contract at the registry address {proof.registry}")
    return Check("chain", True, f"the node is chain {chain_id}; the registry has code")


def check_domain(proof: AnyProof, expected_registry: str | None) -> Check:
    expected = domain_dict(Eip712Domain(proof.chain_id, proof.registry))
    if proof.domain != expected:
        return Check("domain", False, f"the domain is {proof.domain}, expected {expected}")
    if proof.types != PROOF_TYPES:
        return Check("domain", False, "the types are not the DentaReview Visit and Review types")
    if expected_registry is None:
        return Check(
            "domain",
            True,
            f"DentaReview v1 on chain {proof.chain_id}, registry {proof.registry} as the proof "
            "states it: compare it with the address the operator publishes (--registry)",
        )
    if not _same(expected_registry, proof.registry):
        return Check(
            "domain", False, f"the proof's registry {proof.registry} is not {expected_registry}"
        )
    return Check("domain", True, f"DentaReview v1 on chain {proof.chain_id}, the expected registry")


def _domain(proof: AnyProof) -> Eip712Domain:
    return Eip712Domain(proof.chain_id, proof.registry)


def _review_digest(proof: AnyProof) -> bytes:
    if proof.text_hash is None:
        return review_digest(_domain(proof), proof.review)
    # Erased by its author: EIP-712 encodes the text as keccak256(text), which is kept.
    message = review_message(proof.review)
    return digest_from_text_hash(proof.chain_id, proof.registry, "Review", message, proof.text_hash)


def _removed(proof: AnyProof) -> bool:
    """A public proof of a review removed by moderation: its text is withheld by the
    operator's recorded decision, which is not the author's word (no `author` check)."""
    return isinstance(proof, PublicReviewProof) and proof.text_removed


def check_digest(proof: AnyProof) -> Check:
    digest = _review_digest(proof)
    why = "removed by moderation" if _removed(proof) else "erased by its author"
    erased = f" (its text withheld: {why}; from keccak256(text))" if proof.text_hash else ""
    if digest != proof.digest:
        return Check(
            "digest",
            False,
            f"the Review{erased} hashes to {encode_hex(digest)}, "
            f"not the proof's digest {encode_hex(proof.digest)}",
        )
    return Check(
        "digest",
        True,
        f"the Review's EIP-712 hash{erased} is the proof's digest {encode_hex(digest)}",
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
        return typed_digest(_domain(proof), revision.primary_type, revision.message)
    except Exception:  # noqa: BLE001 - a message the encoder refuses is not a signed one
        return None


def check_author(proof: AnyProof, contracts: Erc1271Accounts | None = None) -> Check | None:
    """The patient's signed edits and erasure, when there are any: each message hashes to
    its digest, each names what it supersedes, and (full proof) each is the patient's."""
    author = proof.author
    if author is None:
        if proof.text_hash is not None and not _removed(proof):
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
                else _signed_by(patient, digest, revision.signature, contracts)
            )
            if not ok:
                return Check("author", False, f"{name}: its signature {how}, not the patient")
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
    receipt = _receipt(w3, anchor.tx_hash)
    if receipt is None or receipt["status"] != 1:
        return f"{name}: no successful transaction {anchor.tx_hash} on this chain"
    if receipt["blockNumber"] != anchor.block_number:
        return f"{name}: transaction in block {receipt['blockNumber']}, not {anchor.block_number}"
    logged = [
        event
        for event in registry.contract.events.StatementAnchored().process_receipt(
            receipt, errors=DISCARD
        )
        if _same(event["address"], registry.address)
        and _same(encode_hex(event["args"]["digest"]), digest)
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


def _signer(digest: bytes, signature: bytes) -> str | None:
    try:
        return recover_signer(digest, signature)
    except InvalidSignature:
        return None


def _signed_by(
    account: str, digest: bytes, signature: bytes, contracts: Erc1271Accounts | None
) -> tuple[bool, str]:
    """Whether `account` signed `digest`: by ECDSA, or (a smart-contract account, asked
    through the node when there is one) by ERC-1271. The second item says how, or who
    the signature recovers to instead."""
    signer = _signer(digest, signature)
    if signer is not None and _same(signer, account):
        return True, f"ECDSA, {signer}"
    if contracts is not None and contracts.accepts(account, digest, signature):
        return True, f"the smart-contract account {account} accepts it (ERC-1271)"
    return False, f"recovers to {signer}" if signer else "recovers to no address"


def check_review_signature(proof: ReviewProof, contracts: Erc1271Accounts | None = None) -> Check:
    if proof.review.visit_id != proof.visit.visit_id:
        return Check("review-signature", False, "the Review's visitId is not the Visit's")
    patient = proof.visit.patient
    ok, how = _signed_by(patient, _review_digest(proof), proof.review_signature, contracts)
    if not ok:
        return Check(
            "review-signature",
            False,
            f"the Review signature {how}, not the patient {patient}"
            + ("" if contracts else " (no node asked whether a smart account accepts it)"),
        )
    return Check("review-signature", True, f"signed by the visit's patient: {how}")


def check_visit_signature(proof: ReviewProof, contracts: Erc1271Accounts | None = None) -> Check:
    dentist = proof.visit.dentist
    digest = visit_digest(_domain(proof), proof.visit)
    ok, how = _signed_by(dentist, digest, proof.visit_signature, contracts)
    if not ok:
        return Check(
            "visit-signature",
            False,
            f"the Visit signature {how}, not the dentist {dentist}"
            + ("" if contracts else " (no node asked whether a smart account accepts it)"),
        )
    return Check("visit-signature", True, f"signed by the dentist: {how}")


def check_dentist(registry: RegistryContract, proof: AnyProof) -> Check:
    status = registry.dentist_status(proof.dentist)
    if status == OnChainDentistStatus.UNREGISTERED:
        return Check("dentist", False, f"{proof.dentist} was never registered as a dentist")
    now = "active" if status == OnChainDentistStatus.ACTIVE else "deactivated since"
    return Check("dentist", True, f"{proof.dentist} is a registered dentist ({now})")


AnchorVerifier = Callable[[Web3, RegistryContract, AnyProof], list[Check]]


def _receipt(w3: Web3, tx_hash: str) -> TxReceipt | None:
    try:
        return w3.eth.get_transaction_receipt(HexBytes(tx_hash))
    except TransactionNotFound:
        return None


def finality(w3: Web3, block_number: int) -> str:
    """How settled the anchoring block is: confirmations, and whether the node's
    `finalized` block covers it. A block a reorg dropped fails the anchor check itself
    (its transaction is no longer on the chain); this says how likely that still is."""
    confirmations = int(w3.eth.block_number) - block_number + 1
    try:
        finalized = int(w3.eth.get_block("finalized")["number"])
    except (Web3Exception, ValueError, KeyError):
        return f"{confirmations} confirmations"
    state = "final" if block_number <= finalized else "not final yet"
    return f"{confirmations} confirmations, {state} by the node's finalized block {finalized}"


def _anchor_log(
    w3: Web3, registry: RegistryContract, proof: AnyProof
) -> tuple[Check, TxReceipt | None, dict[str, Any] | None]:
    """The proof's `ReviewAnchored` log, checked against the proof; or why it is not there."""
    anchor = proof.anchor
    assert isinstance(anchor, SingleAnchor)
    where = f"log {anchor.log_index} of transaction {anchor.tx_hash}"

    def fail(reason: str) -> tuple[Check, None, None]:
        return Check("anchor-event", False, reason), None, None

    receipt = _receipt(w3, anchor.tx_hash)
    if receipt is None:
        return fail(f"no transaction {anchor.tx_hash} on this chain")
    if receipt["status"] != 1:
        return fail(f"transaction {anchor.tx_hash} reverted")
    if receipt["blockNumber"] != anchor.block_number:
        return fail(f"transaction is in block {receipt['blockNumber']}, not {anchor.block_number}")
    logs = [log for log in receipt["logs"] if log["logIndex"] == anchor.log_index]
    if not logs:
        return fail(f"transaction {anchor.tx_hash} has no log {anchor.log_index}")
    log = logs[0]
    if not _same(log["address"], registry.address):
        return fail(f"{where} was emitted by {log['address']}, not the registry")
    event = registry.contract.events.ReviewAnchored()
    if not log["topics"] or encode_hex(log["topics"][0]) != event.topic:
        return fail(f"{where} is not a ReviewAnchored event")
    args = event.process_log(log)["args"]
    claimed = {
        "digest": encode_hex(proof.digest),
        "visitId": encode_hex(proof.visit_id),
        "dentist": proof.dentist,
    }
    if isinstance(proof, ReviewProof):  # a public proof does not name the patient
        claimed["patient"] = proof.visit.patient
    logged = {
        "digest": encode_hex(args["digest"]),
        "visitId": encode_hex(args["visitId"]),
        "dentist": str(args["dentist"]),
        "patient": str(args["patient"]),
    }
    wrong = [
        f"{k} {logged[k]} (proof: {claimed[k]})"
        for k in claimed
        if not _same(claimed[k], logged[k])
    ]
    if wrong:
        return fail(f"{where} anchors another review: " + "; ".join(wrong))
    detail = (
        f"{where} in block {anchor.block_number} is ReviewAnchored(digest, visitId, patient, "
        f"dentist, reward {args['reward']}) from the registry; "
        f"{finality(w3, anchor.block_number)}"
    )
    return Check("anchor-event", True, detail), receipt, dict(args)


def check_anchored_at(w3: Web3, registry: RegistryContract, proof: AnyProof) -> Check:
    assert isinstance(proof.anchor, SingleAnchor)
    anchored_at = registry.anchored_at(proof.digest)
    if anchored_at == 0:
        return Check(
            "anchored-at", False, f"anchoredAt({encode_hex(proof.digest)}) is 0: never anchored"
        )
    recorded = registry.digest_of_visit(proof.visit_id)
    if recorded != proof.digest:
        shown = "nothing" if recorded is None else encode_hex(recorded)
        return Check("anchored-at", False, f"reviewDigestOf(visitId) is {shown}, not the digest")
    block_time = int(w3.eth.get_block(proof.anchor.block_number)["timestamp"])
    if anchored_at != block_time:
        return Check(
            "anchored-at",
            False,
            f"anchoredAt is {anchored_at}; block {proof.anchor.block_number} is at {block_time}",
        )
    return Check(
        "anchored-at",
        True,
        f"anchoredAt(digest) = {anchored_at}, the time of block {proof.anchor.block_number}; "
        "reviewDigestOf(visitId) = digest",
    )


def check_reward(
    w3: Web3,
    registry: RegistryContract,
    receipt: TxReceipt,
    event: dict[str, Any],
    *,
    name_patient: bool = True,
) -> Check:
    reward, patient = int(event["reward"]), str(event["patient"])
    who = patient if name_patient else "the event's patient"
    if reward == 0:
        queued = [
            log
            for log in registry.contract.events.RewardQueued().process_receipt(
                receipt, errors=DISCARD
            )
            if _same(log["address"], registry.address) and _same(log["args"]["patient"], patient)
        ]
        if queued:
            amount = queued[0]["args"]["amount"]
            return Check(
                "reward",
                True,
                f"reward of {amount} queued for {who} under the daily cap (RewardQueued), "
                "to be minted by a later payQueuedReward",
            )
        return Check("reward", True, "not rewarded: the event's reward is 0 and nothing was queued")
    token_address = Web3.to_checksum_address(registry.token_address())
    token = w3.eth.contract(address=token_address, abi=load_artifact("RewardToken").abi)
    mints = [
        log
        for log in token.events.Transfer().process_receipt(receipt, errors=DISCARD)
        if _same(log["address"], token_address)
        and _same(log["args"]["from"], ZERO_ADDRESS)
        and _same(log["args"]["to"], patient)
        and int(log["args"]["value"]) == reward
    ]
    if not mints:
        return Check(
            "reward", False, f"no Transfer of {reward} from 0x0 to {who} by {token_address}"
        )
    return Check("reward", True, f"{reward} token units minted to {who} in the same transaction")


def check_signatures_on_chain(anchor_event: Check) -> Check:
    """Single mode, public proof: the registry's own signature checks, shown by its event."""
    if not anchor_event.ok:
        return Check("signatures-on-chain", False, "not shown: the anchor event is not there")
    return Check(
        "signatures-on-chain",
        True,
        "the registry emits ReviewAnchored only after submitReview recovered the Visit's "
        "signer as its registered, active dentist and the Review's signer as the visit's "
        "patient: both signatures were verified on-chain",
    )


def verify_single_anchor(w3: Web3, registry: RegistryContract, proof: AnyProof) -> list[Check]:
    anchor_check, receipt, event = _anchor_log(w3, registry, proof)
    checks = [anchor_check]
    if isinstance(proof, PublicReviewProof):
        checks.append(check_signatures_on_chain(anchor_check))
    checks.append(check_anchored_at(w3, registry, proof))
    if receipt is None or event is None:
        checks.append(Check("reward", False, "not checked: the anchor event is not there"))
    else:
        named = isinstance(proof, ReviewProof)
        checks.append(check_reward(w3, registry, receipt, event, name_patient=named))
    return checks


# ------------------------------------------------------------------ batch anchors


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

    receipt = _receipt(w3, anchor.tx_hash)
    if receipt is None:
        return fail(f"no transaction {anchor.tx_hash} on this chain")
    if receipt["status"] != 1:
        return fail(f"transaction {anchor.tx_hash} reverted")
    if receipt["blockNumber"] != anchor.block_number:
        return fail(f"transaction is in block {receipt['blockNumber']}, not {anchor.block_number}")
    logs = [log for log in receipt["logs"] if log["logIndex"] == anchor.log_index]
    if not logs:
        return fail(f"transaction {anchor.tx_hash} has no log {anchor.log_index}")
    log = logs[0]
    if not _same(log["address"], registry.address):
        return fail(f"{where} was emitted by {log['address']}, not the registry")
    event = registry.contract.events.BatchAnchored()
    if not log["topics"] or encode_hex(log["topics"][0]) != event.topic:
        return fail(f"{where} is not a BatchAnchored event")
    args = event.process_log(log)["args"]
    if not _same(encode_hex(args["root"]), anchor.root):
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


ANCHOR_VERIFIERS: dict[str, AnchorVerifier] = {
    SingleAnchor.kind: verify_single_anchor,
    BatchAnchor.kind: verify_batch_anchor,
}


def needs_full_proof(proof: AnyProof) -> list[Check]:
    """The checks a public proof cannot make, each with why and what stands in for it.

    Their `ok` is False: they did not run. They do not fail a public proof; they say
    plainly what only the full proof (which the patient holds) can show.
    """
    if isinstance(proof, ReviewProof):
        return []
    if isinstance(proof.anchor, SingleAnchor):
        instead = "the registry verified it when anchoring (see signatures-on-chain)"
    else:
        instead = (
            "batch mode: the chain did not check it; ask the review's patient for the full "
            "proof, or rely on the operator's audit"
        )
    return [
        Check(
            "review-signature",
            False,
            "needs the full proof (the Review signature and the Visit's patient); " + instead,
        ),
        Check(
            "visit-signature",
            False,
            "needs the full proof (the Visit with its patient, time and signature); " + instead,
        ),
    ]


def verify_proof(w3: Web3, proof: AnyProof, *, expected_registry: str | None = None) -> list[Check]:
    """Every check the proof allows, in order; the proof holds only if all are ok.

    A public proof has no signatures: see `needs_full_proof` for what it cannot show.
    """
    chain = check_chain(w3, proof)
    # Smart-contract accounts are asked on the proof's own chain only.
    contracts = Erc1271Accounts(w3) if chain.ok else None
    checks = [chain, check_domain(proof, expected_registry), check_digest(proof)]
    if isinstance(proof, ReviewProof):
        checks += [
            check_review_signature(proof, contracts),
            check_visit_signature(proof, contracts),
        ]
    author = check_author(proof, contracts)
    if author is not None:
        checks.append(author)
    if not chain.ok:  # no registry to ask: the on-chain checks cannot run
        return checks
    registry = RegistryContract(w3, proof.registry)
    checks.append(check_dentist(registry, proof))
    checks += ANCHOR_VERIFIERS[proof.anchor.kind](w3, registry, proof)
    anchors = check_author_anchors(w3, registry, proof)
    return checks if anchors is None else [*checks, anchors]
