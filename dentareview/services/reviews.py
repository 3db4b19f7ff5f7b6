"""Submit a review: the patient's signature, the policy, the reward decision, stored pending."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from eth_utils.hexadecimal import encode_hex
from sqlalchemy.orm import Session, sessionmaker

from dentareview.db.queries.moderation import decisions_of
from dentareview.db.queries.reviews import (
    NewReview,
    add_pending_review,
    get_review,
    reward_history,
    visit_for_review,
)
from dentareview.db.queries.revisions import list_revisions
from dentareview.db.queries.rewards import get_reward_payment
from dentareview.domain.languages import PageLanguage
from dentareview.domain.models import Eip712Domain, Review, Visit
from dentareview.domain.policy import PolicySettings, RewardDecision, check_review, decide_reward
from dentareview.domain.typed_data import review_digest
from dentareview.errors import (
    DuplicateReview,
    InvalidSignature,
    NotVisitPatient,
    ReviewNotFound,
    VisitNotFound,
)
from dentareview.observability.chain import observe_withheld
from dentareview.services.news import record_event
from dentareview.services.replies import reply_thread, reply_view
from dentareview.services.signatures import ContractAccounts, signed_by
from dentareview.services.views import ReviewView, RewardView, review_view, reward_view

DAY = 86_400


@dataclass(frozen=True)
class SubmittedReview:
    review_id: int
    digest: str
    decision: RewardDecision
    reward_amount: int  # what the patient will be paid (0 when not rewarded)


def submit_review(
    session: Session,
    *,
    domain: Eip712Domain,
    review: Review,
    signature: bytes,
    now: int,
    policy: PolicySettings,
    reward_amount: int,
    contracts: ContractAccounts | None = None,
    count_signer: Callable[[str], None] | None = None,
    language: PageLanguage | None = None,
) -> SubmittedReview:
    """Check and store a patient's signed review, pending. `count_signer` is told the
    patient once the signature is theirs (the per-wallet rate limit; it may refuse).
    `language`, the page's when the patient wrote, is stored beside it, unsigned."""
    digest_bytes = review_digest(domain, review)  # hashed once: recovery and storage
    visit_hex = "0x" + review.visit_id.hex()
    # One round trip: the visit, whether it has a review, and the patient's lock (held
    # to the commit, so two concurrent reviews cannot both slip under the reward limits).
    target = visit_for_review(session, visit_id=visit_hex)
    if target is None:
        raise VisitNotFound(f"no attested visit {visit_hex}; the dentist must attest it first")
    visit = Visit(
        visit_id=review.visit_id,
        patient=target.patient,
        dentist=target.dentist,
        visited_at=target.visited_at,
    )
    signed, recovered = signed_by(visit.patient, digest_bytes, signature, contracts)
    if not signed:
        if recovered is None and len(signature) == 65:
            raise InvalidSignature(
                "the signature does not recover to any address", field="signature"
            )
        if recovered is None:
            raise InvalidSignature(
                "the signature is not 65 bytes (r‖s‖v) and the visit's patient is not a "
                "smart-contract account that accepts it (ERC-1271)",
                field="signature",
            )
        raise NotVisitPatient(
            f"the Review signature recovers to {recovered}, who is not this visit's patient"
        )
    if count_signer is not None:
        count_signer(visit.patient)
    check_review(review, visit, now=now, policy=policy)
    if target.reviewed:
        raise DuplicateReview(f"visit {visit_hex} already has a review")
    history = reward_history(
        session,
        patient=visit.patient,
        dentist=visit.dentist,
        same_dentist_since=now - policy.reward_cooldown_same_dentist_days * DAY,
        patient_since=now - policy.reward_window_days * DAY,
        dentist_since=now - DAY,
    )
    decision = decide_reward(
        now=now,
        same_dentist_rewarded_at=history.same_dentist,
        patient_rewarded_at=history.patient,
        dentist_rewarded_at=history.dentist,
        policy=policy,
    )
    digest = "0x" + digest_bytes.hex()
    stored = NewReview(
        visit_id=visit_hex,
        digest=digest,
        patient=visit.patient,
        dentist=visit.dentist,
        rating=review.rating,
        treatment=review.treatment,
        bedside=review.bedside,
        wait_time=review.wait_time,
        text=review.text,
        deadline=review.deadline,
        signature=encode_hex(signature),
        rewardable=decision.rewarded,
        reward_withheld_code=decision.reason_code,
        reward_withheld_reason=decision.reason,
        submitted_at=now,
        language=language,
    )
    # With its pending payment when rewarded, in the same statement.
    amount = reward_amount if decision.rewarded else None
    review_id = add_pending_review(session, review=stored, reward_amount=amount)
    if review_id is None:  # a concurrent request won the race
        raise DuplicateReview(f"visit {visit_hex} already has a review")
    record_event(
        session,
        dentist=visit.dentist,
        kind="review.published",
        review_id=review_id,
        ref=f"review.published:{review_id}",
        data={"rating": review.rating},
        now=now,
    )
    if decision.reason_code is not None:
        observe_withheld(decision.reason_code)
    return SubmittedReview(
        review_id=review_id,
        digest=digest,
        decision=decision,
        reward_amount=reward_amount if decision.rewarded else 0,
    )


@dataclass(frozen=True)
class ReviewState:
    review: ReviewView
    reward: RewardView


def load_review(session: Session, *, review_id: int) -> ReviewState:
    row = get_review(session, review_id=review_id)
    if row is None:
        raise ReviewNotFound(f"no review with id {review_id}")
    revisions = list_revisions(session, review_id=review_id)
    decisions = decisions_of(session, review_ids=[review_id]).get(review_id, [])
    return ReviewState(
        review=review_view(
            row, revisions, decisions, reply_view(reply_thread(session, review_id=review_id))
        ),
        reward=reward_view(row, get_reward_payment(session, review_id=review_id)),
    )


def wait_for_anchor(
    sessions: sessionmaker[Session], *, review_id: int, timeout: float
) -> ReviewState:
    """The review's state once anchored, or after `timeout` seconds, whichever is first."""
    deadline = time.monotonic() + timeout
    while True:
        with sessions() as session:
            review = load_review(session, review_id=review_id)
        if review.review.status == "anchored" or time.monotonic() >= deadline:
            return review
        time.sleep(0.02)
