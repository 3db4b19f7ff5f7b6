"""Read models: what the services hand to the routes about a stored review.

Plain frozen values built while the session is open, so nothing a route reads can
lazy-load, expire or outlive its session. A review's public state and which of its
signed versions is shown are decided here, once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from dentareview.db.models import (
    DentistRow,
    ModerationDecisionRow,
    PaymentStatus,
    ReviewFlagRow,
    ReviewRevisionRow,
    ReviewRow,
    ReviewStatus,
    RewardPaymentRow,
)
from dentareview.domain.moderation import (
    REMOVED,
    UNDER_REVIEW,
    DecisionAction,
    ModerationState,
    public_label,
)
from dentareview.domain.revisions import AUTHOR_ERASED, EDIT, STATE_LABELS

PublicState = Literal["published", "edited", "erased", "under_review", "removed"]


@dataclass(frozen=True)
class DentistView:
    address: str
    name: str
    active: bool


def dentist_view(row: DentistRow) -> DentistView:
    return DentistView(address=row.address, name=row.name, active=row.active)


@dataclass(frozen=True)
class DecisionView:
    """An operator's recorded moderation decision; public."""

    id: int
    review_id: int | None  # a named review's, or None for an anonymous review's
    action: DecisionAction
    reason: str
    note: str | None
    operator: str
    decided_at: int
    anonymous_review_id: str | None = None


@dataclass(frozen=True)
class FlagView:
    """A report of a review, and the review's moderation state once it was recorded."""

    id: int
    review_id: int | None  # a named review's, or None for an anonymous review's
    reason: str
    created_at: int
    review_state: ModerationState | None
    anonymous_review_id: str | None = None


@dataclass(frozen=True)
class PaymentView:
    """One reward payment of a review."""

    review_id: int
    amount: int  # token base units
    status: PaymentStatus
    tx_hash: str | None


@dataclass(frozen=True)
class StatementAnchorView:
    """Where a signed statement's digest stands on-chain (`anchorStatements`)."""

    status: Literal["pending", "anchored"]
    final: bool
    tx_hash: str | None
    block_number: int | None
    anchored_at: int | None  # the anchoring block's timestamp


@dataclass(frozen=True)
class ReplyView:
    """The practice's public reply as a review shows it: its latest signed version."""

    text: str
    signed_at: int  # the latest version's acceptance
    first_signed_at: int
    edited: bool  # more than one signed version
    versions: int
    digest: str  # of the latest signed ReviewReply
    dentist: str
    anchor: StatementAnchorView | None


@dataclass(frozen=True)
class ReviewView:
    """The public view of a stored review: its latest signed version, no patient wallet,
    no signature."""

    id: int
    visit_id: str
    dentist: str
    # The latest version's ratings and text; None and "" once erased or removed.
    rating: int | None
    treatment: int | None
    bedside: int | None
    wait_time: int | None
    text: str
    digest: str  # of the Review first signed: the one anchored
    state: PublicState
    state_label: str | None
    edited: bool
    versions: int  # the review and each edit
    latest_digest: str
    decisions: tuple[DecisionView, ...]  # oldest first
    status: ReviewStatus
    final: bool
    failure_code: str | None
    failure_reason: str | None
    submitted_at: int
    anchored_at: int | None
    tx_hash: str | None
    block_number: int | None
    log_index: int | None
    rewardable: bool
    language: str | None  # the page's when the patient wrote (unsigned), or None
    # The practice's reply (latest version); None without one, and for an erased or
    # removed review.
    reply: ReplyView | None = None


@dataclass(frozen=True)
class RewardView:
    """A review's reward as its patient sees it: paid, pending, queued or none."""

    rewarded: bool
    amount: int  # token base units; 0 when nothing is owed
    status: PaymentStatus | Literal["none"]
    reason_code: str | None
    reason: str | None


def _state(row: ReviewRow) -> PublicState:
    """Precedence: the author's erasure, then moderation, then the author's edit."""
    if row.author_state == AUTHOR_ERASED:
        return AUTHOR_ERASED
    if row.moderation_state in (REMOVED, UNDER_REVIEW):
        return row.moderation_state
    return row.author_state or "published"


def _label(row: ReviewRow, state: PublicState) -> str | None:
    if state in (REMOVED, UNDER_REVIEW):
        return public_label(state, row.moderation_reason)
    return STATE_LABELS.get(state)


def decision_view(row: ModerationDecisionRow) -> DecisionView:
    return DecisionView(
        row.id,
        row.review_id,
        row.action,
        row.reason,
        row.note,
        row.operator,
        row.created_at,
        row.anonymous_review_id,
    )


def review_view(
    row: ReviewRow,
    revisions: Sequence[ReviewRevisionRow] | None = None,
    decisions: Sequence[ModerationDecisionRow] | None = None,
    reply: ReplyView | None = None,
) -> ReviewView:
    """`revisions`, oldest first: the review's edits and erasure; `reply`, the practice's
    (services/replies.reply_view), not shown once the review is erased or removed."""
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
    return ReviewView(
        id=row.id,
        visit_id=row.visit_id,
        dentist=row.dentist,
        rating=ratings[0],
        treatment=ratings[1],
        bedside=ratings[2],
        wait_time=ratings[3],
        text="" if erased else (latest.text or "") if latest is not None else row.text,
        digest=row.digest,
        state=state,
        state_label=_label(row, state),
        edited=latest is not None,
        versions=1 + len(edits),
        latest_digest=latest.digest if latest is not None else row.digest,
        decisions=tuple(decision_view(d) for d in decisions or []),
        status=row.status,
        final=row.final,
        failure_code=row.failure_code,
        failure_reason=row.last_anchor_error if row.failure_code else None,
        submitted_at=row.submitted_at,
        anchored_at=row.anchored_at,
        tx_hash=row.tx_hash,
        block_number=row.block_number,
        log_index=row.log_index,
        rewardable=row.rewardable,
        language=row.language,
        reply=None if erased else reply,
    )


def reward_view(row: ReviewRow, payment: RewardPaymentRow | None) -> RewardView:
    return RewardView(
        rewarded=row.rewardable,
        amount=int(payment.amount) if payment is not None else 0,
        status=payment.status if payment is not None else "none",
        reason_code=row.reward_withheld_code,
        reason=row.reward_withheld_reason,
    )


def flag_view(row: ReviewFlagRow, review_state: ModerationState | None) -> FlagView:
    return FlagView(
        row.id, row.review_id, row.reason, row.created_at, review_state, row.anonymous_review_id
    )


def payment_view(row: RewardPaymentRow) -> PaymentView:
    return PaymentView(row.review_id, int(row.amount), row.status, row.tx_hash)
