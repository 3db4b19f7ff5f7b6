"""A review is in at most one batch: the queries and the database itself refuse a second."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from dentareview.db.migrate import downgrade_database, upgrade_database
from dentareview.db.models import BATCH_LEAF_EXISTS, BATCH_ROOT_EXISTS
from dentareview.db.queries.batches import (
    assign_batch_members,
    batch_digests,
    claim_unbatched_reviews,
    insert_batch,
    mark_batch_anchored,
    unbatched_backlog,
    unsettled_batches,
)
from dentareview.db.queries.reviews import get_review
from dentareview.db.session import make_engine, make_session_factory
from dentareview.db.storage_errors import DuplicateKey
from tests.db.helpers import add_dentist, add_review, address, bytes32
from tests.support.databases import DatabaseKind, fresh_database


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    kind: DatabaseKind = request.param
    with fresh_database(kind, tmp_path) as url:
        upgrade_database(url)
        engine = make_engine(url)
        yield engine
        engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    sessions: sessionmaker[Session] = make_session_factory(engine)
    with sessions() as session:
        yield session


def three_reviews(session: Session) -> list[int]:
    dentist = add_dentist(session)
    ids = [add_review(session, dentist=dentist, patient=address(100 + i)).id for i in range(3)]
    session.commit()
    return ids


def test_a_review_goes_into_one_batch_only(session: Session) -> None:
    a, b, c = three_reviews(session)
    assert unbatched_backlog(session).count == 3
    first = insert_batch(session, root=bytes32(0xB1), size=2, rewarded=2, now=3_000)
    assign_batch_members(session, batch_id=first.id, members=[(a, 1), (b, 0)])
    session.commit()
    assert [row.id for row in claim_unbatched_reviews(session, limit=10)] == [c]
    session.rollback()

    second = insert_batch(session, root=bytes32(0xB2), size=2, rewarded=0, now=3_000)
    with pytest.raises(DuplicateKey) as refused:
        assign_batch_members(session, batch_id=second.id, members=[(c, 0), (a, 1)])
    assert refused.value.constraint == BATCH_LEAF_EXISTS
    session.rollback()
    assert get_review(session, review_id=a).batch_id == first.id  # type: ignore[union-attr]
    assert get_review(session, review_id=c).batch_id is None  # type: ignore[union-attr]


def test_the_database_refuses_moving_a_review_to_another_batch(session: Session) -> None:
    a, b, _ = three_reviews(session)
    first = insert_batch(session, root=bytes32(0xC1), size=1, rewarded=0, now=3_000)
    second = insert_batch(session, root=bytes32(0xC2), size=1, rewarded=0, now=3_000)
    assign_batch_members(session, batch_id=first.id, members=[(a, 0)])
    session.commit()
    for sql in (
        f"UPDATE reviews SET batch_id = {second.id} WHERE id = {a}",  # to another batch
        f"UPDATE reviews SET leaf_index = 5 WHERE id = {a}",  # to another leaf
        f"UPDATE reviews SET batch_id = NULL, leaf_index = NULL WHERE id = {a}",  # out
        f"UPDATE reviews SET batch_id = {first.id}, leaf_index = 0 WHERE id = {b}",  # leaf taken
        f"UPDATE reviews SET batch_id = {second.id} WHERE id = {b}",  # batch without a leaf
    ):
        with pytest.raises(IntegrityError):
            session.execute(text(sql))
        session.rollback()
    assert get_review(session, review_id=a).batch_id == first.id  # type: ignore[union-attr]


def test_a_root_is_recorded_once(session: Session) -> None:
    insert_batch(session, root=bytes32(0xD1), size=1, rewarded=0, now=3_000)
    with pytest.raises(DuplicateKey) as refused:
        insert_batch(session, root=bytes32(0xD1), size=1, rewarded=0, now=3_000)
    assert refused.value.constraint == BATCH_ROOT_EXISTS


def test_anchoring_a_batch_anchors_its_members_in_leaf_order(session: Session) -> None:
    a, b, c = three_reviews(session)
    batch = insert_batch(session, root=bytes32(0xE1), size=3, rewarded=3, now=3_000)
    assign_batch_members(session, batch_id=batch.id, members=[(a, 2), (b, 0), (c, 1)])
    session.commit()
    assert [row.id for row in unsettled_batches(session)] == [batch.id]
    mark_batch_anchored(
        session, batch_id=batch.id, tx_hash=bytes32(0xAA), block_number=7, log_index=0,
        anchored_at=4_000,
    )
    session.commit()
    assert unsettled_batches(session) == []
    rows = [get_review(session, review_id=i) for i in (b, c, a)]
    assert [r.digest for r in rows if r] == batch_digests(session, batch_id=batch.id)
    assert {(r.status, r.tx_hash, r.anchored_at) for r in rows if r} == {
        ("anchored", bytes32(0xAA), 4_000)
    }


def test_migration_0002_downgrades_and_upgrades_cleanly(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    upgrade_database(url)
    downgrade_database(url, "0001")
    upgrade_database(url)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            names = {row[0] for row in connection.execute(text(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'"
            ))}
        assert names == {"reviews_batch_write_once"}
    finally:
        engine.dispose()
