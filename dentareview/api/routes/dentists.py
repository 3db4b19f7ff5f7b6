"""A dentist's reputation and reviews."""

from __future__ import annotations

from decimal import Decimal
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
from dentareview.domain.practice_details import LANGUAGES
from dentareview.services.directory import (
    DirectoryEntry,
    DirectorySearch,
    DirectorySort,
    dentist_directory,
)
from dentareview.services.reputation import dentist_reputation, dentist_reviews

router = APIRouter(tags=["dentists"])


@router.get(
    "/v1/dentists", response_model=DirectoryPageOut, responses=error_responses("VALIDATION_ERROR")
)
def get_directory(
    state: State,
    session: DbSession,
    q: SearchQuery = "",
    min_rating: Annotated[
        Decimal | None,
        Query(
            alias="minRating",
            ge=1,
            le=5,
            decimal_places=1,
            description="only dentists whose score, as shown (one decimal, half up), is at "
            "least this: 1 to 5 in steps of 0.1",
        ),
    ] = None,
    language: Annotated[
        str | None,
        Query(
            pattern=f"^({'|'.join(LANGUAGES)})$",
            description=f"a language spoken: {', '.join(LANGUAGES)}",
        ),
    ] = None,
    accepting_new_patients: Annotated[
        bool | None,
        Query(
            alias="acceptingNewPatients",
            description="true: practices taking new patients; false: those that are not",
        ),
    ] = None,
    sort: Annotated[
        DirectorySort,
        Query(
            description="score (the Bayesian score, highest first), reviews (most "
            "anchored reviews first) or name"
        ),
    ] = "score",
    limit: PageSize = 20,
    offset: PageOffset = 0,
) -> DirectoryPageOut:
    """Registered dentists with their Bayesian score and details, searched, filtered and
    sorted."""
    search = DirectorySearch(
        query=q,
        min_rating=min_rating,
        language=language,
        accepting_new_patients=accepting_new_patients,
        sort=sort,
    )
    page = dentist_directory(
        session, search=search, limit=limit, offset=offset, policy=state.settings.policy()
    )
    return DirectoryPageOut(
        q=q,
        minRating=float(min_rating) if min_rating is not None else None,
        language=search.language,
        acceptingNewPatients=accepting_new_patients,
        sort=sort,
        total=page.total,
        limit=limit,
        offset=offset,
        items=[directory_entry_out(e) for e in page.items],
        languageChoices=list(LANGUAGES),
    )


def directory_entry_out(e: DirectoryEntry) -> DirectoryEntryOut:
    return DirectoryEntryOut(
        address=e.address,
        name=e.name,
        active=e.active,
        count=e.count,
        mean=e.mean,
        bayesianScore=e.bayesian_score,
        verified=e.count > 0,
        city=e.city,
        country=e.country,
        acceptingNewPatients=e.accepting_new_patients,
        languages=list(e.languages),
    )


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
