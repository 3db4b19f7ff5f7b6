"""A dentist's reputation and reviews."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from dentareview.api.bounds import PageOffset, PageSize, SearchQuery
from dentareview.api.convert import review_to_wire
from dentareview.api.deps import DbSession, State
from dentareview.api.openapi import error_responses
from dentareview.api.schemas import (
    DirectoryEntryOut,
    DirectoryPageOut,
    MonthOut,
    ReputationOut,
    ReviewPage,
)
from dentareview.domain.models import parse_address
from dentareview.services.directory import dentist_directory
from dentareview.services.reputation import dentist_reputation, dentist_reviews

router = APIRouter(tags=["dentists"])


@router.get(
    "/v1/dentists", response_model=DirectoryPageOut, responses=error_responses("VALIDATION_ERROR")
)
def get_directory(
    state: State,
    session: DbSession,
    q: SearchQuery = "",
    limit: PageSize = 20,
    offset: PageOffset = 0,
) -> DirectoryPageOut:
    """Registered dentists, most anchored reviews first, with their Bayesian score."""
    page = dentist_directory(
        session, query=q, limit=limit, offset=offset, policy=state.settings.policy()
    )
    items = [
        DirectoryEntryOut(
            address=e.address,
            name=e.name,
            active=e.active,
            count=e.count,
            mean=e.mean,
            bayesianScore=e.bayesian_score,
            verified=e.count > 0,
        )
        for e in page.items
    ]
    return DirectoryPageOut(q=q, total=page.total, limit=limit, offset=offset, items=items)


@router.get(
    "/v1/dentists/{address}/reputation",
    response_model=ReputationOut,
    responses=error_responses("VALIDATION_ERROR", "DENTIST_NOT_FOUND"),
)
def get_reputation(address: str, state: State, session: DbSession) -> ReputationOut:
    """Count, mean, Bayesian score, sub-rating means, histogram and a 12-month trend.
    Only anchored reviews count; pending ones are counted apart."""
    policy = state.settings.policy()
    found = dentist_reputation(
        session, dentist=parse_address(address, "address"), now=state.clock(), policy=policy
    )
    rep = found.reputation
    return ReputationOut(
        dentist=found.dentist,
        name=found.name,
        count=rep.count,
        mean=rep.mean,
        bayesianScore=rep.bayesian_score,
        prior={"count": policy.bayesian_prior_count, "mean": policy.bayesian_prior_mean},
        treatment=rep.treatment_mean,
        bedside=rep.bedside_mean,
        waitTime=rep.wait_time_mean,
        histogram={str(stars): n for stars, n in rep.histogram.items()},
        trend=[MonthOut(month=p.month, count=p.count, mean=p.mean) for p in rep.trend],
        pendingCount=rep.pending_count,
    )


@router.get(
    "/v1/dentists/{address}/reviews",
    response_model=ReviewPage,
    responses=error_responses("VALIDATION_ERROR", "DENTIST_NOT_FOUND"),
)
def get_dentist_reviews(
    address: str,
    session: DbSession,
    limit: PageSize = 20,
    offset: PageOffset = 0,
    include_pending: Annotated[bool, Query(alias="includePending")] = False,
) -> ReviewPage:
    """Reviews of a dentist, newest first; anchored only unless `includePending=true`."""
    dentist = parse_address(address, "address")
    listing = dentist_reviews(
        session, dentist=dentist, include_pending=include_pending, limit=limit, offset=offset
    )
    return ReviewPage(
        dentist=dentist,
        total=listing.total,
        limit=limit,
        offset=offset,
        includePending=include_pending,
        items=[review_to_wire(review) for review in listing.items],
    )
