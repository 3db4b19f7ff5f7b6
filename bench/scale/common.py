"""Shared by the scale benchmarks: chains, databases, fast wallets, percentiles."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coincurve import PrivateKey
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak
from sqlalchemy import insert
from sqlalchemy.orm import Session
from web3 import Web3

from dentareview.config import Settings
from dentareview.db.models import DentistRow, ReviewRow, RewardPaymentRow, VisitRow
from dentareview.domain.models import Eip712Domain, Review, Visit
from dentareview.domain.typed_data import review_digest, visit_digest
from tests.support.anvil import AnvilNode

REVIEW_TEXT = (
    "Dr. Smith explained every step of the root canal clearly, the clinic was spotless "
    "and I felt no pain at all."
)
REWARD = 10 * 10**18


class Wallet:
    """A throwaway key that signs 32-byte digests ~10x faster than eth-account."""

    def __init__(self) -> None:
        self._key = PrivateKey(os.urandom(32))
        public = self._key.public_key.format(compressed=False)[1:]
        self.address = str(to_checksum_address(keccak(public)[-20:]))

    def sign(self, digest: bytes) -> bytes:
        signature = self._key.sign_recoverable(digest, hasher=None)
        return signature[:64] + bytes([signature[64] + 27])


@contextmanager
def anvil_node() -> Iterator[AnvilNode]:
    node = AnvilNode(extra_args=["--gas-limit", "100000000"])
    node.start()
    try:
        yield node
    finally:
        node.stop()


def settings_for(node: AnvilNode, data_dir: Path, database_url: str, **extra: Any) -> Settings:
    return Settings(
        rpc_url=node.rpc_url,
        data_dir=data_dir,
        database_url=database_url,
        anchor_worker=False,
        daily_reward_cap=10**9 * REWARD,
        **extra,
    )


@dataclass(frozen=True)
class SignedPair:
    visit: Visit
    visit_signature: bytes
    review: Review
    review_signature: bytes
    digest: bytes


def signed_pair(
    domain: Eip712Domain, dentist: Wallet, *, visited_at: int, deadline: int
) -> SignedPair:
    patient = Wallet()
    visit = Visit(
        visit_id=os.urandom(32), patient=patient.address, dentist=dentist.address,
        visited_at=visited_at,
    )
    review = Review(
        visit_id=visit.visit_id, rating=5, treatment=4, bedside=5, wait_time=3,
        text=REVIEW_TEXT, deadline=deadline,
    )
    digest = review_digest(domain, review)
    return SignedPair(
        visit, dentist.sign(visit_digest(domain, visit)), review, patient.sign(digest), digest
    )


def _hex(value: bytes) -> str:
    return "0x" + value.hex()


def insert_dentists(session: Session, addresses: Sequence[str], now: int) -> None:
    session.execute(insert(DentistRow), [
        {"address": a, "name": f"Practice {i}", "active": True, "registered_at": now,
         "updated_at": now}
        for i, a in enumerate(addresses)
    ])


def insert_visits(session: Session, pairs: Sequence[SignedPair], now: int) -> None:
    session.execute(insert(VisitRow), [
        {"visit_id": _hex(p.visit.visit_id), "patient": p.visit.patient,
         "dentist": p.visit.dentist, "visited_at": p.visit.visited_at,
         "signature": _hex(p.visit_signature), "created_at": now}
        for p in pairs
    ])


def insert_pending_reviews(session: Session, pairs: Sequence[SignedPair], now: int) -> None:
    """Pending, rewardable reviews with their reward rows, as POST /v1/reviews leaves them."""
    rows = session.execute(insert(ReviewRow).returning(ReviewRow.id, ReviewRow.patient), [
        {"visit_id": _hex(p.visit.visit_id), "digest": _hex(p.digest),
         "patient": p.visit.patient, "dentist": p.visit.dentist, "rating": 5, "treatment": 4,
         "bedside": 5, "wait_time": 3, "text": p.review.text, "deadline": p.review.deadline,
         "signature": _hex(p.review_signature), "submitted_at": now, "status": "pending",
         "rewardable": True, "anchor_attempts": 0}
        for p in pairs
    ]).all()
    session.execute(insert(RewardPaymentRow), [
        {"review_id": review_id, "patient": patient, "amount": REWARD, "status": "pending",
         "created_at": now}
        for review_id, patient in rows
    ])


def review_body(pair: SignedPair) -> bytes:
    """The JSON body of POST /v1/reviews for `pair`, encoded once, before any timing."""
    import json

    review = pair.review
    return json.dumps({
        "message": {
            "visitId": _hex(review.visit_id), "rating": review.rating,
            "treatment": review.treatment, "bedside": review.bedside,
            "waitTime": review.wait_time, "text": review.text, "deadline": review.deadline,
        },
        "signature": _hex(pair.review_signature),
    }).encode()


def percentile(values: Sequence[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def latest_timestamp(w3: Web3) -> int:
    return int(w3.eth.get_block("latest")["timestamp"])


class Stopwatch:
    def __enter__(self) -> Stopwatch:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *_: object) -> None:
        self.seconds = time.perf_counter() - self.start


