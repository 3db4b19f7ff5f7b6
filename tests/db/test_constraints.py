"""The database itself refuses duplicates and out-of-range values."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from dentareview.db.models import (
    PAYMENT_OF_REVIEW_EXISTS,
    REVIEW_DIGEST_EXISTS,
    REVIEW_OF_VISIT_EXISTS,
    VISIT_EXISTS,
    Base,
    ReviewRow,
)
from dentareview.db.queries.reviews import get_review
from dentareview.db.queries.rewards import insert_reward_payment
from dentareview.db.queries.visits import get_visit
from dentareview.db.storage_errors import DuplicateKey
from tests.db.helpers import add_dentist, add_review, add_visit, address, postgres_only


def test_constraint_names_exist_in_the_schema() -> None:
    names = {c.name for table in Base.metadata.tables.values() for c in table.constraints}
    assert {VISIT_EXISTS, REVIEW_OF_VISIT_EXISTS, REVIEW_DIGEST_EXISTS} <= names
    assert PAYMENT_OF_REVIEW_EXISTS in names


def test_second_visit_with_same_id_is_refused_and_session_stays_usable(session: Session) -> None:
    dentist = add_dentist(session)
    visit_id = add_visit(session, dentist=dentist, patient=address(1))
    with pytest.raises(DuplicateKey) as raised:
        add_visit(session, dentist=dentist, patient=address(2), visit_id=visit_id)
    assert raised.value.constraint == VISIT_EXISTS

    other = add_visit(session, dentist=dentist, patient=address(3))
    session.commit()
    stored = get_visit(session, visit_id=visit_id)
    assert stored is not None and stored.patient == address(1)
    assert get_visit(session, visit_id=other) is not None


def test_second_review_of_a_visit_is_refused(session: Session) -> None:
    dentist, patient = add_dentist(session), address(1)
    first = add_review(session, dentist=dentist, patient=patient)
    with pytest.raises(DuplicateKey) as raised:
        add_review(session, dentist=dentist, patient=patient, visit_id=first.visit_id)
    assert raised.value.constraint == REVIEW_OF_VISIT_EXISTS
    session.commit()
    assert get_review(session, review_id=first.id) is not None


def test_same_digest_twice_is_refused(session: Session) -> None:
    dentist, patient = add_dentist(session), address(1)
    first = add_review(session, dentist=dentist, patient=patient)
    with pytest.raises(DuplicateKey) as raised:
        add_review(session, dentist=dentist, patient=patient, digest=first.digest)
    assert raised.value.constraint == REVIEW_DIGEST_EXISTS


def test_second_payment_for_a_review_is_refused(session: Session) -> None:
    review = add_review(session, dentist=add_dentist(session), patient=address(1))

    def pay() -> None:
        insert_reward_payment(
            session, review_id=review.id, patient=address(1), amount=10, status="pending", now=1
        )

    pay()
    with pytest.raises(DuplicateKey) as raised:
        pay()
    assert raised.value.constraint == PAYMENT_OF_REVIEW_EXISTS


@pytest.mark.parametrize("value", [0, 6])
@pytest.mark.parametrize("position", range(4), ids=["rating", "treatment", "bedside", "wait"])
def test_ratings_outside_1_to_5_are_refused(session: Session, position: int, value: int) -> None:
    dentist = add_dentist(session)
    r = [3, 3, 3, 3]
    r[position] = value
    with pytest.raises(IntegrityError):
        add_review(session, dentist=dentist, patient=address(1), ratings=(r[0], r[1], r[2], r[3]))
    add_review(session, dentist=dentist, patient=address(1), ratings=(1, 5, 1, 5))
    session.commit()


def test_unknown_status_and_anchored_without_receipt_are_refused(session: Session) -> None:
    review = add_review(session, dentist=add_dentist(session), patient=address(1))
    session.commit()
    for values in ({"status": "lost"}, {"status": "anchored"}):
        with pytest.raises(IntegrityError):
            session.execute(update(ReviewRow).where(ReviewRow.id == review.id).values(**values))
        session.rollback()


@postgres_only
def test_concurrent_reviews_of_one_visit_only_one_wins(sessions: sessionmaker[Session]) -> None:
    with sessions() as setup:
        dentist, patient = add_dentist(setup), address(1)
        visit_id = add_visit(setup, dentist=dentist, patient=patient)
        setup.commit()

    outcome: list[BaseException | int] = []

    def second_writer() -> None:
        with sessions() as session:
            try:
                row = add_review(session, dentist=dentist, patient=patient, visit_id=visit_id)
                outcome.append(row.id)
            except DuplicateKey as duplicate:
                outcome.append(duplicate)

    with sessions() as first:
        add_review(first, dentist=dentist, patient=patient, visit_id=visit_id)
        thread = threading.Thread(target=second_writer)
        thread.start()
        thread.join(0.5)
        assert thread.is_alive(), "the second insert should wait on the unique index"
        first.commit()
    thread.join(10)
    assert len(outcome) == 1 and isinstance(outcome[0], DuplicateKey)
    assert outcome[0].constraint == REVIEW_OF_VISIT_EXISTS
