"""EIP-712 typed data of the wire protocol: messages, digests, signatures.

All hashing is done by eth-account, the same encoder wallets are tested
against, so a digest computed here equals what MetaMask, ethers or viem sign
and what the registry contract recomputes. Nothing here is home-made hashing.
"""

from __future__ import annotations

import copy
import functools
from typing import Any, Final

from eth_account.messages import SignableMessage, encode_typed_data
from eth_keys.constants import SECPK1_N
from eth_keys.datatypes import Signature
from eth_keys.exceptions import BadSignature
from eth_utils.crypto import keccak
from eth_utils.exceptions import ValidationError as EthValidationError
from eth_utils.hexadecimal import encode_hex

from dentareview.domain.models import Eip712Domain, Review, Visit, parse_address, parse_bytes32
from dentareview.errors import InvalidSignature

__all__ = [
    "EIP712_TYPES",
    "PROOF_TYPES",
    "REVISION_TYPES",
    "Eip712Domain",
    "Review",
    "Visit",
    "domain_dict",
    "domain_separator",
    "parse_address",
    "parse_bytes32",
    "parse_signature",
    "parse_wallet_signature",
    "ecdsa_signer_or_none",
    "recover_review_signer",
    "recover_signer",
    "recover_visit_signer",
    "review_digest",
    "review_message",
    "review_struct_hash",
    "review_typed_data",
    "text_hash",
    "typed_digest",
    "visit_digest",
    "visit_message",
    "visit_struct_hash",
    "visit_typed_data",
]

TypeFields = list[dict[str, str]]

# Served as is by GET /v1/eip712. Treat as read-only: builders below deep-copy it.
EIP712_TYPES: Final[dict[str, TypeFields]] = {
    "EIP712Domain": [
        {"name": "name", "type": "string"},
        {"name": "version", "type": "string"},
        {"name": "chainId", "type": "uint256"},
        {"name": "verifyingContract", "type": "address"},
    ],
    "Visit": [
        {"name": "visitId", "type": "bytes32"},
        {"name": "patient", "type": "address"},
        {"name": "dentist", "type": "address"},
        {"name": "visitedAt", "type": "uint64"},
    ],
    "Review": [
        {"name": "visitId", "type": "bytes32"},
        {"name": "rating", "type": "uint8"},
        {"name": "treatment", "type": "uint8"},
        {"name": "bedside", "type": "uint8"},
        {"name": "waitTime", "type": "uint8"},
        {"name": "text", "type": "string"},
        {"name": "deadline", "type": "uint64"},
    ],
    # Signed by the review's patient: a new version superseding `previousDigest` (the
    # digest of the review, or of the edit it replaces). Visit and Review never change.
    "ReviewEdit": [
        {"name": "visitId", "type": "bytes32"},
        {"name": "previousDigest", "type": "bytes32"},
        {"name": "rating", "type": "uint8"},
        {"name": "treatment", "type": "uint8"},
        {"name": "bedside", "type": "uint8"},
        {"name": "waitTime", "type": "uint8"},
        {"name": "text", "type": "string"},
        {"name": "deadline", "type": "uint64"},
    ],
    # Signed by the review's patient: erase the review whose (anchored) digest is `digest`.
    "ReviewErasure": [
        {"name": "visitId", "type": "bytes32"},
        {"name": "digest", "type": "bytes32"},
        {"name": "deadline", "type": "uint64"},
    ],
    # Signed by the visit's dentist: the practice's public reply to the review whose
    # (anchored) digest is `reviewDigest`; `previousDigest` is zero for the first reply,
    # else the digest of the reply version it supersedes.
    "ReviewReply": [
        {"name": "visitId", "type": "bytes32"},
        {"name": "reviewDigest", "type": "bytes32"},
        {"name": "previousDigest", "type": "bytes32"},
        {"name": "text", "type": "string"},
        {"name": "deadline", "type": "uint64"},
    ],
    # Signed by the visit's patient, after their review: "would you recommend this
    # practice?", 0-10 (dentareview/domain/nps.py). Kept off-chain: see docs/VERIFYING.md.
    "Recommendation": [
        {"name": "visitId", "type": "bytes32"},
        {"name": "score", "type": "uint8"},
        {"name": "deadline", "type": "uint64"},
    ],
    # Signed by a dentist, submitted by anyone (setVisitSigner): `signer` attests the
    # dentist's visits with `visitedAt <= validUntil`; `nonce` is the dentist's next
    # (visitSignerNonce). A later one with validUntil = now (or 0) revokes the key.
    "VisitSigner": [
        {"name": "signer", "type": "address"},
        {"name": "validUntil", "type": "uint64"},
        {"name": "nonce", "type": "uint256"},
    ],
    # Signed by a visit's patient: put the identity `commitment` (Semaphore v4, a BN254
    # field element) in the visit's practice's group (dentareview/domain/anonymous.py).
    "GroupMembership": [
        {"name": "visitId", "type": "bytes32"},
        {"name": "commitment", "type": "uint256"},
    ],
    # Signed by nobody: an anonymous review's digest, bound by its Semaphore proof's message
    # (keccak256(abi.encode(digest, rewardTo))) for the practice's group and `period`.
    "AnonymousReviewText": [
        {"name": "dentist", "type": "address"},
        {"name": "period", "type": "uint256"},
        {"name": "rating", "type": "uint8"},
        {"name": "treatment", "type": "uint8"},
        {"name": "bedside", "type": "uint8"},
        {"name": "waitTime", "type": "uint8"},
        {"name": "text", "type": "string"},
        {"name": "rewardTo", "type": "address"},
    ],
}

# What a review proof's `types` holds: the review's own protocol (Visit and Review never
# change). The revision types travel apart, in a proof's `author` part, when there are any.
PROOF_TYPES: Final[dict[str, TypeFields]] = {
    name: EIP712_TYPES[name] for name in ("EIP712Domain", "Visit", "Review")
}
REVISION_TYPES: Final[dict[str, TypeFields]] = {
    name: EIP712_TYPES[name] for name in ("ReviewEdit", "ReviewErasure")
}

SIGNATURE_LENGTH: Final = 65
_HALF_N: Final = SECPK1_N // 2


def domain_dict(domain: Eip712Domain) -> dict[str, Any]:
    return {
        "name": domain.name,
        "version": domain.version,
        "chainId": domain.chain_id,
        "verifyingContract": domain.verifying_contract,
    }


def visit_message(visit: Visit) -> dict[str, Any]:
    return {
        "visitId": encode_hex(visit.visit_id),
        "patient": visit.patient,
        "dentist": visit.dentist,
        "visitedAt": visit.visited_at,
    }


def review_message(review: Review) -> dict[str, Any]:
    return {
        "visitId": encode_hex(review.visit_id),
        "rating": review.rating,
        "treatment": review.treatment,
        "bedside": review.bedside,
        "waitTime": review.wait_time,
        "text": review.text,
        "deadline": review.deadline,
    }


def _typed_data(domain: Eip712Domain, primary: str, message: dict[str, Any]) -> dict[str, Any]:
    # Only the primary type goes in: ethers refuses unused types and
    # eth-account derives the primary type from them.
    types = {name: copy.deepcopy(EIP712_TYPES[name]) for name in ("EIP712Domain", primary)}
    return {
        "types": types,
        "primaryType": primary,
        "domain": domain_dict(domain),
        "message": message,
    }


def visit_typed_data(domain: Eip712Domain, visit: Visit) -> dict[str, Any]:
    """The full `eth_signTypedData_v4` payload for a visit attestation."""
    return _typed_data(domain, "Visit", visit_message(visit))


def review_typed_data(domain: Eip712Domain, review: Review) -> dict[str, Any]:
    """The full `eth_signTypedData_v4` payload for a review."""
    return _typed_data(domain, "Review", review_message(review))


def typed_digest(domain: Eip712Domain, primary: str, message: dict[str, Any]) -> bytes:
    """The EIP-712 digest of `message` (wire form) of type `primary` in our domain."""
    return _digest(encode_typed_data(full_message=_typed_data(domain, primary, message)))


def _digest(signable: SignableMessage) -> bytes:
    # EIP-191 version 0x01: keccak256(0x19 ‖ 0x01 ‖ domainSeparator ‖ hashStruct).
    return bytes(keccak(b"\x19" + signable.version + signable.header + signable.body))


def visit_digest(domain: Eip712Domain, visit: Visit) -> bytes:
    return _digest(encode_typed_data(full_message=visit_typed_data(domain, visit)))


def review_digest(domain: Eip712Domain, review: Review) -> bytes:
    """The review digest: what goes on-chain and what auditors recompute.

    The hot path of intake: EIP-712 written out for this one fixed type, with the domain
    separator computed once per domain. A test checks it equals eth-account's
    `encode_typed_data` (the general implementation) on many reviews."""
    struct = keccak(
        _REVIEW_TYPE_HASH
        + review.visit_id
        + b"".join(
            n.to_bytes(32, "big")
            for n in (review.rating, review.treatment, review.bedside, review.wait_time)
        )
        + text_hash(review.text)
        + review.deadline.to_bytes(32, "big")
    )
    return bytes(keccak(b"\x19\x01" + _cached_separator(domain) + struct))


def _type_string(primary: str) -> str:
    fields = ",".join(f"{f['type']} {f['name']}" for f in EIP712_TYPES[primary])
    return f"{primary}({fields})"


_REVIEW_TYPE_HASH: Final = bytes(keccak(text=_type_string("Review")))


@functools.lru_cache(maxsize=32)
def _cached_separator(domain: Eip712Domain) -> bytes:
    return domain_separator(domain)


def domain_separator(domain: Eip712Domain) -> bytes:
    # eth-account exposes the separator only as the header of an encoded
    # message; the domain struct itself serves as that message.
    fields = {"EIP712Domain": copy.deepcopy(EIP712_TYPES["EIP712Domain"])}
    data = domain_dict(domain)
    return bytes(encode_typed_data(data, fields, data).header)


def _struct_hash(primary: str, message: dict[str, Any]) -> bytes:
    # hashStruct does not depend on the domain, so an empty one is used.
    types = {primary: copy.deepcopy(EIP712_TYPES[primary])}
    return bytes(encode_typed_data({}, types, message).body)


def visit_struct_hash(visit: Visit) -> bytes:
    return _struct_hash("Visit", visit_message(visit))


def review_struct_hash(review: Review) -> bytes:
    return _struct_hash("Review", review_message(review))


def text_hash(text: str) -> bytes:
    """keccak256 of the UTF-8 text: the `text` member as encoded in hashStruct."""
    return bytes(keccak(text.encode("utf-8")))


def _split_signature(signature: bytes, field: str) -> tuple[int, int, int]:
    """65 bytes r‖s‖v -> (v as 0/1, r, s), refusing every non-canonical form."""
    if len(signature) != SIGNATURE_LENGTH:
        raise InvalidSignature(
            f"{field} must be {SIGNATURE_LENGTH} bytes (r‖s‖v), got {len(signature)}", field=field
        )
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:64], "big")
    v = signature[64]
    if not 0 < r < SECPK1_N or not 0 < s < SECPK1_N:
        raise InvalidSignature(f"{field} has r or s out of range", field=field)
    if s > _HALF_N:
        # (r, n-s) is a second valid signature of the same message; the
        # contract's OpenZeppelin ECDSA refuses it, so must we.
        raise InvalidSignature(f"{field} is malleable (high s); use the low-s form", field=field)
    if v in (27, 28):
        v -= 27
    if v not in (0, 1):
        raise InvalidSignature(f"{field} has v={signature[64]}; expected 27 or 28", field=field)
    return v, r, s


def parse_signature(value: object, field: str = "signature") -> bytes:
    """0x-hex r‖s‖v -> 65 bytes, checked for canonical form, with v as 27/28.

    Some hardware wallets and signing services give v as 0/1; the registry's ECDSA wants
    27/28, so the signature is stored normalised (the digest does not depend on it).
    """
    if not isinstance(value, str) or not value.startswith("0x"):
        raise InvalidSignature(f"{field} must be a 0x-prefixed hex string", field=field)
    try:
        raw = bytes.fromhex(value[2:])
    except ValueError:
        raise InvalidSignature(f"{field} is not valid hex", field=field) from None
    v, _r, _s = _split_signature(raw, field)
    return raw[:64] + bytes([27 + v])


# Smart-contract accounts (ERC-1271) sign with formats of their own: a Safe concatenates
# its owners' signatures, a passkey wallet wraps a WebAuthn assertion. Bounded all the same.
MAX_CONTRACT_SIGNATURE_BYTES = 2048


def parse_wallet_signature(value: object, field: str = "signature") -> bytes:
    """What a wallet returned: 65-byte ECDSA (checked and normalised as `parse_signature`),
    or, for a smart-contract account, any other length up to the bound, checked later by
    the account itself (ERC-1271)."""
    if not isinstance(value, str) or not value.startswith("0x"):
        raise InvalidSignature(f"{field} must be a 0x-prefixed hex string", field=field)
    try:
        raw = bytes.fromhex(value[2:])
    except ValueError:
        raise InvalidSignature(f"{field} is not valid hex", field=field) from None
    if len(raw) == SIGNATURE_LENGTH:
        return parse_signature(value, field)
    if not 0 < len(raw) <= MAX_CONTRACT_SIGNATURE_BYTES:
        raise InvalidSignature(
            f"{field} must be 65 bytes (r‖s‖v), or at most {MAX_CONTRACT_SIGNATURE_BYTES} "
            f"bytes from a smart-contract account",
            field=field,
        )
    return raw


def ecdsa_signer_or_none(digest: bytes, signature: bytes) -> str | None:
    """The EOA whose key made this 65-byte signature of `digest`, or None if it is not one."""
    if len(signature) != SIGNATURE_LENGTH:
        return None
    try:
        return recover_signer(digest, signature)
    except InvalidSignature:
        return None


def recover_signer(digest: bytes, signature: bytes, field: str = "signature") -> str:
    """Checksummed address that signed the 32-byte `digest`."""
    if len(digest) != 32:
        raise ValueError("digest must be 32 bytes")
    v, r, s = _split_signature(signature, field)
    try:
        public_key = Signature(vrs=(v, r, s)).recover_public_key_from_msg_hash(digest)
    except (BadSignature, EthValidationError):
        raise InvalidSignature(f"{field} does not recover to any address", field=field) from None
    return str(public_key.to_checksum_address())


def recover_visit_signer(domain: Eip712Domain, visit: Visit, signature: bytes) -> str:
    return recover_signer(visit_digest(domain, visit), signature)


def recover_review_signer(domain: Eip712Domain, review: Review, signature: bytes) -> str:
    return recover_signer(review_digest(domain, review), signature)
