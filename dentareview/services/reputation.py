"""A dentist's reputation and review list, from anchored reviews only."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from dentareview.db.models import ReviewRow
from dentareview.db.queries import (
    count_dentist_reviews,
    get_dentist,
    list_dentist_reviews,
    monthly_aggregates,
    pending_count,
    rating_aggregate,
)
from dentareview.domain.policy import PolicySettings
from dentareview.domain.reputation import Reputation, compute_reputation, month_start, trend_months


@dataclass(frozen=True)
class DentistReputation:
    dentist: str
    name: str | None
    reputation: Reputation


@dataclass(frozen=True)
class ReviewListing:
    total: int
    items: list[ReviewRow]


def dentist_reputation(
    session: Session, *, dentist: str, now: int, policy: PolicySettings
) -> DentistReputation:
    since = month_start(trend_months(now)[0])
    reputation = compute_reputation(
        rating_aggregate(session, dentist=dentist),
        monthly_aggregates(session, dentist=dentist, since=since),
        now=now,
        prior_count=policy.bayesian_prior_count,
        prior_mean=policy.bayesian_prior_mean,
        pending_count=pending_count(session, dentist=dentist),
    )
    row = get_dentist(session, address=dentist)
    return DentistReputation(dentist, row.name if row else None, reputation)


def dentist_reviews(
    session: Session, *, dentist: str, include_pending: bool, limit: int, offset: int
) -> ReviewListing:
    return ReviewListing(
        total=count_dentist_reviews(session, dentist=dentist, include_pending=include_pending),
        items=list_dentist_reviews(
            session, dentist=dentist, include_pending=include_pending, limit=limit, offset=offset
        ),
    )
