"""Reputation aggregates against a hand-computed fixture, months split in UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from dentareview.db.queries.reputation import monthly_aggregates, pending_count, rating_aggregate
from dentareview.domain.reputation import (
    MonthlyAggregate,
    RatedReview,
    RatingAggregate,
    aggregate_reviews,
)
from tests.db.helpers import add_dentist, add_review, address


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> int:
    return int(datetime(year, month, day, hour, minute, second, tzinfo=UTC).timestamp())


# (rating, treatment, bedside, wait_time), anchored_at
ANCHORED = [
    ((1, 1, 2, 2), utc(2024, 11, 15)),
    ((4, 4, 4, 4), utc(2024, 12, 1)),
    ((5, 4, 5, 3), utc(2024, 12, 31, 23, 59, 59)),
    ((3, 2, 3, 1), utc(2025, 1, 1)),
    ((5, 5, 5, 5), utc(2025, 1, 20, 12)),
]


def seed(session: Session) -> str:
    dentist, other = add_dentist(session, 1), add_dentist(session, 2)
    for i, (ratings, anchored_at) in enumerate(ANCHORED):
        add_review(
            session, dentist=dentist, patient=address(i), ratings=ratings, anchored_at=anchored_at
        )
    add_review(session, dentist=dentist, patient=address(10), ratings=(1, 1, 1, 1))  # pending
    add_review(session, dentist=dentist, patient=address(11), ratings=(2, 2, 2, 2))  # pending
    add_review(
        session,
        dentist=other,
        patient=address(12),
        ratings=(1, 1, 1, 1),
        anchored_at=utc(2025, 1, 2),
    )
    session.commit()
    if session.get_bind().dialect.name == "postgresql":
        # Far from UTC: a month computed in local time would move 31 Dec 23:59 into January.
        session.execute(text("SET TIME ZONE 'Pacific/Kiritimati'"))
    return dentist


def test_rating_aggregate_counts_anchored_reviews_only(session: Session) -> None:
    dentist = seed(session)
    assert rating_aggregate(session, dentist=dentist) == RatingAggregate(
        count=5,
        rating_sum=18,
        treatment_sum=16,
        bedside_sum=19,
        wait_time_sum=15,
        histogram={1: 1, 3: 1, 4: 1, 5: 2},
    )
    assert pending_count(session, dentist=dentist) == 2


def test_monthly_aggregates_split_at_the_utc_year_boundary(session: Session) -> None:
    dentist = seed(session)
    assert monthly_aggregates(session, dentist=dentist, since=utc(2024, 12, 1)) == [
        MonthlyAggregate("2024-12", count=2, rating_sum=9),
        MonthlyAggregate("2025-01", count=2, rating_sum=8),
    ]


def test_sql_matches_the_domain_reference(session: Session) -> None:
    dentist = seed(session)
    expected_total, expected_months = aggregate_reviews(
        RatedReview(*ratings, anchored_at=anchored_at) for ratings, anchored_at in ANCHORED
    )
    assert rating_aggregate(session, dentist=dentist) == expected_total
    assert monthly_aggregates(session, dentist=dentist, since=0) == expected_months


def test_dentist_without_reviews(session: Session) -> None:
    dentist = add_dentist(session)
    assert rating_aggregate(session, dentist=dentist) == RatingAggregate()
    assert monthly_aggregates(session, dentist=dentist, since=0) == []
    assert pending_count(session, dentist=dentist) == 0
