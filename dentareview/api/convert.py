"""Wire bodies to domain objects and back."""

from __future__ import annotations

from typing import cast

from dentareview.api.schemas import ReviewMessage, ReviewOut, VisitMessage
from dentareview.db.models import ReviewRow, ReviewStatus
from dentareview.domain.models import Review, Visit, parse_address, parse_bytes32
from dentareview.domain.typed_data import parse_wallet_signature


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


def signature_from_wire(value: str) -> bytes:
    return parse_wallet_signature(value, "signature")


def review_to_wire(row: ReviewRow) -> ReviewOut:
    """The public view of a stored review: no patient wallet, no signature."""
    return ReviewOut(
        id=row.id,
        visitId=row.visit_id,
        dentist=row.dentist,
        rating=row.rating,
        treatment=row.treatment,
        bedside=row.bedside,
        waitTime=row.wait_time,
        text=row.text,
        digest=row.digest,
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
    )
