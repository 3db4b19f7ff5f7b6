"""A patient's rewards: earned, paid on-chain, and still pending or queued."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from dentareview.db.queries.rewards import patient_rewards
from dentareview.errors import DentaReviewError
from dentareview.services.chain_access import ChainGateway
from dentareview.services.views import PaymentView, payment_view


@dataclass(frozen=True)
class PatientRewards:
    patient: str
    earned: int
    paid: int
    pending: int
    queued: int
    on_chain_balance: int | None  # None while the chain is away
    items: list[PaymentView]


def rewards_of(session: Session, gateway: ChainGateway, *, patient: str) -> PatientRewards:
    items = patient_rewards(session, patient=patient)
    by_status = {"paid": 0, "pending": 0, "queued": 0}
    for item in items:
        by_status[item.status] += int(item.amount)
    return PatientRewards(
        patient=patient,
        earned=sum(by_status.values()),
        paid=by_status["paid"],
        pending=by_status["pending"],
        queued=by_status["queued"],
        on_chain_balance=_balance(gateway, patient),
        items=[payment_view(item) for item in items],
    )


def _balance(gateway: ChainGateway, patient: str) -> int | None:
    try:
        token = gateway.deployment().token
        return int(token.functions.balanceOf(patient).call())
    except DentaReviewError:
        return None
