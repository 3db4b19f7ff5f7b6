"""Wire bodies to domain objects and back."""

from __future__ import annotations

from typing import Literal, cast

from dentareview.api.schemas import (
    ModerationDecisionOut,
    ReplySummaryOut,
    ReviewEditMessage,
    ReviewErasureMessage,
    ReviewMessage,
    ReviewOut,
    ReviewReplyMessage,
    StatementAnchorOut,
    VisitMessage,
)
from dentareview.db.models import (
    ModerationDecisionRow,
    ReviewRevisionRow,
    ReviewRow,
    ReviewStatus,
    StatementAnchorRow,
)
from dentareview.domain.models import Review, Visit, parse_address, parse_bytes32
from dentareview.domain.moderation import DECISION_REASONS, REMOVED, UNDER_REVIEW, public_label
from dentareview.domain.replies import ReviewReply
from dentareview.domain.revisions import (
    AUTHOR_ERASED,
    EDIT,
    STATE_LABELS,
    ReviewEdit,
    ReviewErasure,
)
from dentareview.domain.typed_data import parse_wallet_signature
from dentareview.services.replies import ReplyThread


def visit_from_wire(message: VisitMessage) -> Visit:
    return Visit(
        visit_id=parse_bytes32(message.visitId, "message.visitId"),
        patient=parse_address(message.patient, "message.patient"),
        dentist=parse_address(message.dentist, "message.dentist"),
        visited_at=message.visitedAt,
    )


def review_from_wire(message: ReviewMessage) -> Review:
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
        content=Review(
            visit_id=parse_bytes32(message.visitId, "message.visitId"),
            rating=message.rating,
            treatment=message.treatment,
            bedside=message.bedside,
            wait_time=message.waitTime,
            text=message.text,
            deadline=message.deadline,
        ),
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


def anchor_to_wire(row: StatementAnchorRow | None) -> StatementAnchorOut | None:
    if row is None:
        return None
    return StatementAnchorOut(
        status=row.status,
        final=row.final,
        txHash=row.tx_hash,
        blockNumber=row.block_number,
        anchoredAt=row.anchored_at,
    )


def reply_summary(thread: ReplyThread | None) -> ReplySummaryOut | None:
    """The latest version of a reply, or None without one (or once erased)."""
    if thread is None or not thread.versions or thread.versions[-1].text is None:
        return None
    replies = thread.versions
    latest = replies[-1]
    return ReplySummaryOut(
        text=latest.text or "",
        signedAt=latest.created_at,
        firstSignedAt=replies[0].created_at,
        edited=len(replies) > 1,
        versions=len(replies),
        digest=latest.digest,
        dentist=latest.dentist,
        anchor=anchor_to_wire(thread.anchor_of(latest)),
    )


def signature_from_wire(value: str) -> bytes:
    return parse_wallet_signature(value, "signature")


def _state(row: ReviewRow) -> str:
    """Precedence: the author's erasure, then moderation, then the author's edit."""
    if row.author_state == AUTHOR_ERASED:
        return AUTHOR_ERASED
    if row.moderation_state in (REMOVED, UNDER_REVIEW):
        return row.moderation_state
    return row.author_state or "published"


def _label(row: ReviewRow, state: str) -> str | None:
    if state in (REMOVED, UNDER_REVIEW):
        return public_label(state, row.moderation_reason)
    return STATE_LABELS.get(state)


def review_to_wire(
    row: ReviewRow,
    revisions: list[ReviewRevisionRow] | None = None,
    decisions: list[ModerationDecisionRow] | None = None,
    replies: ReplyThread | None = None,
) -> ReviewOut:
    """The public view of a stored review: no patient wallet, no signature.

    Its latest version is shown (`revisions`, oldest first: the review's edits and
    erasure), with its public named state, and the practice's reply (`replies`, oldest
    first) unless the review is erased or removed.
    """
    edits = [r for r in revisions or [] if r.kind == EDIT]
    latest = edits[-1] if edits else None
    state = _state(row)
    erased = state in (AUTHOR_ERASED, REMOVED)  # nothing of it shown
    ratings: tuple[int | None, ...] = (
        (None, None, None, None)
        if erased
        else (latest.rating, latest.treatment, latest.bedside, latest.wait_time)
        if latest is not None
        else (row.rating, row.treatment, row.bedside, row.wait_time)
    )
    return ReviewOut(
        id=row.id,
        visitId=row.visit_id,
        dentist=row.dentist,
        rating=ratings[0],
        treatment=ratings[1],
        bedside=ratings[2],
        waitTime=ratings[3],
        text="" if erased else (latest.text or "") if latest is not None else row.text,
        digest=row.digest,
        state=cast(Literal["published", "edited", "erased", "under_review", "removed"], state),
        stateLabel=_label(row, state),
        edited=latest is not None,
        decisions=[
            ModerationDecisionOut(
                action=cast(Literal["keep", "remove", "under_review"], d.action),
                reason=d.reason,
                reasonLabel=DECISION_REASONS.get(d.reason, d.reason),
                note=d.note,
                operator=d.operator,
                decidedAt=d.created_at,
            )
            for d in decisions or []
        ],
        versions=1 + len(edits),
        latestDigest=latest.digest if latest is not None else row.digest,
        status="failed" if row.failure_code else cast(ReviewStatus, row.status),
        final=row.final,
        failureCode=row.failure_code,
        failureReason=row.last_anchor_error if row.failure_code else None,
        submittedAt=row.submitted_at,
        anchoredAt=row.anchored_at,
        txHash=row.tx_hash,
        blockNumber=row.block_number,
        logIndex=row.log_index,
        rewarded=row.rewardable,
        reply=None if erased else reply_summary(replies),
    )
