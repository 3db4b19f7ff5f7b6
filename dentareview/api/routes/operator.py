"""The operator's pages: who is signed in, queue health, and recording the dentists the
admin wallet registered or deactivated on-chain (verified against the registry)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from dentareview.api.bounds import PageOffset, PageSize
from dentareview.api.deps import DbSession, State
from dentareview.api.openapi import MALFORMED_BODY, error_responses
from dentareview.api.routes.moderation import Operator
from dentareview.api.schemas import Strict
from dentareview.services.operator import queue_health, record_deactivated, record_registered
from dentareview.services.practice_names import NameDecisionView, name_decisions, rename_practice
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


# Bounds on what is read at all; the name's and the reason's own rules (and their codes)
# are the domain's (domain/practice_names.py).
_TEXT_READ_MAX = 1000
_NAME_CODES = (
    "NAME_BIDI_CONTROL",
    "NAME_CONTROL_CHARACTERS",
    "NAME_UNUSABLE_CHARACTERS",
    "NAME_INVISIBLE_CHARACTERS",
    "NAME_MARKUP",
    "NAME_BLANK",
    "NAME_TOO_LONG",
    "NAME_MIXED_SCRIPT",
    "NAME_CONFUSABLE",
)


class DentistRecordIn(Strict):
    address: Annotated[str, Field(max_length=42, description="the dentist's wallet")]
    name: Annotated[
        str,
        Field(
            min_length=1,
            max_length=_TEXT_READ_MAX,
            description="the practice's name: stored as NFC, at most 200 characters",
        ),
    ]


class NameChangeIn(Strict):
    name: Annotated[str, Field(max_length=_TEXT_READ_MAX, description="the new name")]
    reason: Annotated[
        str,
        Field(max_length=_TEXT_READ_MAX, description="why, in plain text (1-500 characters)"),
    ]


class NameDecisionOut(BaseModel):
    id: int
    dentist: str
    oldName: str
    newName: str
    reason: str
    decidedBy: str = Field(description="the operator's wallet, or the CLI's admin account")
    channel: str = Field(description="operator (the API) or cli")
    decidedAt: int


def _decision_out(view: NameDecisionView) -> NameDecisionOut:
    return NameDecisionOut(
        id=view.id,
        dentist=view.dentist,
        oldName=view.old_name,
        newName=view.new_name,
        reason=view.reason,
        decidedBy=view.decided_by,
        channel=view.channel,
        decidedAt=view.decided_at,
    )


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
            *_GATE,
            "VALIDATION_ERROR",
            *_NAME_CODES,
            "RENAME_REQUIRES_REASON",
            "DENTIST_NOT_ON_CHAIN",
            "CHAIN_UNAVAILABLE",
            "NOT_DEPLOYED",
        ),
    },
)
def post_dentist(
    body: DentistRecordIn, _operator: Operator, state: State, session: DbSession
) -> DentistRecordOut:
    """Record a dentist the admin wallet registered on-chain: the service reads the
    registry and refuses (DENTIST_NOT_ON_CHAIN) unless it shows the dentist active. A
    recorded dentist keeps its name: another one is refused (RENAME_REQUIRES_REASON)."""
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


@router.post(
    "/v1/operator/dentists/{address}/name",
    response_model=NameDecisionOut,
    status_code=201,
    responses={
        **MALFORMED_BODY,
        **error_responses(
            *_GATE,
            "VALIDATION_ERROR",
            *_NAME_CODES,
            "RENAME_REASON_INVALID",
            "NAME_UNCHANGED",
            "DENTIST_NOT_FOUND",
        ),
    },
)
def post_name(
    address: str, body: NameChangeIn, operator_wallet: Operator, state: State, session: DbSession
) -> NameDecisionOut:
    """Rename a practice: recorded with the operator's wallet, the time, the old and the
    new name and the reason, all listed at GET /v1/operator/name-decisions."""
    decision = rename_practice(
        session,
        address=address,
        name=body.name,
        reason=body.reason,
        decided_by=operator_wallet,
        channel="operator",
        now=state.clock(),
    )
    session.commit()
    return _decision_out(decision)


@router.get(
    "/v1/operator/name-decisions",
    response_model=list[NameDecisionOut],
    responses=error_responses(*_GATE, "VALIDATION_ERROR"),
)
def get_name_decisions(
    _operator: Operator,
    session: DbSession,
    response: Response,
    limit: PageSize = 50,
    offset: PageOffset = 0,
) -> list[NameDecisionOut]:
    """Practices' name changes, newest first: who, when, old name, new name, why."""
    response.headers["Cache-Control"] = "no-store"
    return [_decision_out(v) for v in name_decisions(session, limit=limit, offset=offset)]
