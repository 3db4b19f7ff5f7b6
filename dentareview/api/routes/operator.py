"""The operator's pages: who is signed in, queue health, and recording the dentists the
admin wallet registered or deactivated on-chain (verified against the registry)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from dentareview.api.bounds import NO_CONTROL_CHARACTERS
from dentareview.api.deps import DbSession, State
from dentareview.api.openapi import MALFORMED_BODY, error_responses
from dentareview.api.routes.moderation import Operator
from dentareview.api.schemas import Strict
from dentareview.services.operator import queue_health, record_deactivated, record_registered
from dentareview.services.views import DentistView

router = APIRouter(tags=["operator"])

_GATE = ("NOT_SIGNED_IN", "NOT_AN_OPERATOR")


class OperatorOut(BaseModel):
    address: str = Field(description="the signed-in operator's wallet")


class LastAnchorOut(BaseModel):
    blockNumber: int
    anchoredAt: int = Field(description="the block's timestamp")
    txHash: str


class QueueHealthOut(BaseModel):
    pending: int = Field(description="reviews due to be sent")
    inFlight: int = Field(description="sent, awaiting a receipt")
    waiting: int = Field(description="waiting for a later attempt (backoff)")
    failed: int = Field(description="reviews that can never be anchored (they stay published)")
    notFinal: int = Field(description="anchored, not final yet")
    problem: str | None = Field(description="the relay's last word, if it is waiting on something")
    checkedAt: int | None
    lastAnchor: LastAnchorOut | None
    feesWei: str = Field(
        description="sum of gasUsed × effectiveGasPrice over the relay's mined transactions, "
        "in wei (a decimal string)"
    )
    feeTransactions: int = Field(description="mined relay transactions counted in feesWei")
    uncountedTransactions: int = Field(
        description="mined relay transactions whose receipt could not be read yet"
    )


class DentistRecordIn(Strict):
    address: Annotated[str, Field(max_length=42, description="the dentist's wallet")]
    name: Annotated[
        str,
        Field(min_length=1, max_length=200, pattern=NO_CONTROL_CHARACTERS),
    ]


class DentistRecordOut(BaseModel):
    address: str
    name: str
    active: bool


def _dentist_out(row: DentistView) -> DentistRecordOut:
    return DentistRecordOut(address=row.address, name=row.name, active=row.active)


@router.get("/v1/operator", response_model=OperatorOut, responses=error_responses(*_GATE))
def get_operator(operator_wallet: Operator) -> OperatorOut:
    """The signed-in wallet, if it is one of the operators (DENTAREVIEW_OPERATOR_ADDRESSES)."""
    return OperatorOut(address=operator_wallet)


@router.get("/v1/operator/queue", response_model=QueueHealthOut, responses=error_responses(*_GATE))
def get_queue(
    _operator: Operator, state: State, session: DbSession, response: Response
) -> QueueHealthOut:
    """Queue health: the relay's counts, its last anchor and the fees it paid."""
    found = queue_health(session, gateway=state.gateway, now=state.clock())
    session.commit()  # the fees read from receipts are kept
    response.headers["Cache-Control"] = "no-store"
    last = found.last_anchor
    return QueueHealthOut(
        pending=found.pending,
        inFlight=found.in_flight,
        waiting=found.waiting,
        failed=found.failed,
        notFinal=found.not_final,
        problem=found.problem,
        checkedAt=found.checked_at,
        lastAnchor=LastAnchorOut(
            blockNumber=last.block_number, anchoredAt=last.anchored_at, txHash=last.tx_hash
        )
        if last
        else None,
        feesWei=str(found.fees_wei),
        feeTransactions=found.fee_transactions,
        uncountedTransactions=found.uncounted_transactions,
    )


@router.post(
    "/v1/operator/dentists",
    response_model=DentistRecordOut,
    responses={
        **MALFORMED_BODY,
        **error_responses(
            *_GATE, "VALIDATION_ERROR", "DENTIST_NOT_ON_CHAIN", "CHAIN_UNAVAILABLE", "NOT_DEPLOYED"
        ),
    },
)
def post_dentist(
    body: DentistRecordIn, _operator: Operator, state: State, session: DbSession
) -> DentistRecordOut:
    """Record a dentist the admin wallet registered on-chain: the service reads the
    registry and refuses (DENTIST_NOT_ON_CHAIN) unless it shows the dentist active."""
    row = record_registered(
        session, gateway=state.gateway, address=body.address, name=body.name, now=state.clock()
    )
    session.commit()
    return _dentist_out(row)


@router.post(
    "/v1/operator/dentists/{address}/deactivation",
    response_model=DentistRecordOut,
    responses={
        **MALFORMED_BODY,
        **error_responses(
            *_GATE,
            "VALIDATION_ERROR",
            "DENTIST_NOT_FOUND",
            "DENTIST_STILL_ACTIVE_ON_CHAIN",
            "CHAIN_UNAVAILABLE",
            "NOT_DEPLOYED",
        ),
    },
)
def post_deactivation(
    address: str, _operator: Operator, state: State, session: DbSession
) -> DentistRecordOut:
    """Record a deactivation the admin wallet sent: refused while the registry still
    shows the dentist active."""
    row = record_deactivated(session, gateway=state.gateway, address=address, now=state.clock())
    session.commit()
    return _dentist_out(row)
