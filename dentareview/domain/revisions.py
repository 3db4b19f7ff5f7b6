"""A patient's later word on their review: a signed edit (a new version) or an erasure.

Both are EIP-712 messages of new types in the review's own domain (`ReviewEdit`,
`ReviewErasure`; see typed_data.EIP712_TYPES), signed by the visit's patient. The
`Review` the patient first signed, and its anchored digest, never change: an edit
supersedes the latest version and names its digest (`previousDigest`), so versions
form a chain that anyone can follow; an erasure names the review's anchored digest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Literal

from eth_utils.hexadecimal import encode_hex

from dentareview.domain.models import Eip712Domain, Review
from dentareview.domain.policy import PolicySettings, check_text
from dentareview.domain.typed_data import typed_digest
from dentareview.errors import DeadlineTooFar, InvalidRating, SignatureExpired

RevisionKind = Literal["edit", "erasure"]
EDIT: Final = "edit"
ERASURE: Final = "erasure"

# The public, named states of an accepted review that its author changed.
AuthorState = Literal["edited", "erased"]
AUTHOR_EDITED: Final = "edited"
AUTHOR_ERASED: Final = "erased"
STATE_LABELS: Final = {
    AUTHOR_EDITED: "edited by its author",
    AUTHOR_ERASED: "erased by its author",
}


@dataclass(frozen=True)
class ReviewEdit:
    """A new version of a review; `content` carries the ratings, text and deadline."""

    previous_digest: bytes
    content: Review  # validated as a Review (visitId, uint8 ratings, Unicode text, uint64)

    def message(self) -> dict[str, Any]:
        c = self.content
        return {
            "visitId": encode_hex(c.visit_id),
            "previousDigest": encode_hex(self.previous_digest),
            "rating": c.rating,
            "treatment": c.treatment,
            "bedside": c.bedside,
            "waitTime": c.wait_time,
            "text": c.text,
            "deadline": c.deadline,
        }

    def digest(self, domain: Eip712Domain) -> bytes:
        return typed_digest(domain, "ReviewEdit", self.message())


@dataclass(frozen=True)
class ReviewErasure:
    visit_id: bytes
    digest_of_review: bytes
    deadline: int

    def message(self) -> dict[str, Any]:
        return {
            "visitId": encode_hex(self.visit_id),
            "digest": encode_hex(self.digest_of_review),
            "deadline": self.deadline,
        }

    def digest(self, domain: Eip712Domain) -> bytes:
        return typed_digest(domain, "ReviewErasure", self.message())


def check_deadline(deadline: int, *, now: int, policy: PolicySettings) -> None:
    if deadline < now:
        raise SignatureExpired("the signature has expired; sign again", field="deadline")
    if deadline > now + policy.max_deadline_ahead_seconds:
        raise DeadlineTooFar(
            f"deadline may be at most {policy.max_deadline_ahead_seconds} seconds ahead",
            field="deadline",
        )


def check_edit(edit: ReviewEdit, *, now: int, policy: PolicySettings) -> None:
    """The review's own rules on the new version (ratings, text, deadline); no window:
    a patient may correct their words at any time."""
    for field, value in edit.content.ratings().items():
        if not policy.rating_min <= value <= policy.rating_max:
            raise InvalidRating(
                f"{field} must be from {policy.rating_min} to {policy.rating_max}, got {value}",
                field=field,
            )
    check_text(edit.content.text, policy)
    check_deadline(edit.content.deadline, now=now, policy=policy)
