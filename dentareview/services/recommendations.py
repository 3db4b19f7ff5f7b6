"""Would you recommend us? A patient's signed score, and the practice's verified NPS.

A recommendation is accepted only from the visit's patient (the same signature check as
their review: ECDSA for a wallet, ERC-1271 for a smart account), only once the visit has
a review, and once per visit: it is final, like a vote. It may come while the review is
still being anchored (the page posts it right after the review); it counts in the NPS
only once that review is anchored, and only while the review stands (not erased by its
author, not removed by moderation).
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_utils.hexadecimal import encode_hex
from sqlalchemy.orm import Session

from dentareview.db.models import RecommendationRow
from dentareview.db.queries.recommendations import (
    insert_recommendation,
    monthly_nps_counts,
    recommendation_of_visit,
)
from dentareview.db.queries.reviews import get_review_by_visit
from dentareview.db.queries.visits import get_visit
from dentareview.db.storage_errors import DuplicateKey
from dentareview.domain.models import Eip712Domain
from dentareview.domain.nps import NpsReport, Recommendation, check_score, nps_report
from dentareview.domain.policy import PolicySettings
from dentareview.domain.practice import DASHBOARD_MONTHS
from dentareview.domain.reputation import month_start, trend_months
from dentareview.domain.revisions import check_deadline
from dentareview.errors import (
    DuplicateRecommendation,
    InvalidSignature,
    NotVisitPatient,
    RecommendationNeedsReview,
    VisitNotFound,
)
from dentareview.services.practice import Practice, practice_of
from dentareview.services.signatures import ContractAccounts, signed_by


@dataclass(frozen=True)
class AcceptedRecommendation:
    visit_id: str
    digest: str
    review_anchored: bool  # counted in the NPS from then on; else once it is anchored


def submit_recommendation(
    session: Session,
    *,
    domain: Eip712Domain,
    recommendation: Recommendation,
    signature: bytes,
    now: int,
    policy: PolicySettings,
    contracts: ContractAccounts | None = None,
) -> AcceptedRecommendation:
    visit_hex = encode_hex(recommendation.visit_id)
    visit = get_visit(session, visit_id=visit_hex)
    if visit is None:
        raise VisitNotFound(f"no attested visit {visit_hex}")
    digest = recommendation.digest(domain)
    signed, recovered = signed_by(visit.patient, digest, signature, contracts)
    if not signed:
        if recovered is None:
            raise InvalidSignature(
                "the signature does not recover to any address, and the visit's patient is "
                "not a smart-contract account that accepts it (ERC-1271)",
                field="signature",
            )
        raise NotVisitPatient(
            f"the Recommendation signature recovers to {recovered}, who is not this visit's patient"
        )
    check_score(recommendation.score)
    check_deadline(recommendation.deadline, now=now, policy=policy)
    review = get_review_by_visit(session, visit_id=visit_hex)
    if review is None:
        raise RecommendationNeedsReview(f"visit {visit_hex} has no review yet")
    if recommendation_of_visit(session, visit_id=visit_hex) is not None:
        raise DuplicateRecommendation(f"visit {visit_hex} already has a recommendation")
    row = RecommendationRow(
        visit_id=visit_hex,
        review_id=review.id,
        dentist=visit.dentist,
        score=recommendation.score,
        deadline=recommendation.deadline,
        digest=encode_hex(digest),
        signature=encode_hex(signature),
        created_at=now,
    )
    try:
        insert_recommendation(session, row=row)
    except DuplicateKey as duplicate:  # a concurrent request for the same visit won
        raise DuplicateRecommendation(
            f"visit {visit_hex} already has a recommendation"
        ) from duplicate
    return AcceptedRecommendation(visit_hex, row.digest, review.status == "anchored")


@dataclass(frozen=True)
class PracticeNps:
    practice: Practice
    generated_at: int
    report: NpsReport


def practice_nps(session: Session, *, wallet: str, now: int) -> PracticeNps:
    """The signed-in dentist's verified NPS, month by month over the dashboard's 12 months."""
    practice = practice_of(session, wallet=wallet)
    months = trend_months(now, DASHBOARD_MONTHS)
    counts = monthly_nps_counts(session, dentist=practice.address, since=month_start(months[0]))
    return PracticeNps(practice, now, nps_report(months, counts))
