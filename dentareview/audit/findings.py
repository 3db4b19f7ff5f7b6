"""The kinds of discrepancy an audit reports, each under a stable name."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final


class Kind(StrEnum):
    TEXT_CHANGED = "TEXT_CHANGED"
    RATING_CHANGED = "RATING_CHANGED"
    REVIEW_CHANGED = "REVIEW_CHANGED"
    DIGEST_CHANGED = "DIGEST_CHANGED"
    DENTIST_CHANGED = "DENTIST_CHANGED"
    PATIENT_CHANGED = "PATIENT_CHANGED"
    VISIT_CHANGED = "VISIT_CHANGED"
    SIGNATURE_CHANGED = "SIGNATURE_CHANGED"
    MISSING_REVIEW = "MISSING_REVIEW"
    FABRICATED_REVIEW = "FABRICATED_REVIEW"
    NOT_ANCHORED = "NOT_ANCHORED"
    ANCHORED_BUT_PENDING = "ANCHORED_BUT_PENDING"
    ANCHOR_RECORD_CHANGED = "ANCHOR_RECORD_CHANGED"
    REWARD_NOT_RECORDED = "REWARD_NOT_RECORDED"
    REWARD_MISMATCH = "REWARD_MISMATCH"
    VISIT_REWARDED_TWICE = "VISIT_REWARDED_TWICE"
    UNEXPLAINED_MINT = "UNEXPLAINED_MINT"
    REWARD_MINT_MISSING = "REWARD_MINT_MISSING"
    BATCH_CHANGED = "BATCH_CHANGED"
    MISSING_BATCH = "MISSING_BATCH"
    ANCHOR_FAILED = "ANCHOR_FAILED"
    REVISION_CHANGED = "REVISION_CHANGED"
    MODERATION_UNRECORDED = "MODERATION_UNRECORDED"
    REPLY_CHANGED = "REPLY_CHANGED"


DESCRIPTIONS: Final[dict[Kind, str]] = {
    Kind.TEXT_CHANGED: "the stored text is not the text the patient signed",
    Kind.RATING_CHANGED: "a stored rating differs from the rating the patient signed",
    Kind.REVIEW_CHANGED: "the stored review does not hash to the digest anchored for its visit",
    Kind.DIGEST_CHANGED: "the stored digest differs from the one anchored for the review",
    Kind.DENTIST_CHANGED: "the review or its visit names another dentist than the chain",
    Kind.PATIENT_CHANGED: "the review or its visit names another patient than the chain",
    Kind.VISIT_CHANGED: "the stored visit is missing or no longer carries its dentist's signature",
    Kind.SIGNATURE_CHANGED: "the stored review signature is not the patient's",
    Kind.MISSING_REVIEW: "a review anchored on-chain has no record in the database",
    Kind.FABRICATED_REVIEW: "a stored review was never signed by its visit's patient",
    Kind.NOT_ANCHORED: "recorded as anchored, but its visit has no anchor on-chain",
    Kind.ANCHORED_BUT_PENDING: "anchored on-chain, yet pending with no transaction in flight",
    Kind.ANCHOR_RECORD_CHANGED: "the stored transaction, block or log is not the anchor's",
    Kind.REWARD_NOT_RECORDED: "the chain paid or queued a reward the database does not record",
    Kind.REWARD_MISMATCH: "a recorded reward differs from what the chain paid",
    Kind.VISIT_REWARDED_TWICE: "one visit earned more than one reward",
    Kind.UNEXPLAINED_MINT: "tokens were minted outside any review anchor or queued payment",
    Kind.REWARD_MINT_MISSING: "an anchor event reports a reward with no matching mint",
    Kind.BATCH_CHANGED: "a batch's stored reviews do not rebuild the Merkle root anchored on-chain",
    Kind.MISSING_BATCH: "a Merkle root anchored on-chain has no batch in the database",
    Kind.ANCHOR_FAILED: "the relay gave up: the registry can never anchor this review (its "
    "reason code says why); the review stays published, unanchored",
    Kind.REPLY_CHANGED: "a stored reply version is not what the visit's dentist signed, names "
    "the wrong review or version, or its text was deleted or kept against the review's erasure",
    Kind.REVISION_CHANGED: "a stored edit or erasure is not what the patient signed, names the "
    "wrong version, or was not applied as signed",
    Kind.MODERATION_UNRECORDED: "a review is shown removed by moderation with no operator's "
    "recorded decision to remove it",
}

# Not discrepancies: states of a review that its own patient signed, counted by the audit.
AUTHOR_STATES: Final = {
    "EDITED": "edited by its author: a newer version signed by the patient supersedes it",
    "ERASED": "erased by its author: the text is deleted; the digest and the patient's "
    "signed erasure request remain",
    "UNDER_REVIEW": "under review: flagged or signalled, still shown and counted",
    "REMOVED_BY_MODERATION": "removed by moderation: an operator's recorded decision (who, "
    "why) hides it; what the patient signed is kept unchanged and still checked",
}


@dataclass(frozen=True)
class Finding:
    kind: Kind
    review_id: int | None  # None when there is no database record to name
    detail: str

    def to_json(self) -> dict[str, object]:
        return {"kind": str(self.kind), "reviewId": self.review_id, "detail": self.detail}
