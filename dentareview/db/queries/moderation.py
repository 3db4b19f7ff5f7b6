"""Flags, moderation decisions and what the anomaly signals read."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from dentareview.db.models import (
    AnonymousReviewRow,
    ModerationDecisionRow,
    ReviewFlagRow,
    ReviewRow,
    VisitRow,
)
from dentareview.db.queries.aggregates import restating_anonymous, restating_review
from dentareview.domain.moderation import ModerationState


def insert_flag(
    session: Session,
    *,
    review_id: int | None,
    anonymous_review_id: str | None = None,
    reason: str,
    reporter: str | None,
    now: int,
) -> ReviewFlagRow:
    """A flag of a named review (`review_id`) or of an anonymous one."""
    row = ReviewFlagRow(
        review_id=review_id,
        anonymous_review_id=anonymous_review_id,
        reason=reason,
        reporter=reporter,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def open_flag_count(session: Session, *, review_id: int) -> int:
    stmt = select(func.count()).where(
        ReviewFlagRow.review_id == review_id, ReviewFlagRow.resolved_at.is_(None)
    )
    return session.scalar(stmt) or 0


def open_flags(
    session: Session, *, limit: int, offset: int, anonymous: bool = False
) -> list[ReviewFlagRow]:
    """Open flags of named reviews (of anonymous ones if `anonymous`), oldest first."""
    column = ReviewFlagRow.anonymous_review_id if anonymous else ReviewFlagRow.review_id
    stmt = (
        select(ReviewFlagRow)
        .where(ReviewFlagRow.resolved_at.is_(None), column.is_not(None))
        .order_by(ReviewFlagRow.id)
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(stmt))


def under_review(session: Session, *, limit: int, offset: int) -> list[tuple[int, str | None]]:
    """(review id, reason) of the reviews now "under review", oldest first."""
    stmt = (
        select(ReviewRow.id, ReviewRow.moderation_reason)
        .where(ReviewRow.moderation_state == "under_review")
        .order_by(ReviewRow.id)
        .limit(limit)
        .offset(offset)
    )
    return [(int(review_id), reason) for review_id, reason in session.execute(stmt)]


def resolve_flags(
    session: Session,
    *,
    review_id: int | None,
    anonymous_review_id: str | None = None,
    decision_id: int,
    now: int,
) -> int:
    """Resolve the open flags of a named review (`review_id`) or of an anonymous one."""
    which = (
        ReviewFlagRow.review_id == review_id
        if review_id is not None
        else ReviewFlagRow.anonymous_review_id == anonymous_review_id
    )
    result = session.execute(
        update(ReviewFlagRow)
        .where(which, ReviewFlagRow.resolved_at.is_(None))
        .values(resolved_at=now, decision_id=decision_id)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def insert_decision(session: Session, *, row: ModerationDecisionRow) -> ModerationDecisionRow:
    session.add(row)
    session.flush()
    return row


def decisions_of(
    session: Session, *, review_ids: Iterable[int]
) -> dict[int, list[ModerationDecisionRow]]:
    ids = list(review_ids)
    found: dict[int, list[ModerationDecisionRow]] = {}
    if not ids:
        return found
    stmt = (
        select(ModerationDecisionRow)
        .where(ModerationDecisionRow.review_id.in_(ids))
        .order_by(ModerationDecisionRow.review_id, ModerationDecisionRow.id)
    )
    for row in session.scalars(stmt):
        if row.review_id is not None:
            found.setdefault(row.review_id, []).append(row)
    return found


def anonymous_decisions_of(
    session: Session, *, review_ids: Iterable[str]
) -> dict[str, list[ModerationDecisionRow]]:
    ids = list(review_ids)
    found: dict[str, list[ModerationDecisionRow]] = {}
    if not ids:
        return found
    stmt = (
        select(ModerationDecisionRow)
        .where(ModerationDecisionRow.anonymous_review_id.in_(ids))
        .order_by(ModerationDecisionRow.id)
    )
    for row in session.scalars(stmt):
        if row.anonymous_review_id is not None:
            found.setdefault(row.anonymous_review_id, []).append(row)
    return found


def latest_decisions(session: Session) -> dict[int, str]:
    """Each named review's latest decision's action (the audit)."""
    latest = (
        select(func.max(ModerationDecisionRow.id))
        .where(ModerationDecisionRow.review_id.is_not(None))
        .group_by(ModerationDecisionRow.review_id)
        .scalar_subquery()
    )
    stmt = select(ModerationDecisionRow.review_id, ModerationDecisionRow.action).where(
        ModerationDecisionRow.id.in_(latest)
    )
    return {int(review_id or 0): action for review_id, action in session.execute(stmt)}


def dentist_review_facts(session: Session, *, dentist: str) -> list[tuple[int, int, int, str, int]]:
    """(id, submitted_at, rating, patient, visited_at) of each of the dentist's reviews."""
    stmt = (
        select(
            ReviewRow.id,
            ReviewRow.submitted_at,
            func.coalesce(ReviewRow.edited_rating, ReviewRow.rating),
            ReviewRow.patient,
            VisitRow.visited_at,
        )
        .join(VisitRow, VisitRow.visit_id == ReviewRow.visit_id)
        .where(ReviewRow.dentist == dentist)
        .order_by(ReviewRow.id)
    )
    return [(int(a), int(b), int(c), str(d), int(e)) for a, b, c, d, e in session.execute(stmt)]


def first_seen(session: Session, *, patients: Iterable[str]) -> dict[str, int]:
    """Each wallet's earliest attested visit time, with any dentist."""
    wallets = sorted(set(patients))
    if not wallets:
        return {}
    stmt = (
        select(VisitRow.patient, func.min(VisitRow.visited_at))
        .where(VisitRow.patient.in_(wallets))
        .group_by(VisitRow.patient)
    )
    return {patient: int(first) for patient, first in session.execute(stmt)}


def set_moderation_state(
    session: Session, *, review: ReviewRow, state: ModerationState | None, reason: str | None
) -> None:
    with restating_review(session, review=review):  # removed reviews leave the totals
        review.moderation_state = state
        review.moderation_reason = reason


def set_anonymous_moderation_state(
    session: Session,
    *,
    review: AnonymousReviewRow,
    state: ModerationState | None,
    reason: str | None,
) -> None:
    with restating_anonymous(session, review=review):  # a removed one leaves the totals
        review.moderation_state = state
        review.moderation_reason = reason
