"""Review look-ups, listings and the rate-limit windows."""

from __future__ import annotations

from sqlalchemy.orm import Session

from dentareview.db.queries import (
    count_dentist_reviews,
    get_review_by_visit,
    list_dentist_reviews,
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
