"""What every part of `verify` shares: the verdict, the signers, receipts, finality."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from eth_utils.hexadecimal import encode_hex
from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import TransactionNotFound, Web3Exception
from web3.types import TxReceipt

from dentareview.audit.hashing import digest_from_text_hash
from dentareview.audit.proof import (
    AnyProof,
    PublicReviewProof,
)
from dentareview.audit.webauthn_check import check_passkey_signature
from dentareview.chain.erc1271 import Erc1271Accounts
from dentareview.chain.passkeys import is_erc6492
from dentareview.chain.registry import RegistryContract
from dentareview.domain.models import Eip712Domain
from dentareview.domain.typed_data import (
    recover_signer,
    review_digest,
    review_message,
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


def same(a: str, b: str) -> bool:
    return a.lower() == b.lower()


def proof_domain(proof: AnyProof) -> Eip712Domain:
    return Eip712Domain(proof.chain_id, proof.registry)


def review_digest_of(proof: AnyProof) -> bytes:
    if proof.text_hash is None:
        return review_digest(proof_domain(proof), proof.review)
    # Erased by its author: EIP-712 encodes the text as keccak256(text), which is kept.
    message = review_message(proof.review)
    return digest_from_text_hash(proof.chain_id, proof.registry, "Review", message, proof.text_hash)


def removed_by_moderation(proof: AnyProof) -> bool:
    """A public proof of a review removed by moderation: its text is withheld by the
    operator's recorded decision, which is not the author's word (no `author` check)."""
    return isinstance(proof, PublicReviewProof) and proof.text_removed


def signer_of(digest: bytes, signature: bytes) -> str | None:
    try:
        return recover_signer(digest, signature)
    except InvalidSignature:
        return None


def signed_by(
    proof: AnyProof,
    account: str,
    digest: bytes,
    signature: bytes,
    contracts: Erc1271Accounts | None,
) -> tuple[bool, str]:
    """Whether `account` signed `digest`: by ECDSA; or, a smart-contract account, by ERC-1271
    or an ERC-6492 passkey signature, asked of the proof's registry through the node when
    there is one, else (offline) from the WebAuthn data the signature carries. The second
    item says how, or who the signature recovers to instead."""
    signer = signer_of(digest, signature)
    if signer is not None and same(signer, account):
        return True, f"ECDSA, {signer}"
    if contracts is None:
        verdict = check_passkey_signature(account, digest, signature, registry=proof.registry)
        if verdict.ok or is_erc6492(signature):
            return verdict.ok, verdict.detail
        return False, (f"recovers to {signer}" if signer else "recovers to no address") + (
            " (no node asked whether a smart account accepts it)"
        )
    if contracts.accepts(account, digest, signature):
        if is_erc6492(signature):
            return True, (
                f"signed with the patient's passkey (checked by the registry on chain "
                f"{proof.chain_id}, ERC-6492)"
            )
        return True, f"the smart-contract account {account} accepts it (ERC-1271)"
    if is_erc6492(signature):
        return False, f"is a passkey signature the registry on chain {proof.chain_id} refuses"
    return False, f"recovers to {signer}" if signer else "recovers to no address"


def receipt_or_none(w3: Web3, tx_hash: str) -> TxReceipt | None:
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


@dataclass(frozen=True)
class LoggedEvent:
    receipt: TxReceipt
    args: dict[str, Any]


def registry_event_at(
    w3: Web3,
    registry: RegistryContract,
    *,
    event_name: str,
    tx_hash: str,
    block_number: int,
    log_index: int,
) -> LoggedEvent | str:
    """The registry's `event_name` log at `log_index` of `tx_hash`, mined in
    `block_number`; or, in words, why it is not there."""
    where = f"log {log_index} of transaction {tx_hash}"
    receipt = receipt_or_none(w3, tx_hash)
    if receipt is None:
        return f"no transaction {tx_hash} on this chain"
    if receipt["status"] != 1:
        return f"transaction {tx_hash} reverted"
    if receipt["blockNumber"] != block_number:
        return f"transaction is in block {receipt['blockNumber']}, not {block_number}"
    logs = [log for log in receipt["logs"] if log["logIndex"] == log_index]
    if not logs:
        return f"transaction {tx_hash} has no log {log_index}"
    log = logs[0]
    if not same(log["address"], registry.address):
        return f"{where} was emitted by {log['address']}, not the registry"
    event = registry.contract.events[event_name]()
    if not log["topics"] or encode_hex(log["topics"][0]) != event.topic:
        return f"{where} is not a {event_name} event"
    return LoggedEvent(receipt, dict(event.process_log(log)["args"]))
