"""A patient's rewards."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy.orm import Session

from dentareview.api.auth import SignedInWallet
from dentareview.api.deps import AppState, DbSession, State
from dentareview.api.openapi import error_responses
from dentareview.api.schemas import PatientRewardsOut, RewardItemOut
from dentareview.domain.models import parse_address
from dentareview.errors import Forbidden
from dentareview.services.rewards import rewards_of

router = APIRouter(tags=["patients"])


@router.get(
    "/v1/patients/{address}/rewards",
    response_model=PatientRewardsOut,
    responses=error_responses("NOT_SIGNED_IN", "FORBIDDEN", "VALIDATION_ERROR"),
)
def get_rewards(
    address: str, wallet: SignedInWallet, state: State, session: DbSession
) -> PatientRewardsOut:
    """Rewards earned (paid + pending + queued under the daily cap) and the on-chain balance.
    Only for the wallet itself, signed in with Sign-In with Ethereum."""
    patient = parse_address(address, "address")
    if patient != wallet.wallet:
        raise Forbidden("a patient's rewards are shown to that patient's wallet only")
    return rewards_out(state, session, patient=patient)


def rewards_out(state: AppState, session: Session, *, patient: str) -> PatientRewardsOut:
    found = rewards_of(session, state.gateway, patient=patient)
    return PatientRewardsOut(
        patient=found.patient,
        earned=str(found.earned),
        paid=str(found.paid),
        pending=str(found.pending),
        queued=str(found.queued),
        onChainBalance=None if found.on_chain_balance is None else str(found.on_chain_balance),
        items=[
            RewardItemOut(
                reviewId=item.review_id,
                amount=str(item.amount),
                status=item.status,
                txHash=item.tx_hash,
            )
            for item in found.items
        ],
    )
