"""Single mode: the review's own `ReviewAnchored` log, `anchoredAt` and the reward's mint."""

from __future__ import annotations

from typing import Any

from eth_utils.hexadecimal import encode_hex
from web3 import Web3
from web3.logs import DISCARD
from web3.types import TxReceipt

from dentareview.audit.proof import (
    AnyProof,
    PublicReviewProof,
    ReviewProof,
    SingleAnchor,
)
from dentareview.audit.verify.checks import (
    ZERO_ADDRESS,
    Check,
    finality,
    registry_event_at,
    same,
)
from dentareview.chain.artifacts import load_artifact
from dentareview.chain.registry import RegistryContract


def _anchor_log(
    w3: Web3, registry: RegistryContract, proof: AnyProof
) -> tuple[Check, TxReceipt | None, dict[str, Any] | None]:
    """The proof's `ReviewAnchored` log, checked against the proof; or why it is not there."""
    anchor = proof.anchor
    assert isinstance(anchor, SingleAnchor)
    where = f"log {anchor.log_index} of transaction {anchor.tx_hash}"

    def fail(reason: str) -> tuple[Check, None, None]:
        return Check("anchor-event", False, reason), None, None

    found = registry_event_at(
        w3,
        registry,
        event_name="ReviewAnchored",
        tx_hash=anchor.tx_hash,
        block_number=anchor.block_number,
        log_index=anchor.log_index,
    )
    if isinstance(found, str):
        return fail(found)
    receipt, args = found.receipt, found.args
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
        f"{k} {logged[k]} (proof: {claimed[k]})" for k in claimed if not same(claimed[k], logged[k])
    ]
    if wrong:
        return fail(f"{where} anchors another review: " + "; ".join(wrong))
    detail = (
        f"{where} in block {anchor.block_number} is ReviewAnchored(digest, visitId, patient, "
        f"dentist, reward {args['reward']}) from the registry; "
        f"{finality(w3, anchor.block_number)}"
    )
    return Check("anchor-event", True, detail), receipt, args


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
            if same(log["address"], registry.address) and same(log["args"]["patient"], patient)
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
        if same(log["address"], token_address)
        and same(log["args"]["from"], ZERO_ADDRESS)
        and same(log["args"]["to"], patient)
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
