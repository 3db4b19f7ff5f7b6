"""Passkey patients' reward transfers: queued, due, in flight, unfinal, counted."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dentareview.db.models import PasskeyCheckinRow, RewardTransferRow


def insert_transfer(session: Session, row: RewardTransferRow) -> RewardTransferRow:
    session.add(row)
    session.flush()
    return row


def transfers_of(session: Session, *, account: str, limit: int = 20) -> Sequence[RewardTransferRow]:
    query = (
        select(RewardTransferRow)
        .where(RewardTransferRow.account == account)
        .order_by(RewardTransferRow.id.desc())
        .limit(limit)
    )
    return session.scalars(query).all()


def open_transfer_of(session: Session, *, account: str) -> RewardTransferRow | None:
    """The account's transfer still waiting for the chain, if any (one at a time: each
    uses the account's next nonce)."""
    query = select(RewardTransferRow).where(
        RewardTransferRow.account == account, RewardTransferRow.status == "pending"
    )
    return session.scalars(query.limit(1)).first()


def deployments_since(session: Session, *, practice: str, since: int) -> int:
    query = select(func.count()).where(
        RewardTransferRow.practice == practice,
        RewardTransferRow.deploys.is_(True),
        RewardTransferRow.status != "refused",
        RewardTransferRow.created_at >= since,
    )
    return int(session.scalar(query) or 0)


def due_transfers(session: Session, *, now: int, limit: int) -> Sequence[RewardTransferRow]:
    query = (
        select(RewardTransferRow)
        .where(
            RewardTransferRow.status == "pending",
            RewardTransferRow.sent_tx_hash.is_(None),
            RewardTransferRow.next_attempt_at <= now,
        )
        .order_by(RewardTransferRow.id)
        .limit(limit)
    )
    return session.scalars(query).all()


def in_flight_transfers(session: Session) -> Sequence[RewardTransferRow]:
    query = select(RewardTransferRow).where(
        RewardTransferRow.status == "pending", RewardTransferRow.sent_tx_hash.is_not(None)
    )
    return session.scalars(query.order_by(RewardTransferRow.id)).all()


def unfinal_transfers(session: Session, *, limit: int) -> Sequence[RewardTransferRow]:
    query = select(RewardTransferRow).where(
        RewardTransferRow.status == "done", RewardTransferRow.final.is_(False)
    )
    return session.scalars(query.order_by(RewardTransferRow.id).limit(limit)).all()


def first_practice_of(session: Session, *, account: str) -> str | None:
    """The practice where the account first checked in (the one its deployment counts for)."""
    query = (
        select(PasskeyCheckinRow.dentist)
        .where(PasskeyCheckinRow.account == account)
        .order_by(PasskeyCheckinRow.created_at, PasskeyCheckinRow.id)
        .limit(1)
    )
    return session.scalar(query)
