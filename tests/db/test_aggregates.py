"""The stored reputation totals equal a full recomputation from the reviews, after
anchoring one by one and by batch, after reorgs unanchor them, and after a rebuild."""

from __future__ import annotations

from sqlalchemy import Engine, update
from sqlalchemy.orm import Session, sessionmaker

from dentareview.db.migrate import downgrade_database, upgrade_database
from dentareview.db.models import DentistAggregateRow, ReviewRow
from dentareview.db.queries.aggregates import (
    restating_review,
    stored_monthly_aggregates,
    stored_rating_aggregate,
)
from dentareview.db.queries.anchoring import mark_anchored, unanchor_review
from dentareview.db.queries.batches import (
    assign_batch_members,
    insert_batch,
    mark_batch_anchored,
    unanchor_batch,
)
from dentareview.db.queries.moderation import set_moderation_state
from dentareview.db.queries.reputation import monthly_aggregates, rating_aggregate
from dentareview.db.session import session_scope
from dentareview.services.reputation_rebuild import rebuild_reputation
from tests.db.helpers import add_dentist, add_review, address, bytes32

JAN, FEB, MAR = 1_767_225_600, 1_769_904_000, 1_772_323_200  # 2026-01-01, -02-01, -03-01
RATINGS = [(5, 4, 4, 3), (1, 2, 1, 1), (4, 4, 5, 5), (3, 3, 3, 3), (5, 5, 5, 5), (2, 1, 3, 4)]


def _differences(session: Session, dentists: list[str]) -> list[str]:
    found = []
    for dentist in dentists:
        stored = stored_rating_aggregate(session, dentist=dentist)
        full = rating_aggregate(session, dentist=dentist)
        if stored != full:
            found.append(f"{dentist}: totals {stored} != {full}")
        stored_months = stored_monthly_aggregates(session, dentist=dentist, since=0)
        full_months = monthly_aggregates(session, dentist=dentist, since=0)
        if stored_months != full_months:
            found.append(f"{dentist}: months {stored_months} != {full_months}")
    return found


def _seed(session: Session) -> tuple[list[str], list[int]]:
    dentists = [add_dentist(session, 1), add_dentist(session, 2)]
    ids = []
    for i, ratings in enumerate(RATINGS * 3):
        anchored_at = (JAN, FEB, MAR, None)[i % 4] if i % 5 else None
        row = add_review(
            session,
            dentist=dentists[i % 2],
            patient=address(0x100 + i),
            ratings=ratings,
            anchored_at=None if anchored_at is None else anchored_at + i * 3_600,
        )
        ids.append(row.id)
    session.commit()
    return dentists, ids


def test_totals_follow_single_anchors_and_reorgs(session: Session) -> None:
    dentists, ids = _seed(session)
    assert stored_rating_aggregate(session, dentist=dentists[0]).count > 0
    assert _differences(session, dentists) == []

    reorged = next(r for r in map(lambda i: session.get_one(ReviewRow, i), ids) if r.anchored_at)
    assert reorged.status == "anchored"
    unanchor_review(session, review_id=reorged.id, dropped_tx=bytes32(0xDEAD))
    session.commit()
    assert _differences(session, dentists) == []
    unanchor_review(session, review_id=reorged.id, dropped_tx=bytes32(0xDEAD))  # twice: no-op
    session.commit()
    assert _differences(session, dentists) == []

    # Sent again, it lands in another month; anchoring twice counts once.
    for _ in range(2):
        mark_anchored(
            session,
            review_id=reorged.id,
            tx_hash=bytes32(0xBEEF),
            block_number=9,
            log_index=0,
            anchored_at=MAR + 86_400 * 20,
            reward_status=None,
        )
        session.commit()
    assert _differences(session, dentists) == []


def test_totals_follow_batches_and_their_reorgs(session: Session) -> None:
    dentists, _ = _seed(session)
    members = [
        add_review(session, dentist=dentists[i % 2], patient=address(0x900 + i), ratings=r).id
        for i, r in enumerate(RATINGS)
    ]
    batch = insert_batch(session, root=bytes32(0xB0), size=len(members), rewarded=0, now=1)
    assign_batch_members(
        session, batch_id=batch.id, members=[(m, i) for i, m in enumerate(members)]
    )
    session.commit()
    before = stored_rating_aggregate(session, dentist=dentists[0]).count

    mark_batch_anchored(
        session,
        batch_id=batch.id,
        tx_hash=bytes32(0xB1),
        block_number=5,
        log_index=0,
        anchored_at=FEB + 99,
    )
    session.commit()
    assert stored_rating_aggregate(session, dentist=dentists[0]).count == before + 3
    assert _differences(session, dentists) == []

    unanchor_batch(session, batch_id=batch.id, dropped_tx=bytes32(0xB1))
    session.commit()
    assert stored_rating_aggregate(session, dentist=dentists[0]).count == before
    assert _differences(session, dentists) == []


def test_rebuild_recomputes_totals_from_scratch(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    with session_scope(sessions) as session:
        dentists, _ = _seed(session)
    with session_scope(sessions) as session:  # totals gone wrong (a bug, a manual edit)
        session.execute(update(DentistAggregateRow).values(count=999, stars_5=0))
    with sessions() as session:
        assert _differences(session, dentists) != []  # the comparison can fail
    assert rebuild_reputation(engine, sessions) == 2
    with sessions() as session:
        assert _differences(session, dentists) == []


def test_the_migration_fills_the_totals_from_reviews_already_anchored(
    database_url: str, engine: Engine, sessions: sessionmaker[Session]
) -> None:
    with session_scope(sessions) as session:
        dentists, _ = _seed(session)
    engine.dispose()  # the migration runs on connections of its own
    downgrade_database(database_url, "0004_sessions")  # the totals' tables are gone
    upgrade_database(database_url)  # 0005 creates them from the anchored reviews
    with sessions() as session:
        assert stored_rating_aggregate(session, dentist=dentists[0]).count > 0
        assert _differences(session, dentists) == []


def test_totals_follow_edits_erasures_and_moderation(session: Session) -> None:
    """What counts changes without a change of status: the latest signed ratings of an
    edited review, an erased or removed one leaving the reputation, a kept one back."""
    dentists, ids = _seed(session)
    anchored = [r for r in (session.get_one(ReviewRow, i) for i in ids) if r.anchored_at]
    edited, erased, removed = anchored[:3]
    with restating_review(session, review=edited):
        edited.author_state = "edited"
        edited.edited_rating, edited.edited_treatment = 1, 1
        edited.edited_bedside, edited.edited_wait_time = 2, 2
    with restating_review(session, review=erased):
        erased.author_state = "erased"
    set_moderation_state(session, review=removed, state="removed", reason="advertising")
    session.commit()
    assert _differences(session, dentists) == []
    set_moderation_state(session, review=removed, state=None, reason=None)  # kept after all
    session.commit()
    assert _differences(session, dentists) == []
