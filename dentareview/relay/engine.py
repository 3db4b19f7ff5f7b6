"""The relay: the one place where the operator's transactions get nonces, fees, gas,
receipts, replacements and finality.

Every on-chain write of the service goes through it: single reviews
(`services/anchoring.py`), batch roots (`services/batch_anchoring.py`), aggregate
payouts (`services/batch_payouts.py`) and queued rewards (`services/queued_rewards.py`).
Each of those keeps its own write-ahead record (the hash and nonce of what it signed)
in its own table, and hands the relay a `note` callback that commits it; the relay
calls it *before* anything leaves this process.

Why each item is sent, and paid, exactly once:

1. **Write-ahead.** `send` signs, calls `note` (which commits the hash and nonce), and
   only then broadcasts. A crash before `note` leaves nothing behind; after it, the
   next pass finds the noted hash.
2. **Idempotent effects.** Every write the service makes is refused by the registry the
   second time: a visit is anchored once (`VisitAlreadyReviewed`), a root once
   (`BatchAlreadyAnchored`), a payout id once (`PayoutAlreadyMade`), a queued reward is
   paid whole or not at all (`NothingQueued`). Rewards are minted by those same
   transactions. So a resend, a replacement or a re-broadcast can revert, never pay
   twice; whichever version of a transaction is mined, the chain's state says so.
3. **After a crash**, each caller looks for its noted transaction: a receipt settles it;
   a transaction still in the node's pool is waited for, or `replace`d at the same nonce
   once due; so is any other version at its nonce (`nonce_in_pool`: a replacement noted
   but never broadcast leaves the earlier version waiting); otherwise the chain's state
   (the visit's digest, the root's record, the payout flag) tells whether the effect
   happened, and only if it did not is a new transaction sent.
4. **Finality.** An included transaction is recorded with its block hash. `inclusion`
   re-checks it against the node until it is final (a confirmation depth, or the node's
   `safe`/`finalized` block); if its block is gone, the caller marks the item unsent and
   step 3 applies.

Fees are EIP-1559 from the node and never above the operator's maximum; gas comes from
`eth_estimateGas` (which doubles as a dry run: a call that would revert is refused
before any gas is spent) plus a margin.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from eth_utils.hexadecimal import encode_hex
from hexbytes import HexBytes
from web3.contract.contract import ContractFunction
from web3.exceptions import ContractLogicError, TransactionNotFound, Web3Exception
from web3.types import TxReceipt

from dentareview.chain.registry import RegistryContract
from dentareview.chain.transactions import TransactionSender
from dentareview.relay.fees import Fees, bump, node_fees, within_cap
from dentareview.relay.policy import RelayPolicy

log = logging.getLogger(__name__)

GAS_MARGIN_PERCENT = 25


class Refused(Exception):
    """The call would revert now (the dry run of gas estimation): nothing was sent."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # the registry's custom error name when it has one


class AtFeeCap(Exception):
    """A stuck transaction cannot be replaced: the bump would pass the maximum fee."""


@dataclass(frozen=True)
class SignedTx:
    tx_hash: str
    nonce: int
    raw: HexBytes


class Inclusion(Enum):
    FINAL = "final"
    WAITING = "waiting"  # included, not final yet
    DROPPED = "dropped"  # its block was reorganised away (or it reverted there)


class Relay:
    def __init__(
        self, sender: TransactionSender, registry: RegistryContract, policy: RelayPolicy
    ) -> None:
        self._sender = sender
        self._registry = registry
        self._w3 = registry.contract.w3
        self.policy = policy
        self._final_block: int | None = None

    # ------------------------------------------------------------------ building

    def fees(self) -> Fees:
        """Fees to send with now; FeesOverCap when the network asks more than the maximum."""
        suggested, base_fee = node_fees(self._w3)
        return within_cap(suggested, base_fee=base_fee, max_fee_per_gas=self.policy.max_fee_per_gas)

    def gas(self, call: ContractFunction) -> int:
        """Estimated gas plus the margin; Refused (with the registry's error) if it would revert."""
        try:
            estimate = int(call.estimate_gas({"from": self._sender.address}))
        except ContractLogicError as error:
            data = error.data if isinstance(error.data, str) else None
            name = self._registry.error_name(data) if data else None
            raise Refused(name or str(error)) from error
        return estimate + estimate * GAS_MARGIN_PERCENT // 100

    def next_nonce(self) -> int:
        return self._sender.pending_nonce()

    def sign(self, call: ContractFunction, *, nonce: int, gas: int, fees: Fees) -> SignedTx:
        tx_hash, raw = self._sender.sign(self._sender.build(call, nonce=nonce, gas=gas, fees=fees))
        return SignedTx(tx_hash, nonce, raw)

    # ------------------------------------------------------------------ sending

    def broadcast(self, signed: SignedTx) -> None:
        try:
            self._sender.send_raw(signed.raw)
        except (Web3Exception, ValueError) as error:
            # Already known, or its nonce taken by another version: the receipt will tell.
            log.info("broadcast of %s refused: %s", signed.tx_hash, error)

    def send(self, call: ContractFunction, *, note: Callable[[SignedTx], None]) -> TxReceipt | None:
        """The write-ahead protocol for one transaction: sign, `note` (commit), broadcast,
        wait. Refused or FeesOverCap before anything is noted; None if no receipt in time."""
        gas = self.gas(call)
        signed = self.sign(call, nonce=self.next_nonce(), gas=gas, fees=self.fees())
        note(signed)
        self.broadcast(signed)
        return self.wait(signed.tx_hash)

    def wait(self, tx_hash: str) -> TxReceipt | None:
        try:
            return self._w3.eth.wait_for_transaction_receipt(
                HexBytes(tx_hash), timeout=self.policy.receipt_timeout_seconds, poll_latency=0.02
            )
        except Exception:  # noqa: BLE001 - left in flight: a later pass settles or replaces it
            return None

    def receipt(self, tx_hash: str) -> TxReceipt | None:
        return self._sender.receipt_or_none(tx_hash)

    def pending_in_node(self, tx_hash: str) -> bool:
        """Known to the node and not mined: wait for it (or replace it), never send anew."""
        try:
            tx = self._w3.eth.get_transaction(HexBytes(tx_hash))
        except TransactionNotFound:
            return False
        return tx.get("blockNumber") is None

    def nonce_in_pool(self, nonce: int) -> bool:
        """Whether some version of our transaction at `nonce` waits in the node's pool: the
        nonce is not used on-chain yet and the pending count has passed it. The noted hash
        may be a replacement that never left (a crash), while the earlier version waits."""
        address = self._sender.address
        mined = int(self._w3.eth.get_transaction_count(address, "latest"))  # type: ignore[arg-type]
        pending = int(self._w3.eth.get_transaction_count(address, "pending"))  # type: ignore[arg-type]
        return mined <= nonce < pending

    def replacement(self, tx_hash: str, call: ContractFunction) -> SignedTx | None:
        """The stuck `tx_hash` signed again at its nonce with both fees bumped; None if the
        node no longer has it, AtFeeCap if the bump would pass the maximum. The caller
        notes the new hash (committed) before `broadcast`: any version may be mined."""
        try:
            stuck = self._w3.eth.get_transaction(HexBytes(tx_hash))
        except TransactionNotFound:
            return None
        previous = Fees(int(stuck["maxFeePerGas"]), int(stuck["maxPriorityFeePerGas"]))
        fees = bump(previous, node_fees(self._w3)[0], percent=self.policy.fee_bump_percent)
        if fees.max_fee_per_gas > self.policy.max_fee_per_gas:
            raise AtFeeCap(
                f"transaction {tx_hash} waits at the maximum fee "
                f"({self.policy.max_fee_per_gas / 10**9:.2f} gwei); raise the maximum or wait"
            )
        replaced = self.sign(call, nonce=int(stuck["nonce"]), gas=int(stuck["gas"]), fees=fees)
        log.info(
            "replacing %s by %s at nonce %s (max fee %.2f gwei)",
            tx_hash,
            replaced.tx_hash,
            replaced.nonce,
            fees.max_fee_per_gas / 10**9,
        )
        return replaced

    # ------------------------------------------------------------------ finality

    def inclusion(self, tx_hash: str, block_hash: str | None) -> Inclusion:
        """Whether the transaction recorded as included in `block_hash` is final, still
        waiting for finality, or dropped by a reorg."""
        receipt = self.receipt(tx_hash)
        if receipt is None or receipt["status"] != 1:
            return Inclusion.DROPPED
        mined_in = encode_hex(HexBytes(receipt["blockHash"]))
        if block_hash is not None and mined_in != block_hash:
            return Inclusion.DROPPED  # re-mined elsewhere: the caller records it again
        if int(receipt["blockNumber"]) <= self.final_block():
            return Inclusion.FINAL
        return Inclusion.WAITING

    def final_block(self) -> int:
        """The highest final block, read once per relay (a relay lives for one pass)."""
        if self._final_block is None:
            self._final_block = self.policy.finality.final_block(self._w3)
        return self._final_block
