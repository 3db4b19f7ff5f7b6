"""Sign-In with Ethereum (EIP-4361): nonce, sign-in, who am I, sign-out."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request, Response, status
from pydantic import BaseModel, Field

from dentareview.api.auth import (
    OPTIONAL_SESSION,
    SessionId,
    SignedInWallet,
    clear_session_cookie,
    set_session_cookie,
)
from dentareview.api.deps import AppState, DbSession, State
from dentareview.api.openapi import error_responses
from dentareview.api.ratelimit import check_client_ip
from dentareview.api.schemas import Strict
from dentareview.domain.siwe import VERSION, SiweExpectations, accepted_origins
from dentareview.domain.typed_data import (
    MAX_CONTRACT_SIGNATURE_BYTES,
    parse_signature,
    parse_wallet_signature,
)
from dentareview.errors import NotSignedIn
from dentareview.services.auth import (
    WalletSession,
    current_session,
    issue_nonce,
    sign_in,
    sign_out,
)

router = APIRouter(tags=["sign-in"])


class NonceOut(BaseModel):
    nonce: str = Field(description="single use; put it in the message's Nonce line")
    issuedAt: int
    expiresAt: int = Field(description="unix seconds; sign in before then")
    domain: str = Field(description="the message's domain (this service's host)")
    uri: str = Field(description="a URI the message may name (this service's origin)")
    chainId: int
    version: str


class SiweIn(Strict):
    message: Annotated[str, Field(max_length=4096, description="the EIP-4361 message text")]
    signature: Annotated[
        str,
        Field(
            max_length=2 + 2 * MAX_CONTRACT_SIGNATURE_BYTES,
            description="personal_sign of the message, 0x-hex (a smart account's: ERC-1271)",
        ),
    ]


class SessionOut(BaseModel):
    address: str = Field(description="the signed-in wallet")
    issuedAt: int
    expiresAt: int


def _limit_nonces(request: Request) -> None:
    """Nonces are stored: a client address gets them at the write rate, no faster."""
    check_client_ip(request)


def _expectations(state: AppState) -> SiweExpectations:
    settings = state.settings
    return SiweExpectations(
        origins=accepted_origins(settings.public_url),
        chain_id=state.domain().chain_id,
        max_age_seconds=settings.siwe_nonce_ttl_seconds,
    )


def _session_out(found: WalletSession) -> SessionOut:
    return SessionOut(address=found.wallet, issuedAt=found.issued_at, expiresAt=found.expires_at)


@router.get(
    "/v1/auth/nonce",
    response_model=NonceOut,
    dependencies=[Depends(_limit_nonces)],
    responses=error_responses("RATE_LIMITED", "NOT_DEPLOYED"),
)
def get_nonce(state: State, session: DbSession, response: Response) -> NonceOut:
    """A fresh single-use nonce and the values a sign-in message must carry."""
    chain_id = state.domain().chain_id
    issued = issue_nonce(
        session, now=state.clock(), ttl_seconds=state.settings.siwe_nonce_ttl_seconds
    )
    session.commit()
    response.headers["Cache-Control"] = "no-store"
    origin = accepted_origins(state.settings.public_url)[0]
    return NonceOut(
        nonce=issued.nonce,
        issuedAt=issued.issued_at,
        expiresAt=issued.expires_at,
        domain=urlsplit(origin).netloc,
        uri=origin,
        chainId=chain_id,
        version=VERSION,
    )


@router.post(
    "/v1/auth/siwe",
    response_model=SessionOut,
    responses=error_responses(
        "VALIDATION_ERROR",
        "SIWE_INVALID",
        "INVALID_SIGNATURE",
        "SIWE_DOMAIN_MISMATCH",
        "SIWE_EXPIRED",
        "SIWE_SIGNATURE_MISMATCH",
        "SIWE_NONCE_UNKNOWN",
        "NOT_DEPLOYED",
    ),
)
def post_siwe(body: SiweIn, state: State, session: DbSession, response: Response) -> SessionOut:
    """Sign in with a wallet: the EIP-4361 message and its `personal_sign` signature.
    Sets the session cookie (HttpOnly, SameSite=Strict, Secure on https)."""
    now = state.clock()
    signed = sign_in(
        session,
        message=body.message,
        # Up to 65 bytes: a wallet's r‖s‖v, checked strictly; longer: a smart account's.
        signature=(
            parse_signature(body.signature, "signature")
            if len(body.signature) <= 2 + 2 * 65
            else parse_wallet_signature(body.signature, "signature")
        ),
        expected=_expectations(state),
        now=now,
        session_ttl_seconds=state.settings.session_ttl_seconds,
        contracts=state.gateway.contract_accounts(),
    )
    session.commit()
    set_session_cookie(
        response,
        state.settings,
        session_id=signed.session_id,
        max_age=signed.session.expires_at - now,
    )
    return _session_out(signed.session)


@router.get(
    "/v1/auth/session",
    response_model=SessionOut,
    responses=error_responses("NOT_SIGNED_IN"),
)
def get_session(wallet: SignedInWallet) -> SessionOut:
    """Who is signed in, and until when."""
    return _session_out(wallet)


class SessionStatusOut(BaseModel):
    signedIn: bool
    session: SessionOut | None = Field(description="the session, when signed in")


@router.get(
    "/v1/auth/status",
    response_model=SessionStatusOut,
    responses=error_responses("CROSS_SITE_REQUEST"),
    openapi_extra=OPTIONAL_SESSION,
)
def get_session_status(
    session_id: SessionId, state: State, session: DbSession, response: Response
) -> SessionStatusOut:
    """Whether anyone is signed in, 200 either way: how a page asks before it shows a
    sign-in button (GET /v1/auth/session answers 401 when signed out)."""
    response.headers["Cache-Control"] = "no-store"
    try:
        found = current_session(session, session_id=session_id, now=state.clock())
    except NotSignedIn:
        return SessionStatusOut(signedIn=False, session=None)
    return SessionStatusOut(signedIn=True, session=_session_out(found))


@router.post(
    "/v1/auth/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses("CROSS_SITE_REQUEST"),
    openapi_extra=OPTIONAL_SESSION,
)
def post_logout(session_id: SessionId, state: State, session: DbSession) -> Response:
    """End the session (if any) and clear its cookie; 204 whether or not one was open.
    Sent by another site's page, 403 CROSS_SITE_REQUEST: it cannot sign anyone out."""
    sign_out(session, session_id=session_id)
    session.commit()
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_session_cookie(response, state.settings)
    return response
