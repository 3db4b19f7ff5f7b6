"""Anonymous reviews: the signed membership, the review text's digest, the values its
Semaphore proof binds, and the publication rule (docs/ANONYMOUS.md). No I/O.

Scope, message and period are computed exactly as AnonymousReviews computes them:

- scope = uint256(keccak256(abi.encode(dentist, period))): one nullifier per identity,
  practice and period;
- message = uint256(keccak256(abi.encode(digest, rewardTo))): the proof binds the text
  (through its EIP-712 digest) and where the reward goes;
- a proof's public values hash message and scope as Semaphore does: keccak256 >> 8;
- period = timestamp // periodLength.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from eth_abi.abi import encode
from eth_utils.crypto import keccak
from eth_utils.hexadecimal import encode_hex

from dentareview.domain.models import Eip712Domain
from dentareview.domain.policy import PolicySettings, check_text
from dentareview.domain.typed_data import typed_digest
from dentareview.errors import InvalidRating, PeriodNotOpen, ValidationError

# Semaphore's identity commitments, roots and nullifiers are elements of BN254's scalar field.
SNARK_SCALAR_FIELD: Final = (
    21888242871839275222246398952773962710168592474168537466224162616281577774337
)
MIN_DEPTH: Final = 1
MAX_DEPTH: Final = 32
UINT256_MAX: Final = 2**256 - 1


def parse_field_element(value: object, field: str) -> int:
    """A decimal string of a nonzero element of the BN254 scalar field."""
    if not isinstance(value, str) or not value.isascii() or not value.isdigit() or len(value) > 78:
        raise ValidationError(f"{field} must be a decimal string", field=field)
    number = int(value)
    if not 0 < number < SNARK_SCALAR_FIELD:
        raise ValidationError(
            f"{field} must be a nonzero element of the BN254 scalar field", field=field
        )
    return number


def parse_uint256(value: object, field: str) -> int:
    """A decimal string of a uint256 (a proof's points may be any field coordinate)."""
    if not isinstance(value, str) or not value.isascii() or not value.isdigit() or len(value) > 78:
        raise ValidationError(f"{field} must be a decimal string", field=field)
    number = int(value)
    if number > UINT256_MAX:
        raise ValidationError(f"{field} must fit in 256 bits", field=field)
    return number


@dataclass(frozen=True)
class GroupMembership:
    """Signed by a visit's patient: add `commitment` to the visit's practice's group."""

    visit_id: bytes
    commitment: int

    def message(self) -> dict[str, Any]:
        return {"visitId": encode_hex(self.visit_id), "commitment": self.commitment}

    def digest(self, domain: Eip712Domain) -> bytes:
        return typed_digest(domain, "GroupMembership", self.message())


@dataclass(frozen=True)
class AnonymousReviewText:
    """What an anonymous review says; its digest is what the proof's message binds."""

    dentist: str
    period: int
    rating: int
    treatment: int
    bedside: int
    wait_time: int
    text: str
    reward_to: str

    def message(self) -> dict[str, Any]:
        return {
            "dentist": self.dentist,
            "period": self.period,
            "rating": self.rating,
            "treatment": self.treatment,
            "bedside": self.bedside,
            "waitTime": self.wait_time,
            "text": self.text,
            "rewardTo": self.reward_to,
        }

    def digest(self, domain: Eip712Domain) -> bytes:
        return typed_digest(domain, "AnonymousReviewText", self.message())

    def ratings(self) -> dict[str, int]:
        return {
            "rating": self.rating,
            "treatment": self.treatment,
            "bedside": self.bedside,
            "waitTime": self.wait_time,
        }


@dataclass(frozen=True)
class SemaphoreProof:
    """A Semaphore v4 proof's public values and its eight points."""

    merkle_tree_root: int
    merkle_tree_depth: int
    nullifier: int
    points: tuple[int, ...]


def check_anonymous_text(review: AnonymousReviewText, policy: PolicySettings) -> None:
    """The same rules as a named review's ratings and text, with the same errors."""
    for name, value in review.ratings().items():
        if not policy.rating_min <= value <= policy.rating_max:
            raise InvalidRating(
                f"{name} must be from {policy.rating_min} to {policy.rating_max}, got {value}",
                field=f"message.{name}",
            )
    check_text(review.text, policy)


def scope_of(dentist: str, period: int) -> int:
    """`uint256(keccak256(abi.encode(dentist, period)))`."""
    return int.from_bytes(keccak(encode(["address", "uint256"], [dentist, period])), "big")


def message_of(digest: bytes, reward_to: str) -> int:
    """`uint256(keccak256(abi.encode(digest, rewardTo)))`."""
    return int.from_bytes(keccak(encode(["bytes32", "address"], [digest, reward_to])), "big")


def semaphore_hash(value: int) -> int:
    """Semaphore's `_hash`: keccak256(abi.encodePacked(value)) >> 8, inside the field."""
    return int.from_bytes(keccak(value.to_bytes(32, "big")), "big") >> 8


def public_signals(proof: SemaphoreProof, *, scope: int, message: int) -> list[int]:
    """The verifier's public inputs: [root, nullifier, hash(message), hash(scope)]."""
    return [
        proof.merkle_tree_root,
        proof.nullifier,
        semaphore_hash(message),
        semaphore_hash(scope),
    ]


def period_at(timestamp: int, period_length: int) -> int:
    return timestamp // period_length


def check_period(period: int, *, current: int) -> None:
    """The current or the previous period, as the contract accepts."""
    if period > current or current - period > 1:
        raise PeriodNotOpen(
            f"period {period} is neither the current period {current} nor the previous one",
            field="message.period",
        )


# ---------------------------------------------------------------- publication


@dataclass(frozen=True)
class PublicationRule:
    """When queued anonymous reviews are published: never before `min_delay` after they
    arrived; once `batch_size` are ready, or the oldest has waited `max_delay`."""

    batch_size: int
    min_delay: int
    max_delay: int

    def publish_after(self, arrived: int) -> int:
        return arrived + self.min_delay

    def publish_by(self, arrived: int) -> int:
        return arrived + max(self.min_delay, self.max_delay)


@dataclass(frozen=True)
class Queued:
    """What the rule needs of a queued review."""

    key: str
    publish_after: int
    publish_by: int


def due_batch(
    queued: Sequence[Queued], *, rule: PublicationRule, now: int, rng: random.Random
) -> list[str]:
    """The keys to publish now, shuffled; empty while the batch should wait."""
    ready = [item for item in queued if item.publish_after <= now]
    if not ready:
        return []
    overdue = any(item.publish_by <= now for item in ready)
    if len(ready) < rule.batch_size and not overdue:
        return []
    keys = [item.key for item in ready]
    rng.shuffle(keys)
    return keys
