"""Patients' signed recommendations (recommendations) and the practice's monthly totals.

The totals are summed in SQL, one dentist at a time, through
`ix_recommendations_dentist_created_at`: one index range whatever the size of the tables.
Nothing here returns a patient or a single score to a reader: counts only.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.orm import Session

from dentareview.db.models import RecommendationRow, ReviewRow
from dentareview.db.queries._write import add_unique
from dentareview.db.queries.functions import utc_month
from dentareview.domain.nps import PASSIVE_MIN, PROMOTER_MIN, NpsCounts


def recommendation_of_visit(session: Session, *, visit_id: str) -> RecommendationRow | None:
    stmt = select(RecommendationRow).where(RecommendationRow.visit_id == visit_id)
    return session.scalars(stmt).one_or_none()


def insert_recommendation(session: Session, *, row: RecommendationRow) -> RecommendationRow:
    """Raises DuplicateKey if the visit already has one (a concurrent request won)."""
    return add_unique(session, row)


def _tally(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def monthly_nps_counts(session: Session, *, dentist: str, since: int) -> list[NpsCounts]:
    """Per UTC month of the recommendation, from `since` on, oldest first: only those whose
    review is anchored and still stands (not erased by its author, not removed)."""
    month = utc_month(RecommendationRow.created_at)
    score = RecommendationRow.score
    stmt = (
        select(
            month,
            _tally(score >= PROMOTER_MIN),
            _tally(score.between(PASSIVE_MIN, PROMOTER_MIN - 1)),
            _tally(score < PASSIVE_MIN),
        )
        .join(ReviewRow, ReviewRow.id == RecommendationRow.review_id)
        .where(
            RecommendationRow.dentist == dentist,
            RecommendationRow.created_at >= since,
            ReviewRow.status == "anchored",
            or_(ReviewRow.author_state.is_(None), ReviewRow.author_state != "erased"),
            or_(ReviewRow.moderation_state.is_(None), ReviewRow.moderation_state != "removed"),
        )
        .group_by(month)
        .order_by(month)
    )
    return [NpsCounts(str(m), int(p), int(a), int(d)) for m, p, a, d in session.execute(stmt)]
