"""The signed-in dentist's own pages: who the practice is, and its dashboard."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from dentareview.api.auth import SignedInWallet
from dentareview.api.deps import DbSession, State
from dentareview.api.openapi import error_responses
from dentareview.services.practice import (
    Dashboard,
    dashboard_csv,
    practice_dashboard,
    practice_of,
)

router = APIRouter(tags=["practice"])


class PracticeOut(BaseModel):
    address: str
    name: str
    active: bool


class ScoreOut(BaseModel):
    count: int = Field(description="anchored reviews")
    mean: float | None
    bayesianScore: float | None
    treatment: float | None
    bedside: float | None
    waitTime: float | None
    histogram: dict[str, int]
    pendingCount: int


class MonthOut(BaseModel):
    month: str = Field(description="UTC month of anchoring, YYYY-MM")
    count: int
    mean: float | None
    treatment: float | None
    bedside: float | None
    waitTime: float | None
    cumulativeCount: int
    bayesianScore: float | None = Field(description="over every review up to this month's end")


class FunnelOut(BaseModel):
    visits: int = Field(description="visits attested")
    reviews: int = Field(description="reviews written (pending or anchored)")
    anchored: int
    rewarded: int = Field(description="reviews whose reward is paid or due")
    reviewRate: float | None = Field(description="reviews / visits")
    medianSecondsToReview: int | None = Field(description="from the visit to the review")


class RetentionOut(BaseModel):
    patients: int = Field(description="distinct patients with an attested visit")
    repeatPatients: int = Field(description="of them, with two visits within windowDays")
    share: float | None
    windowDays: int


class RepliesOut(BaseModel):
    reviews: int = Field(description="reviews a reply can answer (not erased by their author)")
    replied: int = Field(description="of them, with a reply from the practice")
    rate: float | None = Field(description="replied / reviews")
    medianSecondsToReply: int | None = Field(description="from the review to its first reply")


class DashboardOut(BaseModel):
    practice: PracticeOut
    generatedAt: int
    score: ScoreOut
    months: list[MonthOut]
    funnel: FunnelOut
    retention: RetentionOut
    replies: RepliesOut


def _out(d: Dashboard) -> DashboardOut:
    rep, f, r, a = d.reputation, d.funnel, d.retention, d.replies
    return DashboardOut(
        practice=PracticeOut(address=d.practice.address, name=d.practice.name, active=True),
        generatedAt=d.generated_at,
        score=ScoreOut(
            count=rep.count,
            mean=rep.mean,
            bayesianScore=rep.bayesian_score,
            treatment=rep.treatment_mean,
            bedside=rep.bedside_mean,
            waitTime=rep.wait_time_mean,
            histogram={str(k): v for k, v in rep.histogram.items()},
            pendingCount=rep.pending_count,
        ),
        months=[
            MonthOut(
                month=m.month,
                count=m.count,
                mean=m.mean,
                treatment=m.treatment,
                bedside=m.bedside,
                waitTime=m.wait_time,
                cumulativeCount=m.cumulative_count,
                bayesianScore=m.bayesian_score,
            )
            for m in d.months
        ],
        funnel=FunnelOut(
            visits=f.visits,
            reviews=f.reviews,
            anchored=f.anchored,
            rewarded=f.rewarded,
            reviewRate=f.review_rate,
            medianSecondsToReview=f.median_seconds_to_review,
        ),
        retention=RetentionOut(
            patients=r.patients,
            repeatPatients=r.repeat_patients,
            share=r.share,
            windowDays=r.window_days,
        ),
        replies=RepliesOut(
            reviews=a.reviews,
            replied=a.replied,
            rate=a.rate,
            medianSecondsToReply=a.median_seconds_to_reply,
        ),
    )


_REFUSALS = ("NOT_SIGNED_IN", "NOT_A_DENTIST", "DENTIST_INACTIVE")


@router.get("/v1/practice", response_model=PracticeOut, responses=error_responses(*_REFUSALS))
def get_practice(wallet: SignedInWallet, session: DbSession, response: Response) -> PracticeOut:
    """The practice of the signed-in wallet: 403 NOT_A_DENTIST unless it is a registered
    dentist, DENTIST_INACTIVE while deactivated."""
    found = practice_of(session, wallet=wallet.wallet)
    response.headers["Cache-Control"] = "no-store"
    return PracticeOut(address=found.address, name=found.name, active=found.active)


@router.get(
    "/v1/practice/dashboard", response_model=DashboardOut, responses=error_responses(*_REFUSALS)
)
def get_dashboard(
    wallet: SignedInWallet, state: State, session: DbSession, response: Response
) -> DashboardOut:
    """Score over time, sub-ratings, histogram, the invitation funnel, verified retention,
    reply rate and median time to reply of the signed-in dentist's practice (aggregates
    only)."""
    found = practice_dashboard(
        session, wallet=wallet.wallet, now=state.clock(), policy=state.settings.policy()
    )
    response.headers["Cache-Control"] = "no-store"
    return _out(found)


@router.get(
    "/v1/practice/dashboard.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}, **error_responses(*_REFUSALS)},
)
def get_dashboard_csv(wallet: SignedInWallet, state: State, session: DbSession) -> Response:
    """The dashboard's monthly figures, funnel, retention and replies as CSV."""
    found = practice_dashboard(
        session, wallet=wallet.wallet, now=state.clock(), policy=state.settings.policy()
    )
    return Response(
        dashboard_csv(found),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="dentareview-dashboard.csv"',
            "Cache-Control": "no-store",
        },
    )
