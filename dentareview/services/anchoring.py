"""The anchoring worker: relays pending reviews to the registry, exactly once each.

Write-ahead: a transaction is signed and its hash and nonce committed to the
database *before* it is sent. After a crash at any step the worker finds either
a receipt for the noted hash, or the visit already anchored on-chain (then it
reconciles from the event), or neither (then it signs and sends again). The
registry refuses a second anchor of a visit, so nothing is ever paid twice.

A noted transaction the node still holds unmined is left to land, never signed
again: a second transaction for the visit could only revert and waste gas. Nothing
is sent while the registry is paused, nor for a dentist the database knows to be
deactivated (those reviews wait for reactivation); a review whose transaction
reverted anyway is simulated before any retry, so a permanent refusal costs gas once
at most. After the reviews, a pass pays rewards the daily cap had queued. The
`crash_point` calls are inert unless a reliability test selects one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from eth_utils.hexadecimal import decode_hex
from hexbytes import HexBytes
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from web3.contract.contract import ContractFunction
from web3.exceptions import ContractLogicError, TransactionNotFound
from web3.types import TxReceipt

from dentareview.chain.registry import AnchorEvent
from dentareview.db.queries import (
    claim_pending_reviews,
    get_dentist,
    get_visit,
    mark_anchored,
    note_anchor_failure,
    note_sent,
    release_relayer_lock,
    try_relayer_lock,
)
from dentareview.domain.models import Review, Visit
from dentareview.errors import ChainUnavailable, DentaReviewError
from dentareview.services.chain_access import ChainGateway, Deployment
from dentareview.services.crash_points import crash_point
from dentareview.services.queued_rewards import pay_queued_rewards

log = logging.getLogger(__name__)

# submitReview measures well under this; the margin covers a first-ever mint.
GAS_LIMIT = 250_000
RECEIPT_TIMEOUT_SECONDS = 60


@dataclass
class AnchorReport:
    anchored: int = 0
    reconciled: int = 0
    failed: int = 0
    queued_paid: int = 0  # patients whose capped rewards were paid from the queue
    errors: list[str] = field(default_factory=list)

    @property
    def touched(self) -> int:
        return self.anchored + self.reconciled + self.failed


def _domain_objects(session: Session, row: Any) -> tuple[Visit, bytes, Review, bytes]:
    visit_row = get_visit(session, visit_id=row.visit_id)
    assert visit_row is not None  # reviews reference visits by foreign key
    visit = Visit(
        visit_id=decode_hex(visit_row.visit_id),
        patient=visit_row.patient,
        dentist=visit_row.dentist,
        visited_at=visit_row.visited_at,
    )
    review = Review(
        visit_id=decode_hex(row.visit_id),
        rating=row.rating,
        treatment=row.treatment,
        bedside=row.bedside,
        wait_time=row.wait_time,
        text=row.text,
        deadline=row.deadline,
    )
    return visit, decode_hex(visit_row.signature), review, decode_hex(row.signature)


class Anchorer:
    """One pass at a time; several processes may run it, one relays (a database lock)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        gateway: ChainGateway,
        *,
        batch_limit: int = 100,
        on_anchored: Callable[[int], None] | None = None,
    ) -> None:
        self._sessions = sessions
        self._gateway = gateway
        self._batch_limit = batch_limit
        self._on_anchored = on_anchored

    def run_once(self) -> AnchorReport:
        report = AnchorReport()
        try:
            deployment = self._gateway.deployment()
        except (ChainUnavailable, DentaReviewError) as error:
            report.errors.append(error.message)
            return report
        if deployment.registry.contract.functions.paused().call():
            # Every relay would revert: keep the reviews pending, spend no gas.
            report.errors.append("the registry is paused; reviews stay pending")
            return report
        engine: Engine = self._sessions.kw["bind"]
        # One relaying process at a time: the lock lives on its own connection so it
        # holds across the pass's commits; if this process dies, so does the lock.
        with engine.connect() as lock, self._sessions() as session:
            if not try_relayer_lock(lock):
                return report  # another process is relaying right now
            try:
                rows = claim_pending_reviews(session, limit=self._batch_limit)
                if rows:
                    self._anchor(session, deployment, rows, report)
                session.commit()
                report.queued_paid = pay_queued_rewards(session, deployment)
            finally:
                session.rollback()
                release_relayer_lock(lock)
        return report

    def run_until_idle(self, *, max_passes: int = 1000) -> AnchorReport:
        total = AnchorReport()
        for _ in range(max_passes):
            report = self.run_once()
            total.anchored += report.anchored
            total.reconciled += report.reconciled
            total.failed += report.failed
            total.queued_paid += report.queued_paid
            total.errors += report.errors
            # Stop when a pass made no progress: failures alone would repeat as they are.
            if report.anchored + report.reconciled + report.queued_paid == 0 or report.errors:
                break
        return total

    def _anchor(
        self, session: Session, deployment: Deployment, rows: Sequence[Any], report: AnchorReport
    ) -> None:
        to_send = [
            row for row in rows if not self._settled_earlier(session, deployment, row, report)
        ]
        if not to_send:
            return
        sender = deployment.sender
        nonce = sender.pending_nonce()
        fees = sender.current_fees()
        signed: list[tuple[Any, str, Any]] = []
        for row in to_send:
            if not self._dentist_active(session, row.dentist):
                # The registry would refuse it: keep it pending until reactivation.
                note_anchor_failure(session, review_id=row.id, error="the dentist is deactivated")
                report.failed += 1
                continue
            visit, visit_sig, review, review_sig = _domain_objects(session, row)
            call = deployment.registry.submit_review(
                visit, visit_sig, review, review_sig, rewardable=row.rewardable
            )
            refusal = self._refusal(deployment, call) if row.anchor_attempts else None
            if refusal is not None:
                note_anchor_failure(
                    session, review_id=row.id, error=f"would revert: {refusal}", clear_sent=True
                )
                report.failed += 1
                continue
            tx = sender.build(call, nonce=nonce, gas=GAS_LIMIT, fees=fees)
            tx_hash, raw = sender.sign(tx)
            note_sent(session, review_id=row.id, tx_hash=tx_hash, nonce=nonce)
            signed.append((row, tx_hash, raw))
            nonce += 1
        crash_point("signed")
        session.commit()  # the write-ahead record, before anything leaves
        crash_point("noted")
        for _row, _tx_hash, raw in signed:
            sender.send_raw(raw)
            crash_point("sent_one")
        crash_point("sent")
        # Wait for every receipt first: no database write lock is held while waiting.
        receipts = [
            (row, tx_hash, self._receipt(deployment, tx_hash)) for row, tx_hash, _ in signed
        ]
        crash_point("mined")
        for row, tx_hash, receipt in receipts:
            self._settle(session, deployment, row, tx_hash, receipt, report)
        session.commit()

    def _settled_earlier(
        self, session: Session, deployment: Deployment, row: Any, report: AnchorReport
    ) -> bool:
        """Handle a review whose transaction was noted by an earlier pass (maybe a crash)."""
        if row.sent_tx_hash is None:
            return False
        receipt = deployment.sender.receipt_or_none(row.sent_tx_hash)
        if receipt is not None and receipt["status"] == 1:
            events = deployment.registry.anchor_events_in(receipt)
            self._mark(session, deployment, row, events, report, reconciled=True)
            return True
        if receipt is None and self._known_to_node(deployment, row.sent_tx_hash):
            # In the node's pool, or mined since the receipt lookup: never sign a
            # second one for the visit; a later pass settles it from its receipt.
            return True
        digest = deployment.registry.digest_of_visit(decode_hex(row.visit_id))
        if digest is None:
            return False  # reverted, never sent, or dropped: sign and send again
        events = deployment.registry.anchor_events(
            from_block=deployment.manifest.registry.block_number,
            to_block=int(deployment.w3.eth.block_number),
            visit_id=decode_hex(row.visit_id),
        )
        self._mark(session, deployment, row, events, report, reconciled=True)
        return True

    @staticmethod
    def _dentist_active(session: Session, address: str) -> bool:
        dentist = get_dentist(session, address=address)
        return dentist is None or dentist.active  # unknown here: let the registry decide

    @staticmethod
    def _known_to_node(deployment: Deployment, tx_hash: str) -> bool:
        try:
            deployment.w3.eth.get_transaction(HexBytes(tx_hash))
        except TransactionNotFound:
            return False
        return True

    @staticmethod
    def _refusal(deployment: Deployment, call: ContractFunction) -> str | None:
        """Why the registry would refuse this relay now (a dry run), or None."""
        try:
            call.call({"from": deployment.sender.address})
        except ContractLogicError as error:
            data = error.data if isinstance(error.data, str) else None
            return (deployment.registry.error_name(data) if data else None) or str(error)
        return None

    @staticmethod
    def _receipt(deployment: Deployment, tx_hash: str) -> TxReceipt | None:
        try:
            return deployment.w3.eth.wait_for_transaction_receipt(
                HexBytes(tx_hash), timeout=RECEIPT_TIMEOUT_SECONDS, poll_latency=0.02
            )
        except Exception:  # noqa: BLE001 - left pending, settled by a later pass
            return None

    def _settle(
        self,
        session: Session,
        deployment: Deployment,
        row: Any,
        tx_hash: str,
        receipt: TxReceipt | None,
        report: AnchorReport,
    ) -> None:
        if receipt is None:
            note_anchor_failure(session, review_id=row.id, error=f"no receipt yet for {tx_hash}")
            report.failed += 1
            return
        if receipt["status"] == 1:
            events = deployment.registry.anchor_events_in(receipt)
            self._mark(session, deployment, row, events, report, reconciled=False)
            return
        if self._settled_earlier(session, deployment, row, report):
            return
        note_anchor_failure(session, review_id=row.id, error=f"transaction {tx_hash} reverted")
        report.failed += 1
        log.warning("review %s: anchoring transaction %s reverted", row.id, tx_hash)

    def _mark(
        self,
        session: Session,
        deployment: Deployment,
        row: Any,
        events: Sequence[AnchorEvent],
        report: AnchorReport,
        *,
        reconciled: bool,
    ) -> None:
        matching = [event for event in events if event.visit_id == row.visit_id]
        if not matching:
            note_anchor_failure(session, review_id=row.id, error="no ReviewAnchored event found")
            report.failed += 1
            return
        event = matching[0]
        if event.digest != row.digest:
            # The chain holds another review of this visit: ours can never anchor.
            note_anchor_failure(
                session, review_id=row.id, error=f"visit anchored with digest {event.digest}"
            )
            report.failed += 1
            return
        block = deployment.w3.eth.get_block(event.block_number)
        reward_status: Literal["paid", "queued"] = "paid" if event.reward > 0 else "queued"
        mark_anchored(
            session,
            review_id=row.id,
            tx_hash=event.tx_hash,
            block_number=event.block_number,
            log_index=event.log_index,
            anchored_at=int(block["timestamp"]),
            reward_status=reward_status if row.rewardable else None,
        )
        if reconciled:
            report.reconciled += 1
        else:
            report.anchored += 1
        if self._on_anchored is not None:
            self._on_anchored(row.id)
