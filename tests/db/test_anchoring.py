"""What the anchoring worker relies on: disjoint claims, write-ahead notes, outcomes."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from dentareview.db.models import ReviewRow
from dentareview.db.queries.anchoring import (
    claim_pending_reviews,
    iter_anchored_reviews,
    mark_anchored,
    note_anchor_failure,
    note_sent,
)
from dentareview.db.queries.locks import lock_patient, release_relayer_lock, try_relayer_lock
from dentareview.db.queries.reviews import get_review
from dentareview.db.queries.rewards import get_reward_payment, insert_reward_payment
from dentareview.db.session import session_scope
from dentareview.db.storage_errors import RowNotFound
from tests.db.helpers import add_dentist, add_review, address, bytes32, postgres_only

TX = bytes32(0x7A)


def add_pending(sessions: sessionmaker[Session], n: int) -> list[int]:
    with session_scope(sessions) as session:
        dentist = add_dentist(session)
        return [add_review(session, dentist=dentist, patient=address(i)).id for i in range(n)]


def test_claim_takes_oldest_pending_first(session: Session) -> None:
    dentist = add_dentist(session)
    ids = [add_review(session, dentist=dentist, patient=address(i)).id for i in range(5)]
    mark_anchored(
        session,
        review_id=ids[0],
        tx_hash=TX,
        block_number=1,
        log_index=0,
        anchored_at=1,
        reward_status=None,
    )
    assert [row.id for row in claim_pending_reviews(session, limit=3)] == ids[1:4]


@postgres_only
def test_two_sessions_never_claim_the_same_review(sessions: sessionmaker[Session]) -> None:
    ids = add_pending(sessions, 5)
    with sessions() as first, sessions() as second:
        taken_first = [row.id for row in claim_pending_reviews(first, limit=2)]
        taken_second = [row.id for row in claim_pending_reviews(second, limit=10)]
        assert taken_first == ids[:2]
        assert taken_second == ids[2:]


@postgres_only
def test_concurrent_workers_anchor_each_review_exactly_once(
    sessions: sessionmaker[Session],
) -> None:
    ids = add_pending(sessions, 40)
    claimed: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with session_scope(sessions) as session:
                rows = claim_pending_reviews(session, limit=3)
                if not rows:
                    return
                time.sleep(0.01)  # hold the claim while another worker looks
                for row in rows:
                    mark_anchored(
                        session,
                        review_id=row.id,
                        tx_hash=TX,
                        block_number=1,
                        log_index=0,
                        anchored_at=1,
                        reward_status=None,
                    )
                with lock:
                    claimed.extend(row.id for row in rows)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(claimed) == ids  # every review once: none twice, none missed


def test_write_ahead_note_then_failure_then_anchor(session: Session) -> None:
    review = add_review(session, dentist=add_dentist(session), patient=address(1))
    insert_reward_payment(
        session, review_id=review.id, patient=address(1), amount=10**19, status="pending", now=5
    )
    note_sent(session, review_id=review.id, tx_hash=TX, nonce=7)
    session.commit()
    row = get_review(session, review_id=review.id)
    assert row is not None and (row.sent_tx_hash, row.sent_nonce) == (TX, 7)

    note_anchor_failure(session, review_id=review.id, error="no receipt yet")
    assert (row.anchor_attempts, row.sent_tx_hash) == (1, TX)  # may still be mined
    note_anchor_failure(session, review_id=review.id, error="reverted", clear_sent=True)
    assert (row.anchor_attempts, row.last_anchor_error, row.sent_tx_hash) == (2, "reverted", None)

    mark_anchored(
        session,
        review_id=review.id,
        tx_hash=TX,
        block_number=9,
        log_index=2,
        anchored_at=77,
        reward_status="paid",
    )
    session.commit()
    session.expire_all()
    row = get_review(session, review_id=review.id)
    payment = get_reward_payment(session, review_id=review.id)
    assert row is not None and payment is not None
    assert (row.status, row.tx_hash, row.block_number, row.log_index, row.anchored_at) == (
        "anchored",
        TX,
        9,
        2,
        77,
    )
    assert (payment.status, payment.tx_hash, payment.paid_at, payment.amount) == (
        "paid",
        TX,
        77,
        10**19,
    )


def test_queued_reward_waits_for_a_later_payment(session: Session) -> None:
    review = add_review(session, dentist=add_dentist(session), patient=address(1))
    insert_reward_payment(
        session, review_id=review.id, patient=address(1), amount=5, status="pending", now=5
    )
    mark_anchored(
        session,
        review_id=review.id,
        tx_hash=TX,
        block_number=9,
        log_index=0,
        anchored_at=77,
        reward_status="queued",
    )
    payment = get_reward_payment(session, review_id=review.id)
    assert payment is not None and (payment.status, payment.tx_hash, payment.paid_at) == (
        "queued",
        None,
        None,
    )


def test_missing_rows_are_reported(session: Session) -> None:
    with pytest.raises(RowNotFound):
        note_sent(session, review_id=404, tx_hash=TX, nonce=1)
    review = add_review(session, dentist=add_dentist(session), patient=address(1))
    with pytest.raises(RowNotFound):  # rewardable, yet no payment row: a bug upstream
        mark_anchored(
            session,
            review_id=review.id,
            tx_hash=TX,
            block_number=1,
            log_index=0,
            anchored_at=1,
            reward_status="paid",
        )


def test_audit_streams_anchored_reviews_in_id_order(session: Session) -> None:
    dentist = add_dentist(session)
    anchored = [
        add_review(session, dentist=dentist, patient=address(i), anchored_at=100 + i).id
        for i in range(25)
    ]
    add_review(session, dentist=dentist, patient=address(99))  # pending: not audited
    session.commit()
    streamed = [row.id for row in iter_anchored_reviews(session, batch_size=4)]
    assert streamed == anchored
    assert all(isinstance(row, ReviewRow) for row in iter_anchored_reviews(session))


def test_only_one_relayer_at_a_time(sessions: sessionmaker[Session]) -> None:
    """On both databases: on SQLite the lock is a file lock beside the database."""
    engine = sessions.kw["bind"]
    with engine.connect() as first, engine.connect() as second:
        assert try_relayer_lock(first)
        assert not try_relayer_lock(second)
        release_relayer_lock(first)  # held across commits until released
        assert try_relayer_lock(second)
        release_relayer_lock(second)


@postgres_only
def test_patient_lock_serialises_one_patient_only(sessions: sessionmaker[Session]) -> None:
    with sessions() as first, sessions() as second:
        lock_patient(first, patient=address(1))
        second.execute(text("SET LOCAL lock_timeout = '200ms'"))
        lock_patient(second, patient=address(2))  # another patient: no wait
        with pytest.raises(OperationalError, match="lock timeout"):
            lock_patient(second, patient=address(1))
        second.rollback()
        first.commit()
        lock_patient(second, patient=address(1))


def test_sqlite_relayer_lock_holds_across_processes(tmp_path: Path) -> None:
    """Two anchoring workers on one SQLite file must not both send (same nonces)."""
    url = f"sqlite:///{tmp_path / 'relay.db'}"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from sqlalchemy import create_engine\n"
            "from dentareview.db.queries.locks import try_relayer_lock\n"
            f"connection = create_engine({url!r}).connect()\n"
            "assert try_relayer_lock(connection)\n"
            "print('locked', flush=True)\n"
            "time.sleep(60)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        engine = create_engine(url)
        with engine.connect() as connection:
            assert not try_relayer_lock(connection)
            holder.kill()  # the lock dies with its process
            holder.wait(10)
            assert try_relayer_lock(connection)
            release_relayer_lock(connection)
    finally:
        holder.kill()
