"""Review look-ups, listings and the rate-limit windows."""

from __future__ import annotations

from sqlalchemy.orm import Session

from dentareview.db.queries.reviews import (
    count_dentist_reviews,
    get_review_by_visit,
    list_dentist_reviews,
    reward_history,
    rewarded_times,
)
from tests.db.helpers import add_dentist, add_review, address


def test_rewarded_times_windows(session: Session) -> None:
    d1, d2 = add_dentist(session, 1), add_dentist(session, 2)
    p, q = address(1), address(2)
    add_review(session, dentist=d1, patient=p, submitted_at=100)
    add_review(session, dentist=d2, patient=p, submitted_at=200)
    add_review(session, dentist=d1, patient=p, submitted_at=300, anchored_at=310)
    add_review(session, dentist=d1, patient=p, submitted_at=250, rewardable=False)
    add_review(session, dentist=d1, patient=q, submitted_at=260)

    assert rewarded_times(session, patient=p, dentist=None, since=0) == [100, 200, 300]
    assert rewarded_times(session, patient=p, dentist=d1, since=0) == [100, 300]
    assert rewarded_times(session, patient=p, dentist=None, since=200) == [200, 300]
    assert rewarded_times(session, patient=p, dentist=d2, since=201) == []
    assert rewarded_times(session, patient=q, dentist=None, since=0) == [260]
    assert rewarded_times(session, patient=address(3), dentist=None, since=0) == []


def test_reward_history_reads_the_three_windows_at_once(session: Session) -> None:
    d1, d2 = add_dentist(session, 1), add_dentist(session, 2)
    p, q = address(1), address(2)
    for submitted_at, dentist, patient, rewardable in [
        (100, d1, p, True),
        (200, d2, p, True),
        (250, d1, p, False),
        (260, d1, q, True),
        (300, d1, p, True),
        (320, d2, q, True),
    ]:
        add_review(
            session, dentist=dentist, patient=patient, submitted_at=submitted_at,
            rewardable=rewardable,
        )
    for patient, dentist, windows in [
        (p, d1, (0, 0, 0)),
        (p, d1, (150, 250, 270)),
        (q, d1, (0, 300, 100)),
        (p, d2, (201, 0, 310)),
        (address(3), d2, (0, 0, 0)),
    ]:
        same_since, patient_since, dentist_since = windows
        history = reward_history(
            session,
            patient=patient,
            dentist=dentist,
            same_dentist_since=same_since,
            patient_since=patient_since,
            dentist_since=dentist_since,
        )
        assert history.same_dentist == rewarded_times(
            session, patient=patient, dentist=dentist, since=same_since
        )
        assert history.patient == rewarded_times(
            session, patient=patient, dentist=None, since=patient_since
        )
        assert history.dentist == rewarded_times(
            session, patient=None, dentist=dentist, since=dentist_since
        )
    assert reward_history(
        session, patient=p, dentist=d1, same_dentist_since=0, patient_since=0, dentist_since=0
    ).dentist == [100, 260, 300]


def test_review_by_visit(session: Session) -> None:
    review = add_review(session, dentist=add_dentist(session), patient=address(1))
    found = get_review_by_visit(session, visit_id=review.visit_id)
    assert found is not None and found.id == review.id
    assert get_review_by_visit(session, visit_id="0x" + "00" * 32) is None


def test_dentist_listing_newest_first_with_or_without_pending(session: Session) -> None:
    dentist, other = add_dentist(session, 1), add_dentist(session, 2)
    old = add_review(session, dentist=dentist, patient=address(1), submitted_at=10, anchored_at=11)
    new = add_review(session, dentist=dentist, patient=address(2), submitted_at=30, anchored_at=31)
    pending = add_review(session, dentist=dentist, patient=address(3), submitted_at=40)
    add_review(session, dentist=other, patient=address(1), submitted_at=50, anchored_at=51)

    def listed(include_pending: bool, limit: int = 10, offset: int = 0) -> list[int]:
        rows = list_dentist_reviews(
            session, dentist=dentist, include_pending=include_pending, limit=limit, offset=offset
        )
        return [row.id for row in rows]

    assert listed(False) == [new.id, old.id]
    assert listed(True) == [pending.id, new.id, old.id]
    assert listed(True, limit=1, offset=1) == [new.id]
    assert count_dentist_reviews(session, dentist=dentist, include_pending=False) == 2
    assert count_dentist_reviews(session, dentist=dentist, include_pending=True) == 3
