"""Would you recommend us? The patient's signed 0-10 score, and the practice's verified NPS."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, Field

from dentareview.api.auth import SignedInWallet
from dentareview.api.convert import signature_from_wire
from dentareview.api.deps import DbSession, State
from dentareview.api.openapi import error_responses
from dentareview.api.schemas import Hex32, Signature, Strict, Uint8, Uint64
from dentareview.domain.models import parse_bytes32
from dentareview.domain.nps import NpsMonth, Recommendation
from dentareview.services.recommendations import practice_nps, submit_recommendation

router = APIRouter(tags=["reviews"])  # the signed write (rate limited with the others)
nps_router = APIRouter(tags=["practice"])  # the signed-in dentist's read


class RecommendationMessage(Strict):
    visitId: Hex32
    score: Uint8 = Field(description="0 = not at all likely .. 10 = extremely likely")
    deadline: Uint64


class SignedRecommendation(Strict):
    message: RecommendationMessage
    signature: Signature


class RecommendationOut(BaseModel):
    visitId: str
    digest: str = Field(description="EIP-712 digest of the signed Recommendation")
    reviewAnchored: bool = Field(
        description="counted in the practice's NPS now; else once the review is anchored"
    )


class NpsMonthOut(BaseModel):
    month: str = Field(description='UTC month of the recommendation, YYYY-MM, or "total"')
    hidden: bool = Field(description="fewer answers than minCount: every figure is null")
    count: int | None
    promoters: int | None = Field(description="scores 9-10")
    passives: int | None = Field(description="scores 7-8")
    detractors: int | None = Field(description="scores 0-6")
    nps: float | None = Field(description="% promoters - % detractors, -100..100")


class NpsOut(BaseModel):
    generatedAt: int
    minCount: int = Field(description="a month with fewer answers shows no figure")
    months: list[NpsMonthOut]
    total: NpsMonthOut = Field(description="over the months shown only")


def _month(m: NpsMonth) -> NpsMonthOut:
    return NpsMonthOut(
        month=m.month,
        hidden=m.hidden,
        count=m.count,
        promoters=m.promoters,
        passives=m.passives,
        detractors=m.detractors,
        nps=m.nps,
    )


@router.post(
    "/v1/recommendations",
    status_code=status.HTTP_201_CREATED,
    response_model=RecommendationOut,
    responses=error_responses(
        "VALIDATION_ERROR",
        "INVALID_SIGNATURE",
        "VISIT_NOT_FOUND",
        "NOT_VISIT_PATIENT",
        "INVALID_SCORE",
        "SIGNATURE_EXPIRED",
        "DEADLINE_TOO_FAR",
        "RECOMMENDATION_NEEDS_REVIEW",
        "DUPLICATE_RECOMMENDATION",
    ),
)
def post_recommendation(
    body: SignedRecommendation, state: State, session: DbSession
) -> RecommendationOut:
    """ "How likely are you to recommend this practice?", 0-10, signed by the visit's
    patient as `Recommendation` once the visit has their review; one per visit, final.
    Kept off-chain and shown to the practice only as monthly totals."""
    message = body.message
    accepted = submit_recommendation(
        session,
        domain=state.domain(),
        recommendation=Recommendation(
            visit_id=parse_bytes32(message.visitId, "message.visitId"),
            score=message.score,
            deadline=message.deadline,
        ),
        signature=signature_from_wire(body.signature),
        now=state.clock(),
        policy=state.settings.policy(),
        contracts=state.gateway.contract_accounts(),
    )
    session.commit()
    return RecommendationOut(
        visitId=accepted.visit_id, digest=accepted.digest, reviewAnchored=accepted.review_anchored
    )


@nps_router.get(
    "/v1/practice/nps",
    response_model=NpsOut,
    responses=error_responses("NOT_SIGNED_IN", "NOT_A_DENTIST", "DENTIST_INACTIVE"),
)
def get_nps(wallet: SignedInWallet, state: State, session: DbSession, response: Response) -> NpsOut:
    """The practice's verified NPS over 12 months: promoters (9-10), passives (7-8) and
    detractors (0-6) of the recommendations whose review is anchored and stands, per month
    of the recommendation; a month with fewer than `minCount` answers shows no figure."""
    found = practice_nps(session, wallet=wallet.wallet, now=state.clock())
    response.headers["Cache-Control"] = "no-store"
    report = found.report
    return NpsOut(
        generatedAt=found.generated_at,
        minCount=report.min_count,
        months=[_month(m) for m in report.months],
        total=_month(report.total),
    )
