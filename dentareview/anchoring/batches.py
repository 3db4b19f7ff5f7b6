"""Batch mode: anchor pending reviews as one Merkle root per batch, pay rewards in aggregate.

A batch is published when `batch_size` reviews wait, or when the oldest has waited
`batch_seconds`. Write-ahead, as in single mode: the batch's members, leaf positions,
root and signed transaction are committed *before* the transaction is sent. After a
crash the next pass finds each unconfirmed batch and either its receipt, or its root
already on-chain (then it marks it from the event), or neither (then it sends the same
root again). The registry refuses a root twice and the database a review in two
batches, so nothing is lost and nothing is anchored twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from eth_utils.hexadecimal import decode_hex, encode_hex
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from web3.types import TxReceipt

from dentareview.anchoring.payouts import PayoutReport, RewardPayer
from dentareview.anchoring.statements import anchor_statements
from dentareview.chain.batches import BatchEvent, BatchRegistry
from dentareview.db.models import BatchRow, ReviewRow
from dentareview.db.queries import (
    anchored_unfinal_batches,
    assign_batch_members,
    claim_unbatched_reviews,
    insert_batch,
    mark_batch_anchored,
    mark_batch_final,
    note_batch_failure,
    note_batch_sent,
    record_relay_status,
    release_relayer_lock,
    try_relayer_lock,
    unanchor_batch,
    unbatched_backlog,
    unsettled_batches,
)
from dentareview.domain.merkle import MerkleTree
from dentareview.errors import DentaReviewError
from dentareview.relay.engine import AtFeeCap, Inclusion, Refused, Relay, SignedTx
from dentareview.relay.fees import FeesOverCap
from dentareview.relay.policy import RelayPolicy
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
        relay: RelayPolicy | None = None,
    ) -> None:
        self._sessions = sessions
        self._gateway = gateway
        self._batch_size = batch_size
        self._batch_seconds = batch_seconds
        self._clock = clock
        self._policy = relay or RelayPolicy()
        self._payer = RewardPayer(
            payout_seconds=payout_seconds,
            clock=clock,
            replace_after_seconds=self._policy.replace_after_seconds,
        )

    def run_once(self) -> BatchReport:
        report = BatchReport()
        try:
            deployment = self._gateway.deployment()
        except DentaReviewError as error:
            report.errors.append(error.message)
            return report
        batches = BatchRegistry(deployment.registry.contract)
        relay = Relay(deployment.sender, deployment.registry, self._policy)
        engine: Engine = self._sessions.kw["bind"]
        with engine.connect() as lock, self._sessions() as session:
            if not try_relayer_lock(lock):
                return report
            try:
                self._confirm(session, relay, report)
                self._payer.confirm(session, relay, report)
                session.commit()
                for batch in unsettled_batches(session):
                    self._settle_earlier(session, deployment, relay, batches, batch, report)
                # A backlog of several batches goes out in one pass, one root after another.
                for _ in range(BATCHES_PER_PASS):
                    if report.errors or not self._due(session):
                        break
                    if not self._publish(session, deployment, relay, batches, report):
                        break
                if not report.errors:
                    self._payer.run(session, deployment, relay, batches, report)
                if not report.errors:
                    statements = anchor_statements(
                        session, deployment, relay, now=int(self._clock())
                    )
                    report.statements, report.errors = statements.anchored, statements.errors
                    report.reorged += statements.reorged
                record_relay_status(
                    session,
                    problem=report.errors[0] if report.errors else None,
                    now=int(self._clock()),
                )
                session.commit()
            finally:
                session.rollback()
                release_relayer_lock(lock)
        return report

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

    # -------------------------------------------------------------- building

    def _due(self, session: Session) -> bool:
        backlog = unbatched_backlog(session)
        if backlog.count == 0 or backlog.oldest_submitted_at is None:
            return False
        waited = self._clock() - backlog.oldest_submitted_at
        return backlog.count >= self._batch_size or waited >= self._batch_seconds

    def _confirm(self, session: Session, relay: Relay, report: BatchReport) -> None:
        """Anchored roots become final, or built again when a reorg dropped their block."""
        for batch in anchored_unfinal_batches(session):
            assert batch.tx_hash is not None
            verdict = relay.inclusion(batch.tx_hash, batch.block_hash)
            if verdict is Inclusion.FINAL:
                mark_batch_final(session, batch_id=batch.id)
            elif verdict is Inclusion.DROPPED:
                log.warning("batch %s: its root's block was reorganised away", batch.id)
                unanchor_batch(session, batch_id=batch.id, dropped_tx=batch.tx_hash)
                report.reorged += batch.size

    def _publish(
        self,
        session: Session,
        deployment: Deployment,
        relay: Relay,
        batches: BatchRegistry,
        report: BatchReport,
    ) -> bool:
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
        for row in rows:  # done with: the session stays small across a pass's batches
            session.expunge(row)
        self._send(session, deployment, relay, batches, batch, report)
        return True

    # -------------------------------------------------------------- sending and settling

    def _send(
        self,
        session: Session,
        deployment: Deployment,
        relay: Relay,
        batches: BatchRegistry,
        batch: BatchRow,
        report: BatchReport,
    ) -> None:
        call = batches.anchor_batch(
            decode_hex(batch.root), size=batch.size, rewarded=batch.rewarded
        )

        def note(tx: SignedTx) -> None:
            note_batch_sent(
                session,
                batch_id=batch.id,
                tx_hash=tx.tx_hash,
                nonce=tx.nonce,
                replace_at=int(self._clock() + self._policy.replace_after_seconds),
            )
            session.commit()

        try:
            receipt = relay.send(call, note=note)
        except Refused as refused:
            note_batch_failure(session, batch_id=batch.id, error=f"not sent: {refused.reason}")
            session.commit()
            report.errors.append(f"batch {batch.id}: anchorBatch would revert: {refused.reason}")
            return
        except FeesOverCap as error:
            report.errors.append(str(error))
            return
        self._settle(session, deployment, batches, batch, receipt, report, reconciled=False)

    def _settle_earlier(
        self,
        session: Session,
        deployment: Deployment,
        relay: Relay,
        batches: BatchRegistry,
        batch: BatchRow,
        report: BatchReport,
    ) -> None:
        """A batch an earlier pass wrote ahead (maybe before a crash): find it, or resend it."""
        receipt = None
        if batch.sent_tx_hash is not None:
            receipt = relay.receipt(batch.sent_tx_hash)
            if receipt is None and relay.pending_in_node(batch.sent_tx_hash):
                self._replace_if_due(session, relay, batches, batch, report)
                receipt = relay.wait(batch.sent_tx_hash)
        if receipt is not None and receipt["status"] == 1:
            self._settle(session, deployment, batches, batch, receipt, report, reconciled=True)
        elif batches.batch_of(decode_hex(batch.root)) is not None:
            self._reconcile_from_logs(session, deployment, batches, batch, report)
        elif batch.sent_tx_hash is not None and relay.pending_in_node(batch.sent_tx_hash):
            report.errors.append(f"batch {batch.id}: transaction still pending")
        else:
            self._send(session, deployment, relay, batches, batch, report)

    def _replace_if_due(
        self,
        session: Session,
        relay: Relay,
        batches: BatchRegistry,
        batch: BatchRow,
        report: BatchReport,
    ) -> None:
        assert batch.sent_tx_hash is not None and batch.sent_nonce is not None
        if self._clock() < batch.replace_at:
            return
        call = batches.anchor_batch(
            decode_hex(batch.root), size=batch.size, rewarded=batch.rewarded
        )
        try:
            replacement = relay.replacement(batch.sent_tx_hash, call)
        except AtFeeCap as error:
            report.errors.append(f"batch {batch.id}: {error}")
            return
        if replacement is None:
            return
        note_batch_sent(
            session,
            batch_id=batch.id,
            tx_hash=replacement.tx_hash,
            nonce=replacement.nonce,
            replace_at=int(self._clock() + self._policy.replace_after_seconds),
        )
        session.commit()  # noted before it leaves: either version may be mined
        relay.broadcast(replacement)
        report.replaced += 1

    def _settle(
        self,
        session: Session,
        deployment: Deployment,
        batches: BatchRegistry,
        batch: BatchRow,
        receipt: TxReceipt | None,
        report: BatchReport,
        *,
        reconciled: bool,
    ) -> None:
        if receipt is not None and receipt["status"] == 1:
            events = [e for e in batches.batch_events_in(receipt) if e.root == batch.root]
            if events:
                self._mark(session, deployment, batch, events[0], report, reconciled=reconciled)
                return
        if batches.batch_of(decode_hex(batch.root)) is not None:
            self._reconcile_from_logs(session, deployment, batches, batch, report)
            return
        why = "no receipt yet" if receipt is None else "reverted"
        note_batch_failure(session, batch_id=batch.id, error=f"root transaction {why}")
        session.commit()
        report.failed += batch.size
        log.warning("batch %s: root transaction %s", batch.id, why)

    def _reconcile_from_logs(
        self,
        session: Session,
        deployment: Deployment,
        batches: BatchRegistry,
        batch: BatchRow,
        report: BatchReport,
    ) -> None:
        events = batches.batch_events(
            from_block=deployment.manifest.registry.block_number,
            to_block=int(deployment.w3.eth.block_number),
            root=decode_hex(batch.root),
        )
        if not events:
            report.errors.append(f"batch {batch.id}: root anchored but no BatchAnchored event")
            return
        self._mark(session, deployment, batch, events[0], report, reconciled=True)

    def _mark(
        self,
        session: Session,
        deployment: Deployment,
        batch: BatchRow,
        event: BatchEvent,
        report: BatchReport,
        *,
        reconciled: bool,
    ) -> None:
        mark_batch_anchored(
            session,
            batch_id=batch.id,
            tx_hash=event.tx_hash,
            block_number=event.block_number,
            log_index=event.log_index,
            anchored_at=int(deployment.w3.eth.get_block(event.block_number)["timestamp"]),
            block_hash=event.block_hash,
        )
        session.commit()
        report.batches += 1
        if reconciled:
            report.reconciled += batch.size
        else:
            report.anchored += batch.size

