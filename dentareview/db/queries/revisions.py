"""Signed edits and erasures of reviews (review_revisions)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from dentareview.db.models import ReviewRevisionRow
from dentareview.db.queries._write import add_unique


def list_revisions(session: Session, *, review_id: int) -> list[ReviewRevisionRow]:
    """The review's revisions, oldest first."""
    stmt = (
        select(ReviewRevisionRow)
        .where(ReviewRevisionRow.review_id == review_id)
        .order_by(ReviewRevisionRow.seq)
    )
    return list(session.scalars(stmt))


def revisions_of(
    session: Session, *, review_ids: Iterable[int]
) -> dict[int, list[ReviewRevisionRow]]:
    """Revisions of several reviews at once, oldest first, keyed by review id."""
    ids = list(review_ids)
    found: dict[int, list[ReviewRevisionRow]] = {}
    if not ids:
        return found
    stmt = (
        select(ReviewRevisionRow)
        .where(ReviewRevisionRow.review_id.in_(ids))
        .order_by(ReviewRevisionRow.review_id, ReviewRevisionRow.seq)
    )
    for row in session.scalars(stmt):
        found.setdefault(row.review_id, []).append(row)
    return found


def all_revisions(session: Session) -> dict[int, list[ReviewRevisionRow]]:
    """Every revision, keyed by review id (the audit; revisions are few beside reviews)."""
    found: dict[int, list[ReviewRevisionRow]] = {}
    stmt = select(ReviewRevisionRow).order_by(ReviewRevisionRow.review_id, ReviewRevisionRow.seq)
    for row in session.scalars(stmt):
        found.setdefault(row.review_id, []).append(row)
    return found


def insert_revision(session: Session, *, row: ReviewRevisionRow) -> ReviewRevisionRow:
    """Raises DuplicateKey if another revision took this `seq` (a concurrent edit)."""
    return add_unique(session, row)
