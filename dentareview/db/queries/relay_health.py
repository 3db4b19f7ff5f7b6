"""Queue health for operators: the last anchor and the fees of the relay's mined transactions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, null, select, union
from sqlalchemy.orm import Session

from dentareview.db.models import (
    BatchRow,
    PayoutRow,
    RelayFeeRow,
    ReviewRow,
    RewardPaymentRow,
    StatementAnchorRow,
)


@dataclass(frozen=True)
class LastAnchor:
    block_number: int
    anchored_at: int  # the block's timestamp
    tx_hash: str


@dataclass(frozen=True)
class MinedTx:
    tx_hash: str
    block_hash: str | None  # None where the service keeps no block hash (queued rewards)


def last_anchor(session: Session) -> LastAnchor | None:
    """The highest block holding one of the service's anchors (a review or a batch root)."""
    candidates: list[LastAnchor] = []
    review = session.execute(
        select(ReviewRow.block_number, ReviewRow.anchored_at, ReviewRow.tx_hash)
        .where(ReviewRow.status == "anchored")
        .order_by(ReviewRow.block_number.desc())
        .limit(1)
    ).first()
    batch = session.execute(
        select(BatchRow.block_number, BatchRow.anchored_at, BatchRow.tx_hash)
        .where(BatchRow.status == "anchored")
        .order_by(BatchRow.block_number.desc())
        .limit(1)
    ).first()
    for row in (review, batch):
        if row is not None and row[0] is not None and row[1] is not None and row[2] is not None:
            candidates.append(LastAnchor(int(row[0]), int(row[1]), str(row[2])))
    return max(candidates, key=lambda a: a.block_number, default=None)


def _mined() -> Select[Any]:
    """(tx_hash, block_hash) of every relay transaction the service records as mined:
    single anchors, batch roots, batch payouts, payments of queued rewards and statement
    anchors (edits, erasures, replies)."""
    reviews = select(ReviewRow.tx_hash, ReviewRow.block_hash).where(
        ReviewRow.status == "anchored", ReviewRow.batch_id.is_(None)
    )
    batches = select(BatchRow.tx_hash, BatchRow.block_hash).where(BatchRow.status == "anchored")
    payouts = select(PayoutRow.tx_hash, PayoutRow.block_hash).where(PayoutRow.status == "paid")
    rewards = select(RewardPaymentRow.tx_hash, null()).where(RewardPaymentRow.status == "paid")
    statements = select(StatementAnchorRow.tx_hash, StatementAnchorRow.block_hash).where(
        StatementAnchorRow.status == "anchored"
    )
    mined = union(reviews, batches, payouts, rewards, statements).subquery()
    return select(mined.c[0], mined.c[1]).where(mined.c[0].is_not(None))


def mined_relay_transactions(session: Session) -> list[MinedTx]:
    """One entry per transaction hash (a known block hash wins over none)."""
    found: dict[str, str | None] = {}
    for row in session.execute(_mined()):
        tx, block = row[0], row[1]
        if tx is not None and found.get(str(tx)) is None:
            found[str(tx)] = None if block is None else str(block)
    return [MinedTx(tx, block) for tx, block in sorted(found.items())]


def recorded_fees(session: Session) -> dict[str, RelayFeeRow]:
    return {row.tx_hash: row for row in session.scalars(select(RelayFeeRow))}


def record_fee(
    session: Session,
    *,
    tx_hash: str,
    block_hash: str,
    block_number: int,
    gas_used: int,
    effective_gas_price: int,
) -> None:
    """Insert or correct (after a re-mining in another block) one transaction's fee."""
    row = session.get(RelayFeeRow, tx_hash)
    if row is None:
        row = RelayFeeRow(tx_hash=tx_hash)
        session.add(row)
    row.block_hash = block_hash
    row.block_number = block_number
    row.gas_used = gas_used
    row.effective_gas_price = effective_gas_price
    row.fee = gas_used * effective_gas_price
