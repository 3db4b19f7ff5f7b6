"""Visit-signing keys: authorise one (or revoke it) with a `VisitSigner` the dentist's
wallet signed, from the practice's page (signed in) or from a practice system (the
signature proves the dentist: `POST /v1/visit-signers`, rate limited as other writes);
list them on the page."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, Field

from dentareview.api.auth import SignedInWallet
from dentareview.api.deps import DbSession, State
from dentareview.api.openapi import error_responses
from dentareview.api.schemas import Strict
from dentareview.domain.typed_data import parse_address, parse_wallet_signature
from dentareview.services.visit_signers import (
    VisitKeyView,
    authorise_visit_signer,
    grant_from_wire,
    next_nonce,
    practice_visit_signers,
)

router = APIRouter(tags=["practice"])
# For practice systems: no session, the dentist's signature is the authority.
public_router = APIRouter(tags=["visits"])

_REFUSALS = ("NOT_SIGNED_IN", "NOT_A_DENTIST", "DENTIST_INACTIVE")


class VisitSignerMessage(Strict):
    signer: str = Field(max_length=42, description="the key's address")
    validUntil: int = Field(description="last visitedAt the key may attest; now or 0 revokes")
    nonce: int = Field(description="the dentist's next nonce (nextNonce)")


class SignedVisitSigner(Strict):
    message: VisitSignerMessage
    signature: str = Field(max_length=4200, description="the dentist's EIP-712 signature")


class DentistVisitSigner(SignedVisitSigner):
    dentist: str = Field(max_length=42, description="the dentist who signed the VisitSigner")


class NextNonceOut(BaseModel):
    nextNonce: int = Field(description="the nonce the dentist's next VisitSigner must carry")


class VisitKeyOut(BaseModel):
    signer: str
    status: str = Field(description="pending (waiting for the chain), active, revoked, ...")
    validUntil: int
    authorisedAt: int
    revokedAt: int | None
    txHash: str | None


class VisitKeysOut(BaseModel):
    keys: list[VisitKeyOut]
    nextNonce: int = Field(description="the nonce the next VisitSigner must carry")


def _out(view: VisitKeyView) -> VisitKeyOut:
    return VisitKeyOut(
        signer=view.signer,
        status=view.status,
        validUntil=view.valid_until,
        authorisedAt=view.authorised_at,
        revokedAt=view.revoked_at,
        txHash=view.tx_hash,
    )


@router.post(
    "/v1/practice/visit-signers",
    status_code=status.HTTP_201_CREATED,
    response_model=VisitKeyOut,
    responses=error_responses(
        *_REFUSALS,
        "CROSS_SITE_REQUEST",
        "VALIDATION_ERROR",
        "INVALID_SIGNATURE",
        "VISIT_SIGNER_NONCE",
        "VISIT_SIGNER_NOT_AVAILABLE",
    ),
)
def post_visit_signer(
    body: SignedVisitSigner, wallet: SignedInWallet, state: State, session: DbSession
) -> VisitKeyOut:
    """Authorise (or, with validUntil <= now, revoke at once) a visit-signing key with the
    dentist's signed `VisitSigner`; the worker puts it on-chain."""
    return _authorise(body, wallet.wallet, state, session)


def _authorise(
    body: SignedVisitSigner, dentist: str, state: State, session: DbSession
) -> VisitKeyOut:
    m = body.message
    view = authorise_visit_signer(
        session,
        domain=state.domain(),
        dentist=dentist,
        grant=grant_from_wire(m.signer, m.validUntil, m.nonce),
        signature=parse_wallet_signature(body.signature),
        now=state.clock(),
        contracts=state.gateway.contract_accounts(),
    )
    session.commit()
    return _out(view)


@public_router.post(
    "/v1/visit-signers",
    status_code=status.HTTP_201_CREATED,
    response_model=VisitKeyOut,
    responses=error_responses(
        "NOT_A_DENTIST",
        "DENTIST_INACTIVE",
        "VALIDATION_ERROR",
        "INVALID_SIGNATURE",
        "VISIT_SIGNER_NONCE",
        "VISIT_SIGNER_NOT_AVAILABLE",
    ),
)
def post_dentist_visit_signer(
    body: DentistVisitSigner, state: State, session: DbSession
) -> VisitKeyOut:
    """The same from a practice system (`dentareview visit-key authorize`): `dentist` names
    the wallet whose signature the VisitSigner must carry."""
    return _authorise(body, parse_address(body.dentist, "dentist"), state, session)


@public_router.get(
    "/v1/visit-signers/{address}/nonce",
    response_model=NextNonceOut,
    responses=error_responses("VALIDATION_ERROR", "NOT_A_DENTIST", "DENTIST_INACTIVE"),
)
def get_next_nonce(address: str, session: DbSession, response: Response) -> NextNonceOut:
    """The nonce the dentist's next VisitSigner must carry."""
    response.headers["Cache-Control"] = "no-store"
    return NextNonceOut(nextNonce=next_nonce(session, dentist=parse_address(address, "address")))


@router.get(
    "/v1/practice/visit-signers",
    response_model=VisitKeysOut,
    responses=error_responses(*_REFUSALS),
)
def get_visit_signers(
    wallet: SignedInWallet, state: State, session: DbSession, response: Response
) -> VisitKeysOut:
    """The practice's visit-signing keys, newest first, and the next nonce to sign."""
    views, next_nonce = practice_visit_signers(session, wallet=wallet.wallet, now=state.clock())
    response.headers["Cache-Control"] = "no-store"
    return VisitKeysOut(keys=[_out(v) for v in views], nextNonce=next_nonce)
