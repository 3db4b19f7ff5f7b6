"""Batch mode: anchor pending reviews as one Merkle root per batch, pay rewards in aggregate.

A batch is published when `batch_size` reviews wait, or when the oldest has waited
`batch_seconds`. The batch's members, leaf positions and root are committed before its
transaction is signed; the transaction goes through the outbox (`outbox.py`), which
notes it before it leaves. After a crash the next pass finds each unconfirmed batch and
either its receipt, or its root already on-chain (then it marks it from the event), or
neither (then it sends the same root again). The registry refuses a root twice and the
database a review in two batches, so nothing is lost and nothing is anchored twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from eth_utils.hexadecimal import decode_hex, encode_hex
from sqlalchemy.orm import Session, sessionmaker
from web3.contract.contract import ContractFunction
from web3.types import TxReceipt

from dentareview.anchoring.anonymous import AnonymousSettings
from dentareview.anchoring.batch_mode import BatchModeWriter
from dentareview.anchoring.outbox import Outbox, relaying_pass
from dentareview.anchoring.payouts import PayoutReport, RewardPayer
from dentareview.anchoring.side_writes import run_side_writes
from dentareview.chain.batches import BatchEvent, BatchRegistry
from dentareview.db.models import BatchRow, ReviewRow
from dentareview.db.queries.batches import (
    anchored_unfinal_batches,
    assign_batch_members,
    claim_unbatched_reviews,
    insert_batch,
    mark_batch_anchored,
    mark_batch_final,
    unanchor_batch,
    unbatched_backlog,
    unsettled_batches,
)
from dentareview.domain.merkle import MerkleTree
from dentareview.relay.engine import Relay
from dentareview.relay.settings import RelaySettings
from dentareview.services.chain_access import ChainGateway, Deployment

log = logging.getLogger(__name__)

BATCHES_PER_PASS = 8  # full batches published by one pass when a backlog waits


@dataclass
class BatchReport(PayoutReport):
    """`anchored` and `reconciled` count reviews; `batches` and `payouts` transactions."""

    batches: int = 0

    @property
    def touched(self) -> int:
        return self.anchored + self.reconciled + self.failed + self.payouts


def build_tree(rows: Sequence[ReviewRow]) -> tuple[MerkleTree, list[tuple[int, int]]]:
    """The batch's tree and each review's leaf index, as `(review_id, leaf_index)`."""
    tree = MerkleTree.of(decode_hex(row.digest) for row in rows)
    position = {digest: index for index, digest in enumerate(tree.values)}
    return tree, [(row.id, position[decode_hex(row.digest)]) for row in rows]


class BatchWriter(BatchModeWriter[BatchRow, BatchEvent]):
    """A batch in the outbox: `anchorBatch` of its root; success anchors every member."""

    noun = "batch"
    function = "anchorBatch"
    event = "BatchAnchored"

    def __init__(
        self, session: Session, deployment: Deployment, batches: BatchRegistry, report: BatchReport
    ) -> None:
        super().__init__(session, deployment, batches, report)
        self._batch_report = report

    def size(self, item: BatchRow) -> int:
        return item.size

    def call(self, item: BatchRow) -> ContractFunction:
        return self._batches.anchor_batch(
            decode_hex(item.root), size=item.size, rewarded=item.rewarded
        )

    def events_in(self, item: BatchRow, receipt: TxReceipt) -> list[BatchEvent]:
        return [e for e in self._batches.batch_events_in(receipt) if e.root == item.root]

    def made(self, item: BatchRow) -> bool:
        return self._batches.batch_of(decode_hex(item.root)) is not None

    def logged(self, item: BatchRow, *, from_block: int, to_block: int) -> list[BatchEvent]:
        root = decode_hex(item.root)
        return self._batches.batch_events(from_block=from_block, to_block=to_block, root=root)

    def mark(self, item: BatchRow, event: BatchEvent, *, reconciled: bool) -> None:
        mark_batch_anchored(
            self._session,
            batch_id=item.id,
            tx_hash=event.tx_hash,
            block_number=event.block_number,
            log_index=event.log_index,
            anchored_at=self.block_time(event.block_number),
            block_hash=event.block_hash,
        )
        log.info(
            "batch %s anchored in %s (block %s)",
            item.id,
            event.tx_hash,
            event.block_number,
            extra={"batch_id": item.id, "tx_hash": event.tx_hash, "reconciled": reconciled},
        )
        report = self._batch_report
        report.batches += 1
        if reconciled:
            report.reconciled += item.size
        else:
            report.anchored += item.size

    def count_failure(self, item: BatchRow, error: str) -> None:
        self._report.failed += item.size

    def finalize(self, item: BatchRow) -> None:
        mark_batch_final(self._session, batch_id=item.id)

    def undo(self, item: BatchRow, dropped_tx: str) -> None:
        unanchor_batch(self._session, batch_id=item.id, dropped_tx=dropped_tx)


class BatchAnchorer:
    """Same contract as the single-mode Anchorer: passes under the relayer lock."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        gateway: ChainGateway,
        *,
        batch_size: int,
        batch_seconds: float,
        payout_seconds: float,
        clock: Callable[[], float] = time.time,
        relay: RelaySettings | None = None,
        anonymous: AnonymousSettings | None = None,
    ) -> None:
        self._sessions = sessions
        self._gateway = gateway
        self._anonymous = anonymous  # None: no anonymous groups' and reviews' writes
        self._batch_size = batch_size
        self._batch_seconds = batch_seconds
        self._clock = clock
        self._relay_settings = relay or RelaySettings()
        self._payer = RewardPayer(payout_seconds=payout_seconds, clock=clock)

    def run_once(self) -> BatchReport:
        return relaying_pass(
            self._sessions,
            self._gateway,
            self._relay_settings,
            BatchReport(),
            self._pass,
            now=self._clock,
        )

    def _pass(
        self, session: Session, deployment: Deployment, relay: Relay, report: BatchReport
    ) -> None:
        batches = BatchRegistry(deployment.registry.contract)
        writer = BatchWriter(session, deployment, batches, report)
        outbox = Outbox(session, relay, writer, report, now=int(self._clock()))
        payouts = self._payer.outbox(session, deployment, relay, batches, report)
        outbox.confirm(anchored_unfinal_batches(session))
        self._payer.confirm(session, payouts)
        session.commit()
        for batch in unsettled_batches(session):
            if not outbox.settle_earlier(batch):
                outbox.send(batch)
        # A backlog of several batches goes out in one pass, one root after another.
        for _ in range(BATCHES_PER_PASS):
            if report.errors or not self._due(session):
                break
            if not self._publish(session, outbox):
                break
        if not report.errors:
            self._payer.run(session, payouts, batches, report)
        if not report.errors:
            side = run_side_writes(
                session,
                deployment,
                relay,
                now=int(self._clock()),
                stop_on_error=True,
                anonymous=self._anonymous,
            )
            report.statements = side.statements + side.others  # progress: another may follow
            report.errors += side.errors
            report.reorged += side.reorged
            report.replaced += side.replaced

    def run_until_idle(self, *, max_passes: int = 1000) -> BatchReport:
        total = BatchReport()
        for _ in range(max_passes):
            report = self.run_once()
            for name in ("batches", "payouts"):
                setattr(total, name, getattr(total, name) + getattr(report, name))
            total.add(report)
            if report.touched + report.reorged + report.statements == 0 or report.errors:
                break
        return total

    def _due(self, session: Session) -> bool:
        backlog = unbatched_backlog(session)
        if backlog.count == 0 or backlog.oldest_submitted_at is None:
            return False
        waited = self._clock() - backlog.oldest_submitted_at
        return backlog.count >= self._batch_size or waited >= self._batch_seconds

    def _publish(self, session: Session, outbox: Outbox[BatchRow]) -> bool:
        """Build, write ahead and send one batch; False when no review waits."""
        rows = claim_unbatched_reviews(session, limit=self._batch_size)
        if not rows:
            return False
        tree, members = build_tree(rows)
        batch = insert_batch(
            session,
            root=encode_hex(tree.root),
            size=len(rows),
            rewarded=sum(1 for row in rows if row.rewardable),
            now=int(self._clock()),
        )
        assign_batch_members(session, batch_id=batch.id, members=members)
        session.commit()  # the write-ahead record of members and root, before any signing
        # Its reviews' ids with the batch's: the batch's later lines follow each review.
        review_ids = [row.id for row in rows]
        log.info(
            "batch %s of reviews %s",
            batch.id,
            ", ".join(map(str, review_ids)),
            extra={"batch_id": batch.id, "review_ids": review_ids},
        )
        for row in rows:  # done with: the session stays small across a pass's batches
            session.expunge(row)
        outbox.send(batch)
        return True
