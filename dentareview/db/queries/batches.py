"""Batch mode: reviews waiting for a batch, batches written ahead, and their anchoring."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, func, select, text, update
from sqlalchemy.orm import Session, load_only

from dentareview.db.models import BATCH_LEAF_EXISTS, BatchRow, ReviewRow
from dentareview.db.queries._write import add_unique, get_or_raise
from dentareview.db.queries.aggregates import shift_aggregates
from dentareview.db.storage_errors import DuplicateKey


@dataclass(frozen=True)
class Backlog:
    """Reviews waiting for a batch: how many, and when the oldest was submitted."""

    count: int
    oldest_submitted_at: int | None


def _unbatched() -> list[object]:
    # A review with a single-mode transaction in flight (sent_tx_hash) belongs to that
    # transaction until the single-mode worker settles it.
    return [
        ReviewRow.status == "pending",
        ReviewRow.batch_id.is_(None),
        ReviewRow.sent_tx_hash.is_(None),
    ]


def unbatched_backlog(session: Session) -> Backlog:
    stmt = select(func.count(), func.min(ReviewRow.submitted_at)).where(*_unbatched())  # type: ignore[arg-type]
    count, oldest = session.execute(stmt).one()
    return Backlog(int(count or 0), None if oldest is None else int(oldest))


def claim_unbatched_reviews(session: Session, *, limit: int) -> list[ReviewRow]:
    """Lock up to `limit` reviews waiting for a batch, oldest first (SKIP LOCKED on PostgreSQL)."""
    stmt = (
        select(ReviewRow)
        # What a batch is built from; the text stays in the database.
        .options(load_only(ReviewRow.id, ReviewRow.digest, ReviewRow.rewardable))
        .where(*_unbatched())  # type: ignore[arg-type]
        .order_by(ReviewRow.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(stmt))


def insert_batch(
    session: Session, *, root: str, size: int, rewarded: int, now: int
) -> BatchRow:
    """Raises DuplicateKey (BATCH_ROOT_EXISTS) if this root was recorded before."""
    row = BatchRow(
        root=root, size=size, rewarded=rewarded, status="built", created_at=now, attempts=0
    )
    return add_unique(session, row)


def assign_batch_members(
    session: Session, *, batch_id: int, members: Sequence[tuple[int, int]]
) -> None:
    """Put reviews `(review_id, leaf_index)` into the batch.

    Only reviews in no batch are moved; if any is already in one, DuplicateKey
    (BATCH_LEAF_EXISTS) is raised and the caller must roll back. The database refuses a
    second batch on its own too (a write-once trigger), and a leaf taken twice (a unique
    constraint).
    """
    if not members:
        return
    if session.get_bind().dialect.name == "postgresql":
        # One statement for all members, joined with the (id, leaf) pairs as arrays.
        moved = session.execute(
            text(
                "UPDATE reviews SET batch_id = :batch_id, leaf_index = m.leaf "
                "FROM unnest(CAST(:ids AS integer[]), CAST(:leaves AS integer[])) AS m(id, leaf) "
                "WHERE reviews.id = m.id AND reviews.batch_id IS NULL"
            ),
            {
                "batch_id": batch_id,
                "ids": [review_id for review_id, _ in members],
                "leaves": [leaf for _, leaf in members],
            },
        ).rowcount  # type: ignore[attr-defined]
    else:  # SQLite: one statement executed for each member, then one count
        stmt = (
            update(ReviewRow.__table__)  # type: ignore[arg-type]
            .where(ReviewRow.__table__.c.id == bindparam("review_id"))
            .where(ReviewRow.__table__.c.batch_id.is_(None))
            .values(batch_id=batch_id, leaf_index=bindparam("leaf"))
        )
        session.connection().execute(
            stmt, [{"review_id": review_id, "leaf": leaf} for review_id, leaf in members]
        )
        moved = session.scalar(
            select(func.count())
            .select_from(ReviewRow)
            .where(ReviewRow.id.in_([i for i, _ in members]), ReviewRow.batch_id == batch_id)
        )
    # A review already in a batch is not moved, and shows up as missing here.
    if moved != len(members):
        raise DuplicateKey(BATCH_LEAF_EXISTS)
    session.expire_all()






def unsettled_batches(session: Session) -> list[BatchRow]:
    """Batches written ahead but not confirmed anchored, oldest first."""
    stmt = (
        select(BatchRow)
        .where(BatchRow.status == "built")
        .order_by(BatchRow.id)
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(stmt))


def mark_batch_anchored(
    session: Session,
    *,
    batch_id: int,
    tx_hash: str,
    block_number: int,
    log_index: int,
    anchored_at: int,
    block_hash: str | None = None,
) -> BatchRow:
    """Record the confirmed root, and every member review as anchored by it.

    Rewards stay "pending": batch mode pays them later, in aggregate payouts.
    """
    row = get_or_raise(session, BatchRow, batch_id)
    row.status = "anchored"
    row.tx_hash = tx_hash
    row.block_number = block_number
    row.log_index = log_index
    row.anchored_at = anchored_at
    row.block_hash = block_hash
    row.final = False
    row.sent_tx_hash = None
    row.sent_nonce = None
    session.flush()  # the row's changes first: expire_all below would drop them
    shift_aggregates(
        session,
        where=(ReviewRow.batch_id == batch_id) & (ReviewRow.status != "anchored"),
        sign=1,
        anchored_at=anchored_at,
    )
    session.flush()
    session.execute(
        update(ReviewRow)
        .where(ReviewRow.batch_id == batch_id)
        .values(
            status="anchored",
            tx_hash=tx_hash,
            block_number=block_number,
            log_index=log_index,
            anchored_at=anchored_at,
            block_hash=block_hash,
            final=False,
        )
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
    return row


def anchored_unfinal_batches(session: Session) -> list[BatchRow]:
    stmt = (
        select(BatchRow)
        .where(BatchRow.status == "anchored", BatchRow.final.is_(False))
        .order_by(BatchRow.id)
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(stmt))


def mark_batch_final(session: Session, *, batch_id: int) -> None:
    """The root's block is final: so is every member review's anchor."""
    row = get_or_raise(session, BatchRow, batch_id)
    row.final = True
    session.execute(
        update(ReviewRow)
        .where(ReviewRow.batch_id == batch_id)
        .values(final=True)
        .execution_options(synchronize_session=False)
    )


def unanchor_batch(session: Session, *, batch_id: int, dropped_tx: str) -> None:
    """A reorg dropped the root's block: the batch is built again (same members, same
    root), its reviews pending, the dropped transaction noted to be looked for first."""
    row = get_or_raise(session, BatchRow, batch_id)
    row.status = "built"
    row.tx_hash = None
    row.block_number = None
    row.block_hash = None
    row.log_index = None
    row.anchored_at = None
    row.final = False
    row.sent_tx_hash = dropped_tx
    row.replace_at = 0
    session.flush()
    shift_aggregates(
        session,
        where=(ReviewRow.batch_id == batch_id) & (ReviewRow.status == "anchored"),
        sign=-1,
        anchored_at=None,
    )
    session.flush()
    session.execute(
        update(ReviewRow)
        .where(ReviewRow.batch_id == batch_id)
        .values(
            status="pending",
            tx_hash=None,
            block_number=None,
            block_hash=None,
            log_index=None,
            anchored_at=None,
            final=False,
        )
        .execution_options(synchronize_session=False)
    )
    session.expire_all()


def get_batch(session: Session, *, batch_id: int) -> BatchRow | None:
    return session.get(BatchRow, batch_id)


def get_batch_by_root(session: Session, *, root: str) -> BatchRow | None:
    return session.scalars(select(BatchRow).where(BatchRow.root == root)).one_or_none()


def batch_members(session: Session, *, batch_id: int) -> list[ReviewRow]:
    """The batch's reviews in leaf order."""
    stmt = select(ReviewRow).where(ReviewRow.batch_id == batch_id).order_by(ReviewRow.leaf_index)
    return list(session.scalars(stmt))


def batch_digests(session: Session, *, batch_id: int) -> list[str]:
    """The digests of the batch's reviews in leaf order (all a proof needs)."""
    stmt = (
        select(ReviewRow.digest)
        .where(ReviewRow.batch_id == batch_id)
        .order_by(ReviewRow.leaf_index)
    )
    return list(session.scalars(stmt))


def iter_anchored_batches(session: Session, *, batch_size: int = 100) -> Iterator[BatchRow]:
    """Every anchored batch in id order, streamed (for audits)."""
    stmt = (
        select(BatchRow)
        .where(BatchRow.status == "anchored")
        .order_by(BatchRow.id)
        .execution_options(yield_per=batch_size)
    )
    yield from session.scalars(stmt)
