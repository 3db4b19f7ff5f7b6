"""Batch-anchored reviews through the proof endpoint, `dentareview verify` and `audit`.

A batch of four reviews (one not rewarded) is anchored as one root and its rewards paid
in one payout; then proofs are verified against the node, forged, and the database is
audited clean and after tampering in SQL.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from dentareview.anchoring.batches import BatchAnchorer
from dentareview.db.models import RewardPaymentRow
from tests.api.system import REVIEW_TEXT, System, new_wallet
from tests.audit.helpers import Posted, audit, audit_json, post_review, proof_of, verify_json
from tests.support.tamper import delete_reviews


@dataclass
class BatchScene:
    system: System
    reviews: list[Posted]  # the batch's members; reviews[1] is not rewarded

    def sql(self, statement: str, **params: Any) -> None:
        with self.system.sessions() as session:
            session.execute(text(statement), params)
            session.commit()


@pytest.fixture
def scene(batch_system: System) -> BatchScene:
    first = post_review(batch_system, rating=5)
    # Same patient, same dentist: published without a reward (93-day cooldown).
    second = post_review(batch_system, dentist=first.dentist, patient=first.patient)
    third = post_review(batch_system, rating=3)
    fourth = post_review(batch_system, dentist=third.dentist, patient=new_wallet())
    worker = BatchAnchorer(
        batch_system.sessions,
        batch_system.gateway,
        batch_size=4,
        batch_seconds=3600,
        payout_seconds=0,
    )
    report = worker.run_until_idle()
    assert (report.anchored, report.batches, report.payouts, report.errors) == (4, 1, 1, [])
    return BatchScene(batch_system, [first, second, third, fourth])


def kinds(body: dict[str, Any]) -> Counter[str]:
    return Counter({kind: len(found["items"]) for kind, found in body["discrepancies"].items()})


def test_a_batch_proof_from_the_endpoint_verifies(scene: BatchScene, tmp_path: Path) -> None:
    proof = proof_of(scene.system, scene.reviews[2])
    anchor = proof["anchor"]
    assert anchor["kind"] == "batch" and anchor["size"] == 4
    assert len(anchor["proof"]) == 2 and 0 <= anchor["leafIndex"] < 4
    assert set(anchor) >= {"root", "leafIndex", "proof", "txHash", "blockNumber", "logIndex"}
    code, checks = verify_json(scene.system, proof, tmp_path)
    assert code == 0, checks
    assert checks == {
        "chain": True,
        "domain": True,
        "digest": True,
        "review-signature": True,
        "visit-signature": True,
        "dentist": True,
        "merkle-proof": True,
        "anchor-event": True,
        "anchored-at": True,
        "in-batch": True,
        "reward": True,
    }


def _forged(original: dict[str, Any], **anchor: Any) -> dict[str, Any]:
    return {**original, "anchor": {**original["anchor"], **anchor}}


def test_a_forged_merkle_path_is_refused(scene: BatchScene, tmp_path: Path) -> None:
    proof = proof_of(scene.system, scene.reviews[0])
    nodes = list(proof["anchor"]["proof"])
    swapped = "0x" + ("11" * 32)
    cases = {
        "wrong sibling": _forged(proof, proof=[swapped, *nodes[1:]]),
        "path cut short": _forged(proof, proof=nodes[:1]),
        "another root": _forged(proof, root="0x" + "22" * 32),
    }
    for name, forged in cases.items():
        code, checks = verify_json(scene.system, forged, tmp_path)
        assert code == 1, name
        assert checks["merkle-proof"] is False, name
        assert checks["in-batch"] is False, name
    # Another review's digest under this review's path: the leaf is not in the tree.
    other = proof_of(scene.system, scene.reviews[2])
    code, checks = verify_json(scene.system, {**other, "anchor": proof["anchor"]}, tmp_path)
    assert code == 1 and checks["merkle-proof"] is False and checks["digest"] is True
    # The root's transaction must be the one that anchored it.
    code, checks = verify_json(scene.system, _forged(proof, logIndex=7), tmp_path)
    assert code == 1 and checks["anchor-event"] is False and checks["merkle-proof"] is True


def test_a_clean_batch_database_audits_clean(scene: BatchScene) -> None:
    result = audit(scene.system)
    assert result.exit_code == 0, result.output
    assert "OK: the database matches the chain" in result.output
    code, body = audit_json(scene.system)
    assert code == 0 and body["discrepancies"] == {}
    counts = body["counts"]
    assert (counts["reviews"], counts["anchored"], counts["batches"], counts["payouts"]) == (
        4,
        4,
        1,
        1,
    )
    assert counts["mints"] == 3  # one per patient paid by the payout


def test_a_batched_reviews_text_edited_in_sql_is_caught(scene: BatchScene) -> None:
    target = scene.reviews[2]
    scene.sql(
        "UPDATE reviews SET text = :text WHERE id = :id",
        text=REVIEW_TEXT.replace("no pain", "terrible pain"),
        id=target.id,
    )
    code, body = audit_json(scene.system)
    assert code == 1
    assert kinds(body) == Counter({"REVIEW_CHANGED": 1})
    (item,) = body["discrepancies"]["REVIEW_CHANGED"]["items"]
    assert item["reviewId"] == target.id


def test_a_batched_reviews_digest_edited_with_its_text_is_caught(scene: BatchScene) -> None:
    """Editing the text and the digest column together breaks the batch's root instead."""
    target = scene.reviews[1]
    scene.sql("UPDATE reviews SET digest = :d WHERE id = :id", d="0x" + "33" * 32, id=target.id)
    code, body = audit_json(scene.system)
    assert code == 1
    assert set(kinds(body)) == {"REVIEW_CHANGED", "BATCH_CHANGED"}


def test_a_deleted_batch_member_is_caught(scene: BatchScene) -> None:
    target = scene.reviews[1]  # not rewarded: no payment refers to it
    with scene.system.sessions() as session:
        delete_reviews(session, target.id)
    code, body = audit_json(scene.system)
    assert code == 1
    assert kinds(body) == Counter({"MISSING_REVIEW": 1})
    (item,) = body["discrepancies"]["MISSING_REVIEW"]["items"]
    assert "the chain anchored 4 reviews, 3 are stored" in item["detail"]


def test_a_deleted_batch_is_caught(scene: BatchScene) -> None:
    with scene.system.sessions() as session:
        delete_reviews(session)
    scene.sql("DELETE FROM payouts")
    scene.sql("DELETE FROM batches")
    code, body = audit_json(scene.system)
    assert code == 1
    found = kinds(body)
    assert found["MISSING_BATCH"] == 1 and found["REWARD_NOT_RECORDED"] == 1
    assert "UNEXPLAINED_MINT" not in found


def test_payouts_are_reconciled_with_their_mints(scene: BatchScene) -> None:
    with scene.system.sessions() as session:
        payment = session.scalars(
            select(RewardPaymentRow).where(RewardPaymentRow.review_id == scene.reviews[0].id)
        ).one()
        payment.amount = 2 * payment.amount
        session.commit()
    code, body = audit_json(scene.system)
    assert code == 1
    found = kinds(body)
    assert found["REWARD_MISMATCH"] == 1
    (item,) = body["discrepancies"]["REWARD_MISMATCH"]["items"]
    assert "no mint of" in item["detail"]
