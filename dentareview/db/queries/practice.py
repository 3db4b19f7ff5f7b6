"""A practice's own dashboard: aggregates summed in SQL, one dentist at a time.

Every query filters on the dentist first, so it reads one index range
(`ix_reviews_dentist_status_anchored_at`, `ix_visits_dentist_patient_visited_at`)
whatever the size of the tables. Nothing here returns a patient: counts only.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from dentareview.db.models import ReviewRow, VisitRow
from dentareview.db.queries.functions import utc_month


@dataclass(frozen=True)
class MonthSums:
    """Anchored reviews of one UTC month (of anchoring)."""

    month: str
    count: int
    rating_sum: int
    treatment_sum: int
    bedside_sum: int
    wait_time_sum: int


@dataclass(frozen=True)
class FunnelCounts:
    visits: int
    reviews: int
    anchored: int
    rewarded: int


def monthly_sums(session: Session, *, dentist: str, since: int) -> list[MonthSums]:
    """Per month of anchoring from `since` on, oldest first."""
    month = utc_month(ReviewRow.anchored_at)
    stmt = (
        select(
            month,
            func.count(),
            func.sum(ReviewRow.rating),
            func.sum(ReviewRow.treatment),
            func.sum(ReviewRow.bedside),
            func.sum(ReviewRow.wait_time),
        )
        .where(
            ReviewRow.dentist == dentist,
            ReviewRow.status == "anchored",
            ReviewRow.anchored_at >= since,
        )
        .group_by(month)
        .order_by(month)
    )
    return [
        MonthSums(str(m), int(n), int(r), int(t), int(b), int(w))
        for m, n, r, t, b, w in session.execute(stmt)
    ]


def sums_before(session: Session, *, dentist: str, before: int) -> tuple[int, int]:
    """Count and rating sum of the anchored reviews anchored before `before`."""
    stmt = select(func.count(), func.coalesce(func.sum(ReviewRow.rating), 0)).where(
        ReviewRow.dentist == dentist,
        ReviewRow.status == "anchored",
        ReviewRow.anchored_at < before,
    )
    row = session.execute(stmt).one()
    return int(row[0]), int(row[1])


def funnel_counts(session: Session, *, dentist: str) -> FunnelCounts:
    """Visits attested, reviews written, anchored, and rewarded (a reward paid or due)."""
    visits = session.scalar(select(func.count()).where(VisitRow.dentist == dentist)) or 0
    stmt = (
        select(ReviewRow.status, ReviewRow.rewardable, func.count())
        .where(ReviewRow.dentist == dentist)
        .group_by(ReviewRow.status, ReviewRow.rewardable)
    )
    reviews = anchored = rewarded = 0
    for status, rewardable, n in session.execute(stmt):
        reviews += n
        if status == "anchored":
            anchored += n
        if rewardable:
            rewarded += n
    return FunnelCounts(int(visits), reviews, anchored, rewarded)


def median_seconds_to_review(session: Session, *, dentist: str) -> int | None:
    """The median of (review submitted − visit attested time) over the dentist's reviews,
    picked by the database (ORDER BY … OFFSET) rather than loaded whole."""
    delay = (ReviewRow.submitted_at - VisitRow.visited_at).label("delay")
    joined = (
        select(delay)
        .select_from(ReviewRow)
        .join(VisitRow, VisitRow.visit_id == ReviewRow.visit_id)
        .where(ReviewRow.dentist == dentist)
    )
    n = session.scalar(select(func.count()).select_from(joined.subquery())) or 0
    if n == 0:
        return None
    middle = list(session.scalars(joined.order_by(delay).offset((n - 1) // 2).limit(2 - n % 2)))
    return int(sum(middle) // len(middle))


def retention_counts(session: Session, *, dentist: str, window_seconds: int) -> tuple[int, int]:
    """(patients, patients with a repeat visit): distinct patients of the practice, and
    those with two attested visits at most `window_seconds` apart (a later visit, not the
    same moment)."""
    patients = (
        session.scalar(
            select(func.count(func.distinct(VisitRow.patient))).where(VisitRow.dentist == dentist)
        )
        or 0
    )
    previous = func.lag(VisitRow.visited_at).over(
        partition_by=VisitRow.patient, order_by=VisitRow.visited_at
    )
    gaps = (
        select(VisitRow.patient.label("patient"), (VisitRow.visited_at - previous).label("gap"))
        .where(VisitRow.dentist == dentist)
        .subquery()
    )
    repeat = (
        session.scalar(
            select(func.count(func.distinct(gaps.c.patient))).where(
                and_(gaps.c.gap > 0, gaps.c.gap <= window_seconds)
            )
        )
        or 0
    )
    return int(patients), int(repeat)
