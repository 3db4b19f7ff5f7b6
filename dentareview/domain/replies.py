"""The practice's public reply to a review, signed by the visit's dentist.

`ReviewReply` is an EIP-712 type of its own in the review's domain (typed_data.
EIP712_TYPES); `Visit` and `Review` never change. A reply names the review's anchored
digest (`reviewDigest`) and the reply version it supersedes (`previousDigest`: zero for
the first reply), so the versions of one review's reply form a chain anyone can follow,
as a patient's edits do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from dentareview.domain.models import Eip712Domain, check_bytes32, check_uint64
from dentareview.domain.policy import PolicySettings
from dentareview.domain.revisions import check_deadline
from dentareview.domain.typed_data import typed_digest
from dentareview.domain.visible_text import measure
from dentareview.errors import ReplyTextInvalid, ValidationError
from dentareview.linear_re import compile_linear

NO_PREVIOUS: Final = bytes(32)  # previousDigest of the first reply
# Control characters other than TAB, LF and CR: invisible to readers, and NUL cannot be
# stored by PostgreSQL (the same rule as a review's text).
_CONTROL: Final = compile_linear("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class ReviewReply:
    visit_id: bytes
    review_digest: bytes
    previous_digest: bytes
    text: str
    deadline: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "visit_id", check_bytes32(self.visit_id, "visitId"))
        object.__setattr__(self, "review_digest", check_bytes32(self.review_digest, "reviewDigest"))
        object.__setattr__(
            self, "previous_digest", check_bytes32(self.previous_digest, "previousDigest")
        )
        if not isinstance(self.text, str):
            raise ValidationError("text must be a string", field="text")
        try:
            self.text.encode("utf-8")
        except UnicodeEncodeError:
            raise ValidationError("text is not valid Unicode", field="text") from None
        check_uint64(self.deadline, "deadline")

    @property
    def is_first(self) -> bool:
        return self.previous_digest == NO_PREVIOUS

    def message(self) -> dict[str, Any]:
        return {
            "visitId": "0x" + self.visit_id.hex(),
            "reviewDigest": "0x" + self.review_digest.hex(),
            "previousDigest": "0x" + self.previous_digest.hex(),
            "text": self.text,
            "deadline": self.deadline,
        }

    def digest(self, domain: Eip712Domain) -> bytes:
        return typed_digest(domain, "ReviewReply", self.message())


def check_reply_text(text: str, policy: PolicySettings) -> None:
    """Not empty to a reader, at most `reply_max_chars` code points as signed, no control
    characters. The text is hashed into the signature, so it is never trimmed here."""
    bad = _CONTROL.search(text)
    if bad is not None:
        name = "NUL" if bad.group() == "\x00" else f"U+{ord(bad.group()):04X}"
        raise ReplyTextInvalid(
            f"text contains the control character {name} at position {bad.start()}",
            field="message.text",
        )
    if measure(text).characters == 0:
        raise ReplyTextInvalid("the reply has no visible text", field="message.text")
    if len(text) > policy.reply_max_chars:
        raise ReplyTextInvalid(
            f"the reply has {len(text)} characters; at most {policy.reply_max_chars} are allowed",
            field="message.text",
        )


def check_reply(reply: ReviewReply, *, now: int, policy: PolicySettings) -> None:
    check_reply_text(reply.text, policy)
    check_deadline(reply.deadline, now=now, policy=policy)
