"""The anchoring worker's view of reviews: claim, record sends, record outcomes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.orm import Session

from dentareview.db.models import RelayStatusRow, ReviewRow, RewardPaymentRow
from dentareview.db.queries._write import get_or_raise
from dentareview.db.queries.aggregates import shift_aggregates
from dentareview.db.storage_errors import RowNotFound
from dentareview.redaction import scrub


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


def claim_due_reviews(session: Session, *, now: int, limit: int) -> list[ReviewRow]:
    """Lock up to `limit` pending reviews that are due (by `next_attempt_at`) or in flight.

    A review that cannot be anchored now was given a later `next_attempt_at`, so it never
    holds back the reviews behind it; one that can never be anchored has a `failure_code`
    and is not claimed again. FOR UPDATE SKIP LOCKED as in `claim_pending_reviews`.
    """
    stmt = (
        select(ReviewRow)
        .where(
            ReviewRow.status == "pending",
            ReviewRow.failure_code.is_(None),
            # In flight: looked at every pass (its receipt, or gone from the node after a
            # crash and sent again); `next_attempt_at` then says when to replace it.
            or_(ReviewRow.next_attempt_at <= now, ReviewRow.sent_tx_hash.is_not(None)),
        )
        .order_by(ReviewRow.next_attempt_at, ReviewRow.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(stmt))


def anchored_unfinal_reviews(session: Session, *, limit: int) -> list[ReviewRow]:
    """Anchored reviews whose block is not final yet: a reorg may still drop them."""
    stmt = (
        select(ReviewRow)
        .where(ReviewRow.status == "anchored", ReviewRow.final.is_(False))
        .order_by(ReviewRow.block_number, ReviewRow.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(stmt))


def note_sent(
    session: Session, *, review_id: int, tx_hash: str, nonce: int, replace_at: int = 0
) -> ReviewRow:
    """Record a signed relay transaction before it is broadcast, so a restart can find it
    instead of resending; past `replace_at` a still unmined one is replaced (same nonce)."""
    row = get_or_raise(session, ReviewRow, review_id)
    row.sent_tx_hash = tx_hash
    row.sent_nonce = nonce
    row.next_attempt_at = replace_at
    return row


def defer_review(
    session: Session, *, review_id: int, error: str, until: int, clear_sent: bool = False
) -> ReviewRow:
    """The review cannot be anchored now (its dentist inactive, say): try again at `until`.
    `clear_sent` once its transaction is known dead (reverted), as in note_anchor_failure."""
    row = note_anchor_failure(session, review_id=review_id, error=error, clear_sent=clear_sent)
    row.next_attempt_at = until
    return row


def give_up_review(session: Session, *, review_id: int, code: str, error: str) -> ReviewRow:
    """The review can never be anchored: a terminal state with a stable reason code. The
    review stays published (and says why); its reward, never payable, is withdrawn."""
    row = get_or_raise(session, ReviewRow, review_id)
    row.anchor_attempts += 1
    row.failure_code = code
    row.last_anchor_error = scrub(error)
    row.sent_tx_hash = None
    row.sent_nonce = None
    _withdraw_reward(session, row, code=code, reason=f"Not rewarded: {error}")
    return row


def withhold_reward(
    session: Session,
    *,
    review_id: int,
    code: str,
    reason: str,
    payments: dict[int, RewardPaymentRow] | None = None,
) -> ReviewRow:
    """The registry anchored the review without a reward (its own limit): record why.
    `payments` as in `mark_anchored`."""
    row = get_or_raise(session, ReviewRow, review_id)
    _withdraw_reward(session, row, code=code, reason=reason, payments=payments)
    return row


def _withdraw_reward(
    session: Session,
    row: ReviewRow,
    *,
    code: str,
    reason: str,
    payments: dict[int, RewardPaymentRow] | None = None,
) -> None:
    if not row.rewardable:
        return
    row.rewardable = False
    row.reward_withheld_code = code
    row.reward_withheld_reason = reason
    if payments is not None and row.id in payments:
        payment: RewardPaymentRow | None = payments.pop(row.id)
    else:
        payment = session.scalars(
            select(RewardPaymentRow).where(RewardPaymentRow.review_id == row.id)
        ).one_or_none()
    if payment is not None:
        session.delete(payment)


def unanchor_review(session: Session, *, review_id: int, dropped_tx: str) -> ReviewRow:
    """A reorg dropped the anchoring block: the review is pending again (its reward too),
    with the dropped transaction noted so the worker first looks for it again."""
    row = get_or_raise(session, ReviewRow, review_id)
    shift_aggregates(
        session,
        where=(ReviewRow.id == review_id) & (ReviewRow.status == "anchored"),
        sign=-1,
        anchored_at=None,  # out of the month it was counted in
    )
    row.status = "pending"
    row.tx_hash = None
    row.block_number = None
    row.block_hash = None
    row.log_index = None
    row.anchored_at = None
    row.final = False
    row.sent_tx_hash = dropped_tx
    row.next_attempt_at = 0
    payment = session.scalars(
        select(RewardPaymentRow).where(RewardPaymentRow.review_id == review_id)
    ).one_or_none()
    if payment is not None:
        payment.status = "pending"
        payment.tx_hash = None
        payment.paid_at = None
    return row


def wake_dentist_reviews(session: Session, *, dentist: str) -> None:
    """Make the dentist's waiting reviews due now (its reactivation ends their wait)."""
    session.execute(
        update(ReviewRow)
        .where(
            ReviewRow.dentist == dentist,
            ReviewRow.status == "pending",
            ReviewRow.failure_code.is_(None),
        )
        .values(next_attempt_at=0)
    )




def mark_anchored(
    session: Session,
    *,
    review_id: int,
    tx_hash: str,
    block_number: int,
    log_index: int,
    anchored_at: int,
    reward_status: Literal["paid", "queued"] | None,
    block_hash: str | None = None,
    counted_later: list[int] | None = None,
    payments: dict[int, RewardPaymentRow] | None = None,
) -> ReviewRow:
    """Record the confirmed anchor and, unless `reward_status` is None, the reward's fate.

    "paid": the anchoring transaction paid it; "queued": a later aggregate payment will.
    With `counted_later`, a review newly anchored is appended to it instead of being
    added to its dentist's totals now: the caller then calls `count_anchored` once.
    `payments` (from `reward_payments_of`) saves the look-up of the review's payment.
    """
    row = get_or_raise(session, ReviewRow, review_id)
    if counted_later is None:
        shift_aggregates(
            session,
            where=(ReviewRow.id == review_id) & (ReviewRow.status != "anchored"),
            sign=1,
            anchored_at=anchored_at,
        )
    elif row.status != "anchored":
        counted_later.append(review_id)
    row.status = "anchored"
    row.tx_hash = tx_hash
    row.block_number = block_number
    row.log_index = log_index
    row.anchored_at = anchored_at
    row.block_hash = block_hash
    row.final = False
    row.sent_tx_hash = None
    row.sent_nonce = None
    if reward_status is not None:
        if payments is not None and review_id in payments:
            payment: RewardPaymentRow | None = payments[review_id]
        else:
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


def reward_payments_of(
    session: Session, *, review_ids: Sequence[int]
) -> dict[int, RewardPaymentRow]:
    """The reward payments of `review_ids`, by review id, in one query."""
    if not review_ids:
        return {}
    stmt = select(RewardPaymentRow).where(RewardPaymentRow.review_id.in_(review_ids))
    return {payment.review_id: payment for payment in session.scalars(stmt)}


def count_anchored(session: Session, *, review_ids: Sequence[int]) -> None:
    """Add reviews just marked anchored (`mark_anchored(counted_later=...)`) to their
    dentists' totals, in the month of their own anchoring: one grouped query for all."""
    if not review_ids:
        return
    session.flush()
    shift_aggregates(
        session,
        where=ReviewRow.id.in_(review_ids) & (ReviewRow.status == "anchored"),
        sign=1,
        anchored_at=None,
    )


def note_anchor_failure(
    session: Session, *, review_id: int, error: str, clear_sent: bool = False
) -> ReviewRow:
    """Count a failed attempt. Pass `clear_sent` only once the sent transaction is known
    dead (reverted or replaced); after a mere timeout it may still be mined."""
    row = get_or_raise(session, ReviewRow, review_id)
    row.anchor_attempts += 1
    row.last_anchor_error = scrub(error)  # node errors may name the RPC URL and its key
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


def record_relay_status(session: Session, *, problem: str | None, now: int) -> None:
    problem = None if problem is None else scrub(problem)  # /health shows it to anyone
    row = session.get(RelayStatusRow, 1)
    if row is None:
        session.add(RelayStatusRow(id=1, checked_at=now, problem=problem))
    else:
        row.checked_at = now
        row.problem = problem


@dataclass(frozen=True)
class RelayQueue:
    pending: int  # waiting for their first or next attempt now
    in_flight: int  # a transaction sent, no receipt yet
    waiting: int  # deferred with backoff (cannot be anchored now)
    failed: int  # can never be anchored (terminal)
    not_final: int  # anchored, block not final yet
    problem: str | None
    checked_at: int | None


def relay_queue(session: Session, *, now: int) -> RelayQueue:
    """What /health says of the relay (a few indexed counts)."""

    def count(*conditions: ColumnElement[bool]) -> int:
        return int(
            session.scalar(select(func.count()).select_from(ReviewRow).where(*conditions)) or 0
        )

    pending = ReviewRow.status == "pending"
    alive = ReviewRow.failure_code.is_(None)
    status = session.get(RelayStatusRow, 1)
    unsent = ReviewRow.sent_tx_hash.is_(None)
    return RelayQueue(
        pending=count(pending, alive, unsent, ReviewRow.next_attempt_at <= now),
        in_flight=count(pending, alive, ReviewRow.sent_tx_hash.is_not(None)),
        waiting=count(pending, alive, unsent, ReviewRow.next_attempt_at > now),
        failed=count(ReviewRow.failure_code.is_not(None)),
        not_final=count(ReviewRow.status == "anchored", ReviewRow.final.is_(False)),
        problem=status.problem if status else None,
        checked_at=status.checked_at if status else None,
    )
