"""The anchoring worker's view of reviews: claim, record sends, record outcomes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from dentareview.db.errors import RowNotFound
from dentareview.db.models import ReviewRow, RewardPaymentRow
from dentareview.db.queries._write import get_or_raise


def claim_pending_reviews(session: Session, *, limit: int) -> list[ReviewRow]:
    """Lock up to `limit` pending reviews, oldest first, for this transaction.

    PostgreSQL: FOR UPDATE SKIP LOCKED, so concurrent workers get disjoint rows.
    SQLite ignores the clause; it has one writer at a time anyway.
    """
    stmt = (
        select(ReviewRow)
        .where(ReviewRow.status == "pending")
        .order_by(ReviewRow.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        # Fresh values: the session may hold these rows from before the lock.
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(stmt))


def note_sent(session: Session, *, review_id: int, tx_hash: str, nonce: int) -> ReviewRow:
    """Record a broadcast relay transaction so a restart can find it instead of resending."""
    row = get_or_raise(session, ReviewRow, review_id)
    row.sent_tx_hash = tx_hash
    row.sent_nonce = nonce
    return row


def mark_anchored(
    session: Session,
    *,
    review_id: int,
    tx_hash: str,
    block_number: int,
    log_index: int,
    anchored_at: int,
    reward_status: Literal["paid", "queued"] | None,
) -> ReviewRow:
    """Record the confirmed anchor and, unless `reward_status` is None, the reward's fate.

    "paid": the anchoring transaction paid it; "queued": a later aggregate payment will.
    """
    row = get_or_raise(session, ReviewRow, review_id)
    row.status = "anchored"
    row.tx_hash = tx_hash
    row.block_number = block_number
    row.log_index = log_index
    row.anchored_at = anchored_at
    row.sent_tx_hash = None
    row.sent_nonce = None
    if reward_status is not None:
        payment = session.scalars(
            select(RewardPaymentRow).where(RewardPaymentRow.review_id == review_id)
        ).one_or_none()
        if payment is None:
            raise RowNotFound(RewardPaymentRow.__tablename__, {"review_id": review_id})
        paid = reward_status == "paid"
        payment.status = reward_status
        payment.tx_hash = tx_hash if paid else None
        payment.paid_at = anchored_at if paid else None
    return row


def note_anchor_failure(
    session: Session, *, review_id: int, error: str, clear_sent: bool = False
) -> ReviewRow:
    """Count a failed attempt. Pass `clear_sent` only once the sent transaction is known
    dead (reverted or replaced); after a mere timeout it may still be mined."""
    row = get_or_raise(session, ReviewRow, review_id)
    row.anchor_attempts += 1
    row.last_anchor_error = error
    if clear_sent:
        row.sent_tx_hash = None
        row.sent_nonce = None
    return row


def iter_anchored_reviews(session: Session, *, batch_size: int = 1000) -> Iterator[ReviewRow]:
    """Every anchored review in id order, streamed in batches (a server-side cursor on
    PostgreSQL) so an audit of the whole table never holds it all in memory."""
    stmt = (
        select(ReviewRow)
        .where(ReviewRow.status == "anchored")
        .order_by(ReviewRow.id)
        .execution_options(yield_per=batch_size)
    )
    yield from session.scalars(stmt)
