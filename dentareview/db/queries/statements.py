"""On-chain anchors of signed statements about reviews (statement_anchors)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from dentareview.db.models import StatementAnchorRow, StatementKind


def add_statement(session: Session, *, digest: str, kind: StatementKind, now: int) -> None:
    """Queue `digest` for anchoring, in the caller's transaction (with the statement itself)."""
    session.add(StatementAnchorRow(digest=digest.lower(), kind=kind, created_at=now))


def due_statements(session: Session, *, now: int, limit: int) -> list[StatementAnchorRow]:
    """Pending statements not in flight whose backoff has passed, oldest first, locked."""
    stmt = (
        select(StatementAnchorRow)
        .where(
            StatementAnchorRow.status == "pending",
            StatementAnchorRow.sent_tx_hash.is_(None),
            StatementAnchorRow.next_attempt_at <= now,
        )
        .order_by(StatementAnchorRow.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(stmt))


def in_flight_statements(session: Session) -> list[StatementAnchorRow]:
    """Pending statements with a noted transaction (sent, or noted before a crash)."""
    stmt = (
        select(StatementAnchorRow)
        .where(
            StatementAnchorRow.status == "pending", StatementAnchorRow.sent_tx_hash.is_not(None)
        )
        .order_by(StatementAnchorRow.id)
    )
    return list(session.scalars(stmt))


def unfinal_statements(session: Session, *, limit: int) -> list[StatementAnchorRow]:
    """Anchored statements whose block is not final yet: a reorg may still drop them."""
    stmt = (
        select(StatementAnchorRow)
        .where(StatementAnchorRow.status == "anchored", StatementAnchorRow.final.is_(False))
        .order_by(StatementAnchorRow.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def statement_anchors(
    session: Session, *, digests: Iterable[str]
) -> dict[str, StatementAnchorRow]:
    """The anchors of `digests` (0x hex, any case), keyed by lowercase digest."""
    wanted = sorted({digest.lower() for digest in digests})
    if not wanted:
        return {}
    stmt = select(StatementAnchorRow).where(StatementAnchorRow.digest.in_(wanted))
    return {row.digest: row for row in session.scalars(stmt)}
