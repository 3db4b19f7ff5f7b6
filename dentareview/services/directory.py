"""The public directory: dentists with their score from anchored reviews and their
details, searched by name, address, city or postal code, filtered and sorted."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from sqlalchemy.orm import Session

from dentareview.db.queries.directory import (
    DirectoryFilter,
    DirectorySort,
    Prior,
    count_dentists,
    search_dentists,
)
from dentareview.db.queries.practice_details import languages_of
from dentareview.domain.policy import PolicySettings
from dentareview.domain.practice_details import (
    LANGUAGES,
    min_rating_tenths,
    postal_key,
    search_text,
)
from dentareview.domain.reputation import bayesian_score
from dentareview.errors import ValidationError

__all__ = [
    "DirectoryEntry",
    "DirectoryPage",
    "DirectorySearch",
    "DirectorySort",
    "dentist_directory",
]


@dataclass(frozen=True)
class DirectoryEntry:
    address: str
    name: str
    active: bool
    count: int
    mean: float | None
    bayesian_score: float | None
    city: str | None = None
    country: str | None = None
    accepting_new_patients: bool | None = None
    languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class DirectoryPage:
    total: int
    items: list[DirectoryEntry]


@dataclass(frozen=True)
class DirectorySearch:
    """A visitor's search: text (a name, an address, a city or a postal code), filters
    (each None for any) and the order."""

    query: str | None = None
    min_rating: Decimal | None = None
    language: str | None = None
    accepting_new_patients: bool | None = None
    sort: DirectorySort = "score"


def _filter(search: DirectorySearch) -> DirectoryFilter:
    text = (search.query or "").strip()
    if search.language is not None and search.language not in LANGUAGES:
        raise ValidationError(f"language: one of {', '.join(LANGUAGES)}", field="language")
    min_score = None
    if search.min_rating is not None:
        # The score as the pages show it, to one decimal (half up): 3.95 shows as 4.0.
        min_score = Fraction(2 * min_rating_tenths(search.min_rating) - 1, 20)
    return DirectoryFilter(
        text=text or None,
        city=search_text(text) or None,
        postal=postal_key(text) or None,
        language=search.language,
        accepting_new_patients=search.accepting_new_patients,
        min_score=min_score,
    )


def dentist_directory(
    session: Session,
    *,
    search: DirectorySearch,
    limit: int,
    offset: int,
    policy: PolicySettings,
) -> DirectoryPage:
    found = _filter(search)
    # str() so that a prior of 3.7 means 37/10, as domain/reputation.py reads it.
    prior = Prior(policy.bayesian_prior_count, Fraction(str(policy.bayesian_prior_mean)))
    rows = search_dentists(
        session, found=found, prior=prior, sort=search.sort, limit=limit, offset=offset
    )
    languages = languages_of(session, dentists=[row.address for row in rows])
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
            city=row.city,
            country=row.country,
            accepting_new_patients=row.accepting_new_patients,
            languages=tuple(c for c in LANGUAGES if c in languages.get(row.address, ())),
        )
        for row in rows
    ]
    return DirectoryPage(total=count_dentists(session, found=found, prior=prior), items=items)
