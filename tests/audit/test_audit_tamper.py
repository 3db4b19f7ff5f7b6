"""`dentareview audit` on a clean database, and on one tampered with in SQL behind the API.

Each kind of tampering must be reported under its own name, naming the review, and
nothing else may be reported: the audit says exactly what changed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from eth_account import Account
from sqlalchemy import text

from dentareview.domain.models import Eip712Domain, Review
from dentareview.domain.typed_data import review_digest
from tests.api.system import REVIEW_TEXT, System, new_wallet
from tests.audit.helpers import Posted, audit, audit_json, post_review
from tests.support.tamper import delete_reviews


@dataclass
class Scene:
    """Three anchored reviews (one not rewarded) and one still pending."""

    system: System
    rewarded: Posted
    unrewarded: Posted
    other: Posted
    pending: Posted

    def sql(self, statement: str, **params: Any) -> None:
        with self.system.sessions() as session:
            session.execute(text(statement), params)
            session.commit()

    def row(self, review_id: int) -> dict[str, Any]:
        with self.system.sessions() as session:
            found = session.execute(
                text("SELECT * FROM reviews WHERE id = :id"), {"id": review_id}
            ).mappings()
            return dict(found.one())


@pytest.fixture
def scene(system: System) -> Scene:
    rewarded = post_review(system, rating=5)
    # Same patient, same dentist: published without a reward (93-day cooldown).
    unrewarded = post_review(system, dentist=rewarded.dentist, patient=rewarded.patient)
    other = post_review(system, rating=4)
    assert system.anchor().anchored == 3
    pending = post_review(system)
    return Scene(system, rewarded, unrewarded, other, pending)


def test_clean_database_passes_and_says_what_it_checked(scene: Scene) -> None:
    result = audit(scene.system)
    assert result.exit_code == 0, result.output
    assert "Checked 4 reviews (3 anchored, 1 pending) against 3 anchors, 2 reward mints" in (
        result.output
    )
    assert "OK: the database matches the chain" in result.output
    assert "RPC calls: " in result.output

    code, body = audit_json(scene.system)
    assert code == 0
    assert body["ok"] is True
    assert body["discrepancies"] == {}
    assert body["counts"]["reviews"] == 4
    assert body["counts"]["anchors"] == 3


def _edit_text(scene: Scene) -> int:
    scene.sql(
        "UPDATE reviews SET text = :text WHERE id = :id",
        text=REVIEW_TEXT.replace("no pain", "terrible pain"),
        id=scene.rewarded.id,
    )
    return scene.rewarded.id


def _edit_rating(scene: Scene) -> int:
    scene.sql("UPDATE reviews SET rating = 1 WHERE id = :id", id=scene.rewarded.id)
    return scene.rewarded.id


def _delete_review(scene: Scene) -> None:
    with scene.system.sessions() as session:
        delete_reviews(session, scene.other.id)


def _move_to_another_dentist(scene: Scene) -> int:
    scene.sql(
        "UPDATE reviews SET dentist = :dentist WHERE id = :id",
        dentist=scene.other.dentist.address,
        id=scene.rewarded.id,
    )
    return scene.rewarded.id


def _mark_pending_as_anchored(scene: Scene) -> int:
    borrowed = scene.row(scene.other.id)  # a real transaction, to look plausible
    scene.sql(
        "UPDATE reviews SET status = 'anchored', tx_hash = :tx, block_number = :block, "
        "log_index = 0, anchored_at = :at WHERE id = :id",
        tx=borrowed["tx_hash"],
        block=borrowed["block_number"],
        at=borrowed["anchored_at"],
        id=scene.pending.id,
    )
    return scene.pending.id


def _insert_fabricated_review(scene: Scene) -> int:
    """A five-star review written by an insider for a real visit its patient never reviewed."""
    system, dentist, patient = scene.system, scene.other.dentist, new_wallet()
    visit = system.attested_visit(dentist, patient)  # genuine, signed by the dentist
    now = int(time.time())
    review = Review(bytes.fromhex(visit["visitId"][2:]), 5, 5, 5, 5, REVIEW_TEXT, now + 3600)
    domain = Eip712Domain(system.manifest.chain_id, system.manifest.registry.address)
    digest = review_digest(domain, review)
    forger = Account.create()  # not the patient
    signature = "0x" + bytes(forger.unsafe_sign_hash(digest).signature).hex()
    borrowed = scene.row(scene.other.id)  # a real transaction, to look plausible
    scene.sql(
        "INSERT INTO reviews (visit_id, digest, patient, dentist, rating, treatment, bedside, "
        "wait_time, text, deadline, signature, submitted_at, status, rewardable, tx_hash, "
        "block_number, log_index, anchored_at, anchor_attempts) VALUES (:visit, :digest, "
        ":patient, :dentist, 5, 5, 5, 5, :text, :deadline, :signature, :now, 'anchored', "
        ":rewardable, :tx, :block, 0, :now, 0)",
        visit=visit["visitId"],
        digest="0x" + digest.hex(),
        patient=patient.address,
        dentist=dentist.address,
        text=REVIEW_TEXT,
        deadline=review.deadline,
        signature=signature,
        now=now,
        rewardable=False,
        tx=borrowed["tx_hash"],
        block=borrowed["block_number"],
    )
    with system.sessions() as session:
        found = session.execute(
            text("SELECT id FROM reviews WHERE visit_id = :v"), {"v": visit["visitId"]}
        )
        return int(found.scalar_one())


def _insert_fabricated_visit_and_review(scene: Scene) -> int:
    """Both made up: a visit no dentist signed, and its review."""
    system, patient = scene.system, new_wallet()
    visit_id, now = "0x" + os.urandom(32).hex(), int(time.time())
    scene.sql(
        "INSERT INTO visits (visit_id, patient, dentist, visited_at, signature, created_at) "
        "VALUES (:visit, :patient, :dentist, :at, :signature, :at)",
        visit=visit_id,
        patient=patient.address,
        dentist=scene.other.dentist.address,
        at=now - 86_400,
        signature=scene.row(scene.other.id)["signature"],  # someone else's signature
    )
    review = Review(bytes.fromhex(visit_id[2:]), 5, 5, 5, 5, REVIEW_TEXT, now + 3600)
    domain = Eip712Domain(system.manifest.chain_id, system.manifest.registry.address)
    signature = (
        "0x" + bytes(patient.unsafe_sign_hash(review_digest(domain, review)).signature).hex()
    )
    scene.sql(
        "INSERT INTO reviews (visit_id, digest, patient, dentist, rating, treatment, bedside, "
        "wait_time, text, deadline, signature, submitted_at, status, rewardable, "
        "anchor_attempts) VALUES (:visit, :digest, :patient, :dentist, 5, 5, 5, 5, :text, "
        ":deadline, :signature, :now, 'pending', :rewardable, 0)",
        visit=visit_id,
        digest="0x" + review_digest(domain, review).hex(),
        patient=patient.address,
        dentist=scene.other.dentist.address,
        text=REVIEW_TEXT,
        deadline=review.deadline,
        signature=signature,
        now=now,
        rewardable=False,
    )
    with system.sessions() as session:
        found = session.execute(text("SELECT id FROM reviews WHERE visit_id = :v"), {"v": visit_id})
        return int(found.scalar_one())


def _edit_digest(scene: Scene) -> int:
    scene.sql(
        "UPDATE reviews SET digest = :d WHERE id = :id", d="0x" + "ab" * 32, id=scene.other.id
    )
    return scene.other.id


def _edit_visit_time(scene: Scene) -> int:
    scene.sql(
        "UPDATE visits SET visited_at = visited_at - 86400 WHERE visit_id = :v",
        v=scene.other.visit["visitId"],
    )
    return scene.other.id


def _replace_signature(scene: Scene) -> int:
    other = scene.row(scene.unrewarded.id)["signature"]  # the same patient's, another review
    scene.sql("UPDATE reviews SET signature = :s WHERE id = :id", s=other, id=scene.rewarded.id)
    return scene.rewarded.id


def _hide_as_pending(scene: Scene) -> int:
    scene.sql(
        "UPDATE reviews SET status = 'pending', tx_hash = NULL, block_number = NULL, "
        "log_index = NULL, anchored_at = NULL WHERE id = :id",
        id=scene.other.id,
    )
    return scene.other.id


def _delete_payment(scene: Scene) -> int:
    scene.sql("DELETE FROM reward_payments WHERE review_id = :id", id=scene.other.id)
    return scene.other.id


def _inflate_payment(scene: Scene) -> int:
    scene.sql("UPDATE reward_payments SET amount = '1' WHERE review_id = :id", id=scene.other.id)
    return scene.other.id


def _pay_unrewarded(scene: Scene) -> int:
    row = scene.row(scene.unrewarded.id)
    scene.sql(
        "INSERT INTO reward_payments (review_id, patient, amount, status, tx_hash, created_at, "
        "paid_at) VALUES (:id, :patient, '10000000000000000000', 'paid', :tx, 0, 0)",
        id=scene.unrewarded.id,
        patient=row["patient"],
        tx=row["tx_hash"],
    )
    return scene.unrewarded.id


TAMPERING: dict[str, tuple[Callable[[Scene], int | None], str]] = {
    "edit text": (_edit_text, "TEXT_CHANGED"),
    "edit rating": (_edit_rating, "RATING_CHANGED"),
    "delete review": (_delete_review, "MISSING_REVIEW"),
    "insert fabricated review": (_insert_fabricated_review, "FABRICATED_REVIEW"),
    "insert fabricated visit": (_insert_fabricated_visit_and_review, "FABRICATED_REVIEW"),
    "move to another dentist": (_move_to_another_dentist, "DENTIST_CHANGED"),
    "mark unanchored as anchored": (_mark_pending_as_anchored, "NOT_ANCHORED"),
    "edit digest column": (_edit_digest, "DIGEST_CHANGED"),
    "edit visit time": (_edit_visit_time, "VISIT_CHANGED"),
    "replace signature": (_replace_signature, "SIGNATURE_CHANGED"),
    "hide anchored as pending": (_hide_as_pending, "ANCHORED_BUT_PENDING"),
    "delete reward payment": (_delete_payment, "REWARD_NOT_RECORDED"),
    "change reward amount": (_inflate_payment, "REWARD_MISMATCH"),
    "pay an unrewarded review": (_pay_unrewarded, "REWARD_MISMATCH"),
}


@pytest.mark.parametrize("tampering", list(TAMPERING))
def test_tampering_in_sql_is_reported_under_its_own_name(scene: Scene, tampering: str) -> None:
    tamper, kind = TAMPERING[tampering]
    review_id = tamper(scene)

    code, body = audit_json(scene.system)

    assert code == 1
    assert list(body["discrepancies"]) == [kind], body["discrepancies"]
    items = body["discrepancies"][kind]["items"]
    assert [item["reviewId"] for item in items] == [review_id]


def test_text_report_groups_discrepancies_by_kind_with_ids(scene: Scene) -> None:
    _edit_text(scene)
    _edit_rating(scene)  # the same review, a second field
    _delete_review(scene)

    result = audit(scene.system)

    assert result.exit_code == 1, result.output
    output = result.output
    assert "TEXT_CHANGED (1): the stored text is not the text the patient signed" in output
    assert f"review {scene.rewarded.id}: keccak256(text) is 0x" in output
    assert "RATING_CHANGED (1)" in output
    assert f"review {scene.rewarded.id}: rating stored 1, signed 5" in output
    assert "MISSING_REVIEW (1)" in output
    assert f"chain: visit {scene.other.visit['visitId']}" in output
    assert "FAILED: 3 discrepancies of 3 kinds" in output
