"""Sending one batch-mode transaction with a write-ahead record, and finding it again.

Shared by the batch anchorer and the reward payer: both sign a transaction, let the
caller commit its hash and nonce, broadcast it, and wait for the receipt without
holding database locks; after a crash they look for the noted transaction first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hexbytes import HexBytes
from web3.contract.contract import ContractFunction
from web3.types import TxReceipt

from dentareview.services.chain_access import Deployment

RECEIPT_TIMEOUT_SECONDS = 60
GAS_MARGIN = 1.25


class PreflightFailed(Exception):
    """The transaction would revert now (paused, cap reached, role missing...): not sent."""


@dataclass(frozen=True)
class SignedTx:
    tx_hash: str
    nonce: int
    raw: HexBytes


def sign_call(deployment: Deployment, call: ContractFunction) -> SignedTx:
    """Estimate (which runs the call: a revert raises PreflightFailed) and sign."""
    sender = deployment.sender
    try:
        gas = int(call.estimate_gas({"from": sender.address}))
    except Exception as error:  # noqa: BLE001 - any revert or node error: do not send
        raise PreflightFailed(str(error)) from error
    nonce = sender.pending_nonce()
    tx = sender.build(call, nonce=nonce, gas=int(gas * GAS_MARGIN), fees=sender.current_fees())
    tx_hash, raw = sender.sign(tx)
    return SignedTx(tx_hash, nonce, raw)


def send_and_wait(
    deployment: Deployment, signed: SignedTx, *, note: Callable[[SignedTx], None]
) -> TxReceipt | None:
    """`note` (the write-ahead record, committed) first, then broadcast and wait."""
    note(signed)
    deployment.sender.send_raw(signed.raw)
    return wait_receipt(deployment, signed.tx_hash)


def wait_receipt(deployment: Deployment, tx_hash: str) -> TxReceipt | None:
    try:
        return deployment.w3.eth.wait_for_transaction_receipt(
            HexBytes(tx_hash), timeout=RECEIPT_TIMEOUT_SECONDS, poll_latency=0.02
        )
    except Exception:  # noqa: BLE001 - left for a later pass to find
        return None


def still_pending(deployment: Deployment, tx_hash: str) -> bool:
    """Whether the node knows the transaction but has not mined it (then wait, not resend)."""
    try:
        tx = deployment.w3.eth.get_transaction(HexBytes(tx_hash))
    except Exception:  # noqa: BLE001 - "not found" is raised, not returned
        return False
    return tx.get("blockNumber") is None


def block_timestamp(deployment: Deployment, block_number: int) -> int:
    return int(deployment.w3.eth.get_block(block_number)["timestamp"])
