"""What only the patient sees: their own reviews, with visit time and reward."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from dentareview.db.models import ReviewRow, RewardPaymentRow
from dentareview.db.queries.patients import count_patient_reviews, list_patient_reviews


@dataclass(frozen=True)
class OwnReview:
    row: ReviewRow
    visited_at: int
    payment: RewardPaymentRow | None


@dataclass(frozen=True)
class OwnReviews:
    total: int
    items: list[OwnReview]


def own_reviews(session: Session, *, patient: str, limit: int, offset: int) -> OwnReviews:
    rows = list_patient_reviews(session, patient=patient, limit=limit, offset=offset)
    return OwnReviews(
        total=count_patient_reviews(session, patient=patient),
        items=[OwnReview(row, visited_at, payment) for row, visited_at, payment in rows],
    )
