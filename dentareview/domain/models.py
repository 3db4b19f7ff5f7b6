"""Value objects of the wire protocol, valid by construction.

Every instance can be EIP-712 encoded: fields that cannot be represented in
their Solidity type are refused here, with the wire name of the field, so no
invalid value ever reaches hashing, storage or the chain.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import ClassVar

from eth_utils.address import to_checksum_address
from eth_utils.hexadecimal import decode_hex

from dentareview.errors import DentaReviewError, InvalidRating, ValidationError
from dentareview.linear_re import compile_linear

_HEX_ADDRESS = compile_linear(r"0x[0-9a-fA-F]{40}")
_HEX_BYTES32 = compile_linear(r"0x[0-9a-fA-F]{64}")
_ZERO_ADDRESS = "0x" + "0" * 40
UINT8_MAX = 2**8 - 1
UINT64_MAX = 2**64 - 1
UINT256_MAX = 2**256 - 1


class DentistStatus(StrEnum):
    """Registration state of a wallet in the on-chain dentist registry."""

    UNREGISTERED = "unregistered"
    ACTIVE = "active"
    INACTIVE = "inactive"


@lru_cache(maxsize=16_384)
def _checksummed(address: str) -> str:
    # Two Keccak hashes each time; the same few addresses (a practice, the registry)
    # come back on every request.
    return str(to_checksum_address(address))


def parse_address(value: object, field: str) -> str:
    """0x-hex address in any case -> checksummed.

    All-lower and all-upper hex carry no checksum and are accepted; mixed case
    is an EIP-55 checksum and must be right, since a wrong one usually means a
    mistyped address. The zero address is never a real participant.
    """
    if not isinstance(value, str) or not _HEX_ADDRESS.fullmatch(value):
        raise ValidationError(f"{field} must be a 0x-prefixed 20-byte hex address", field=field)
    checksummed = _checksummed(value)
    digits = value[2:]
    if digits != digits.lower() and digits != digits.upper() and value != checksummed:
        raise ValidationError(f"{field} has an invalid EIP-55 checksum", field=field)
    if value.lower() == _ZERO_ADDRESS:
        raise ValidationError(f"{field} must not be the zero address", field=field)
    return checksummed


def parse_bytes32(value: object, field: str) -> bytes:
    """0x-hex string of exactly 32 bytes (any case) -> bytes."""
    if not isinstance(value, str) or not _HEX_BYTES32.fullmatch(value):
        raise ValidationError(f"{field} must be 0x followed by 64 hex digits", field=field)
    return decode_hex(value)


def _check_uint(
    value: object,
    maximum: int,
    field: str,
    error: type[DentaReviewError] = ValidationError,
) -> int:
    # bool is an int subclass; True must not pass as 1.
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
        raise error(f"{field} must be an integer from 0 to {maximum}", field=field)
    return value


def _check_bytes32(value: object, field: str) -> bytes:
    if not isinstance(value, bytes) or len(value) != 32:
        raise ValidationError(f"{field} must be exactly 32 bytes", field=field)
    return bytes(value)  # drop subclasses such as HexBytes


def check_bytes32(value: object, field: str) -> bytes:
    """Exactly 32 bytes (ValidationError naming `field` otherwise)."""
    return _check_bytes32(value, field)


def check_uint64(value: object, field: str) -> int:
    """An integer that fits uint64, not a bool (ValidationError naming `field` otherwise)."""
    return _check_uint(value, UINT64_MAX, field)


@dataclass(frozen=True)
class Eip712Domain:
    """The EIP-712 domain; name and version are fixed by the protocol."""

    name: ClassVar[str] = "DentaReview"
    version: ClassVar[str] = "1"

    chain_id: int
    verifying_contract: str

    def __post_init__(self) -> None:
        if _check_uint(self.chain_id, UINT256_MAX, "chainId") == 0:
            raise ValidationError("chainId must be positive", field="chainId")
        contract = parse_address(self.verifying_contract, "verifyingContract")
        object.__setattr__(self, "verifying_contract", contract)


@dataclass(frozen=True)
class Visit:
    """A dentist's signed attestation of one visit (EIP-712 type `Visit`, see typed_data)."""

    visit_id: bytes
    patient: str
    dentist: str
    visited_at: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "visit_id", _check_bytes32(self.visit_id, "visitId"))
        object.__setattr__(self, "patient", parse_address(self.patient, "patient"))
        object.__setattr__(self, "dentist", parse_address(self.dentist, "dentist"))
        _check_uint(self.visited_at, UINT64_MAX, "visitedAt")


@dataclass(frozen=True)
class Review:
    """A patient's signed review of one visit (EIP-712 type `Review`, see typed_data)."""

    visit_id: bytes
    rating: int
    treatment: int
    bedside: int
    wait_time: int
    text: str
    deadline: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "visit_id", _check_bytes32(self.visit_id, "visitId"))
        for field, value in self.ratings().items():
            # Out of uint8 is as much a bad rating as 0 or 6: same code for the client.
            _check_uint(value, UINT8_MAX, field, InvalidRating)
        if not isinstance(self.text, str):
            raise ValidationError("text must be a string", field="text")
        try:
            self.text.encode("utf-8")
        except UnicodeEncodeError:
            # Lone surrogates (possible in JSON "\ud800") have no UTF-8 form to hash.
            raise ValidationError("text is not valid Unicode", field="text") from None
        _check_uint(self.deadline, UINT64_MAX, "deadline")

    def ratings(self) -> dict[str, int]:
        """The four ratings keyed by their wire names, in signing order."""
        return {
            "rating": self.rating,
            "treatment": self.treatment,
            "bedside": self.bedside,
            "waitTime": self.wait_time,
        }
