"""Passkey accounts as the chain sees them: their CREATE2 address, their WebAuthn signature
encoding (OpenZeppelin's `WebAuthn.WebAuthnAuth`) and the ERC-6492 wrapper an account not yet
deployed signs with (contracts/interfaces/IPasskeyAccountFactory.sol)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Final

from eth_abi.abi import decode as abi_decode
from eth_abi.abi import encode as abi_encode
from eth_typing import ChecksumAddress
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak
from eth_utils.hexadecimal import decode_hex

from dentareview.chain.artifacts import load_artifact

ERC6492_MAGIC: Final = bytes.fromhex("64926492" * 8)
# createAccount(bytes32,bytes32).selector: the factory call an ERC-6492 verifier would make.
CREATE_ACCOUNT_SELECTOR: Final = keccak(text="createAccount(bytes32,bytes32)")[:4]
# WebAuthn.WebAuthnAuth's members as flat parameters: OpenZeppelin's `tryDecodeAuth` reads r at
# byte 0, so the struct is encoded without the leading offset word `abi.encode(struct)` would add.
WEBAUTHN_AUTH_TYPES: Final = ("bytes32", "bytes32", "uint256", "uint256", "bytes", "string")
# The order of the P-256 group: OpenZeppelin's P256 accepts only s <= n/2 (low s).
P256_N: Final = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


@dataclass(frozen=True)
class PasskeyKey:
    """A passkey's P-256 public key, as 32-byte big-endian coordinates."""

    qx: bytes
    qy: bytes


@cache
def _account_creation_code() -> bytes:
    return decode_hex(load_artifact("PasskeyAccount").bytecode)


def passkey_account_address(factory: str, key: PasskeyKey) -> ChecksumAddress:
    """The account's address (deployed or not): CREATE2 by `factory` with the salt
    keccak256(qx, qy) and the account's creation code with (qx, qy) as constructor arguments."""
    salt = keccak(key.qx + key.qy)
    init_code = _account_creation_code() + key.qx + key.qy
    preimage = b"\xff" + decode_hex(factory) + salt + keccak(init_code)
    return to_checksum_address(keccak(preimage)[12:])


def low_s(s: int) -> int:
    """`s` or `n - s`, whichever is at most n/2: the same signature, in the form the chain takes."""
    return P256_N - s if s > P256_N // 2 else s


def encode_webauthn_signature(
    *, r: int, s: int, authenticator_data: bytes, client_data_json: str
) -> bytes:
    """An assertion as the account checks it; the indices are where the challenge and type
    members sit in the client data the authenticator signed."""
    challenge_index = client_data_json.index('"challenge":"')
    type_index = client_data_json.index('"type":"')
    auth = (
        r.to_bytes(32, "big"),
        low_s(s).to_bytes(32, "big"),
        challenge_index,
        type_index,
        authenticator_data,
        client_data_json,
    )
    return abi_encode(WEBAUTHN_AUTH_TYPES, auth)


def wrap_erc6492(factory: str, key: PasskeyKey, signature: bytes) -> bytes:
    """The ERC-6492 form of a signature by the account of `key` before it is deployed."""
    factory_call = CREATE_ACCOUNT_SELECTOR + key.qx + key.qy
    return (
        abi_encode(["address", "bytes", "bytes"], [factory, factory_call, signature])
        + ERC6492_MAGIC
    )


def is_erc6492(signature: bytes) -> bool:
    return len(signature) > len(ERC6492_MAGIC) and signature.endswith(ERC6492_MAGIC)


def unwrap_erc6492(signature: bytes) -> tuple[ChecksumAddress, bytes, bytes]:
    """(factory, factory calldata, inner signature) of an ERC-6492 signature."""
    factory, call, inner = abi_decode(
        ["address", "bytes", "bytes"], signature[: -len(ERC6492_MAGIC)]
    )
    return to_checksum_address(factory), bytes(call), bytes(inner)
