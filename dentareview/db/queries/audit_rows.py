"""The audit's view of the database: every review with its visit, every reward payment.

Rows come out as plain tuples, streamed in batches (a server-side cursor on
PostgreSQL), so a 100k-review audit neither builds ORM objects nor holds the table.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dentareview.db.models import (
    BatchRow,
    PayoutRow,
    ReviewRevisionRow,
    ReviewRow,
    RewardPaymentRow,
    VisitRow,
)


class ReviewAuditRow(NamedTuple):
    """A review and its visit as stored; visit columns are None if the visit is gone."""

    id: int
    visit_id: str
    digest: str
    patient: str
    dentist: str
    rating: int
    treatment: int
    bedside: int
    wait_time: int
    text: str
    deadline: int
    signature: str
    status: str
    rewardable: bool
    tx_hash: str | None
    block_number: int | None
    log_index: int | None
    sent_tx_hash: str | None
    visit_patient: str | None
    visit_dentist: str | None
    visited_at: int | None
    visit_signature: str | None
    batch_id: int | None = None  # batch mode: the review's batch and leaf position
    leaf_index: int | None = None
    failure_code: str | None = None  # the relay gave up on it (a terminal state)
    author_state: str | None = None  # "edited" / "erased" (review_revisions holds the proof)
    text_hash: str | None = None  # kept once the text is erased
    edited_rating: int | None = None  # the latest edit's ratings, as shown
    edited_treatment: int | None = None
    edited_bedside: int | None = None
    edited_wait_time: int | None = None
    moderation_state: str | None = None  # "under_review" / "removed" (decisions say why)


class RevisionAuditRow(NamedTuple):
    """A signed edit or erasure as stored (text None once erased)."""

    review_id: int
    seq: int
    kind: str
    digest: str
    previous_digest: str
    rating: int | None
    treatment: int | None
    bedside: int | None
    wait_time: int | None
    text: str | None
    text_hash: str | None
    deadline: int
    signature: str


class PaymentAuditRow(NamedTuple):
    id: int
    review_id: int
    patient: str
    amount: int
    status: str
    tx_hash: str | None
    payout_id: int | None = None  # batch mode: the aggregate payout that pays it


class BatchAuditRow(NamedTuple):
    """A batch (batch mode) as stored; its members come with the reviews."""

    id: int
    root: str
    size: int
    rewarded: int
    status: str
    sent_tx_hash: str | None
    tx_hash: str | None
    block_number: int | None
    log_index: int | None


class PayoutAuditRow(NamedTuple):
    """An aggregate reward payout (batch mode) as stored."""

    id: int
    payout_key: str
    recipients: int
    total: int
    status: str
    sent_tx_hash: str | None
    tx_hash: str | None
    block_number: int | None


def count_reviews(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ReviewRow)) or 0


def iter_review_audit_rows(session: Session, *, batch_size: int = 2000) -> Iterator[ReviewAuditRow]:
    """Every review, whatever its status, with its visit (outer join), in id order."""
    r, v = ReviewRow, VisitRow
    stmt = (
        select(
            r.id,
            r.visit_id,
            r.digest,
            r.patient,
            r.dentist,
            r.rating,
            r.treatment,
            r.bedside,
            r.wait_time,
            r.text,
            r.deadline,
            r.signature,
            r.status,
            r.rewardable,
            r.tx_hash,
            r.block_number,
            r.log_index,
            r.sent_tx_hash,
            v.patient,
            v.dentist,
            v.visited_at,
            v.signature,
            r.batch_id,
            r.leaf_index,
            r.failure_code,
            r.author_state,
            r.text_hash,
            r.edited_rating,
            r.edited_treatment,
            r.edited_bedside,
            r.edited_wait_time,
            r.moderation_state,
        )  # fmt: skip
        .outerjoin(v, v.visit_id == r.visit_id)
        .order_by(r.id)
        .execution_options(yield_per=batch_size)
    )
    for row in session.execute(stmt):
        yield ReviewAuditRow._make(row)


def list_revision_audit_rows(session: Session) -> dict[int, list[RevisionAuditRow]]:
    """Every edit and erasure, oldest first, keyed by review id (few beside reviews)."""
    v = ReviewRevisionRow
    stmt = select(
        v.review_id, v.seq, v.kind, v.digest, v.previous_digest, v.rating, v.treatment,
        v.bedside, v.wait_time, v.text, v.text_hash, v.deadline, v.signature,
    ).order_by(v.review_id, v.seq)  # fmt: skip
    found: dict[int, list[RevisionAuditRow]] = {}
    for row in session.execute(stmt):
        revision = RevisionAuditRow._make(row)
        found.setdefault(revision.review_id, []).append(revision)
    return found


def list_payment_audit_rows(session: Session) -> list[PaymentAuditRow]:
    """Every reward payment; a few columns each, so even 100k fit in memory."""
    p = RewardPaymentRow
    stmt = select(
        p.id, p.review_id, p.patient, p.amount, p.status, p.tx_hash, p.payout_id
    ).order_by(p.id)
    return [PaymentAuditRow._make(row) for row in session.execute(stmt)]


def list_batch_audit_rows(session: Session) -> list[BatchAuditRow]:
    """Every batch, whatever its status (one row per root: few even at 100k reviews)."""
    b = BatchRow
    stmt = select(
        b.id, b.root, b.size, b.rewarded, b.status, b.sent_tx_hash, b.tx_hash, b.block_number,
        b.log_index,
    ).order_by(b.id)  # fmt: skip
    return [BatchAuditRow._make(row) for row in session.execute(stmt)]


def list_payout_audit_rows(session: Session) -> list[PayoutAuditRow]:
    """Every aggregate payout, whatever its status."""
    o = PayoutRow
    stmt = select(
        o.id, o.payout_key, o.recipients, o.total, o.status, o.sent_tx_hash, o.tx_hash,
        o.block_number,
    ).order_by(o.id)  # fmt: skip
    return [PayoutAuditRow._make(row) for row in session.execute(stmt)]
