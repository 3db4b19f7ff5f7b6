"""The practice's signed replies to reviews (review_replies)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from dentareview.db.models import ReviewReplyRow, ReviewRow
from dentareview.db.queries._write import add_unique


def list_replies(session: Session, *, review_id: int) -> list[ReviewReplyRow]:
    """Every signed version of the review's reply, oldest first."""
    stmt = (
        select(ReviewReplyRow)
        .where(ReviewReplyRow.review_id == review_id)
        .order_by(ReviewReplyRow.seq)
    )
    return list(session.scalars(stmt))


def replies_of(session: Session, *, review_ids: Iterable[int]) -> dict[int, list[ReviewReplyRow]]:
    """Reply versions of several reviews at once, oldest first, keyed by review id."""
    ids = list(review_ids)
    found: dict[int, list[ReviewReplyRow]] = {}
    if not ids:
        return found
    stmt = (
        select(ReviewReplyRow)
        .where(ReviewReplyRow.review_id.in_(ids))
        .order_by(ReviewReplyRow.review_id, ReviewReplyRow.seq)
    )
    for row in session.scalars(stmt):
        found.setdefault(row.review_id, []).append(row)
    return found


def all_replies(session: Session) -> dict[int, list[ReviewReplyRow]]:
    """Every reply version, oldest first, keyed by review id (the audit)."""
    found: dict[int, list[ReviewReplyRow]] = {}
    stmt = select(ReviewReplyRow).order_by(ReviewReplyRow.review_id, ReviewReplyRow.seq)
    for row in session.scalars(stmt):
        found.setdefault(row.review_id, []).append(row)
    return found


def insert_reply(session: Session, *, row: ReviewReplyRow) -> ReviewReplyRow:
    """Raises DuplicateKey if another version took this `seq` (a concurrent reply)."""
    return add_unique(session, row)


@dataclass(frozen=True)
class ReplyCounts:
    reviews: int  # the practice's reviews a reply can answer (not erased by their author)
    replied: int  # of them, with a reply


def reply_counts(session: Session, *, dentist: str) -> ReplyCounts:
    """Reviews of the dentist not erased by their author, and how many have a reply.

    Two counts, each from one index range: the reviews by dentist, and the practice's
    first replies joined to their reviews by primary key (an outer join of the two
    lets PostgreSQL pick a nested loop over freshly loaded tables: seconds, not ms).
    """
    reviews = session.scalar(
        select(func.count()).where(ReviewRow.dentist == dentist, _not_erased())
    )
    replied = session.scalar(
        select(func.count())
        .select_from(ReviewReplyRow)
        .join(ReviewRow, ReviewRow.id == ReviewReplyRow.review_id)
        .where(ReviewReplyRow.dentist == dentist, ReviewReplyRow.seq == 1, _not_erased())
    )
    return ReplyCounts(int(reviews or 0), int(replied or 0))


def _not_erased() -> ColumnElement[bool]:
    return func.coalesce(ReviewRow.author_state, "") != "erased"


def median_seconds_to_reply(session: Session, *, dentist: str) -> int | None:
    """The median of (first reply signed − review submitted) over the replied reviews not
    erased, picked by the database (ORDER BY … OFFSET) rather than loaded whole."""
    delay = (ReviewReplyRow.created_at - ReviewRow.submitted_at).label("delay")
    joined = (
        select(delay)
        .select_from(ReviewReplyRow)
        .join(ReviewRow, ReviewRow.id == ReviewReplyRow.review_id)
        .where(and_(ReviewReplyRow.dentist == dentist, ReviewReplyRow.seq == 1, _not_erased()))
    )
    n = session.scalar(select(func.count()).select_from(joined.subquery())) or 0
    if n == 0:
        return None
    middle = list(session.scalars(joined.order_by(delay).offset((n - 1) // 2).limit(2 - n % 2)))
    return int(sum(middle) // len(middle))
