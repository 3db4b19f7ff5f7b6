"""Sign-In with Ethereum (EIP-4361): nonces, sign-in, sessions, sign-out.

The session id is 32 random bytes handed to the browser in an HttpOnly cookie; the
database keeps only its SHA-256, so a copy of the database lets nobody sign in.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy.orm import Session

from dentareview.db.queries.auth import (
    consume_nonce,
    delete_session,
    get_live_session,
    insert_nonce,
    insert_session,
)
from dentareview.domain.siwe import (
    SiweExpectations,
    check_siwe,
    parse_siwe,
    personal_message_digest,
    siwe_signer,
)
from dentareview.domain.typed_data import SIGNATURE_LENGTH
from dentareview.errors import NotSignedIn, SiweNonceUnknown, SiweSignatureMismatch
from dentareview.services.signatures import ContractAccounts, signed_by


@dataclass(frozen=True)
class IssuedNonce:
    nonce: str
    issued_at: int
    expires_at: int


@dataclass(frozen=True)
class WalletSession:
    wallet: str
    issued_at: int
    expires_at: int


@dataclass(frozen=True)
class SignedIn:
    session_id: str  # for the cookie only: never stored, logged or shown again
    session: WalletSession


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def issue_nonce(session: Session, *, now: int, ttl_seconds: int) -> IssuedNonce:
    nonce = secrets.token_hex(16)  # 128 bits, letters and digits as EIP-4361 asks
    insert_nonce(session, nonce=nonce, now=now, expires_at=now + ttl_seconds)
    return IssuedNonce(nonce=nonce, issued_at=now, expires_at=now + ttl_seconds)


def sign_in(
    session: Session,
    *,
    message: str,
    signature: bytes,
    expected: SiweExpectations,
    now: int,
    session_ttl_seconds: int,
    contracts: ContractAccounts | None = None,
) -> SignedIn:
    """Check the message and its signature, spend its nonce, open a session.

    A smart account (a passkey account, deployed or not) signs in through the same
    checker as its reviews: ERC-1271, or ERC-6492 before deployment.
    The nonce is spent only once everything else holds, so a mistyped message does not
    cost the user a fresh nonce; a replay finds it gone.
    """
    parsed = parse_siwe(message)
    check_siwe(parsed, expected, now=now)
    if len(signature) == SIGNATURE_LENGTH:
        siwe_signer(message, signature)  # a malformed r‖s‖v is INVALID_SIGNATURE
    signed, recovered = signed_by(
        parsed.address, personal_message_digest(message), signature, contracts
    )
    if not signed:
        by = f"by {recovered}" if recovered is not None else "by no one"
        raise SiweSignatureMismatch(
            f"the signature is {by}, not by the message's address {parsed.address}",
            field="signature",
        )
    signer = parsed.address
    if not consume_nonce(session, nonce=parsed.nonce, now=now):
        raise SiweNonceUnknown("the nonce is unknown, already used or expired: ask for a new one")
    expires_at = now + session_ttl_seconds
    if parsed.expiration_time is not None:
        expires_at = min(expires_at, int(parsed.expiration_time.timestamp()))
    session_id = secrets.token_urlsafe(32)
    insert_session(
        session, id_hash=_hash(session_id), wallet=signer, now=now, expires_at=expires_at
    )
    return SignedIn(session_id, WalletSession(wallet=signer, issued_at=now, expires_at=expires_at))


def current_session(session: Session, *, session_id: str | None, now: int) -> WalletSession:
    """The live session behind a cookie; NotSignedIn when there is none."""
    if session_id:
        row = get_live_session(session, id_hash=_hash(session_id), now=now)
        if row is not None:
            return WalletSession(
                wallet=row.wallet, issued_at=row.created_at, expires_at=row.expires_at
            )
    raise NotSignedIn()


def sign_out(session: Session, *, session_id: str | None) -> None:
    if session_id:
        delete_session(session, id_hash=_hash(session_id))
