"""The anchoring worker of single mode: relays pending reviews to the registry, exactly once.

Why each review is anchored, and paid, exactly once:

- **Write-ahead.** A transaction is signed and its hash and nonce committed to the
  database *before* it is sent. After a crash at any step the worker finds either a
  receipt for the noted hash, or the visit already anchored on-chain (then it reconciles
  from the `ReviewAnchored` event), or neither (then it signs and sends again).
- **The registry is the idempotency key.** It refuses a second anchor of a visit, and the
  reward is minted by the same transaction that anchors, so a second transaction for a
  visit (a resend, a replacement, a re-broadcast after a reorg) can only revert.
- **Replacement.** A transaction still unmined after `replace_after_seconds` is signed
  again at the same nonce with higher fees; the newest hash is noted first. Whichever
  version is mined, the visit's on-chain digest tells the next pass.
- **Finality.** "Anchored" is recorded from the receipt with its block hash; a later pass
  checks every anchor that is not final yet. If its block is gone (a reorg), the review is
  pending again and goes through the steps above; once the block is past the configured
  depth (or the node's `safe`/`finalized` block), it is final.
- **No head-of-line blocking.** Reviews are claimed by `next_attempt_at`. One that cannot
  be anchored now (dentist inactive) waits with backoff; one that can never be (a smart
  account that revoked its signature, a visit anchored with another review) gets a
  terminal `failure_code` and stays published, saying why.

Nothing is sent while the registry is paused or while the network's fees exceed the
operator's maximum. After the reviews, a pass pays rewards the daily cap had queued. The
`crash_point` calls are inert unless a reliability test selects one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from eth_utils.hexadecimal import decode_hex, encode_hex
from hexbytes import HexBytes
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from web3.contract.contract import ContractFunction
from web3.exceptions import ContractLogicError, TransactionNotFound, Web3Exception
from web3.types import TxReceipt

from dentareview.chain.registry import AnchorEvent
from dentareview.db.models import ReviewRow
from dentareview.db.queries import (
    anchored_unfinal_reviews,
    claim_due_reviews,
    defer_review,
    get_dentist,
    get_visit,
    give_up_review,
    mark_anchored,
    mark_final,
    note_anchor_failure,
    note_sent,
    record_relay_status,
    release_relayer_lock,
    try_relayer_lock,
    unanchor_review,
    withhold_reward,
)
from dentareview.domain.models import Review, Visit
from dentareview.domain.policy import DENTIST_LIMIT
from dentareview.errors import ChainUnavailable, DentaReviewError
from dentareview.relay.fees import Fees, FeesOverCap, bump, node_fees, within_cap
from dentareview.relay.policy import RelayPolicy
from dentareview.services.chain_access import ChainGateway, Deployment
from dentareview.services.crash_points import crash_point
from dentareview.services.queued_rewards import pay_queued_rewards

log = logging.getLogger(__name__)

GAS_MARGIN_PERCENT = 25

# Registry errors after which a review can never be anchored, with the reason code shown.
PERMANENT_REFUSALS = {
    "InvalidVisitSignature": "VISIT_SIGNATURE_REJECTED",
    "NotVisitPatient": "REVIEW_SIGNATURE_REJECTED",
    "SelfReview": "SELF_REVIEW",
    "InvalidRating": "INVALID_RATING",
    "SignatureExpired": "SIGNATURE_EXPIRED",
    "VisitAlreadyReviewed": "VISIT_REVIEWED_ELSEWHERE",
}


@dataclass
class AnchorReport:
    anchored: int = 0
    reconciled: int = 0
    failed: int = 0
    queued_paid: int = 0  # patients whose capped rewards were paid from the queue
    replaced: int = 0  # transactions replaced at the same nonce with higher fees
    reorged: int = 0  # anchors whose block a reorg dropped (sent again)
    finalized: int = 0
    given_up: int = 0  # reviews that can never be anchored (terminal state)
    errors: list[str] = field(default_factory=list)

    @property
    def touched(self) -> int:
        return self.anchored + self.reconciled + self.failed

    def add(self, other: AnchorReport) -> None:
        for name in (
            "anchored",
            "reconciled",
            "failed",
            "queued_paid",
            "replaced",
            "reorged",
            "finalized",
            "given_up",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors += other.errors


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
        relay: RelayPolicy | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._sessions = sessions
        self._gateway = gateway
        self._batch_limit = batch_limit
        self._on_anchored = on_anchored
        self._relay = relay or RelayPolicy()
        self._clock = clock

    def run_once(self) -> AnchorReport:
        report = AnchorReport()
        try:
            deployment = self._gateway.deployment()
        except (ChainUnavailable, DentaReviewError) as error:
            report.errors.append(error.message)
            return report
        engine: Engine = self._sessions.kw["bind"]
        # One relaying process at a time: the lock lives on its own connection so it
        # holds across the pass's commits; if this process dies, so does the lock.
        with engine.connect() as lock, self._sessions() as session:
            if not try_relayer_lock(lock):
                return report  # another process is relaying right now
            try:
                self._pass(session, deployment, report)
                # Whichever process answers /health shows what this pass ran into.
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

    def _pass(self, session: Session, deployment: Deployment, report: AnchorReport) -> None:
        self._confirm(session, deployment, report)
        session.commit()
        if deployment.registry.contract.functions.paused().call():
            # Every relay would revert: keep the reviews pending, spend no gas.
            report.errors.append("the registry is paused; reviews stay pending")
            return
        now = int(self._clock())
        rows = claim_due_reviews(session, now=now, limit=self._batch_limit)
        if rows:
            self._anchor(session, deployment, rows, report, now=now)
        session.commit()
        report.queued_paid = pay_queued_rewards(session, deployment)

    def run_until_idle(self, *, max_passes: int = 1000) -> AnchorReport:
        total = AnchorReport()
        for _ in range(max_passes):
            report = self.run_once()
            total.add(report)
            # Stop when a pass made no progress: failures alone would repeat as they are.
            progress = report.anchored + report.reconciled + report.queued_paid + report.reorged
            if progress == 0 or report.errors:
                break
        return total

    # ------------------------------------------------------------------ finality

    def _confirm(self, session: Session, deployment: Deployment, report: AnchorReport) -> None:
        """Mark anchors final, or pending again when a reorg dropped their block."""
        rows = anchored_unfinal_reviews(session, limit=1000)
        if not rows:
            return
        final_block = self._relay.finality.final_block(deployment.w3)
        receipts: dict[str, TxReceipt | None] = {}
        for row in rows:
            assert row.tx_hash is not None and row.block_number is not None
            if row.tx_hash not in receipts:
                receipts[row.tx_hash] = deployment.sender.receipt_or_none(row.tx_hash)
            receipt = receipts[row.tx_hash]
            mined_in = encode_hex(HexBytes(receipt["blockHash"])) if receipt else None
            if receipt is None or receipt["status"] != 1 or (
                row.block_hash is not None and mined_in != row.block_hash
            ):
                log.warning(
                    "review %s: block %s of its anchor %s was reorganised away; sending again",
                    row.id,
                    row.block_number,
                    row.tx_hash,
                )
                unanchor_review(session, review_id=row.id, dropped_tx=row.tx_hash)
                report.reorged += 1
            elif int(receipt["blockNumber"]) <= final_block:
                mark_final(session, review_id=row.id)
                report.finalized += 1

    # ------------------------------------------------------------------ sending

    def _anchor(
        self,
        session: Session,
        deployment: Deployment,
        rows: Sequence[ReviewRow],
        report: AnchorReport,
        *,
        now: int,
    ) -> None:
        to_send = [
            row
            for row in rows
            if not self._settled_earlier(session, deployment, row, report, now=now)
        ]
        if not to_send:
            return
        try:
            fees = self._fees(deployment)
        except FeesOverCap as error:
            report.errors.append(str(error))
            return
        sender = deployment.sender
        nonce = sender.pending_nonce()
        signed: list[tuple[ReviewRow, str, HexBytes]] = []
        for row in to_send:
            if not self._dentist_active(session, row.dentist):
                # The registry would refuse it: it waits (with backoff) for reactivation,
                # and the reviews behind it go ahead.
                self._defer(session, row, "the dentist is deactivated", now=now)
                report.failed += 1
                continue
            call = self._call(session, deployment, row)
            gas = self._estimate(session, deployment, call, row, report, now=now)
            if gas is None:
                continue
            tx = sender.build(call, nonce=nonce, gas=gas, fees=fees)
            tx_hash, raw = sender.sign(tx)
            replace_at = now + int(self._relay.replace_after_seconds)
            note_sent(
                session, review_id=row.id, tx_hash=tx_hash, nonce=nonce, replace_at=replace_at
            )
            signed.append((row, tx_hash, raw))
            nonce += 1
        crash_point("signed")
        session.commit()  # the write-ahead record, before anything leaves
        crash_point("noted")
        for _row, _tx_hash, raw in signed:
            self._broadcast(deployment, raw)
            crash_point("sent_one")
        crash_point("sent")
        # Wait for every receipt first: no database write lock is held while waiting.
        receipts = [
            (row, tx_hash, self._receipt(deployment, tx_hash)) for row, tx_hash, _ in signed
        ]
        crash_point("mined")
        for row, tx_hash, receipt in receipts:
            self._settle(session, deployment, row, tx_hash, receipt, report, now=now)
        session.commit()

    def _call(self, session: Session, deployment: Deployment, row: ReviewRow) -> ContractFunction:
        visit, visit_sig, review, review_sig = _domain_objects(session, row)
        return deployment.registry.submit_review(
            visit,
            visit_sig,
            review,
            review_sig,
            rewardable=row.rewardable,
            accepted_at=row.submitted_at,
        )

    def _fees(self, deployment: Deployment) -> Fees:
        suggested, base_fee = node_fees(deployment.w3)
        return within_cap(suggested, base_fee=base_fee, max_fee_per_gas=self._relay.max_fee_per_gas)

    def _estimate(
        self,
        session: Session,
        deployment: Deployment,
        call: ContractFunction,
        row: ReviewRow,
        report: AnchorReport,
        *,
        now: int,
    ) -> int | None:
        """Gas with a margin; None (and the review deferred or given up) if it would revert."""
        try:
            gas = int(call.estimate_gas({"from": deployment.sender.address}))
        except ContractLogicError as error:
            data = error.data if isinstance(error.data, str) else None
            name = deployment.registry.error_name(data) if data else None
            self._refused(session, deployment, row, name or str(error), report, now=now)
            return None
        except Web3Exception as error:
            self._defer(session, row, f"gas estimate failed: {error}", now=now)
            report.failed += 1
            return None
        return gas + gas * GAS_MARGIN_PERCENT // 100

    def _refused(
        self,
        session: Session,
        deployment: Deployment,
        row: ReviewRow,
        reason: str,
        report: AnchorReport,
        *,
        now: int,
    ) -> None:
        if reason == "VisitAlreadyReviewed" and self._anchored_on_chain(
            session, deployment, row, report
        ):
            return  # ours, anchored by an earlier (maybe replaced) transaction
        code = PERMANENT_REFUSALS.get(reason)
        if code is None:
            self._defer(session, row, f"would revert: {reason}", now=now)
            report.failed += 1
            return
        give_up_review(
            session, review_id=row.id, code=code, error=f"the registry refuses it: {reason}"
        )
        report.given_up += 1
        log.warning("review %s can never be anchored: %s", row.id, reason)

    def _defer(self, session: Session, row: ReviewRow, error: str, *, now: int) -> None:
        until = now + self._relay.backoff(row.anchor_attempts + 1)
        defer_review(session, review_id=row.id, error=error, until=until)

    @staticmethod
    def _broadcast(deployment: Deployment, raw: HexBytes) -> None:
        try:
            deployment.sender.send_raw(raw)
        except (Web3Exception, ValueError) as error:
            # Already known, or its nonce used by another version: the receipt tells.
            log.info("broadcast refused: %s", error)

    def _settled_earlier(
        self, session: Session, deployment: Deployment, row: ReviewRow, report: AnchorReport, *,
        now: int,
    ) -> bool:
        """Handle a review whose transaction was noted by an earlier pass (maybe a crash)."""
        if row.sent_tx_hash is None:
            return False
        receipt = deployment.sender.receipt_or_none(row.sent_tx_hash)
        if receipt is not None and receipt["status"] == 1:
            events = deployment.registry.anchor_events_in(receipt)
            self._mark(session, deployment, row, events, report, reconciled=True, receipt=receipt)
            return True
        if receipt is None and self._pending_in_node(deployment, row.sent_tx_hash):
            # In the node's pool: never sign a second transaction for the visit at a new
            # nonce. Past its time it is replaced at the same nonce with higher fees.
            if now >= row.next_attempt_at:
                self._replace(session, deployment, row, report, now=now)
            return True
        return self._anchored_on_chain(session, deployment, row, report)

    def _anchored_on_chain(
        self, session: Session, deployment: Deployment, row: ReviewRow, report: AnchorReport
    ) -> bool:
        """Reconcile from the registry's event if the visit is anchored; False if it is not."""
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

    def _replace(
        self, session: Session, deployment: Deployment, row: ReviewRow, report: AnchorReport, *,
        now: int,
    ) -> None:
        """Sign the stuck transaction again at its nonce with bumped fees, noted first."""
        assert row.sent_tx_hash is not None and row.sent_nonce is not None
        try:
            stuck = deployment.w3.eth.get_transaction(HexBytes(row.sent_tx_hash))
        except TransactionNotFound:
            return
        previous = Fees(int(stuck["maxFeePerGas"]), int(stuck["maxPriorityFeePerGas"]))
        suggested, _base_fee = node_fees(deployment.w3)
        fees = bump(previous, suggested, percent=self._relay.fee_bump_percent)
        if fees.max_fee_per_gas > self._relay.max_fee_per_gas:
            report.errors.append(
                f"review {row.id}: its transaction waits at the maximum fee "
                f"({self._relay.max_fee_per_gas / 10**9:.2f} gwei); raise the maximum or wait"
            )
            note_sent(
                session,
                review_id=row.id,
                tx_hash=row.sent_tx_hash,
                nonce=row.sent_nonce,
                replace_at=now + int(self._relay.replace_after_seconds),
            )
            session.commit()
            return
        tx = deployment.sender.build(
            self._call(session, deployment, row),
            nonce=row.sent_nonce,
            gas=int(stuck["gas"]),
            fees=fees,
        )
        tx_hash, raw = deployment.sender.sign(tx)
        note_sent(
            session,
            review_id=row.id,
            tx_hash=tx_hash,
            nonce=row.sent_nonce,
            replace_at=now + int(self._relay.replace_after_seconds),
        )
        session.commit()  # the replacement is noted before it leaves: any version may be mined
        self._broadcast(deployment, raw)
        report.replaced += 1
        log.info(
            "review %s: replaced %s by %s at nonce %s (max fee %.2f gwei)",
            row.id,
            row.sent_tx_hash,
            tx_hash,
            row.sent_nonce,
            fees.max_fee_per_gas / 10**9,
        )

    @staticmethod
    def _dentist_active(session: Session, address: str) -> bool:
        dentist = get_dentist(session, address=address)
        return dentist is None or dentist.active  # unknown here: let the registry decide

    @staticmethod
    def _pending_in_node(deployment: Deployment, tx_hash: str) -> bool:
        try:
            tx = deployment.w3.eth.get_transaction(HexBytes(tx_hash))
        except TransactionNotFound:
            return False
        return tx.get("blockNumber") is None

    def _receipt(self, deployment: Deployment, tx_hash: str) -> TxReceipt | None:
        try:
            return deployment.w3.eth.wait_for_transaction_receipt(
                HexBytes(tx_hash), timeout=self._relay.receipt_timeout_seconds, poll_latency=0.02
            )
        except Exception:  # noqa: BLE001 - left pending, settled by a later pass
            return None

    def _settle(
        self,
        session: Session,
        deployment: Deployment,
        row: ReviewRow,
        tx_hash: str,
        receipt: TxReceipt | None,
        report: AnchorReport,
        *,
        now: int,
    ) -> None:
        if receipt is None:
            # Still in flight: a later pass settles it, or replaces it when it is due.
            note_anchor_failure(session, review_id=row.id, error=f"no receipt yet for {tx_hash}")
            report.failed += 1
            return
        if receipt["status"] == 1:
            events = deployment.registry.anchor_events_in(receipt)
            self._mark(session, deployment, row, events, report, reconciled=False, receipt=receipt)
            return
        if self._anchored_on_chain(session, deployment, row, report):
            return
        note_anchor_failure(
            session, review_id=row.id, error=f"transaction {tx_hash} reverted", clear_sent=True
        )
        self._defer(session, row, f"transaction {tx_hash} reverted", now=now)
        report.failed += 1
        log.warning("review %s: anchoring transaction %s reverted", row.id, tx_hash)

    def _mark(
        self,
        session: Session,
        deployment: Deployment,
        row: ReviewRow,
        events: Sequence[AnchorEvent],
        report: AnchorReport,
        *,
        reconciled: bool,
        receipt: TxReceipt | None = None,
    ) -> None:
        matching = [event for event in events if event.visit_id == row.visit_id]
        if not matching:
            note_anchor_failure(session, review_id=row.id, error="no ReviewAnchored event found")
            report.failed += 1
            return
        event = matching[0]
        if event.digest != row.digest:
            # The chain holds another review of this visit: ours can never anchor.
            give_up_review(
                session,
                review_id=row.id,
                code="VISIT_REVIEWED_ELSEWHERE",
                error=f"the visit is anchored with another review (digest {event.digest})",
            )
            report.given_up += 1
            return
        reward_status = self._reward_status(deployment, row, event, receipt)
        if reward_status == "withheld":
            withhold_reward(
                session,
                review_id=row.id,
                code=DENTIST_LIMIT,
                reason="Not rewarded: the registry's daily limit of rewarded reviews for this "
                "dentist was reached when it was anchored",
            )
            reward_status = None
        block = deployment.w3.eth.get_block(event.block_number)
        mark_anchored(
            session,
            review_id=row.id,
            tx_hash=event.tx_hash,
            block_number=event.block_number,
            log_index=event.log_index,
            anchored_at=int(block["timestamp"]),
            reward_status=reward_status if row.rewardable else None,
            block_hash=event.block_hash,
        )
        if reconciled:
            report.reconciled += 1
        else:
            report.anchored += 1
        if self._on_anchored is not None:
            self._on_anchored(row.id)

    @staticmethod
    def _reward_status(
        deployment: Deployment, row: ReviewRow, event: AnchorEvent, receipt: TxReceipt | None
    ) -> Literal["paid", "queued", "withheld"] | None:
        if not row.rewardable:
            return None
        if event.reward > 0:
            return "paid"
        if receipt is None:
            receipt = deployment.w3.eth.get_transaction_receipt(HexBytes(event.tx_hash))
        return "queued" if deployment.registry.queued_in(receipt) else "withheld"
