"""The public directory of dentists, with their anchored-review totals."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from dentareview.db.models import DentistRow, ReviewRow
from dentareview.db.queries.reputation import RATING, counted


@dataclass(frozen=True)
class DirectoryRow:
    address: str
    name: str
    active: bool
    count: int
    rating_sum: int


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.lower()


def _matches(query: str | None) -> list[ColumnElement[bool]]:
    if not query:
        return []
    pattern = _like_pattern(query)
    return [
        or_(
            func.lower(DentistRow.name).like(f"%{pattern}%", escape="\\"),
            func.lower(DentistRow.address).like(f"{pattern}%", escape="\\"),
        )
    ]


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


def search_dentists(
    session: Session, *, query: str | None, limit: int, offset: int
) -> list[DirectoryRow]:
    """Dentists whose name contains `query` or whose address starts with it (any case),
    most anchored reviews first, then by name."""
    totals = _totals().subquery()
    count = func.coalesce(totals.c.count, 0)
    stmt = (
        select(
            DentistRow.address,
            DentistRow.name,
            DentistRow.active,
            count,
            func.coalesce(totals.c.rating_sum, 0),
        )
        .outerjoin(totals, totals.c.dentist == DentistRow.address)
        .where(*_matches(query))
        .order_by(count.desc(), DentistRow.name, DentistRow.address)
        .limit(limit)
        .offset(offset)
    )
    return [
        DirectoryRow(str(a), str(n), bool(active), int(c), int(s))
        for a, n, active, c, s in session.execute(stmt)
    ]


def count_dentists(session: Session, *, query: str | None) -> int:
    stmt = select(func.count()).select_from(DentistRow).where(*_matches(query))
    return session.scalar(stmt) or 0
