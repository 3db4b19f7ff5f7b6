"""A passkey patient sends their reward to any address, with a passkey signature."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from dentareview.api.auth import SignedInWallet
from dentareview.api.deps import DbSession, State
from dentareview.api.openapi import error_responses
from dentareview.api.schemas import Address, Signature, Strict, Uint64
from dentareview.db.models import RewardTransferRow
from dentareview.domain.reward_transfers import TransferRequest, checked_recipient
from dentareview.domain.typed_data import parse_wallet_signature
from dentareview.services.reward_transfers import recent_transfers, request_transfer

router = APIRouter(tags=["patients"])
PATH = "/v1/me/reward-transfers"


class TransferMessage(Strict):
    token: Address
    to: Address
    amount: int = Field(gt=0, lt=2**256, description="token units (18 decimals)")
    nonce: int = Field(ge=0, lt=2**63)
    deadline: Uint64


class TransferIn(Strict):
    message: TransferMessage = Field(
        description="the account's `Transfer`, in its own EIP-712 domain "
        '{name "DentaReview Passkey Account", version "1", chainId, verifyingContract: '
        "the account}"
    )
    signature: Signature


class TransferOut(BaseModel):
    id: int
    to: str
    amount: str = Field(description="token units, as a decimal string")
    status: Literal["pending", "done", "refused"]
    deploysAccount: bool
    createdAt: int
    doneAt: int | None
    txHash: str | None
    error: str | None = Field(description="why a refused transfer was refused")


def _out(row: RewardTransferRow) -> TransferOut:
    return TransferOut(
        id=row.id,
        to=row.recipient,
        amount=str(row.amount),
        status=row.status,
        deploysAccount=row.deploys,
        createdAt=row.created_at,
        doneAt=row.done_at,
        txHash=row.tx_hash,
        error=row.last_error if row.status == "refused" else None,
    )


@router.post(
    PATH,
    status_code=202,
    summary="Send the signed-in passkey account's reward to an address",
    responses=error_responses(
        "NOT_SIGNED_IN",
        "PASSKEY_NOT_FOUND",
        "TRANSFER_REJECTED",
        "TRANSFER_PENDING",
        "ACCOUNT_DEPLOYMENT_LIMIT",
        "INVALID_SIGNATURE",
        "CHAIN_UNAVAILABLE",
    ),
)
def post_transfer(
    body: TransferIn, wallet: SignedInWallet, state: State, session: DbSession
) -> TransferOut:
    message = body.message
    request = TransferRequest(
        token=message.token,
        recipient=checked_recipient(message.to),
        amount=message.amount,
        nonce=message.nonce,
        deadline=message.deadline,
        signature=parse_wallet_signature(body.signature),
    )
    row = request_transfer(
        session,
        state.gateway.deployment(),
        state.settings,
        account=wallet.wallet,
        request=request,
        now=state.clock(),
    )
    session.commit()
    return _out(row)


@router.get(
    PATH,
    summary="The signed-in passkey account's recent reward transfers",
    responses=error_responses("NOT_SIGNED_IN"),
)
def get_transfers(wallet: SignedInWallet, session: DbSession) -> list[TransferOut]:
    return [_out(row) for row in recent_transfers(session, account=wallet.wallet)]
