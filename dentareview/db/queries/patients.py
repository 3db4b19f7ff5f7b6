"""A patient's own reviews, with their visits and reward payments (patient-only views)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dentareview.db.models import ReviewRow, RewardPaymentRow, VisitRow


def list_patient_reviews(
    session: Session, *, patient: str, limit: int, offset: int
) -> list[tuple[ReviewRow, int, RewardPaymentRow | None]]:
    """A page of (review, its visit's visitedAt, its reward payment or None), newest first."""
    stmt = (
        select(ReviewRow, VisitRow.visited_at, RewardPaymentRow)
        .join(VisitRow, VisitRow.visit_id == ReviewRow.visit_id)
        .outerjoin(RewardPaymentRow, RewardPaymentRow.review_id == ReviewRow.id)
        .where(ReviewRow.patient == patient)
        .order_by(ReviewRow.submitted_at.desc(), ReviewRow.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [(review, visited_at, payment) for review, visited_at, payment in session.execute(stmt)]


def count_patient_reviews(session: Session, *, patient: str) -> int:
    stmt = select(func.count()).select_from(ReviewRow).where(ReviewRow.patient == patient)
    return session.scalar(stmt) or 0
