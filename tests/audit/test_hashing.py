"""The audit's bulk hashing equals the protocol's typed-data hashing, in any process."""

from __future__ import annotations

import os

import pytest
from eth_account import Account
from eth_keys.constants import SECPK1_N

from dentareview.audit.hashing import review_digest, signed_by, visit_digest
from dentareview.audit.recompute import recompute, recompute_all
from dentareview.db.queries.audit_rows import ReviewAuditRow
from dentareview.domain import typed_data
from dentareview.domain.models import Review
from tests.domain.helpers import DENTIST, DOMAIN, PATIENT, make_review, make_visit

CHAIN, REGISTRY = DOMAIN.chain_id, DOMAIN.verifying_contract


@pytest.mark.parametrize(
    "review",
    [
        make_review(),
        make_review(rating=1, treatment=1, bedside=1, wait_time=1, deadline=0),
        make_review(text="x" * 5000, deadline=2**64 - 1, visit_id=os.urandom(32)),
        make_review(text=""),
    ],
)
def test_review_digest_is_the_protocols(review: Review) -> None:
    message = typed_data.review_message(review)
    assert review_digest(CHAIN, REGISTRY, message) == typed_data.review_digest(DOMAIN, review)
    # Another domain, another digest: the domain separator is not shared by mistake.
    assert review_digest(CHAIN + 1, REGISTRY, message) != typed_data.review_digest(DOMAIN, review)


def test_visit_digest_is_the_protocols() -> None:
    visit = make_visit(visited_at=1)
    assert visit_digest(CHAIN, REGISTRY, typed_data.visit_message(visit)) == (
        typed_data.visit_digest(DOMAIN, visit)
    )


def _signature(digest: bytes, key: object = PATIENT.key) -> bytes:
    return bytes(Account.unsafe_sign_hash(digest, key).signature)


def test_signed_by_accepts_the_signer_only() -> None:
    digest = typed_data.review_digest(DOMAIN, make_review())
    signature = _signature(digest)
    good = "0x" + signature.hex()
    assert signed_by(digest, good, PATIENT.address)
    assert signed_by(digest, good, PATIENT.address.lower())
    assert not signed_by(digest, good, DENTIST.address)
    assert not signed_by(bytes(32), good, PATIENT.address)

    s = int.from_bytes(signature[32:64], "big")
    high_s = signature[:32] + (SECPK1_N - s).to_bytes(32, "big") + bytes([55 - signature[64]])
    assert not signed_by(digest, "0x" + high_s.hex(), PATIENT.address)  # malleable twin
    for broken in (None, "", "0x", good[:-2], good + "00", "0xzz" + good[4:]):
        assert not signed_by(digest, broken, PATIENT.address)
    assert not signed_by(digest, good, None)


def _row(index: int, *, forged: bool = False) -> ReviewAuditRow:
    visit = make_visit(visit_id=index.to_bytes(32, "big"))
    review = make_review(visit_id=visit.visit_id, rating=1 + index % 5)
    review_sig = _signature(typed_data.review_digest(DOMAIN, review))
    visit_sig = _signature(typed_data.visit_digest(DOMAIN, visit), DENTIST.key)
    message = typed_data.review_message(review)
    return ReviewAuditRow(
        id=index, visit_id=message["visitId"], digest="0x", patient=PATIENT.address,
        dentist=DENTIST.address, rating=review.rating, treatment=review.treatment,
        bedside=review.bedside, wait_time=review.wait_time,
        text=review.text + ("!" if forged else ""), deadline=review.deadline,
        signature="0x" + review_sig.hex(), status="anchored", rewardable=True, tx_hash=None,
        block_number=None, log_index=None, sent_tx_hash=None, visit_patient=PATIENT.address,
        visit_dentist=DENTIST.address, visited_at=visit.visited_at,
        visit_signature="0x" + visit_sig.hex(),
    )  # fmt: skip


def test_recompute_checks_digest_and_both_signatures() -> None:
    row = _row(1)
    result = recompute(CHAIN, REGISTRY, row)
    expected = typed_data.review_digest(
        DOMAIN, make_review(visit_id=(1).to_bytes(32, "big"), rating=2)
    )
    assert result.digest == "0x" + expected.hex()
    assert result.review_signed and result.visit_signed

    forged = recompute(CHAIN, REGISTRY, _row(1, forged=True))
    assert forged.digest != result.digest
    assert not forged.review_signed and forged.visit_signed

    moved = recompute(CHAIN, REGISTRY, row._replace(visited_at=row.visited_at + 1))
    assert moved.review_signed and not moved.visit_signed

    gone = recompute(CHAIN, REGISTRY, row._replace(visit_patient=None, visit_dentist=None))
    assert gone.review_signed and not gone.visit_signed

    unhashable = recompute(CHAIN, REGISTRY, row._replace(rating=300))
    assert unhashable.digest is None and not unhashable.review_signed


def test_worker_processes_give_the_same_results_in_order() -> None:
    rows = [_row(i, forged=i % 4 == 0) for i in range(1, 12)]
    alone = list(recompute_all(rows, chain_id=CHAIN, registry=REGISTRY, jobs=1, chunk_size=3))
    spread = list(recompute_all(rows, chain_id=CHAIN, registry=REGISTRY, jobs=2, chunk_size=3))
    assert [row.id for row, _ in spread] == list(range(1, 12))
    assert spread == alone
    assert [result.review_signed for _, result in spread] == [i % 4 != 0 for i in range(1, 12)]
