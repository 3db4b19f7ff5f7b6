"""Reward payments: one per rewardable review."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from dentareview.db.models import RewardPaymentRow
from dentareview.db.queries._write import add_unique


@dataclass(frozen=True)
class RewardSummary:
    earned: int  # paid + queued + pending
    paid: int
    pending: int
    queued: int


def insert_reward_payment(
    session: Session,
    *,
    review_id: int,
    patient: str,
    amount: int,
    status: Literal["pending", "paid", "queued"],
    now: int,
) -> RewardPaymentRow:
    """Raises DuplicateKey (PAYMENT_OF_REVIEW_EXISTS) if the review already has one."""
    row = RewardPaymentRow(
        review_id=review_id, patient=patient, amount=amount, status=status, created_at=now
    )
    return add_unique(session, row)


def get_reward_payment(session: Session, *, review_id: int) -> RewardPaymentRow | None:
    stmt = select(RewardPaymentRow).where(RewardPaymentRow.review_id == review_id)
    return session.scalars(stmt).one_or_none()


def patient_rewards(session: Session, *, patient: str) -> list[RewardPaymentRow]:
    """The patient's payments, newest first."""
    stmt = (
        select(RewardPaymentRow)
        .where(RewardPaymentRow.patient == patient)
        .order_by(RewardPaymentRow.created_at.desc(), RewardPaymentRow.id.desc())
    )
    return list(session.scalars(stmt))


def patient_reward_summary(session: Session, *, patient: str) -> RewardSummary:
    # Summed in Python: SQLite stores amounts as text (see TokenAmount), and SUM would
    # turn them into floats. A patient has few payments (a handful a month at most).
    stmt = select(RewardPaymentRow.status, RewardPaymentRow.amount).where(
        RewardPaymentRow.patient == patient
    )
    totals = {"paid": 0, "pending": 0, "queued": 0}
    for status, amount in session.execute(stmt):
        totals[status] += amount
    return RewardSummary(earned=sum(totals.values()), **totals)
