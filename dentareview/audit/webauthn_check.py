"""A passkey patient's signature checked from the WebAuthn data alone, without a node.

An account not deployed yet signs with ERC-6492: the factory, its `createAccount(qx, qy)` call
and the WebAuthn assertion. This repeats what the registry's `isValidSignatureNow` checks on
chain: the factory is the registry's own, the account is the factory's CREATE2 address of the
key, and the assertion (OpenZeppelin's `WebAuthn.verify`) is the key's signature of the digest.
A deployed account signs with the bare assertion; which key it holds is on chain only (ERC-1271).
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Final

import rlp  # type: ignore[import-untyped]
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from eth_abi.abi import decode as abi_decode
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak
from eth_utils.hexadecimal import decode_hex

from dentareview.chain.passkeys import (
    CREATE_ACCOUNT_SELECTOR,
    P256_N,
    WEBAUTHN_AUTH_TYPES,
    PasskeyKey,
    is_erc6492,
    passkey_account_address,
    unwrap_erc6492,
)

# Authenticator data flags (WebAuthn §6.1): user present, user verified, backup eligible/state.
FLAG_UP: Final = 0x01
FLAG_UV: Final = 0x04
FLAG_BE: Final = 0x08
FLAG_BS: Final = 0x10
_FLAGS_AT: Final = 32  # after the relying party's SHA-256 hash


@dataclass(frozen=True)
class PasskeyVerdict:
    ok: bool
    detail: str


def registry_factory(registry: str) -> str:
    """The registry's passkey account factory: its constructor's CREATE, so the address the
    registry makes at nonce 1 (keccak256(rlp([registry, 1])))."""
    return to_checksum_address(keccak(rlp.encode([decode_hex(registry), 1]))[12:])


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _assertion_problem(digest: bytes, key: PasskeyKey, assertion: bytes) -> str | None:
    """Why the WebAuthn assertion is not the key's signature of `digest`; None if it is."""
    try:
        r, s, challenge_at, type_at, authenticator_data, client_data_json = abi_decode(
            list(WEBAUTHN_AUTH_TYPES), assertion
        )
    except Exception:  # noqa: BLE001 - whatever eth_abi refuses is not an assertion
        return "the WebAuthn data does not decode"
    try:
        client_data = json.loads(client_data_json)
    except json.JSONDecodeError:
        return "its clientDataJSON is not JSON"
    if not isinstance(client_data, dict) or client_data.get("type") != "webauthn.get":
        return 'its clientDataJSON is not of type "webauthn.get"'
    challenge = b64url(digest)
    if client_data.get("challenge") != challenge:
        return "its clientDataJSON's challenge is not this digest"
    # The chain reads both members where the indices point, not by parsing the JSON.
    if not client_data_json.startswith('"type":"webauthn.get"', type_at):
        return "its typeIndex does not point at the type"
    if not client_data_json.startswith(f'"challenge":"{challenge}"', challenge_at):
        return "its challengeIndex does not point at the challenge"
    if len(authenticator_data) < _FLAGS_AT + 5:
        return "its authenticatorData is too short"
    flags = authenticator_data[_FLAGS_AT]
    if not flags & FLAG_UP:
        return "the authenticator did not see the user present (flag UP)"
    if not flags & FLAG_UV:
        return "the authenticator did not verify the user (flag UV)"
    if flags & FLAG_BS and not flags & FLAG_BE:
        return "its backup flags contradict each other (BS without BE)"
    r_int, s_int = int.from_bytes(r, "big"), int.from_bytes(s, "big")
    if not (0 < r_int < P256_N and 0 < s_int <= P256_N // 2):
        return "its P-256 signature is out of range (the chain takes low s only)"
    signed = bytes(authenticator_data) + hashlib.sha256(client_data_json.encode()).digest()
    try:
        public_key = ec.EllipticCurvePublicNumbers(
            int.from_bytes(key.qx, "big"), int.from_bytes(key.qy, "big"), ec.SECP256R1()
        ).public_key()
        public_key.verify(encode_dss_signature(r_int, s_int), signed, ec.ECDSA(hashes.SHA256()))
    except ValueError:
        return "its key is not a point of P-256"
    except InvalidSignature:
        return "its P-256 signature is not the key's"
    return None


def check_passkey_signature(
    account: str, digest: bytes, signature: bytes, *, registry: str
) -> PasskeyVerdict:
    """Whether `account`, a passkey account of `registry`'s factory not deployed yet, signed
    `digest` with the ERC-6492 `signature`, checked as the registry checks it on chain."""
    if not is_erc6492(signature):
        return PasskeyVerdict(
            False,
            "is not an ECDSA signature of this account nor an ERC-6492 passkey signature; a "
            "deployed smart account (ERC-1271) can only be asked on chain: needs the node",
        )
    try:
        factory, call, assertion = unwrap_erc6492(signature)
    except Exception:  # noqa: BLE001 - a wrapper eth_abi refuses is no signature
        return PasskeyVerdict(False, "is an ERC-6492 wrapper that does not decode")
    expected = registry_factory(registry)
    if factory != expected:
        return PasskeyVerdict(
            False, f"names the factory {factory}, not the registry's passkey factory {expected}"
        )
    if len(call) != 68 or call[:4] != CREATE_ACCOUNT_SELECTOR:
        return PasskeyVerdict(False, "does not call the factory's createAccount(qx, qy)")
    key = PasskeyKey(qx=call[4:36], qy=call[36:68])
    address = passkey_account_address(factory, key)
    if address.lower() != account.lower():
        return PasskeyVerdict(False, f"is by the passkey account {address}, not {account}")
    problem = _assertion_problem(digest, key, assertion)
    if problem is not None:
        return PasskeyVerdict(False, f"is a passkey signature, but {problem}")
    return PasskeyVerdict(
        True,
        f"signed with the patient's passkey (from the WebAuthn data in the full proof: the "
        f"key 0x{key.qx.hex()[:8]}… of the account {address}, which the registry's factory "
        "makes; user present and verified)",
    )
