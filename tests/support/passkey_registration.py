"""Registrations ("none" attestation) of a software passkey, as a platform authenticator
makes them at `navigator.credentials.create()`: for API tests that send the malformed,
replayed or foreign registrations a browser never would. The browser tests use Chromium's
virtual authenticator instead."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import cbor2
from webauthn.helpers import bytes_to_base64url

from tests.support.passkey import SoftPasskey

UP, UV, AT = 0x01, 0x04, 0x40


def credential_id(passkey: SoftPasskey) -> bytes:
    """A credential id of the passkey's own (16 bytes derived from its key)."""
    return hashlib.sha256(passkey.key.qx + passkey.key.qy).digest()[:16]


def registration(
    passkey: SoftPasskey,
    challenge: str,
    *,
    rp_id: str | None = None,
    origin: str | None = None,
    user_verified: bool = True,
    algorithm: int = -7,
) -> dict[str, Any]:
    """PublicKeyCredential.toJSON() of the passkey's registration for `challenge`."""
    key = passkey.key
    cose = cbor2.dumps({1: 2, 3: algorithm, -1: 1, -2: key.qx, -3: key.qy})
    raw_id = credential_id(passkey)
    auth_data = (
        hashlib.sha256((rp_id or passkey.rp_id).encode()).digest()
        + bytes([UP | AT | (UV if user_verified else 0)])
        + (0).to_bytes(4, "big")
        + bytes(16)  # AAGUID: none
        + len(raw_id).to_bytes(2, "big")
        + raw_id
        + cose
    )
    client_data = {
        "type": "webauthn.create",
        "challenge": challenge,
        "origin": origin or passkey.origin,
        "crossOrigin": False,
    }
    attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
    return {
        "id": bytes_to_base64url(raw_id),
        "rawId": bytes_to_base64url(raw_id),
        "type": "public-key",
        "response": {
            "clientDataJSON": bytes_to_base64url(
                json.dumps(client_data, separators=(",", ":")).encode()
            ),
            "attestationObject": bytes_to_base64url(attestation),
            "transports": ["internal"],
        },
        "clientExtensionResults": {},
    }
