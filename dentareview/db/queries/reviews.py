"""Reviews as stored off-chain: insert, look up, list, and rate-limit windows."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import ColumnElement, func, insert, literal, select, union_all
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from dentareview.db.models import ADDRESS, UNIX_TIME, ReviewRow, RewardPaymentRow, VisitRow
from dentareview.db.queries._write import add_unique
from dentareview.db.queries.locks import patient_lock
from dentareview.db.types import TokenAmount


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

    def values(self) -> dict[str, object]:
        return {**asdict(self), "status": "pending", "anchor_attempts": 0}


def insert_review(session: Session, *, review: NewReview) -> ReviewRow:
    """Store a pending review as a row.

    Raises DuplicateKey with constraint REVIEW_OF_VISIT_EXISTS or REVIEW_DIGEST_EXISTS;
    the database enforces both, so concurrent submissions cannot both succeed.
    """
    return add_unique(session, ReviewRow(**review.values()))


def add_pending_review(
    session: Session, *, review: NewReview, reward_amount: int | None = None
) -> int | None:
    """Store a pending review and return its id; None if the visit already has one (or the
    digest is taken). One INSERT ... ON CONFLICT DO NOTHING RETURNING: no SAVEPOINT, and
    the transaction stays usable after a duplicate on both databases. With
    `reward_amount`, its pending reward payment too: on PostgreSQL in the same statement
    (the payment inserted from the review's RETURNING), on SQLite right after."""
    values = review.values()
    patient, now = review.patient, review.submitted_at
    dialect = session.get_bind().dialect.name
    insert_ = postgresql_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert_(ReviewRow).values(values).on_conflict_do_nothing().returning(ReviewRow.id)
    if reward_amount is None:
        return session.execute(stmt).scalar_one_or_none()
    if dialect == "postgresql":
        inserted = stmt.cte("review")
        payment = (
            insert(RewardPaymentRow)
            .from_select(
                ["review_id", "patient", "amount", "status", "created_at"],
                select(
                    inserted.c.id,
                    literal(patient, ADDRESS),
                    literal(reward_amount, TokenAmount()),
                    literal("pending"),
                    literal(now, UNIX_TIME),
                ),
            )
            .returning(RewardPaymentRow.review_id)
        )
        return session.execute(payment).scalar_one_or_none()
    review_id = session.execute(stmt).scalar_one_or_none()
    if review_id is not None:
        session.execute(
            insert(RewardPaymentRow).values(
                review_id=review_id, patient=patient, amount=reward_amount, status="pending",
                created_at=now,
            )
        )
    return review_id


@dataclass(frozen=True)
class ReviewTarget:
    """The visit a review is posted for, and whether it already has a review."""

    visit: VisitRow
    reviewed: bool


def visit_for_review(session: Session, *, visit_id: str) -> ReviewTarget | None:
    """The visit, whether it has a review, and on PostgreSQL its patient's lock (held to
    the end of the transaction, for the reward-limit reads that follow), in one round
    trip; None when there is no such visit."""
    stmt = (
        select(VisitRow, ReviewRow.id)
        .outerjoin(ReviewRow, ReviewRow.visit_id == VisitRow.visit_id)
        .where(VisitRow.visit_id == visit_id)
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.add_columns(patient_lock(VisitRow.patient))
    found = session.execute(stmt).first()
    if found is None:
        return None
    return ReviewTarget(visit=found[0], reviewed=found[1] is not None)


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
    columns = (ReviewRow.id, ReviewRow.submitted_at, ReviewRow.patient, ReviewRow.dentist)
    of_patient = select(*columns).where(
        ReviewRow.patient == patient,
        ReviewRow.rewardable,
        ReviewRow.submitted_at >= min(same_dentist_since, patient_since),
    )
    of_dentist = select(*columns).where(
        ReviewRow.dentist == dentist,
        ReviewRow.rewardable,
        ReviewRow.submitted_at >= dentist_since,
    )
    rows = {row.id: row for row in session.execute(union_all(of_patient, of_dentist))}
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
