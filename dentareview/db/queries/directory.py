"""The public directory of dentists, with their anchored-review totals and their details:
search, filters and order."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    UnaryExpression,
    and_,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session

from dentareview.db.models import DentistRow, PracticeDetailsRow, PracticeLanguageRow, ReviewRow
from dentareview.db.queries.reputation import RATING, counted

DirectorySort = Literal["score", "reviews", "name"]


@dataclass(frozen=True)
class DirectoryRow:
    address: str
    name: str
    active: bool
    count: int
    rating_sum: int
    city: str | None
    country: str | None
    accepting_new_patients: bool | None


@dataclass(frozen=True)
class DirectoryFilter:
    """What a search asks for; None (or empty) is "any".

    `text` is matched against the name (contained) and the address (its start), `city`
    against the city's search key (contained), `postal` against the postal code's key
    (its start): the caller gives each in the form its key is stored.
    `min_score`: the Bayesian score at least this, exactly (a fraction)."""

    text: str | None = None
    city: str | None = None
    postal: str | None = None
    language: str | None = None
    accepting_new_patients: bool | None = None
    min_score: Fraction | None = None


@dataclass(frozen=True)
class Prior:
    """The Bayesian prior: `count` reviews of `mean` stars."""

    count: int
    mean: Fraction


# address, name, active, count, rating sum, city, country, accepting new patients
_Rows = Select[str, str, bool, Any, Any, str | None, str | None, bool | None]


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.lower()


def _matches(found: DirectoryFilter) -> list[ColumnElement[bool]]:
    either: list[ColumnElement[bool]] = []
    if found.text:
        pattern = _like_pattern(found.text)
        either += [
            func.lower(DentistRow.name).like(f"%{pattern}%", escape="\\"),
            func.lower(DentistRow.address).like(f"{pattern}%", escape="\\"),
        ]
    if found.city:
        either.append(
            PracticeDetailsRow.city_key.like(f"%{_like_pattern(found.city)}%", escape="\\")
        )
    if found.postal:
        # Keys hold letters and digits only: no wildcard to escape.
        either.append(PracticeDetailsRow.postal_key.like(f"{found.postal}%"))
    return [or_(*either)] if either else []


def _totals() -> Select[str, int, int]:
    return (
        select(
            ReviewRow.dentist.label("dentist"),
            func.count().label("count"),
            func.sum(RATING).label("rating_sum"),
        )
        .where(ReviewRow.status == "anchored", counted())
        .group_by(ReviewRow.dentist)
    )


def _filtered(
    found: DirectoryFilter, prior: Prior
) -> tuple[_Rows, ColumnElement[Any], ColumnElement[Any]]:
    """The dentists `found` asks for, with the count and the score as columns to order by."""
    totals = _totals().subquery()
    count = func.coalesce(totals.c.count, 0)
    rating_sum = func.coalesce(totals.c.rating_sum, 0)
    # score = (P * a/b + S) / (P + C) = (P*a + S*b) / (b * (P + C)), in integers.
    a, b = prior.mean.numerator, prior.mean.denominator
    numerator = literal(prior.count * a) + rating_sum * b
    weight = literal(prior.count) + count
    score = cast(numerator, Float) / func.nullif(weight * b, 0)
    conditions = _matches(found)
    if found.language:
        conditions.append(
            exists().where(
                PracticeLanguageRow.dentist == DentistRow.address,
                PracticeLanguageRow.language == found.language,
            )
        )
    if found.accepting_new_patients is not None:
        conditions.append(PracticeDetailsRow.accepting_new_patients == found.accepting_new_patients)
    if found.min_score is not None:
        p, q = found.min_score.numerator, found.min_score.denominator
        conditions.append(and_(weight > 0, numerator * q >= weight * (b * p)))
    stmt = (
        select(
            DentistRow.address,
            DentistRow.name,
            DentistRow.active,
            count,
            rating_sum,
            PracticeDetailsRow.city,
            PracticeDetailsRow.country,
            PracticeDetailsRow.accepting_new_patients,
        )
        .select_from(DentistRow)
        .outerjoin(totals, totals.c.dentist == DentistRow.address)
        .outerjoin(PracticeDetailsRow, PracticeDetailsRow.dentist == DentistRow.address)
        .where(*conditions)
    )
    return stmt, count, score


def search_dentists(
    session: Session,
    *,
    found: DirectoryFilter,
    prior: Prior,
    sort: DirectorySort,
    limit: int,
    offset: int,
) -> list[DirectoryRow]:
    """The dentists `found` asks for, in the order `sort` names: the Bayesian score
    (highest first, then most reviews), the number of anchored reviews (most first, then
    the score) or the name; then by name and address, so pages never overlap."""
    stmt, count, score = _filtered(found, prior)
    name = func.lower(DentistRow.name)
    orders: list[UnaryExpression[Any]] = {
        "score": [score.desc().nulls_last(), count.desc()],
        "reviews": [count.desc(), score.desc().nulls_last()],
        "name": [],
    }[sort]
    stmt = (
        stmt.order_by(*orders, name, DentistRow.name, DentistRow.address)
        .limit(limit)
        .offset(offset)
    )
    return [
        DirectoryRow(str(a), str(n), bool(act), int(c), int(s), city, country, accepting)
        for a, n, act, c, s, city, country, accepting in session.execute(stmt)
    ]


def count_dentists(session: Session, *, found: DirectoryFilter, prior: Prior) -> int:
    stmt, _, _ = _filtered(found, prior)
    return session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
