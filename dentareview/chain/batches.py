"""Typed access to the registry's batch mode: Merkle roots, aggregate payouts, and their events."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eth_utils.hexadecimal import encode_hex
from hexbytes import HexBytes
from web3.contract import Contract
from web3.contract.contract import ContractFunction
from web3.logs import DISCARD
from web3.types import TxReceipt


@dataclass(frozen=True)
class BatchInfo:
    """`batchOf(root)`: what the registry recorded for an anchored root."""

    anchored_at: int
    size: int
    rewarded: int


@dataclass(frozen=True)
class BatchEvent:
    """One `BatchAnchored` log."""

    root: str
    size: int
    rewarded: int
    reward_credit: int
    tx_hash: str
    block_number: int
    log_index: int
    block_hash: str


@dataclass(frozen=True)
class PayoutEvent:
    """One `RewardsPaid` log."""

    payout_key: str
    recipients: int
    total: int
    tx_hash: str
    block_number: int
    log_index: int
    block_hash: str


class BatchRegistry:
    """The batch-mode functions of one ReviewRegistry (`contract` is its web3 contract)."""

    def __init__(self, contract: Contract) -> None:
        self.contract = contract

    # -------------------------------------------------------------- transactions

    def anchor_batch(self, root: bytes, *, size: int, rewarded: int) -> ContractFunction:
        return self.contract.functions.anchorBatch(root, size, rewarded)

    def pay_rewards(
        self, payout_key: bytes, patients: Sequence[str], amounts: Sequence[int]
    ) -> ContractFunction:
        return self.contract.functions.payRewards(payout_key, list(patients), list(amounts))

    # -------------------------------------------------------------- views

    def batch_of(self, root: bytes) -> BatchInfo | None:
        """The root's record, or None if it was never anchored."""
        anchored_at, size, rewarded = self.contract.functions.batchOf(root).call()
        if int(anchored_at) == 0:
            return None
        return BatchInfo(int(anchored_at), int(size), int(rewarded))

    def is_review_in_batch(self, root: bytes, digest: bytes, proof: Sequence[bytes]) -> bool:
        """The registry's own check: `MerkleProof.verify` on an anchored root."""
        return bool(self.contract.functions.isReviewInBatch(root, digest, list(proof)).call())

    def review_leaf(self, digest: bytes) -> bytes:
        return bytes(self.contract.functions.reviewLeaf(digest).call())

    def reward_credit(self) -> int:
        return int(self.contract.functions.batchRewardCredit().call())

    def is_payout_made(self, payout_key: bytes) -> bool:
        return bool(self.contract.functions.isPayoutMade(payout_key).call())

    def remaining_today(self) -> int:
        """Token units the daily cap still allows today (at the latest block's time)."""
        _day, minted = self.contract.functions.rewardedToday().call()
        cap = int(self.contract.functions.dailyRewardCap().call())
        return max(cap - int(minted), 0)

    # -------------------------------------------------------------- events

    def batch_events_in(self, receipt: TxReceipt) -> list[BatchEvent]:
        logs = self.contract.events.BatchAnchored().process_receipt(receipt, errors=DISCARD)
        return [_batch_event(log) for log in logs]

    def batch_events(
        self, *, from_block: int, to_block: int, root: bytes | None = None
    ) -> list[BatchEvent]:
        filters: dict[str, Any] = {} if root is None else {"root": root}
        logs = self.contract.events.BatchAnchored().get_logs(
            from_block=from_block, to_block=to_block, argument_filters=filters
        )
        return [_batch_event(log) for log in logs]

    def payout_events_in(self, receipt: TxReceipt) -> list[PayoutEvent]:
        logs = self.contract.events.RewardsPaid().process_receipt(receipt, errors=DISCARD)
        return [_payout_event(log) for log in logs]

    def payout_events(
        self, *, from_block: int, to_block: int, payout_key: bytes
    ) -> list[PayoutEvent]:
        logs = self.contract.events.RewardsPaid().get_logs(
            from_block=from_block, to_block=to_block, argument_filters={"payoutId": payout_key}
        )
        return [_payout_event(log) for log in logs]


def _location(log: Any) -> tuple[str, int, int, str]:
    return (
        encode_hex(HexBytes(log["transactionHash"])),
        int(log["blockNumber"]),
        int(log["logIndex"]),
        encode_hex(HexBytes(log["blockHash"])),
    )


def _batch_event(log: Any) -> BatchEvent:
    args = log["args"]
    tx_hash, block_number, log_index, block_hash = _location(log)
    return BatchEvent(
        root=encode_hex(args["root"]),
        size=int(args["size"]),
        rewarded=int(args["rewarded"]),
        reward_credit=int(args["rewardCredit"]),
        tx_hash=tx_hash,
        block_number=block_number,
        log_index=log_index,
        block_hash=block_hash,
    )


def _payout_event(log: Any) -> PayoutEvent:
    args = log["args"]
    tx_hash, block_number, log_index, block_hash = _location(log)
    return PayoutEvent(
        payout_key=encode_hex(args["payoutId"]),
        recipients=int(args["recipients"]),
        total=int(args["total"]),
        tx_hash=tx_hash,
        block_number=block_number,
        log_index=log_index,
        block_hash=block_hash,
    )
