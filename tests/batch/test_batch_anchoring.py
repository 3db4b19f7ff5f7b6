"""The batch anchorer: thresholds, proofs, and crashes at every step losing nothing."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from sqlalchemy import func, select

from dentareview.anchoring.batches import BatchAnchorer
from dentareview.chain.batches import BatchRegistry
from dentareview.db.models import BatchRow, ReviewRow
from dentareview.domain.merkle import MerkleTree, verify_batch_proof
from dentareview.relay.engine import Relay
from dentareview.services.batch_proofs import batch_proof
from tests.api.system import System, new_wallet


class Crash(BaseException):
    """Stands for the process dying: nothing in the anchorer catches it."""


def anchorer(system: System, *, size: int = 4, seconds: float = 3600, **kw: Any) -> BatchAnchorer:
    return BatchAnchorer(
        system.sessions, system.gateway, batch_size=size, batch_seconds=seconds,
        payout_seconds=kw.pop("payout_seconds", 0), **kw,
    )


def post_reviews(system: System, count: int) -> list[int]:
    dentist = system.new_dentist()
    ids = []
    for _ in range(count):
        patient = new_wallet()
        response = system.post_review(patient, system.review_message(
            system.attested_visit(dentist, patient)
        ))
        assert response.status_code == 202, response.text
        ids.append(int(response.json()["id"]))
    return ids


def registry(system: System) -> BatchRegistry:
    return BatchRegistry(system.gateway.deployment().registry.contract)


def root_events(system: System) -> Counter[str]:
    deployment = system.gateway.deployment()
    events = registry(system).batch_events(
        from_block=deployment.manifest.registry.block_number,
        to_block=int(system.w3.eth.block_number),
    )
    return Counter(event.root for event in events)


def assert_each_review_anchored_once(system: System, review_ids: list[int]) -> None:
    with system.sessions() as session:
        reviews = list(session.scalars(select(ReviewRow).where(ReviewRow.id.in_(review_ids))))
        batches = list(session.scalars(select(BatchRow)))
        assert {r.status for r in reviews} == {"anchored"}
        assert sum(b.size for b in batches) == len(review_ids)  # no review in two batches
        assert {b.status for b in batches} == {"anchored"}
        events = root_events(system)
        assert events == Counter({b.root: 1 for b in batches})  # each root anchored once
        for review in reviews:
            proof = batch_proof(session, review_id=review.id)
            assert proof is not None and proof.tx_hash == review.tx_hash
            assert verify_batch_proof(digest=review.digest, root=proof.root, proof=proof.proof)
            nodes = [bytes.fromhex(p[2:]) for p in proof.proof]
            assert registry(system).is_review_in_batch(
                bytes.fromhex(proof.root[2:]), bytes.fromhex(review.digest[2:]), nodes
            )


def test_a_batch_is_published_when_size_reviews_wait(batch_system: System) -> None:
    ids = post_reviews(batch_system, 3)
    worker = anchorer(batch_system, size=4)
    assert worker.run_until_idle().anchored == 0  # 3 < 4 and nobody waited an hour
    ids += post_reviews(batch_system, 2)
    report = worker.run_until_idle()
    assert (report.anchored, report.batches, report.errors) == (4, 1, [])
    with batch_system.sessions() as session:
        assert session.scalar(select(func.count()).where(ReviewRow.status == "pending")) == 1
    body = batch_system.client.get(f"/v1/reviews/{ids[0]}").json()
    assert body["status"] == "anchored" and body["txHash"]


def test_a_batch_is_published_when_the_oldest_review_waited_long_enough(
    batch_system: System,
) -> None:
    ids = post_reviews(batch_system, 3)  # not a power of two
    now = time.time()
    assert anchorer(batch_system, size=100, seconds=60, clock=lambda: now).run_once().batches == 0
    later = anchorer(batch_system, size=100, seconds=60, clock=lambda: now + 61)
    assert later.run_until_idle().batches == 1
    assert_each_review_anchored_once(batch_system, ids)


def test_proofs_for_every_leaf_of_batches_of_1_and_5(batch_system: System) -> None:
    ids = post_reviews(batch_system, 1)
    anchorer(batch_system, size=1).run_until_idle()
    ids += post_reviews(batch_system, 5)
    anchorer(batch_system, size=5).run_until_idle()
    assert_each_review_anchored_once(batch_system, ids)
    with batch_system.sessions() as session:
        proofs = [batch_proof(session, review_id=i) for i in ids]
        assert [p.size for p in proofs if p] == [1, 5, 5, 5, 5, 5]
        assert sorted(p.leaf_index for p in proofs[1:] if p) == [0, 1, 2, 3, 4]
        one = proofs[0]
        assert one is not None and one.proof == [] and one.root == one.leaf
        tree = MerkleTree.of(bytes.fromhex(p.digest[2:]) for p in proofs[1:] if p)
        assert {p.root for p in proofs[1:] if p} == {"0x" + tree.root.hex()}


@pytest.mark.parametrize("step", ["before signing", "before sending", "after sending"])
def test_a_crash_loses_nothing_and_anchors_nothing_twice(
    batch_system: System, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    ids = post_reviews(batch_system, 3)

    def crash(*_: Any, **__: Any) -> Any:
        raise Crash(step)

    target = {
        "before signing": (Relay, "sign"),
        "before sending": (type(batch_system.gateway.deployment().sender), "send_raw"),
        "after sending": (Relay, "wait"),
    }[step]
    with monkeypatch.context() as patch:
        patch.setattr(*target, crash)
        with pytest.raises(Crash):
            anchorer(batch_system, size=3).run_once()

    with batch_system.sessions() as session:
        (batch,) = session.scalars(select(BatchRow))
        assert (batch.status, batch.size) == ("built", 3)  # written ahead with its members
        members = session.scalars(select(ReviewRow.batch_id).where(ReviewRow.id.in_(ids)))
        assert set(members) == {batch.id}
    if step == "after sending":  # the node mines it by itself, maybe a moment later
        assert batch.sent_tx_hash is not None
        batch_system.w3.eth.wait_for_transaction_receipt(batch.sent_tx_hash)  # type: ignore[arg-type]
    on_chain = registry(batch_system).batch_of(bytes.fromhex(batch.root[2:]))
    assert (on_chain is not None) == (step == "after sending")

    ids += post_reviews(batch_system, 2)  # arrive meanwhile: a batch of their own
    report = anchorer(batch_system, size=2).run_until_idle()
    assert report.errors == []
    assert (report.reconciled if step == "after sending" else report.anchored) >= 3
    assert_each_review_anchored_once(batch_system, ids)


def test_a_review_is_never_in_two_batches_across_many_passes(batch_system: System) -> None:
    ids = post_reviews(batch_system, 7)
    worker = anchorer(batch_system, size=2, seconds=0)
    report = worker.run_until_idle()
    assert (report.anchored, report.batches) == (7, 4)  # 2 + 2 + 2 + 1
    assert worker.run_until_idle().touched == 0
    assert_each_review_anchored_once(batch_system, ids)


def test_nothing_is_sent_while_paused(batch_system: System, admin: LocalAccount) -> None:
    post_reviews(batch_system, 2)
    deployment = batch_system.gateway.deployment()
    deployment.sender.transact(deployment.registry.contract.functions.pause())
    nonce = deployment.sender.pending_nonce()
    report = anchorer(batch_system, size=2).run_until_idle()
    assert report.anchored == 0 and "would revert" in report.errors[0]
    assert deployment.sender.pending_nonce() == nonce  # preflight refused: no gas wasted
    deployment.sender.transact(deployment.registry.contract.functions.unpause())
    assert anchorer(batch_system, size=2).run_until_idle().anchored == 2
