"""Wire bodies to domain objects and back."""

from __future__ import annotations

from dentareview.api.schemas import (
    ModerationDecisionOut,
    ReplySummaryOut,
    ReviewEditMessage,
    ReviewErasureMessage,
    ReviewMessage,
    ReviewOut,
    ReviewReplyMessage,
    RewardOut,
    StatementAnchorOut,
    VisitMessage,
)
from dentareview.domain.models import Review, Visit, parse_address, parse_bytes32
from dentareview.domain.moderation import DECISION_REASONS
from dentareview.domain.replies import ReviewReply
from dentareview.domain.revisions import ReviewEdit, ReviewErasure
from dentareview.domain.typed_data import parse_wallet_signature
from dentareview.services.views import (
    DecisionView,
    ReplyView,
    ReviewView,
    RewardView,
    StatementAnchorView,
)


def visit_from_wire(message: VisitMessage) -> Visit:
    return Visit(
        visit_id=parse_bytes32(message.visitId, "message.visitId"),
        patient=parse_address(message.patient, "message.patient"),
        dentist=parse_address(message.dentist, "message.dentist"),
        visited_at=message.visitedAt,
    )


def review_from_wire(message: ReviewMessage | ReviewEditMessage) -> Review:
    """The Review a message carries: a review's, or an edit's new version."""
    return Review(
        visit_id=parse_bytes32(message.visitId, "message.visitId"),
        rating=message.rating,
        treatment=message.treatment,
        bedside=message.bedside,
        wait_time=message.waitTime,
        text=message.text,
        deadline=message.deadline,
    )


def edit_from_wire(message: ReviewEditMessage) -> ReviewEdit:
    return ReviewEdit(
        previous_digest=parse_bytes32(message.previousDigest, "message.previousDigest"),
        content=review_from_wire(message),
    )


def erasure_from_wire(message: ReviewErasureMessage) -> ReviewErasure:
    return ReviewErasure(
        visit_id=parse_bytes32(message.visitId, "message.visitId"),
        digest_of_review=parse_bytes32(message.digest, "message.digest"),
        deadline=message.deadline,
    )


def reply_from_wire(message: ReviewReplyMessage) -> ReviewReply:
    return ReviewReply(
        visit_id=parse_bytes32(message.visitId, "message.visitId"),
        review_digest=parse_bytes32(message.reviewDigest, "message.reviewDigest"),
        previous_digest=parse_bytes32(message.previousDigest, "message.previousDigest"),
        text=message.text,
        deadline=message.deadline,
    )


def anchor_to_wire(anchor: StatementAnchorView | None) -> StatementAnchorOut | None:
    if anchor is None:
        return None
    return StatementAnchorOut(
        status=anchor.status,
        final=anchor.final,
        txHash=anchor.tx_hash,
        blockNumber=anchor.block_number,
        anchoredAt=anchor.anchored_at,
    )


def reply_to_wire(reply: ReplyView | None) -> ReplySummaryOut | None:
    if reply is None:
        return None
    return ReplySummaryOut(
        text=reply.text,
        signedAt=reply.signed_at,
        firstSignedAt=reply.first_signed_at,
        edited=reply.edited,
        versions=reply.versions,
        digest=reply.digest,
        dentist=reply.dentist,
        anchor=anchor_to_wire(reply.anchor),
    )


def signature_from_wire(value: str) -> bytes:
    return parse_wallet_signature(value, "signature")


def decision_out(d: DecisionView) -> ModerationDecisionOut:
    """An operator's recorded decision as the public reads it (named or anonymous review)."""
    return ModerationDecisionOut(
        action=d.action,
        reason=d.reason,
        reasonLabel=DECISION_REASONS.get(d.reason, d.reason),
        note=d.note,
        operator=d.operator,
        decidedAt=d.decided_at,
    )


def review_to_wire(review: ReviewView) -> ReviewOut:
    """The public view of a stored review: no patient wallet, no signature."""
    return ReviewOut(
        id=review.id,
        visitId=review.visit_id,
        dentist=review.dentist,
        rating=review.rating,
        treatment=review.treatment,
        bedside=review.bedside,
        waitTime=review.wait_time,
        text=review.text,
        digest=review.digest,
        state=review.state,
        stateLabel=review.state_label,
        edited=review.edited,
        decisions=[decision_out(d) for d in review.decisions],
        versions=review.versions,
        latestDigest=review.latest_digest,
        status="failed" if review.failure_code else review.status,
        final=review.final,
        failureCode=review.failure_code,
        failureReason=review.failure_reason,
        submittedAt=review.submitted_at,
        anchoredAt=review.anchored_at,
        txHash=review.tx_hash,
        blockNumber=review.block_number,
        logIndex=review.log_index,
        rewarded=review.rewardable,
        language=review.language,
        reply=reply_to_wire(review.reply),
    )


def reward_to_wire(reward: RewardView) -> RewardOut:
    return RewardOut(
        rewarded=reward.rewarded,
        amount=str(reward.amount),
        status=reward.status,
        reasonCode=reward.reason_code,
        reason=reward.reason,
    )
