"""What the chain says happened: anchors, reward mints and queued rewards, read in ranges."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from web3 import Web3

from dentareview.audit.logs import DEFAULT_BLOCK_RANGE, ZERO_TOPIC, EventDecoder, get_logs
from dentareview.chain.artifacts import load_artifact

_REGISTRY_ABI = load_artifact("ReviewRegistry").abi
REVIEW_ANCHORED = EventDecoder.from_abi(_REGISTRY_ABI, "ReviewAnchored")
REWARD_QUEUED = EventDecoder.from_abi(_REGISTRY_ABI, "RewardQueued")
QUEUED_REWARD_PAID = EventDecoder.from_abi(_REGISTRY_ABI, "QueuedRewardPaid")
BATCH_ANCHORED = EventDecoder.from_abi(_REGISTRY_ABI, "BatchAnchored")
REWARDS_PAID = EventDecoder.from_abi(_REGISTRY_ABI, "RewardsPaid")
TRANSFER = EventDecoder.from_abi(load_artifact("RewardToken").abi, "Transfer")


@dataclass(frozen=True)
class AnchorLog:
    """One `ReviewAnchored`; addresses and hashes lowercase 0x-hex."""

    digest: str
    visit_id: str
    patient: str
    dentist: str
    reward: int
    tx_hash: str
    block_number: int
    log_index: int


@dataclass(frozen=True)
class AmountLog:
    """A mint (`Transfer` from 0x0), a `RewardQueued` or a `QueuedRewardPaid`."""

    account: str
    amount: int
    tx_hash: str
    log_index: int


@dataclass(frozen=True)
class BatchLog:
    """One `BatchAnchored`: a Merkle root of reviews (batch mode)."""

    root: str
    size: int
    rewarded: int
    tx_hash: str
    block_number: int
    log_index: int


@dataclass(frozen=True)
class PayoutLog:
    """One `RewardsPaid`: an aggregate reward payout (batch mode)."""

    payout_id: str
    recipients: int
    total: int
    tx_hash: str
    block_number: int
    log_index: int


@dataclass
class ChainRecords:
    first_block: int
    last_block: int
    anchors: dict[str, list[AnchorLog]] = field(default_factory=dict)  # by visitId
    mints: dict[str, list[AmountLog]] = field(default_factory=dict)  # by tx hash
    queued: dict[str, list[AmountLog]] = field(default_factory=dict)  # by tx hash
    queue_paid: dict[str, list[AmountLog]] = field(default_factory=dict)  # by tx hash
    batches: dict[str, list[BatchLog]] = field(default_factory=dict)  # by root
    payouts: dict[str, list[PayoutLog]] = field(default_factory=dict)  # by payoutId

    @property
    def anchor_count(self) -> int:
        return sum(len(found) for found in self.anchors.values())

    @property
    def mint_count(self) -> int:
        return sum(len(found) for found in self.mints.values())


def _position(log: dict[str, Any]) -> tuple[str, int, int]:
    return log["transactionHash"].lower(), int(log["blockNumber"], 16), int(log["logIndex"], 16)


def _anchor(log: dict[str, Any]) -> AnchorLog:
    args = REVIEW_ANCHORED.decode(log)
    tx_hash, block_number, log_index = _position(log)
    return AnchorLog(
        digest=args["digest"],
        visit_id=args["visitId"],
        patient=args["patient"],
        dentist=args["dentist"],
        reward=args["reward"],
        tx_hash=tx_hash,
        block_number=block_number,
        log_index=log_index,
    )


def _amount(decoder: EventDecoder, log: dict[str, Any], account: str, amount: str) -> AmountLog:
    args = decoder.decode(log)
    tx_hash, _block, log_index = _position(log)
    return AmountLog(
        account=args[account], amount=args[amount], tx_hash=tx_hash, log_index=log_index
    )


def read_chain(
    w3: Web3,
    *,
    registry: str,
    token: str,
    first_block: int,
    last_block: int,
    step: int = DEFAULT_BLOCK_RANGE,
    on_range: Callable[[int], None] | None = None,
) -> ChainRecords:
    """Every anchor, batch root, payout, queued reward and reward mint in the blocks.

    Two calls per range: the registry's five events at once (topic0 is an OR list),
    and the token's Transfer logs from the zero address (mints only).
    """
    records = ChainRecords(first_block=first_block, last_block=last_block)
    registry_logs = get_logs(
        w3,
        address=registry,
        topics=[
            [
                REVIEW_ANCHORED.topic,
                REWARD_QUEUED.topic,
                QUEUED_REWARD_PAID.topic,
                BATCH_ANCHORED.topic,
                REWARDS_PAID.topic,
            ]
        ],
        first=first_block,
        last=last_block,
        step=step,
        on_range=on_range,
    )
    _sort_registry_logs(records, registry_logs)
    mint_logs = get_logs(
        w3,
        address=token,
        topics=[TRANSFER.topic, ZERO_TOPIC],
        first=first_block,
        last=last_block,
        step=step,
        on_range=on_range,
    )
    mints: defaultdict[str, list[AmountLog]] = defaultdict(list)
    for log in mint_logs:
        entry = _amount(TRANSFER, log, "to", "value")
        mints[entry.tx_hash].append(entry)
    records.mints = dict(mints)
    return records


def _sort_registry_logs(records: ChainRecords, logs: Iterable[dict[str, Any]]) -> None:
    """Decode the registry's logs, each by its topic, into `records`."""
    queued: defaultdict[str, list[AmountLog]] = defaultdict(list)
    queue_paid: defaultdict[str, list[AmountLog]] = defaultdict(list)
    anchors: defaultdict[str, list[AnchorLog]] = defaultdict(list)
    batches: defaultdict[str, list[BatchLog]] = defaultdict(list)
    payouts: defaultdict[str, list[PayoutLog]] = defaultdict(list)
    for log in logs:
        topic = log["topics"][0].lower()
        if topic == REVIEW_ANCHORED.topic:
            anchor = _anchor(log)
            anchors[anchor.visit_id].append(anchor)
        elif topic == REWARD_QUEUED.topic:
            entry = _amount(REWARD_QUEUED, log, "patient", "amount")
            queued[entry.tx_hash].append(entry)
        elif topic == QUEUED_REWARD_PAID.topic:
            entry = _amount(QUEUED_REWARD_PAID, log, "patient", "amount")
            queue_paid[entry.tx_hash].append(entry)
        elif topic == BATCH_ANCHORED.topic:
            args = BATCH_ANCHORED.decode(log)
            batches[args["root"]].append(
                BatchLog(args["root"], args["size"], args["rewarded"], *_position(log))
            )
        elif topic == REWARDS_PAID.topic:
            args = REWARDS_PAID.decode(log)
            payouts[args["payoutId"]].append(
                PayoutLog(args["payoutId"], args["recipients"], args["total"], *_position(log))
            )
    records.anchors, records.queued, records.queue_paid = (
        dict(anchors),
        dict(queued),
        dict(queue_paid),
    )
    records.batches, records.payouts = dict(batches), dict(payouts)
