"""AnonymousReviews and Semaphore's verifier, as the service reads and calls them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eth_utils.hexadecimal import encode_hex
from hexbytes import HexBytes
from web3 import Web3
from web3.contract.contract import ContractFunction
from web3.logs import DISCARD
from web3.types import TxReceipt

from dentareview.chain.artifacts import load_artifact
from dentareview.chain.deployments import Manifest
from dentareview.errors import NotDeployed

_VERIFY_ABI: list[dict[str, Any]] = [
    {
        "type": "function",
        "name": "verifyProof",
        "stateMutability": "view",
        "inputs": [
            {"name": "_pA", "type": "uint256[2]"},
            {"name": "_pB", "type": "uint256[2][2]"},
            {"name": "_pC", "type": "uint256[2]"},
            {"name": "_pubSignals", "type": "uint256[4]"},
            {"name": "merkleTreeDepth", "type": "uint256"},
        ],
        "outputs": [{"name": "", "type": "bool"}],
    }
]


@dataclass(frozen=True)
class ChainEvent:
    """Where an event was found: what the outbox records for finality and reorgs."""

    tx_hash: str
    block_number: int
    block_hash: str


@dataclass(frozen=True)
class RootCommitted(ChainEvent):
    dentist: str
    root: int
    size: int


@dataclass(frozen=True)
class ReviewAnchored(ChainEvent):
    dentist: str
    nullifier: int
    digest: str
    reward_to: str
    rewarded: bool


class AnonymousContract:
    """The deployed AnonymousReviews (address from the deployment manifest)."""

    def __init__(self, w3: Web3, address: str) -> None:
        self.w3 = w3
        self.address = Web3.to_checksum_address(address)
        self.contract = w3.eth.contract(
            address=self.address, abi=load_artifact("AnonymousReviews").abi
        )

    @classmethod
    def of(cls, w3: Web3, manifest: Manifest) -> AnonymousContract:
        if manifest.anonymous_reviews is None:
            raise NotDeployed(
                "this deployment has no AnonymousReviews contract; "
                "the operator must deploy again with `dentareview deploy`"
            )
        return cls(w3, manifest.anonymous_reviews.address)

    # ------------------------------------------------------------------ views

    def current_period(self) -> int:
        return int(self.contract.functions.currentPeriod().call())

    def period_length(self) -> int:
        return int(self.contract.functions.periodLength().call())

    def min_group_size(self) -> int:
        return int(self.contract.functions.minGroupSize().call())

    def latest_group(self, dentist: str) -> tuple[int, int]:
        root, size = self.contract.functions.latestGroup(dentist).call()
        return int(root), int(size)

    def group_root(self, dentist: str, root: int) -> tuple[int, int, int]:
        """(committedAt, replacedAt, size) of a root; committedAt 0 if never committed."""
        committed, replaced, size = self.contract.functions.groupRoot(dentist, root).call()
        return int(committed), int(replaced), int(size)

    def is_root_valid(self, dentist: str, root: int) -> bool:
        return bool(self.contract.functions.isRootValid(dentist, root).call())

    def nullifier_used(self, nullifier: int) -> bool:
        return bool(self.contract.functions.nullifierUsed(nullifier).call())

    def anchored_at(self, digest: bytes) -> int:
        return int(self.contract.functions.anchoredAt(digest).call())

    def verifier_address(self) -> str:
        return str(self.contract.functions.verifier().call())

    def verify_proof(self, points: Sequence[int], signals: Sequence[int], depth: int) -> bool:
        """An eth_call to the SemaphoreVerifier the contract itself uses."""
        verifier = self.w3.eth.contract(
            address=Web3.to_checksum_address(self.verifier_address()), abi=_VERIFY_ABI
        )
        p = [int(x) for x in points]
        return bool(
            verifier.functions.verifyProof(
                [p[0], p[1]],
                [[p[2], p[3]], [p[4], p[5]]],
                [p[6], p[7]],
                [int(s) for s in signals],
                depth,
            ).call()
        )

    # ------------------------------------------------------------------ writes

    def commit_group_roots(
        self, dentists: Sequence[str], roots: Sequence[int], sizes: Sequence[int]
    ) -> ContractFunction:
        return self.contract.functions.commitGroupRoots(list(dentists), list(roots), list(sizes))

    def submit_review(self, review: tuple[Any, ...], points: Sequence[int]) -> ContractFunction:
        """`review`: (dentist, period, root, depth, nullifier, digest, rewardTo)."""
        return self.contract.functions.submitAnonymousReview(review, [int(p) for p in points])

    # ------------------------------------------------------------------ events

    def roots_committed_in(self, receipt: TxReceipt) -> list[RootCommitted]:
        logs = self.contract.events.GroupRootCommitted().process_receipt(receipt, errors=DISCARD)
        return [
            RootCommitted(
                **_where(log),
                dentist=str(log["args"]["dentist"]),
                root=int(log["args"]["root"]),
                size=int(log["args"]["size"]),
            )
            for log in logs
        ]

    def reviews_anchored_in(self, receipt: TxReceipt) -> list[ReviewAnchored]:
        logs = self.contract.events.AnonymousReviewAnchored().process_receipt(
            receipt, errors=DISCARD
        )
        return [_anchored(log) for log in logs]

    def review_anchored(self, *, from_block: int, digest: bytes) -> ReviewAnchored | None:
        logs = self.contract.events.AnonymousReviewAnchored().get_logs(
            from_block=from_block, argument_filters={"digest": digest}
        )
        return _anchored(logs[0]) if logs else None


def _where(log: Any) -> dict[str, Any]:
    return {
        "tx_hash": encode_hex(HexBytes(log["transactionHash"])),
        "block_number": int(log["blockNumber"]),
        "block_hash": encode_hex(HexBytes(log["blockHash"])),
    }


def _anchored(log: Any) -> ReviewAnchored:
    args = log["args"]
    return ReviewAnchored(
        **_where(log),
        dentist=str(args["dentist"]),
        nullifier=int(args["nullifier"]),
        digest=encode_hex(HexBytes(args["digest"])),
        reward_to=str(args["rewardTo"]),
        rewarded=bool(args["rewarded"]),
    )
