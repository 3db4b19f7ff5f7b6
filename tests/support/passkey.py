"""A software passkey: a P-256 key that answers WebAuthn `get` the way a platform
authenticator does (authenticator data with the relying party's hash and the UP/UV flags,
client data JSON with the base64url challenge, a DER ECDSA signature of both)."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from eth_account.messages import encode_typed_data
from eth_utils.crypto import keccak

from dentareview.chain.passkeys import PasskeyKey, encode_webauthn_signature

FLAG_UP = 0x01
FLAG_UV = 0x04


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class SoftPasskey:
    rp_id: str = "127.0.0.1"
    origin: str = "http://127.0.0.1:8000"
    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    sign_count: int = 0

    @property
    def key(self) -> PasskeyKey:
        numbers = self.private_key.public_key().public_numbers()
        return PasskeyKey(qx=numbers.x.to_bytes(32, "big"), qy=numbers.y.to_bytes(32, "big"))

    def assertion(
        self, challenge: bytes, *, user_verified: bool = True
    ) -> tuple[bytes, str, int, int]:
        """(authenticator data, client data JSON, r, s) of a `get` for `challenge`."""
        self.sign_count += 1
        flags = FLAG_UP | (FLAG_UV if user_verified else 0)
        authenticator_data = (
            hashlib.sha256(self.rp_id.encode()).digest()
            + bytes([flags])
            + self.sign_count.to_bytes(4, "big")
        )
        client_data_json = json.dumps(
            {
                "type": "webauthn.get",
                "challenge": b64url(challenge),
                "origin": self.origin,
                "crossOrigin": False,
            },
            separators=(",", ":"),
        )
        signed = authenticator_data + hashlib.sha256(client_data_json.encode()).digest()
        der = self.private_key.sign(signed, ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return authenticator_data, client_data_json, r, s

    def sign(self, digest: bytes, *, user_verified: bool = True) -> bytes:
        """The account's signature of a 32-byte digest (not wrapped for ERC-6492)."""
        authenticator_data, client_data_json, r, s = self.assertion(
            digest, user_verified=user_verified
        )
        return encode_webauthn_signature(
            r=r, s=s, authenticator_data=authenticator_data, client_data_json=client_data_json
        )


def typed_digest(full_message: dict[str, Any]) -> bytes:
    """The EIP-712 digest a wallet would sign for `full_message` (eth_signTypedData_v4's
    payload): what a passkey signs as its WebAuthn challenge."""
    signable = encode_typed_data(full_message=full_message)
    return keccak(b"\x19" + signable.version + signable.header + signable.body)


TRANSFER_TYPES: dict[str, list[dict[str, str]]] = {
    "EIP712Domain": [
        {"name": "name", "type": "string"},
        {"name": "version", "type": "string"},
        {"name": "chainId", "type": "uint256"},
        {"name": "verifyingContract", "type": "address"},
    ],
    "Transfer": [
        {"name": "token", "type": "address"},
        {"name": "to", "type": "address"},
        {"name": "amount", "type": "uint256"},
        {"name": "nonce", "type": "uint256"},
        {"name": "deadline", "type": "uint64"},
    ],
}


def transfer_digest(*, chain_id: int, account: str, message: dict[str, Any]) -> bytes:
    """The digest of a passkey account's `Transfer` in the account's own domain."""
    domain = {
        "name": "DentaReview Passkey Account",
        "version": "1",
        "chainId": chain_id,
        "verifyingContract": account,
    }
    return typed_digest(
        {"types": TRANSFER_TYPES, "primaryType": "Transfer", "domain": domain, "message": message}
    )
