"""Anonymous groups, their committed roots and anonymous reviews (docs/ANONYMOUS.md)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dentareview.db.models import AnonymousReviewRow, GroupRootRow, MembershipRow
from dentareview.db.queries._write import add_unique

# ---------------------------------------------------------------- memberships


def membership_of_visit(session: Session, *, visit_id: str) -> MembershipRow | None:
    return session.scalars(select(MembershipRow).where(MembershipRow.visit_id == visit_id)).first()


def leaf_of(session: Session, *, dentist: str, commitment: str) -> MembershipRow | None:
    """The membership that holds `commitment`'s leaf in the practice's group, if any."""
    return session.scalars(
        select(MembershipRow).where(
            MembershipRow.dentist == dentist,
            MembershipRow.commitment == commitment,
            MembershipRow.leaf_index.is_not(None),
        )
    ).first()


def group_size(session: Session, *, dentist: str) -> int:
    """The number of leaves of the practice's group."""
    count = session.scalar(
        select(func.count())
        .select_from(MembershipRow)
        .where(MembershipRow.dentist == dentist, MembershipRow.leaf_index.is_not(None))
    )
    return int(count or 0)


def add_membership(session: Session, *, row: MembershipRow) -> MembershipRow:
    """Insert; raises DuplicateKey (visit taken, or leaf index taken by a concurrent one)."""
    return add_unique(session, row)


def group_members(session: Session, *, dentist: str, limit: int) -> list[str]:
    """The first `limit` commitments of the practice's group, in leaf order."""
    return list(
        session.scalars(
            select(MembershipRow.commitment)
            .where(MembershipRow.dentist == dentist, MembershipRow.leaf_index.is_not(None))
            .order_by(MembershipRow.leaf_index)
            .limit(limit)
        )
    )


def grown_groups(session: Session) -> list[tuple[str, int]]:
    """(dentist, leaves) of every practice whose group has more leaves than its newest
    root that is committed or on its way."""
    leaves = (
        select(MembershipRow.dentist, func.count().label("leaves"))
        .where(MembershipRow.leaf_index.is_not(None))
        .group_by(MembershipRow.dentist)
        .subquery()
    )
    roots = (
        select(GroupRootRow.dentist, func.max(GroupRootRow.size).label("size"))
        .where(GroupRootRow.status != "failed")
        .group_by(GroupRootRow.dentist)
        .subquery()
    )
    rows = session.execute(
        select(leaves.c.dentist, leaves.c.leaves)
        .outerjoin(roots, roots.c.dentist == leaves.c.dentist)
        .where(leaves.c.leaves > func.coalesce(roots.c.size, 0))
        .order_by(leaves.c.dentist)
    )
    return [(str(dentist), int(count)) for dentist, count in rows]


# ---------------------------------------------------------------- group roots


def committed_root(session: Session, *, dentist: str) -> GroupRootRow | None:
    """The practice's newest committed root (the largest group it covers)."""
    return session.scalars(
        select(GroupRootRow)
        .where(GroupRootRow.dentist == dentist, GroupRootRow.status == "committed")
        .order_by(GroupRootRow.size.desc(), GroupRootRow.id.desc())
        .limit(1)
    ).first()


def last_root_created_at(session: Session) -> int | None:
    value = session.scalar(select(func.max(GroupRootRow.created_at)))
    return int(value) if value is not None else None


def unsent_roots(session: Session, *, now: int, limit: int) -> list[GroupRootRow]:
    return list(
        session.scalars(
            select(GroupRootRow)
            .where(
                GroupRootRow.status == "pending",
                GroupRootRow.sent_tx_hash.is_(None),
                GroupRootRow.next_attempt_at <= now,
            )
            .order_by(GroupRootRow.id)
            .limit(limit)
        )
    )


def in_flight_roots(session: Session) -> list[GroupRootRow]:
    return list(
        session.scalars(
            select(GroupRootRow)
            .where(GroupRootRow.status == "pending", GroupRootRow.sent_tx_hash.is_not(None))
            .order_by(GroupRootRow.id)
        )
    )


def unfinal_roots(session: Session) -> list[GroupRootRow]:
    return list(
        session.scalars(
            select(GroupRootRow)
            .where(GroupRootRow.status == "committed", GroupRootRow.final.is_(False))
            .order_by(GroupRootRow.id)
        )
    )


# ---------------------------------------------------------------- anonymous reviews


def add_anonymous_review(session: Session, *, row: AnonymousReviewRow) -> AnonymousReviewRow:
    """Insert; raises DuplicateKey when its nullifier or digest is taken."""
    return add_unique(session, row)


def get_anonymous_review(session: Session, *, review_id: str) -> AnonymousReviewRow | None:
    return session.get(AnonymousReviewRow, review_id)


def nullifier_taken(session: Session, *, nullifier: str) -> bool:
    found = session.scalar(
        select(AnonymousReviewRow.id).where(
            AnonymousReviewRow.nullifier == nullifier, AnonymousReviewRow.status != "failed"
        )
    )
    return found is not None


def queued_anonymous_reviews(session: Session, *, now: int) -> list[AnonymousReviewRow]:
    return list(
        session.scalars(
            select(AnonymousReviewRow)
            .where(
                AnonymousReviewRow.status == "queued",
                AnonymousReviewRow.next_attempt_at <= now,
            )
            .order_by(AnonymousReviewRow.publish_after)
        )
    )


def in_flight_anonymous_reviews(session: Session) -> list[AnonymousReviewRow]:
    return list(
        session.scalars(
            select(AnonymousReviewRow).where(
                AnonymousReviewRow.status == "submitted",
                AnonymousReviewRow.sent_tx_hash.is_not(None),
            )
        )
    )


def unfinal_anonymous_reviews(session: Session) -> list[AnonymousReviewRow]:
    return list(
        session.scalars(
            select(AnonymousReviewRow).where(
                AnonymousReviewRow.status == "anchored", AnonymousReviewRow.final.is_(False)
            )
        )
    )


def anchored_anonymous_reviews(
    session: Session, *, dentist: str, limit: int, offset: int
) -> Sequence[AnonymousReviewRow]:
    """A practice's anchored anonymous reviews, newest first."""
    return list(
        session.scalars(
            select(AnonymousReviewRow)
            .where(AnonymousReviewRow.dentist == dentist, AnonymousReviewRow.status == "anchored")
            .order_by(AnonymousReviewRow.anchored_at.desc(), AnonymousReviewRow.id)
            .limit(limit)
            .offset(offset)
        )
    )
