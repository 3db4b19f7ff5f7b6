"""Per-dentist reputation aggregates, kept as reviews become anchored or are unanchored.
Anchored anonymous reviews count too (`shift_anonymous`, called by their publisher).

The anchoring queries (mark_anchored, mark_batch_anchored, unanchor_review,
unanchor_batch) call `shift_aggregates` *before* they change the reviews' status, with
the reviews whose status is about to change, so the totals follow the reviews exactly;
`rebuild_aggregates` recomputes everything from the reviews (the `dentareview
reputation rebuild` command), and the full recomputation in queries/reputation.py is
what a test compares them with. What counts is what the full recomputation counts
(queries/reputation.py: an edit's latest ratings; not an erased or removed review), and
`restating_review` keeps the totals right across an edit, an erasure or a moderation
decision.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, Row, and_, case, delete, func, insert, select, tuple_
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from dentareview.db.models import (
    AnonymousReviewRow,
    DentistAggregateRow,
    DentistMonthRow,
    ReviewRow,
)
from dentareview.db.queries.functions import utc_month
from dentareview.db.queries.reputation import (
    BEDSIDE,
    RATING,
    TREATMENT,
    WAIT_TIME,
    anonymous_counted,
    counted,
)
from dentareview.domain.ratings import STARS
from dentareview.domain.reputation import MonthlyAggregate, RatingAggregate


def month_of(unix_seconds: int) -> str:
    """The UTC month, "YYYY-MM", as utc_month computes it in SQL."""
    return datetime.fromtimestamp(unix_seconds, UTC).strftime("%Y-%m")


def shift_aggregates(
    session: Session, *, where: ColumnElement[bool], sign: int, anchored_at: int | None
) -> None:
    """Add (`sign` 1) or take away (-1) the reviews matching `where` in their dentists'
    totals; their month is that of `anchored_at`, or of their own anchoring time."""
    month = utc_month(ReviewRow.anchored_at)
    stmt = (
        select(
            ReviewRow.dentist,
            month,
            RATING,
            func.count(),
            func.sum(TREATMENT),
            func.sum(BEDSIDE),
            func.sum(WAIT_TIME),
        )
        .where(where, counted())
        .group_by(ReviewRow.dentist, month, RATING)
    )
    session.flush()  # earlier changes first: the rows below are read locked and fresh
    _apply(session, session.execute(stmt).all(), sign=sign, anchored_at=anchored_at)


def shift_anonymous(session: Session, *, review_id: str, sign: int) -> None:
    """Add (1) or take away (-1) an anchored anonymous review in its practice's totals:
    anonymous reviews count in the reputation like any other (docs/ANONYMOUS.md). Called
    once it is anchored, before a reorg unanchors it, and around a moderation decision
    (`restating_anonymous`); a removed one is not in the totals."""
    month = utc_month(AnonymousReviewRow.anchored_at)
    stmt = (
        select(
            AnonymousReviewRow.dentist,
            month,
            AnonymousReviewRow.rating,
            func.count(),
            func.sum(AnonymousReviewRow.treatment),
            func.sum(AnonymousReviewRow.bedside),
            func.sum(AnonymousReviewRow.wait_time),
        )
        .where(AnonymousReviewRow.id == review_id, anonymous_counted())
        .group_by(AnonymousReviewRow.dentist, month, AnonymousReviewRow.rating)
    )
    session.flush()
    _apply(session, session.execute(stmt).all(), sign=sign, anchored_at=None)


# (dentist, month, rating, count, treatment sum, bedside sum, waitTime sum)
_Groups = Sequence[Row[str, str, int, int, int, int, int]]


def _apply(session: Session, groups: _Groups, *, sign: int, anchored_at: int | None) -> None:
    """Shift the totals by `groups`: (dentist, month, rating, count, treatment, bedside,
    waitTime sums) rows; their month is that of `anchored_at` when given."""
    if not groups:
        return
    keys = {
        (dentist, month_of(anchored_at) if anchored_at is not None else own_month)
        for dentist, own_month, *_ in groups
    }
    totals, months = _locked_rows(session, keys)
    for dentist, own_month, rating, n, treatment, bedside, wait_time in groups:
        total = totals[dentist]
        total.count += sign * n
        total.rating_sum += sign * rating * n
        total.treatment_sum += sign * int(treatment)
        total.bedside_sum += sign * int(bedside)
        total.wait_time_sum += sign * int(wait_time)
        stars = f"stars_{rating}"
        setattr(total, stars, getattr(total, stars) + sign * n)
        key = month_of(anchored_at) if anchored_at is not None else own_month
        monthly = months[(dentist, key)]
        monthly.count += sign * n
        monthly.rating_sum += sign * rating * n


def _locked_rows(
    session: Session, keys: set[tuple[str, str]]
) -> tuple[dict[str, DentistAggregateRow], dict[tuple[str, str], DentistMonthRow]]:
    """The totals and months of `keys` (dentist, month): created empty where missing
    (INSERT ... ON CONFLICT DO NOTHING, so two writers cannot both create one), then read
    FOR UPDATE in key order, so concurrent shifts of one dentist take turns instead of
    losing an update. Four statements, whatever the number of dentists."""
    dentists = sorted({dentist for dentist, _ in keys})
    ordered = sorted(keys)
    dialect = session.get_bind().dialect.name
    insert_ = postgresql_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        insert_(DentistAggregateRow)
        .values([{"dentist": d} for d in dentists])
        .on_conflict_do_nothing()
    )
    session.execute(
        insert_(DentistMonthRow)
        .values([{"dentist": d, "month": m} for d, m in ordered])
        .on_conflict_do_nothing()
    )
    totals = session.scalars(
        select(DentistAggregateRow)
        .where(DentistAggregateRow.dentist.in_(dentists))
        .order_by(DentistAggregateRow.dentist)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    months = session.scalars(
        select(DentistMonthRow)
        .where(tuple_(DentistMonthRow.dentist, DentistMonthRow.month).in_(ordered))
        .order_by(DentistMonthRow.dentist, DentistMonthRow.month)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    return (
        {row.dentist: row for row in totals},
        {(row.dentist, row.month): row for row in months},
    )


def stored_rating_aggregate(session: Session, *, dentist: str) -> RatingAggregate:
    row = session.get(DentistAggregateRow, dentist)
    if row is None:
        return RatingAggregate()
    histogram = {n: getattr(row, f"stars_{n}") for n in STARS if getattr(row, f"stars_{n}")}
    return RatingAggregate(
        row.count, row.rating_sum, row.treatment_sum, row.bedside_sum, row.wait_time_sum, histogram
    )


def stored_monthly_aggregates(
    session: Session, *, dentist: str, since: int
) -> list[MonthlyAggregate]:
    stmt = (
        select(DentistMonthRow.month, DentistMonthRow.count, DentistMonthRow.rating_sum)
        .where(
            DentistMonthRow.dentist == dentist,
            DentistMonthRow.month >= month_of(since),
            DentistMonthRow.count > 0,
        )
        .order_by(DentistMonthRow.month)
    )
    return [MonthlyAggregate(m, int(c), int(r)) for m, c, r in session.execute(stmt)]


def rebuild_aggregates(session: Session) -> int:
    """Recompute every dentist's totals from the anchored reviews; returns the number of
    dentists with any. The caller commits (and holds the relayer lock meanwhile)."""
    session.execute(delete(DentistMonthRow))
    session.execute(delete(DentistAggregateRow))
    anchored = and_(ReviewRow.status == "anchored", counted())
    stars = [func.sum(case({n: 1}, value=RATING, else_=0)) for n in STARS]
    totals = (
        select(
            ReviewRow.dentist,
            func.count(),
            func.sum(RATING),
            func.sum(TREATMENT),
            func.sum(BEDSIDE),
            func.sum(WAIT_TIME),
            *stars,
        )
        .where(anchored)
        .group_by(ReviewRow.dentist)
    )
    columns = ["dentist", "count", "rating_sum", "treatment_sum", "bedside_sum"]
    columns += ["wait_time_sum", *(f"stars_{n}" for n in STARS)]
    session.execute(insert(DentistAggregateRow).from_select(columns, totals))
    month = utc_month(ReviewRow.anchored_at)
    months = (
        select(ReviewRow.dentist, month, func.count(), func.sum(RATING))
        .where(anchored)
        .group_by(ReviewRow.dentist, month)
    )
    session.execute(
        insert(DentistMonthRow).from_select(["dentist", "month", "count", "rating_sum"], months)
    )
    # Anchored anonymous reviews, added to the same totals (created where missing).
    month = utc_month(AnonymousReviewRow.anchored_at)
    anonymous = (
        select(
            AnonymousReviewRow.dentist,
            month,
            AnonymousReviewRow.rating,
            func.count(),
            func.sum(AnonymousReviewRow.treatment),
            func.sum(AnonymousReviewRow.bedside),
            func.sum(AnonymousReviewRow.wait_time),
        )
        .where(anonymous_counted())
        .group_by(AnonymousReviewRow.dentist, month, AnonymousReviewRow.rating)
    )
    _apply(session, session.execute(anonymous).all(), sign=1, anchored_at=None)
    session.flush()
    session.expire_all()
    return int(session.scalar(select(func.count()).select_from(DentistAggregateRow)) or 0)


@contextmanager
def restating_review(session: Session, *, review: ReviewRow) -> Iterator[None]:
    """Keep the stored totals right while the body changes what of `review` counts (its
    ratings after an edit, its state after an erasure or a moderation decision): it is
    taken out of its dentist's totals before and put back, as it then counts, after."""
    anchored = and_(ReviewRow.id == review.id, ReviewRow.status == "anchored")
    session.flush()
    shift_aggregates(session, where=anchored, sign=-1, anchored_at=None)
    yield
    session.flush()
    shift_aggregates(session, where=anchored, sign=1, anchored_at=None)


@contextmanager
def restating_anonymous(session: Session, *, review: AnonymousReviewRow) -> Iterator[None]:
    """As `restating_review`, for an anonymous review whose moderation state the body
    changes: out of the totals before, back in after if it still counts."""
    shift_anonymous(session, review_id=review.id, sign=-1)
    yield
    shift_anonymous(session, review_id=review.id, sign=1)
