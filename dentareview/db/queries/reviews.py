"""Reviews as stored off-chain: insert, look up, list, and rate-limit windows."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from dentareview.db.models import ReviewRow
from dentareview.db.queries._write import add_unique


def insert_review(
    session: Session,
    *,
    visit_id: str,
    digest: str,
    patient: str,
    dentist: str,
    rating: int,
    treatment: int,
    bedside: int,
    wait_time: int,
    text: str,
    deadline: int,
    signature: str,
    rewardable: bool,
    reward_withheld_code: str | None,
    reward_withheld_reason: str | None,
    now: int,
) -> ReviewRow:
    """Store a pending review.

    Raises DuplicateKey with constraint REVIEW_OF_VISIT_EXISTS or REVIEW_DIGEST_EXISTS;
    the database enforces both, so concurrent submissions cannot both succeed.
    """
    row = ReviewRow(
        visit_id=visit_id,
        digest=digest,
        patient=patient,
        dentist=dentist,
        rating=rating,
        treatment=treatment,
        bedside=bedside,
        wait_time=wait_time,
        text=text,
        deadline=deadline,
        signature=signature,
        submitted_at=now,
        status="pending",
        rewardable=rewardable,
        reward_withheld_code=reward_withheld_code,
        reward_withheld_reason=reward_withheld_reason,
        anchor_attempts=0,
    )
    return add_unique(session, row)


def get_review(session: Session, *, review_id: int) -> ReviewRow | None:
    return session.get(ReviewRow, review_id)


def get_review_by_visit(session: Session, *, visit_id: str) -> ReviewRow | None:
    return session.scalars(select(ReviewRow).where(ReviewRow.visit_id == visit_id)).one_or_none()


def rewarded_times(
    session: Session, *, patient: str | None, dentist: str | None, since: int
) -> list[int]:
    """`submitted_at` of the rewardable reviews of `patient` and/or `dentist` (whichever are
    given) at or after `since`, oldest first."""
    stmt = select(ReviewRow.submitted_at).where(
        ReviewRow.rewardable,
        ReviewRow.submitted_at >= since,
    )
    if patient is not None:
        stmt = stmt.where(ReviewRow.patient == patient)
    if dentist is not None:
        stmt = stmt.where(ReviewRow.dentist == dentist)
    return list(session.scalars(stmt.order_by(ReviewRow.submitted_at)))


def _dentist_filter(dentist: str, include_pending: bool) -> list[ColumnElement[bool]]:
    conditions = [ReviewRow.dentist == dentist]
    if not include_pending:
        conditions.append(ReviewRow.status == "anchored")
    return conditions


def list_dentist_reviews(
    session: Session, *, dentist: str, include_pending: bool, limit: int, offset: int
) -> list[ReviewRow]:
    """A page of the dentist's reviews, newest submission first."""
    stmt = (
        select(ReviewRow)
        .where(*_dentist_filter(dentist, include_pending))
        .order_by(ReviewRow.submitted_at.desc(), ReviewRow.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(stmt))


def count_dentist_reviews(session: Session, *, dentist: str, include_pending: bool) -> int:
    stmt = select(func.count()).select_from(ReviewRow)
    return session.scalar(stmt.where(*_dentist_filter(dentist, include_pending))) or 0
