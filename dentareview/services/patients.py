"""What only the patient sees: their own reviews, with visit time and reward."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from dentareview.db.queries.moderation import decisions_of
from dentareview.db.queries.patients import count_patient_reviews, list_patient_reviews
from dentareview.db.queries.revisions import revisions_of
from dentareview.services.replies import reply_threads, reply_view
from dentareview.services.views import ReviewView, RewardView, review_view, reward_view


@dataclass(frozen=True)
class OwnReview:
    review: ReviewView
    visited_at: int
    reward: RewardView


@dataclass(frozen=True)
class OwnReviews:
    total: int
    items: list[OwnReview]


def own_reviews(session: Session, *, patient: str, limit: int, offset: int) -> OwnReviews:
    rows = list_patient_reviews(session, patient=patient, limit=limit, offset=offset)
    ids = [row.id for row, _, _ in rows]
    revisions = revisions_of(session, review_ids=ids)
    decisions = decisions_of(session, review_ids=ids)
    replies = reply_threads(session, review_ids=ids)
    return OwnReviews(
        total=count_patient_reviews(session, patient=patient),
        items=[
            OwnReview(
                review_view(
                    row,
                    revisions.get(row.id),
                    decisions.get(row.id),
                    reply_view(replies.get(row.id)),
                ),
                visited_at,
                reward_view(row, payment),
            )
            for row, visited_at, payment in rows
        ],
    )
