"""The public directory: dentists with their score from anchored reviews."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from dentareview.db.queries.directory import count_dentists, search_dentists
from dentareview.domain.policy import PolicySettings
from dentareview.domain.reputation import bayesian_score


@dataclass(frozen=True)
class DirectoryEntry:
    address: str
    name: str
    active: bool
    count: int
    mean: float | None
    bayesian_score: float | None


@dataclass(frozen=True)
class DirectoryPage:
    total: int
    items: list[DirectoryEntry]


def dentist_directory(
    session: Session, *, query: str | None, limit: int, offset: int, policy: PolicySettings
) -> DirectoryPage:
    query = (query or "").strip() or None
    rows = search_dentists(session, query=query, limit=limit, offset=offset)
    items = [
        DirectoryEntry(
            address=row.address,
            name=row.name,
            active=row.active,
            count=row.count,
            mean=bayesian_score(row.count, row.rating_sum, prior_count=0, prior_mean=0)
            if row.count
            else None,
            bayesian_score=bayesian_score(
                row.count,
                row.rating_sum,
                prior_count=policy.bayesian_prior_count,
                prior_mean=policy.bayesian_prior_mean,
            ),
        )
        for row in rows
    ]
    return DirectoryPage(total=count_dentists(session, query=query), items=items)
