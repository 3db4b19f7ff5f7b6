"""Reputation aggregates, summed in SQL so their cost stays flat as reviews accumulate.

What counts: anchored named reviews (`counted`) and anchored anonymous reviews
(`anonymous_counted`), alike; neither once removed by moderation. Queued
anonymous reviews are not counted as pending: a pending count would show when one
arrived, which their delayed publication hides."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from dentareview.db.models import AnonymousReviewRow, ReviewRow
from dentareview.db.queries.functions import utc_month
from dentareview.domain.reputation import MonthlyAggregate, RatingAggregate

# What counts: an anchored review with its latest signed ratings (an edit's, if any);
# a review erased by its author, or removed by moderation, no longer counts (one under
# review still does).
RATING: ColumnElement[int] = func.coalesce(ReviewRow.edited_rating, ReviewRow.rating)
TREATMENT: ColumnElement[int] = func.coalesce(ReviewRow.edited_treatment, ReviewRow.treatment)
BEDSIDE: ColumnElement[int] = func.coalesce(ReviewRow.edited_bedside, ReviewRow.bedside)
WAIT_TIME: ColumnElement[int] = func.coalesce(ReviewRow.edited_wait_time, ReviewRow.wait_time)


def counted() -> ColumnElement[bool]:
    return and_(
        or_(ReviewRow.author_state.is_(None), ReviewRow.author_state != "erased"),
        or_(ReviewRow.moderation_state.is_(None), ReviewRow.moderation_state != "removed"),
    )


def anonymous_counted() -> ColumnElement[bool]:
    """What counts of the anonymous reviews: anchored, and not removed by moderation (one
    under review still does), as a named review."""
    return and_(
        AnonymousReviewRow.status == "anchored",
        or_(
            AnonymousReviewRow.moderation_state.is_(None),
            AnonymousReviewRow.moderation_state != "removed",
        ),
    )


def rating_aggregate(session: Session, *, dentist: str) -> RatingAggregate:
    """Totals over the dentist's anchored reviews; `histogram` holds only ratings present."""
    stmt = (
        select(RATING, func.count(), func.sum(TREATMENT), func.sum(BEDSIDE), func.sum(WAIT_TIME))
        .where(ReviewRow.dentist == dentist, ReviewRow.status == "anchored", counted())
        .group_by(RATING)
    )
    anonymous = (
        select(
            AnonymousReviewRow.rating,
            func.count(),
            func.sum(AnonymousReviewRow.treatment),
            func.sum(AnonymousReviewRow.bedside),
            func.sum(AnonymousReviewRow.wait_time),
        )
        .where(AnonymousReviewRow.dentist == dentist, anonymous_counted())
        .group_by(AnonymousReviewRow.rating)
    )
    count = rating_sum = treatment_sum = bedside_sum = wait_time_sum = 0
    histogram: dict[int, int] = {}
    for rating, n, treatment, bedside, wait_time in [
        *session.execute(stmt),
        *session.execute(anonymous),
    ]:
        histogram[rating] = histogram.get(rating, 0) + n
        count += n
        rating_sum += rating * n
        treatment_sum += treatment
        bedside_sum += bedside
        wait_time_sum += wait_time
    return RatingAggregate(count, rating_sum, treatment_sum, bedside_sum, wait_time_sum, histogram)


def monthly_aggregates(session: Session, *, dentist: str, since: int) -> list[MonthlyAggregate]:
    """Per UTC month of anchoring, from `since` on, oldest month first."""
    month = utc_month(ReviewRow.anchored_at)
    stmt = (
        select(month, func.count(), func.sum(RATING))
        .where(
            ReviewRow.dentist == dentist,
            ReviewRow.status == "anchored",
            counted(),
            ReviewRow.anchored_at >= since,
        )
        .group_by(month)
        .order_by(month)
    )
    anonymous_month = utc_month(AnonymousReviewRow.anchored_at)
    anonymous = (
        select(anonymous_month, func.count(), func.sum(AnonymousReviewRow.rating))
        .where(
            AnonymousReviewRow.dentist == dentist,
            anonymous_counted(),
            AnonymousReviewRow.anchored_at >= since,
        )
        .group_by(anonymous_month)
    )
    months: dict[str, tuple[int, int]] = {}
    for key, count, rating_sum in [*session.execute(stmt), *session.execute(anonymous)]:
        before = months.get(key, (0, 0))
        months[key] = (before[0] + int(count), before[1] + int(rating_sum))
    return [
        MonthlyAggregate(month=key, count=count, rating_sum=rating_sum)
        for key, (count, rating_sum) in sorted(months.items())
    ]


def pending_count(session: Session, *, dentist: str) -> int:
    """Reviews of the dentist not yet anchored, shown apart from the reputation."""
    stmt = select(func.count()).where(ReviewRow.dentist == dentist, ReviewRow.status == "pending")
    return session.scalar(stmt) or 0
