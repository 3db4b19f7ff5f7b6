"""Reviews as stored off-chain: insert, look up, list, and rate-limit windows."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Select,
    bindparam,
    func,
    insert,
    literal,
    select,
    union_all,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import ReturningInsert

from dentareview.db.models import ReviewRow, RewardPaymentRow, VisitRow
from dentareview.db.queries._write import add_unique
from dentareview.db.queries.locks import patient_lock
from dentareview.db.types import TokenAmount
from dentareview.domain.languages import PageLanguage


@dataclass(frozen=True)
class NewReview:
    """A review as it is first stored: pending, with the reward decided."""

    visit_id: str
    digest: str
    patient: str
    dentist: str
    rating: int
    treatment: int
    bedside: int
    wait_time: int
    text: str
    deadline: int
    signature: str
    rewardable: bool
    reward_withheld_code: str | None
    reward_withheld_reason: str | None
    submitted_at: int
    language: PageLanguage | None = None  # not signed: the page's, shown only

    def params(self) -> dict[str, object]:
        """The values this review gives, by column name."""
        return {name: getattr(self, name) for name in _NEW_REVIEW_FIELDS}

    def values(self) -> dict[str, object]:
        """Every stored column of the new row: its values and its first state."""
        return {**self.params(), **_NEW_REVIEW_STATE}


_NEW_REVIEW_STATE: dict[str, object] = {"status": "pending", "anchor_attempts": 0}
_NEW_REVIEW_FIELDS = tuple(field.name for field in dataclasses.fields(NewReview))


def insert_review(session: Session, *, review: NewReview) -> ReviewRow:
    """Store a pending review as a row.

    Raises DuplicateKey with constraint REVIEW_OF_VISIT_EXISTS or REVIEW_DIGEST_EXISTS;
    the database enforces both, so concurrent submissions cannot both succeed.
    """
    return add_unique(session, ReviewRow(**review.values()))


# The intake's statements, built once with bound parameters: building a statement per
# request cost more CPU than running it (the intake bench, bench/scale/intake.py).
_VISITS = VisitRow.metadata.tables[VisitRow.__tablename__]
_REVIEWS = ReviewRow.metadata.tables[ReviewRow.__tablename__]
_PAYMENTS = RewardPaymentRow.metadata.tables[RewardPaymentRow.__tablename__]


def _insert_review_statement(dialect: str) -> ReturningInsert[int]:
    insert_ = postgresql_insert if dialect == "postgresql" else sqlite_insert
    values = {name: bindparam(name) for name in _NEW_REVIEW_FIELDS} | _NEW_REVIEW_STATE
    return insert_(_REVIEWS).values(values).on_conflict_do_nothing().returning(_REVIEWS.c.id)


def _insert_rewarded_review_statement() -> ReturningInsert[int]:
    """PostgreSQL: the review and its pending payment in one statement, the payment
    inserted from the review's RETURNING (nothing when the review was not inserted)."""
    inserted = (
        _insert_review_statement("postgresql")
        .returning(_REVIEWS.c.patient, _REVIEWS.c.submitted_at)
        .cte("review")
    )
    return (
        insert(_PAYMENTS)
        .from_select(
            ["review_id", "patient", "amount", "status", "created_at"],
            select(
                inserted.c.id,
                inserted.c.patient,
                bindparam("reward_amount", type_=TokenAmount()),
                literal("pending"),
                inserted.c.submitted_at,
            ),
        )
        .returning(_PAYMENTS.c.review_id)
    )


_INSERT_REVIEW = {
    dialect: _insert_review_statement(dialect) for dialect in ("postgresql", "sqlite")
}
_INSERT_REWARDED_REVIEW = _insert_rewarded_review_statement()
_INSERT_PAYMENT = insert(_PAYMENTS).values(
    review_id=bindparam("review_id"),
    patient=bindparam("patient"),
    amount=bindparam("reward_amount", type_=TokenAmount()),
    status="pending",
    created_at=bindparam("submitted_at"),
)


def add_pending_review(
    session: Session, *, review: NewReview, reward_amount: int | None = None
) -> int | None:
    """Store a pending review and return its id; None if the visit already has one (or the
    digest is taken). One INSERT ... ON CONFLICT DO NOTHING RETURNING: no SAVEPOINT, and
    the transaction stays usable after a duplicate on both databases. With
    `reward_amount`, its pending reward payment too: on PostgreSQL in the same statement,
    on SQLite right after."""
    params = review.params()
    dialect = session.get_bind().dialect.name
    if reward_amount is None:
        return session.execute(_INSERT_REVIEW[dialect], params).scalar_one_or_none()
    params["reward_amount"] = reward_amount
    if dialect == "postgresql":
        return session.execute(_INSERT_REWARDED_REVIEW, params).scalar_one_or_none()
    review_id = session.execute(_INSERT_REVIEW[dialect], params).scalar_one_or_none()
    if review_id is not None:
        session.execute(_INSERT_PAYMENT, {**params, "review_id": review_id})
    return review_id


@dataclass(frozen=True)
class ReviewTarget:
    """The visit a review is posted for, and whether it already has a review."""

    patient: str
    dentist: str
    visited_at: int
    reviewed: bool


def _visit_for_review_statement(*, lock_patient: bool) -> Select[*tuple[Any, ...]]:
    stmt = (
        select(_VISITS.c.patient, _VISITS.c.dentist, _VISITS.c.visited_at, _REVIEWS.c.id)
        .select_from(_VISITS.outerjoin(_REVIEWS, _REVIEWS.c.visit_id == _VISITS.c.visit_id))
        .where(_VISITS.c.visit_id == bindparam("visit_id"))
        .limit(1)
    )
    return stmt.add_columns(patient_lock(_VISITS.c.patient)) if lock_patient else stmt


_VISIT_FOR_REVIEW = {
    "postgresql": _visit_for_review_statement(lock_patient=True),
    "sqlite": _visit_for_review_statement(lock_patient=False),  # writers take turns
}


def visit_for_review(session: Session, *, visit_id: str) -> ReviewTarget | None:
    """The visit, whether it has a review, and on PostgreSQL its patient's lock (held to
    the end of the transaction, for the reward-limit reads that follow), in one round
    trip; None when there is no such visit."""
    dialect = session.get_bind().dialect.name
    found = session.execute(_VISIT_FOR_REVIEW[dialect], {"visit_id": visit_id}).first()
    if found is None:
        return None
    return ReviewTarget(
        patient=found[0], dentist=found[1], visited_at=found[2], reviewed=found[3] is not None
    )


def get_review(session: Session, *, review_id: int) -> ReviewRow | None:
    return session.get(ReviewRow, review_id)


def get_review_by_visit(session: Session, *, visit_id: str) -> ReviewRow | None:
    return session.scalars(select(ReviewRow).where(ReviewRow.visit_id == visit_id)).one_or_none()


def rewarded_times(
    session: Session, *, patient: str | None, dentist: str | None, since: int
) -> list[int]:
    """`submitted_at` of the rewardable reviews of `patient` and/or `dentist` (whichever are
    given) at or after `since`, oldest first."""
    stmt = select(ReviewRow.submitted_at).where(
        ReviewRow.rewardable,
        ReviewRow.submitted_at >= since,
    )
    if patient is not None:
        stmt = stmt.where(ReviewRow.patient == patient)
    if dentist is not None:
        stmt = stmt.where(ReviewRow.dentist == dentist)
    return list(session.scalars(stmt.order_by(ReviewRow.submitted_at)))


def _dentist_filter(dentist: str, include_pending: bool) -> list[ColumnElement[bool]]:
    conditions = [ReviewRow.dentist == dentist]
    if not include_pending:
        conditions.append(ReviewRow.status == "anchored")
    return conditions


def list_dentist_reviews(
    session: Session, *, dentist: str, include_pending: bool, limit: int, offset: int
) -> list[ReviewRow]:
    """A page of the dentist's reviews, newest submission first."""
    stmt = (
        select(ReviewRow)
        .where(*_dentist_filter(dentist, include_pending))
        .order_by(ReviewRow.submitted_at.desc(), ReviewRow.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(stmt))


def count_dentist_reviews(session: Session, *, dentist: str, include_pending: bool) -> int:
    stmt = select(func.count()).select_from(ReviewRow)
    return session.scalar(stmt.where(*_dentist_filter(dentist, include_pending))) or 0


@dataclass(frozen=True)
class RewardHistory:
    """`submitted_at` of rewardable reviews, oldest first, as the reward limits read them."""

    same_dentist: list[int]  # the patient's, of this dentist
    patient: list[int]  # the patient's, of any dentist
    dentist: list[int]  # the dentist's, of any patient


def _reward_history_statement() -> CompoundSelect[*tuple[Any, ...]]:
    columns = (_REVIEWS.c.id, _REVIEWS.c.submitted_at, _REVIEWS.c.patient, _REVIEWS.c.dentist)
    of_patient = select(*columns).where(
        _REVIEWS.c.patient == bindparam("patient"),
        _REVIEWS.c.rewardable,
        _REVIEWS.c.submitted_at >= bindparam("patient_since"),
    )
    of_dentist = select(*columns).where(
        _REVIEWS.c.dentist == bindparam("dentist"),
        _REVIEWS.c.rewardable,
        _REVIEWS.c.submitted_at >= bindparam("dentist_since"),
    )
    return union_all(of_patient, of_dentist)


_REWARD_HISTORY = _reward_history_statement()


def reward_history(
    session: Session,
    *,
    patient: str,
    dentist: str,
    same_dentist_since: int,
    patient_since: int,
    dentist_since: int,
) -> RewardHistory:
    """The three reads of `rewarded_times` the reward decision needs, in one round trip
    (a UNION ALL, each half on its own index)."""
    params = {
        "patient": patient,
        "dentist": dentist,
        "patient_since": min(same_dentist_since, patient_since),
        "dentist_since": dentist_since,
    }
    rows = {row.id: row for row in session.execute(_REWARD_HISTORY, params)}
    ordered = sorted(rows.values(), key=lambda row: (row.submitted_at, row.id))
    return RewardHistory(
        same_dentist=[
            r.submitted_at
            for r in ordered
            if r.patient == patient
            and r.dentist == dentist
            and r.submitted_at >= same_dentist_since
        ],
        patient=[
            r.submitted_at
            for r in ordered
            if r.patient == patient and r.submitted_at >= patient_since
        ],
        dentist=[
            r.submitted_at
            for r in ordered
            if r.dentist == dentist and r.submitted_at >= dentist_since
        ],
    )
