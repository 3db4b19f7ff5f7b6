"""Passkey patients: a practice's check-in code, a passkey registered at check-in (its
P-256 key controls a smart account whose address is known before any deployment), and
the check-ins reception matches patients by.

The WebAuthn data is parsed and verified by the `webauthn` library (CBOR, COSE, client
data): nothing here reads those formats by hand.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

from sqlalchemy.orm import Session
from webauthn import verify_registration_response
from webauthn.helpers import (
    bytes_to_base64url,
    decode_credential_public_key,
    parse_attestation_object,
    parse_client_data_json,
    parse_registration_credential_json,
)
from webauthn.helpers.cose import COSEAlgorithmIdentifier
from webauthn.helpers.decode_credential_public_key import DecodedEC2PublicKey
from webauthn.helpers.exceptions import WebAuthnException

from dentareview.db.queries.auth import consume_nonce, insert_nonce
from dentareview.db.queries.passkeys import (
    checkins_since,
    code_of_practice,
    credential_by_id,
    credential_of_account,
    insert_checkin,
    insert_credential,
    insert_practice_code,
    practice_of_code,
)
from dentareview.domain.siwe import accepted_origins
from dentareview.errors import (
    CheckinNotFound,
    DentistInactive,
    PasskeyAlreadyRegistered,
    PasskeyChallengeUnknown,
    PasskeyNotFound,
    PasskeyOriginMismatch,
    PasskeyRegistrationInvalid,
)

# Letters and digits nobody misreads at a reception desk (no 0/O, 1/I/L, 5/S, 2/Z, 8/B).
_ALPHABET: Final = "ACDEFGHJKMNPQRTUVWXY34679"
# Stored among the sign-in nonces; the prefix keeps a passkey challenge from ever being
# taken for a SIWE nonce (those are letters and digits only) and the reverse.
_CHALLENGE_PREFIX: Final = "pk:"
_LOOPBACK: Final = frozenset({"127.0.0.1", "localhost", "::1"})

AccountOf = Callable[[bytes, bytes], str]  # (qx, qy) -> the passkey account's address


@dataclass(frozen=True)
class RelyingParty:
    """Who passkeys are made for: the RP ID (a host name, never an IP address) and the
    origins the pages are served from."""

    rp_id: str
    origins: tuple[str, ...]

    @classmethod
    def of(cls, public_url: str) -> RelyingParty:
        host = urlsplit(public_url).hostname or ""
        # WebAuthn refuses an IP address as RP ID: a loopback service is "localhost".
        rp_id = "localhost" if host in _LOOPBACK else host
        return cls(rp_id=rp_id, origins=accepted_origins(public_url))


@dataclass(frozen=True)
class Practice:
    address: str
    name: str
    code: str


@dataclass(frozen=True)
class Registered:
    account: str
    credential_id: str
    checkin_code: str
    practice: Practice


@dataclass(frozen=True)
class Passkey:
    account: str
    credential_id: str
    qx: str
    qy: str


@dataclass(frozen=True)
class Checkin:
    code: str
    account: str
    checked_in_at: int


def _code(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def practice_code(session: Session, *, dentist: str, now: int) -> str:
    """The practice's check-in code, made on first use and kept."""
    code = code_of_practice(session, dentist)
    if code is None:
        code = _code(8)
        insert_practice_code(session, dentist=dentist, code=code, now=now)
    return code


def practice_by_code(session: Session, code: str) -> Practice:
    row = practice_of_code(session, code.upper())
    if row is None:
        raise CheckinNotFound(field="code")
    if not row.active:
        raise DentistInactive("this practice is not taking check-ins at the moment")
    return Practice(address=row.address, name=row.name, code=code.upper())


def issue_challenge(session: Session, *, now: int, ttl_seconds: int) -> str:
    """A fresh single-use WebAuthn challenge (32 random bytes, base64url)."""
    challenge = bytes_to_base64url(secrets.token_bytes(32))
    insert_nonce(
        session, nonce=_CHALLENGE_PREFIX + challenge, now=now, expires_at=now + ttl_seconds
    )
    return challenge


def _registration(credential: dict[str, Any]) -> Any:
    try:
        return parse_registration_credential_json(credential)
    except (WebAuthnException, ValueError, TypeError, KeyError) as error:
        raise PasskeyRegistrationInvalid(field="credential") from error


def register_passkey(
    session: Session,
    *,
    practice_code_: str,
    credential: dict[str, Any],
    relying_party: RelyingParty,
    account_of: AccountOf,
    now: int,
) -> Registered:
    """Verify a passkey made at check-in, store it and check the patient in.

    Checked in this order, each with its own code: the practice, the credential's shape,
    the site it was made for (origin, RP ID), its attestation (user verification, ES256),
    then the challenge is spent, last, so a mistaken request does not cost a new one.
    """
    practice = practice_by_code(session, practice_code_)
    parsed = _registration(credential)
    try:
        client_data = parse_client_data_json(parsed.response.client_data_json)
        auth_data = parse_attestation_object(parsed.response.attestation_object).auth_data
    except (WebAuthnException, ValueError, TypeError, KeyError) as error:
        raise PasskeyRegistrationInvalid(field="credential") from error
    if client_data.origin not in relying_party.origins or (
        auth_data.rp_id_hash != hashlib.sha256(relying_party.rp_id.encode()).digest()
    ):
        raise PasskeyOriginMismatch(field="credential")
    try:
        verified = verify_registration_response(
            credential=parsed,
            expected_challenge=client_data.challenge,
            expected_rp_id=relying_party.rp_id,
            expected_origin=list(relying_party.origins),
            require_user_verification=True,
            supported_pub_key_algs=[COSEAlgorithmIdentifier.ECDSA_SHA_256],
        )
        key = decode_credential_public_key(verified.credential_public_key)
    except (WebAuthnException, ValueError, TypeError, KeyError) as error:
        raise PasskeyRegistrationInvalid(field="credential") from error
    if not isinstance(key, DecodedEC2PublicKey) or len(key.x) != 32 or len(key.y) != 32:
        raise PasskeyRegistrationInvalid("the passkey's key is not a P-256 key", field="credential")
    credential_id = bytes_to_base64url(verified.credential_id)
    if credential_by_id(session, credential_id) is not None:
        raise PasskeyAlreadyRegistered(field="credential")
    challenge = _CHALLENGE_PREFIX + bytes_to_base64url(client_data.challenge)
    if not consume_nonce(session, nonce=challenge, now=now):
        raise PasskeyChallengeUnknown(field="credential")
    account = account_of(key.x, key.y)
    insert_credential(
        session,
        credential_id=credential_id,
        account=account,
        qx="0x" + key.x.hex(),
        qy="0x" + key.y.hex(),
        now=now,
    )
    code = checkin(session, dentist=practice.address, account=account, now=now)
    return Registered(account, credential_id, code, practice)


def checkin(session: Session, *, dentist: str, account: str, now: int) -> str:
    """Record the account at the practice; the short code the patient shows at reception."""
    code = f"{_code(3)}-{_code(3)}"
    insert_checkin(session, dentist=dentist, account=account, code=code, now=now)
    return code


def checkins_today(session: Session, *, dentist: str, now: int, hours: int = 24) -> list[Checkin]:
    """The practice's check-ins of the last `hours`, newest first."""
    rows = checkins_since(session, dentist=dentist, since=now - hours * 3600)
    return [Checkin(code=r.code, account=r.account, checked_in_at=r.created_at) for r in rows]


def passkey_of_account(session: Session, account: str) -> Passkey:
    row = credential_of_account(session, account)
    if row is None:
        raise PasskeyNotFound(field="account")
    return Passkey(row.account, row.credential_id, row.qx, row.qy)


def passkey_of_credential(session: Session, credential_id: str) -> Passkey:
    row = credential_by_id(session, credential_id)
    if row is None:
        raise PasskeyNotFound(field="credentialId")
    return Passkey(row.account, row.credential_id, row.qx, row.qy)
