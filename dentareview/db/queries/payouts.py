"""Batch mode: aggregate reward payouts, written ahead of their transaction."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dentareview.db.models import PayoutRow, ReviewRow, RewardPaymentRow
from dentareview.db.queries._write import add_unique, get_or_raise


def payable_rewards(
    session: Session, *, anchored_before: int | None = None
) -> list[RewardPaymentRow]:
    """Pending rewards of batch-anchored reviews in no payout yet, oldest review first.

    With `anchored_before`, only those of reviews anchored before that time.
    """
    stmt = (
        select(RewardPaymentRow)
        .join(ReviewRow, ReviewRow.id == RewardPaymentRow.review_id)
        .where(
            RewardPaymentRow.status == "pending",
            RewardPaymentRow.payout_id.is_(None),
            ReviewRow.status == "anchored",
            ReviewRow.batch_id.is_not(None),
        )
        .order_by(ReviewRow.anchored_at, RewardPaymentRow.id)
    )
    if anchored_before is not None:
        stmt = stmt.where(ReviewRow.anchored_at < anchored_before)
    return list(session.scalars(stmt))


def insert_payout(
    session: Session, *, payout_key: str, recipients: int, total: int, now: int
) -> PayoutRow:
    """Raises DuplicateKey (PAYOUT_KEY_EXISTS) if the key was used before."""
    row = PayoutRow(
        payout_key=payout_key,
        recipients=recipients,
        total=total,
        status="built",
        created_at=now,
        attempts=0,
    )
    return add_unique(session, row)


def assign_payout(session: Session, *, payout_id: int, payment_ids: Sequence[int]) -> None:
    """Attach reward payments to the payout; each only if it is in no payout yet."""
    for payment_id in payment_ids:
        result = session.execute(
            update(RewardPaymentRow)
            .where(RewardPaymentRow.id == payment_id, RewardPaymentRow.payout_id.is_(None))
            .values(payout_id=payout_id)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise ValueError(f"reward payment {payment_id} is already in a payout")
    session.expire_all()


def payout_payments(session: Session, *, payout_id: int) -> list[RewardPaymentRow]:
    stmt = (
        select(RewardPaymentRow)
        .where(RewardPaymentRow.payout_id == payout_id)
        .order_by(RewardPaymentRow.id)
    )
    return list(session.scalars(stmt))






def unsettled_payouts(session: Session) -> list[PayoutRow]:
    stmt = (
        select(PayoutRow)
        .where(PayoutRow.status == "built")
        .order_by(PayoutRow.id)
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(stmt))


def mark_payout_paid(
    session: Session,
    *,
    payout_id: int,
    tx_hash: str,
    block_number: int,
    paid_at: int,
    block_hash: str | None = None,
) -> PayoutRow:
    """Record the confirmed payout and mark each of its reward payments paid by it."""
    row = get_or_raise(session, PayoutRow, payout_id)
    row.status = "paid"
    row.tx_hash = tx_hash
    row.block_number = block_number
    row.paid_at = paid_at
    row.block_hash = block_hash
    row.final = False
    row.sent_tx_hash = None
    row.sent_nonce = None
    session.flush()  # the row's changes first: expire_all below would drop them
    session.execute(
        update(RewardPaymentRow)
        .where(RewardPaymentRow.payout_id == payout_id)
        .values(status="paid", tx_hash=tx_hash, paid_at=paid_at)
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
    return row


def paid_unfinal_payouts(session: Session) -> list[PayoutRow]:
    stmt = (
        select(PayoutRow)
        .where(PayoutRow.status == "paid", PayoutRow.final.is_(False))
        .order_by(PayoutRow.id)
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(stmt))




def unpay_payout(session: Session, *, payout_id: int, dropped_tx: str) -> None:
    """A reorg dropped the payout's block: built again under the same payout id (so the
    registry still pays it once), its payments pending, the dropped transaction noted."""
    row = get_or_raise(session, PayoutRow, payout_id)
    row.status = "built"
    row.tx_hash = None
    row.block_number = None
    row.block_hash = None
    row.paid_at = None
    row.final = False
    row.sent_tx_hash = dropped_tx
    row.replace_at = 0
    session.flush()
    session.execute(
        update(RewardPaymentRow)
        .where(RewardPaymentRow.payout_id == payout_id)
        .values(status="pending", tx_hash=None, paid_at=None)
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
