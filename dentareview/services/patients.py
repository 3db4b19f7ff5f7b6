"""What only the patient sees: their own reviews, with visit time and reward."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from dentareview.db.models import (
    ModerationDecisionRow,
    ReviewRevisionRow,
    ReviewRow,
    RewardPaymentRow,
)
from dentareview.db.queries.moderation import decisions_of
from dentareview.db.queries.patients import count_patient_reviews, list_patient_reviews
from dentareview.db.queries.revisions import revisions_of
from dentareview.services.replies import ReplyThread, reply_threads


@dataclass(frozen=True)
class OwnReview:
    row: ReviewRow
    visited_at: int
    payment: RewardPaymentRow | None
    revisions: list[ReviewRevisionRow] = field(default_factory=list)
    decisions: list[ModerationDecisionRow] = field(default_factory=list)
    replies: ReplyThread = field(default_factory=ReplyThread)


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
                row,
                visited_at,
                payment,
                revisions.get(row.id, []),
                decisions.get(row.id, []),
                replies.get(row.id, ReplyThread()),
            )
            for row, visited_at, payment in rows
        ],
    )
