"""EIP-712 digests and signature checks for many stored reviews at once.

The same hashing as `dentareview.domain.typed_data` (eth-account's `hashStruct`,
`keccak256(0x1901 ‖ domainSeparator ‖ hashStruct)`), without the per-call overhead
that dominates when an audit hashes 100k reviews: the domain separator is computed
once per domain, messages are built straight from stored values, and signers are
compared as raw addresses rather than checksummed. Tests hold both paths equal.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Final

import coincurve

# eth-account's own hashStruct: its public encode_typed_data wraps this with checks
# and a domain hash per call, which triples the cost of an audit.
from eth_abi.abi import encode as abi_encode
from eth_account._utils.encode_typed_data.encoding_and_hashing import hash_struct, hash_type
from eth_keys.datatypes import PublicKey
from eth_utils.crypto import keccak
from eth_utils.exceptions import ValidationError as EthValidationError

from dentareview.domain.models import Eip712Domain
from dentareview.domain.typed_data import EIP712_TYPES, domain_separator, parse_signature
from dentareview.errors import InvalidSignature

_REVIEW_TYPES: Final = {"Review": EIP712_TYPES["Review"]}
_VISIT_TYPES: Final = {"Visit": EIP712_TYPES["Visit"]}


@cache
def _prefix(chain_id: int, verifying_contract: str) -> bytes:
    domain = Eip712Domain(chain_id=chain_id, verifying_contract=verifying_contract)
    return b"\x19\x01" + domain_separator(domain)


def review_digest(chain_id: int, registry: str, message: dict[str, Any]) -> bytes:
    """The digest of a `Review` message given in wire form (camelCase keys)."""
    return bytes(
        keccak(_prefix(chain_id, registry) + hash_struct("Review", _REVIEW_TYPES, message))
    )


def typed_digest(chain_id: int, registry: str, primary: str, message: dict[str, Any]) -> bytes:
    """The digest of a message of any of our types (ReviewEdit, ReviewErasure, ...)."""
    types = {primary: EIP712_TYPES[primary]}
    return bytes(keccak(_prefix(chain_id, registry) + hash_struct(primary, types, message)))


def digest_from_text_hash(
    chain_id: int, registry: str, primary: str, message: dict[str, Any], text_hash: str
) -> bytes:
    """The digest of a signed message whose `text` was erased, from keccak256(text).

    EIP-712 encodes a string member as keccak256 of its UTF-8 bytes, so the struct hash
    needs only that hash: `keccak256(typeHash ‖ abi.encode(..., textHash, ...))`, exactly
    what `hash_struct` computes from the text itself (a test holds the two equal).
    """
    fields = EIP712_TYPES[primary]
    abi_types = ["bytes32" if f["type"] == "string" else f["type"] for f in fields]
    values = [
        bytes.fromhex(text_hash[2:])
        if f["type"] == "string"
        else bytes.fromhex(str(message[f["name"]])[2:])
        if f["type"] == "bytes32"
        else message[f["name"]]
        for f in fields
    ]
    struct = keccak(hash_type(primary, {primary: fields}) + abi_encode(abi_types, values))
    return bytes(keccak(_prefix(chain_id, registry) + struct))


def visit_digest(chain_id: int, registry: str, message: dict[str, Any]) -> bytes:
    return bytes(keccak(_prefix(chain_id, registry) + hash_struct("Visit", _VISIT_TYPES, message)))


def signed_by(digest: bytes, signature: object, address: object) -> bool:
    """Whether the 0x-hex `signature` of `digest` is canonical and recovers to `address`."""
    if not isinstance(address, str) or len(address) != 42:
        return False
    try:
        raw = parse_signature(signature)  # refuses what the registry's ECDSA refuses
        v = raw[64] - 27 if raw[64] >= 27 else raw[64]
        # coincurve is the secp256k1 backend eth-keys itself uses; calling it directly
        # skips eth-keys' per-call wrapping, half the cost of a recovery.
        point = coincurve.PublicKey.from_signature_and_message(
            raw[:64] + bytes([v]), digest, hasher=None
        )
        key = PublicKey(point.format(compressed=False)[1:])
        return bool(key.to_canonical_address() == bytes.fromhex(address[2:]))
    except (InvalidSignature, EthValidationError, ValueError):
        return False
