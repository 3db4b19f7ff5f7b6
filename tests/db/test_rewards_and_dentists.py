"""Reward payments (exact uint256 amounts) and the dentist mirror."""

from __future__ import annotations

from typing import Literal

from sqlalchemy.orm import Session

from dentareview.db.queries.dentists import get_dentist, set_dentist_active, upsert_dentist
from dentareview.db.queries.rewards import (
    RewardSummary,
    insert_reward_payment,
    patient_reward_summary,
    patient_rewards,
)
from tests.db.helpers import add_dentist, add_review, address

TEN_TOKENS = 10 * 10**18  # above 2**63: SQLite integers could not hold it
MAX_UINT256 = 2**256 - 1


def test_payments_keep_exact_amounts_and_sum_by_status(session: Session) -> None:
    dentist, patient = add_dentist(session), address(1)
    statuses: list[Literal["paid", "queued", "pending"]] = ["paid", "queued", "pending", "pending"]
    for created_at, status in enumerate(statuses):
        review = add_review(session, dentist=dentist, patient=patient)
        insert_reward_payment(
            session,
            review_id=review.id,
            patient=patient,
            amount=TEN_TOKENS + created_at,
            status=status,
            now=created_at,
        )
    review = add_review(session, dentist=dentist, patient=address(2))
    insert_reward_payment(
        session, review_id=review.id, patient=address(2), amount=MAX_UINT256, status="paid", now=9
    )
    session.commit()
    session.expire_all()

    assert [p.amount for p in patient_rewards(session, patient=patient)] == [
        TEN_TOKENS + 3,
        TEN_TOKENS + 2,
        TEN_TOKENS + 1,
        TEN_TOKENS,
    ]
    assert patient_reward_summary(session, patient=patient) == RewardSummary(
        earned=4 * TEN_TOKENS + 6,
        paid=TEN_TOKENS,
        pending=2 * TEN_TOKENS + 5,
        queued=TEN_TOKENS + 1,
    )
    assert patient_rewards(session, patient=address(2))[0].amount == MAX_UINT256
    assert patient_reward_summary(session, patient=address(3)) == RewardSummary(0, 0, 0, 0)


def test_upsert_keeps_first_registration_time(session: Session) -> None:
    dentist = address(0xD1)
    upsert_dentist(session, address=dentist, name="Old name", active=True, now=100)
    set_dentist_active(session, address=dentist, active=False, now=150)
    row = upsert_dentist(session, address=dentist, name="New name", active=True, now=200)
    session.commit()
    assert (row.name, row.active, row.registered_at, row.updated_at) == (
        "New name",
        True,
        100,
        200,
    )
    assert get_dentist(session, address=address(0xD2)) is None
