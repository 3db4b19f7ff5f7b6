"""The relay's pipelined path encodes `submitReview` with eth-abi directly: the same
calldata as web3's contract function (no node needed to compare them)."""

from __future__ import annotations

import os

from web3 import Web3

from dentareview.chain.registry import RegistryContract
from dentareview.chain.transactions import prepare
from dentareview.domain.models import Review, Visit


def test_prepared_submit_review_calldata_equals_web3s() -> None:
    registry = RegistryContract(Web3(), "0x" + "12" * 20)
    for rewardable in (True, False):
        visit = Visit(
            visit_id=os.urandom(32),
            patient="0x" + os.urandom(20).hex(),
            dentist="0x" + os.urandom(20).hex(),
            visited_at=1_700_000_000,
        )
        review = Review(
            visit_id=visit.visit_id, rating=5, treatment=4, bedside=3, wait_time=2,
            text="Clear explanations and no pain at all " * 3, deadline=1_700_086_400,
        )
        args = (visit, os.urandom(65), review, os.urandom(65))
        fast = registry.submit_review_call(*args, rewardable=rewardable, accepted_at=17)
        general = prepare(registry.submit_review(*args, rewardable=rewardable, accepted_at=17))
        assert fast == general
