"""A dentist's reputation and review list, from anchored reviews only."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from dentareview.db.models import DentistRow
from dentareview.db.queries.aggregates import stored_monthly_aggregates, stored_rating_aggregate
from dentareview.db.queries.dentists import get_dentist
from dentareview.db.queries.moderation import decisions_of
from dentareview.db.queries.reputation import pending_count
from dentareview.db.queries.reviews import count_dentist_reviews, list_dentist_reviews
from dentareview.db.queries.revisions import revisions_of
from dentareview.domain.policy import PolicySettings
from dentareview.domain.reputation import Reputation, compute_reputation, month_start, trend_months
from dentareview.errors import DentistNotFound
from dentareview.services.replies import reply_threads, reply_view
from dentareview.services.views import ReviewView, review_view


@dataclass(frozen=True)
class DentistReputation:
    dentist: str
    name: str
    reputation: Reputation


@dataclass(frozen=True)
class ReviewListing:
    total: int
    items: list[ReviewView]


def require_dentist(session: Session, *, dentist: str) -> DentistRow:
    row = get_dentist(session, address=dentist)
    if row is None:
        raise DentistNotFound(f"no dentist is registered at {dentist}")
    return row


def dentist_reputation(
    session: Session, *, dentist: str, now: int, policy: PolicySettings
) -> DentistReputation:
    row = require_dentist(session, dentist=dentist)
    since = month_start(trend_months(now)[0])
    # The stored totals, kept as reviews are anchored (db/queries/aggregates.py): a
    # practice's thousands of reviews are not summed again on every read.
    reputation = compute_reputation(
        stored_rating_aggregate(session, dentist=dentist),
        stored_monthly_aggregates(session, dentist=dentist, since=since),
        now=now,
        prior_count=policy.bayesian_prior_count,
        prior_mean=policy.bayesian_prior_mean,
        pending_count=pending_count(session, dentist=dentist),
    )
    return DentistReputation(dentist, row.name, reputation)


def dentist_reviews(
    session: Session, *, dentist: str, include_pending: bool, limit: int, offset: int
) -> ReviewListing:
    require_dentist(session, dentist=dentist)
    items = list_dentist_reviews(
        session, dentist=dentist, include_pending=include_pending, limit=limit, offset=offset
    )
    revisions = revisions_of(session, review_ids=[row.id for row in items if row.author_state])
    decisions = decisions_of(session, review_ids=[row.id for row in items])
    replies = reply_threads(session, review_ids=[row.id for row in items])
    return ReviewListing(
        total=count_dentist_reviews(session, dentist=dentist, include_pending=include_pending),
        items=[
            review_view(
                row, revisions.get(row.id), decisions.get(row.id), reply_view(replies.get(row.id))
            )
            for row in items
        ],
    )
