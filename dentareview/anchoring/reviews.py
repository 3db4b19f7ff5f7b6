"""The anchoring worker of single mode: one registry transaction per review.

Claims due reviews, has the relay (`dentareview/relay/engine.py`, where the argument
for "sent and paid exactly once" lives) sign, note and send one `submitReview` per
review with consecutive nonces, collects the receipts as they come, and keeps each
anchor under watch until it is final.

- **No head-of-line blocking.** Reviews are claimed by `next_attempt_at`. One that
  cannot be anchored now (its dentist deactivated, a refusal of unknown cause) waits
  with backoff while the reviews behind it go ahead; one that never can (a
  smart-contract account that revoked its signature, a visit anchored with another
  review) gets a terminal `failure_code` and stays published, saying why.
- **Reorgs.** An anchor whose block is gone makes its review pending again, with the
  dropped transaction noted: it is waited for if the node still has it, and otherwise
  sent again; the registry pays it once either way.
- **Pipelined.** A pass's transactions are all in flight together: one dry-run request
  for all, nonces only for the accepted ones, one commit of every noted hash before the
  first broadcast, broadcasts in nonce order in batched requests, receipts and block
  times read in batches, and the reputation totals shifted once for the pass.

Nothing is sent while the registry is paused or the network's fees exceed the
operator's maximum. After the reviews, a pass pays rewards the daily cap had queued,
then anchors signed statements (`anchoring/statements.py`).
The `crash_point` calls are inert unless a reliability test selects one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from eth_utils.hexadecimal import decode_hex
from hexbytes import HexBytes
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from web3.contract.contract import ContractFunction
from web3.exceptions import Web3Exception
from web3.types import TxReceipt

from dentareview.anchoring.crash_points import crash_point
from dentareview.anchoring.queued_rewards import pay_queued_rewards
from dentareview.anchoring.statements import anchor_statements
from dentareview.chain.registry import AnchorEvent
from dentareview.chain.transactions import PreparedCall
from dentareview.db.mapping import review_of, visit_of
from dentareview.db.models import ReviewRow, RewardPaymentRow, VisitRow
from dentareview.db.queries import (
    anchored_unfinal_reviews,
    claim_due_reviews,
    count_anchored,
    defer_review,
    get_dentist,
    get_visit,
    get_visits,
    give_up_review,
    mark_anchored,
    mark_final,
    note_anchor_failure,
    note_sent,
    record_relay_status,
    release_relayer_lock,
    reward_payments_of,
    try_relayer_lock,
    unanchor_review,
    withhold_reward,
)
from dentareview.domain.models import Review, Visit
from dentareview.domain.policy import DENTIST_LIMIT
from dentareview.errors import ChainUnavailable, DentaReviewError
from dentareview.relay.engine import (
    AtFeeCap,
    DryRunFailed,
    Inclusion,
    Refused,
    Relay,
    SignedTx,
)
from dentareview.relay.fees import Fees, FeesOverCap
from dentareview.relay.policy import RelayPolicy
from dentareview.services.chain_access import ChainGateway, Deployment

log = logging.getLogger(__name__)

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
    statements: int = 0  # signed edits, erasures and replies anchored
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
            "statements",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors += other.errors


@dataclass
class _SettleBatch:
    """What settling a pass's receipts reads once for all: block times, payments; and
    the reviews newly anchored, added to the totals together (`count_anchored`)."""

    block_times: dict[int, int]
    payments: dict[int, RewardPaymentRow]
    counted_later: list[int] = field(default_factory=list)


def _domain_objects(
    session: Session, row: ReviewRow, visit_row: VisitRow | None = None
) -> tuple[Visit, bytes, Review, bytes]:
    if visit_row is None:
        visit_row = get_visit(session, visit_id=row.visit_id)
    assert visit_row is not None  # reviews reference visits by foreign key
    visit, review = visit_of(visit_row), review_of(row)
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
        self._policy = relay or RelayPolicy()
        self._clock = clock

    def run_once(self) -> AnchorReport:
        report = AnchorReport()
        try:
            deployment = self._gateway.deployment()
        except (ChainUnavailable, DentaReviewError) as error:
            report.errors.append(error.message)
            return report
        relay = Relay(deployment.sender, deployment.registry, self._policy)
        engine: Engine = self._sessions.kw["bind"]
        # One relaying process at a time: the lock lives on its own connection so it
        # holds across the pass's commits; if this process dies, so does the lock.
        with engine.connect() as lock, self._sessions() as session:
            if not try_relayer_lock(lock):
                return report  # another process is relaying right now
            try:
                self._pass(session, deployment, relay, report)
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

    def _pass(
        self, session: Session, deployment: Deployment, relay: Relay, report: AnchorReport
    ) -> None:
        self._confirm(session, relay, report)
        session.commit()
        if deployment.registry.contract.functions.paused().call():
            # Every relay would revert: keep the reviews pending, spend no gas.
            report.errors.append("the registry is paused; reviews stay pending")
            return
        now = int(self._clock())
        rows = claim_due_reviews(session, now=now, limit=self._batch_limit)
        if rows:
            self._anchor(session, deployment, relay, rows, report, now=now)
        session.commit()
        report.queued_paid = pay_queued_rewards(session, deployment, relay)
        statements = anchor_statements(session, deployment, relay, now=now)
        report.statements, report.reorged = statements.anchored, report.reorged + statements.reorged
        report.errors += statements.errors

    def run_until_idle(self, *, max_passes: int = 1000) -> AnchorReport:
        total = AnchorReport()
        for _ in range(max_passes):
            report = self.run_once()
            total.add(report)
            # Stop when a pass made no progress: failures alone would repeat as they are.
            progress = (
                report.anchored
                + report.reconciled
                + report.queued_paid
                + report.reorged
                + report.statements
            )
            if progress == 0 or report.errors:
                break
        return total

    # ------------------------------------------------------------------ finality

    def _confirm(self, session: Session, relay: Relay, report: AnchorReport) -> None:
        """Mark anchors final, or pending again when a reorg dropped their block."""
        rows = anchored_unfinal_reviews(session, limit=1000)
        verdicts = relay.inclusions([(row.tx_hash or "", row.block_hash) for row in rows])
        for row, verdict in zip(rows, verdicts, strict=True):
            assert row.tx_hash is not None  # anchored rows have one
            if verdict is Inclusion.FINAL:
                mark_final(session, review_id=row.id)
                report.finalized += 1
            elif verdict is Inclusion.DROPPED:
                log.warning(
                    "review %s: block %s of its anchor %s was reorganised away",
                    row.id,
                    row.block_number,
                    row.tx_hash,
                )
                unanchor_review(session, review_id=row.id, dropped_tx=row.tx_hash)
                report.reorged += 1

    # ------------------------------------------------------------------ sending

    def _anchor(
        self,
        session: Session,
        deployment: Deployment,
        relay: Relay,
        rows: Sequence[ReviewRow],
        report: AnchorReport,
        *,
        now: int,
    ) -> None:
        """One pipelined pass: dry-run every due review at once, sign the accepted ones
        with consecutive nonces, note them (commit), broadcast, then settle the receipts."""
        to_send = [
            row
            for row in rows
            if not self._settled_earlier(session, deployment, relay, row, report, now=now)
        ]
        if not to_send:
            return
        try:
            fees = relay.fees()
        except FeesOverCap as error:
            report.errors.append(str(error))
            return
        ready = self._of_active_dentists(session, to_send, report, now=now)
        accepted = self._dry_run(session, deployment, relay, ready, report, now=now)
        if accepted is None:
            return
        signed = self._sign_and_note(session, relay, accepted, fees, now=now)
        self._broadcast(relay, [tx for _, tx in signed])
        self._settle_all(session, deployment, relay, signed, report, now=now)

    def _of_active_dentists(
        self, session: Session, rows: list[ReviewRow], report: AnchorReport, *, now: int
    ) -> list[ReviewRow]:
        active: dict[str, bool] = {}
        ready: list[ReviewRow] = []
        for row in rows:
            if row.dentist not in active:
                active[row.dentist] = self._dentist_active(session, row.dentist)
            if not active[row.dentist]:
                # The registry would refuse it: it waits (with backoff) for reactivation,
                # and the reviews behind it go ahead.
                self._defer(session, row, "the dentist is deactivated", now=now)
                report.failed += 1
                continue
            ready.append(row)
        return ready

    def _dry_run(
        self,
        session: Session,
        deployment: Deployment,
        relay: Relay,
        ready: list[ReviewRow],
        report: AnchorReport,
        *,
        now: int,
    ) -> list[tuple[ReviewRow, PreparedCall, int]] | None:
        """The reviews the registry would accept now, with their gas; None if the node
        could not say."""
        visits = get_visits(session, visit_ids=[row.visit_id for row in ready])
        calls = [
            self._prepared_call(session, deployment, row, visits.get(row.visit_id))
            for row in ready
        ]
        # The dry runs of the whole pass in one round trip; only accepted calls get nonces
        # (consecutive ones), so a refusal leaves no gap.
        try:
            dry_runs = relay.dry_run_many(calls)
        except (DryRunFailed, Web3Exception, OSError) as error:
            report.errors.append(f"gas estimates failed: {error}")
            return None
        accepted: list[tuple[ReviewRow, PreparedCall, int]] = []
        for row, call, dry_run in zip(ready, calls, dry_runs, strict=True):
            if isinstance(dry_run, Refused):
                self._refused(session, deployment, row, dry_run.reason, report, now=now)
            elif isinstance(dry_run, Exception):
                self._defer(session, row, f"gas estimate failed: {dry_run}", now=now)
                report.failed += 1
            else:
                accepted.append((row, call, dry_run))
        return accepted

    def _sign_and_note(
        self,
        session: Session,
        relay: Relay,
        accepted: list[tuple[ReviewRow, PreparedCall, int]],
        fees: Fees,
        *,
        now: int,
    ) -> list[tuple[ReviewRow, SignedTx]]:
        """Sign with consecutive nonces and commit each hash and nonce: the write-ahead
        record, before anything leaves this process."""
        txs = relay.sign_many(
            [(call, gas) for _, call, gas in accepted], first_nonce=relay.next_nonce(), fees=fees
        )
        replace_at = now + int(self._policy.replace_after_seconds)
        signed: list[tuple[ReviewRow, SignedTx]] = []
        for (row, _call, _gas), tx in zip(accepted, txs, strict=True):
            note_sent(
                session, review_id=row.id, tx_hash=tx.tx_hash, nonce=tx.nonce, replace_at=replace_at
            )
            signed.append((row, tx))
        crash_point("signed")
        session.commit()
        crash_point("noted")
        return signed

    @staticmethod
    def _broadcast(relay: Relay, txs: list[SignedTx]) -> None:
        """In nonce order: the first alone, then the rest, half and half, in batched
        requests (the crash points let the reliability tests stop in between)."""
        half = max(1, len(txs) // 2)
        if txs:
            relay.send_signed_many(txs[:1])
            crash_point("sent_one")
            relay.send_signed_many(txs[1:half])
            crash_point("sent_half")
            relay.send_signed_many(txs[half:])
        crash_point("sent")

    def _settle_all(
        self,
        session: Session,
        deployment: Deployment,
        relay: Relay,
        signed: list[tuple[ReviewRow, SignedTx]],
        report: AnchorReport,
        *,
        now: int,
    ) -> None:
        # Receipts collected in batches as they come; no database write lock is held
        # while waiting (the write-ahead commit ended the transaction).
        receipts = relay.collect([tx.tx_hash for _, tx in signed])
        crash_point("mined")
        batch = _SettleBatch(
            block_times=relay.block_timestamps(
                int(r["blockNumber"]) for r in receipts.values() if r is not None
            ),
            payments=reward_payments_of(session, review_ids=[row.id for row, _ in signed]),
        )
        with session.no_autoflush:  # the updates go out together at the commit
            for row, tx in signed:
                self._settle(
                    session,
                    deployment,
                    relay,
                    row,
                    tx.tx_hash,
                    receipts[tx.tx_hash],
                    report,
                    now=now,
                    batch=batch,
                )
        count_anchored(session, review_ids=batch.counted_later)
        session.commit()

    def _prepared_call(
        self, session: Session, deployment: Deployment, row: ReviewRow, visit_row: VisitRow | None
    ) -> PreparedCall:
        visit, visit_sig, review, review_sig = _domain_objects(session, row, visit_row)
        return deployment.registry.submit_review_call(
            visit,
            visit_sig,
            review,
            review_sig,
            rewardable=row.rewardable,
            accepted_at=row.submitted_at,
        )

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

    def _defer(
        self, session: Session, row: ReviewRow, error: str, *, now: int, clear_sent: bool = False
    ) -> None:
        until = now + self._policy.backoff(row.anchor_attempts + 1)
        defer_review(session, review_id=row.id, error=error, until=until, clear_sent=clear_sent)

    def _settled_earlier(
        self,
        session: Session,
        deployment: Deployment,
        relay: Relay,
        row: ReviewRow,
        report: AnchorReport,
        *,
        now: int,
    ) -> bool:
        """Handle a review whose transaction was noted by an earlier pass (maybe a crash)."""
        if row.sent_tx_hash is None:
            return False
        receipt = relay.receipt(row.sent_tx_hash)
        if receipt is not None and receipt["status"] == 1:
            events = deployment.registry.anchor_events_in(receipt)
            self._mark(session, deployment, row, events, report, reconciled=True, receipt=receipt)
            return True
        if receipt is None and relay.pending_in_node(row.sent_tx_hash):
            # In the node's pool: never sign a second transaction for the visit at a new
            # nonce. Past its time it is replaced at the same nonce with higher fees.
            if now >= row.next_attempt_at:
                self._replace(session, deployment, relay, row, report, now=now)
            return True
        if self._anchored_on_chain(session, deployment, row, report):
            return True
        # Another version at the noted nonce may wait in the pool (a replacement noted but
        # never broadcast): wait for the nonce to be used rather than send a second one.
        return row.sent_nonce is not None and relay.nonce_in_pool(row.sent_nonce)

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
        self,
        session: Session,
        deployment: Deployment,
        relay: Relay,
        row: ReviewRow,
        report: AnchorReport,
        *,
        now: int,
    ) -> None:
        """Sign the stuck transaction again at its nonce with bumped fees, noted first."""
        assert row.sent_tx_hash is not None and row.sent_nonce is not None
        replace_at = now + int(self._policy.replace_after_seconds)
        try:
            replacement = relay.replacement(row.sent_tx_hash, self._call(session, deployment, row))
        except AtFeeCap as error:
            report.errors.append(f"review {row.id}: {error}")
            replacement = None
        tx_hash = row.sent_tx_hash if replacement is None else replacement.tx_hash
        note_sent(
            session, review_id=row.id, tx_hash=tx_hash, nonce=row.sent_nonce, replace_at=replace_at
        )
        session.commit()  # the replacement is noted before it leaves: any version may be mined
        if replacement is not None:
            relay.broadcast(replacement)
            report.replaced += 1

    @staticmethod
    def _dentist_active(session: Session, address: str) -> bool:
        dentist = get_dentist(session, address=address)
        return dentist is None or dentist.active  # unknown here: let the registry decide

    def _settle(
        self,
        session: Session,
        deployment: Deployment,
        relay: Relay,
        row: ReviewRow,
        tx_hash: str,
        receipt: TxReceipt | None,
        report: AnchorReport,
        *,
        now: int,
        batch: _SettleBatch | None = None,
    ) -> None:
        if receipt is None:
            # Still in flight: a later pass settles it, or replaces it when it is due.
            note_anchor_failure(session, review_id=row.id, error=f"no receipt yet for {tx_hash}")
            report.failed += 1
            return
        if receipt["status"] == 1:
            events = deployment.registry.anchor_events_in(receipt)
            self._mark(
                session, deployment, row, events, report, reconciled=False, receipt=receipt,
                batch=batch,
            )
            return
        if self._anchored_on_chain(session, deployment, row, report):
            return
        self._defer(session, row, f"transaction {tx_hash} reverted", now=now, clear_sent=True)
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
        batch: _SettleBatch | None = None,
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
                payments=batch.payments if batch else None,
            )
            reward_status = None
        anchored_at = batch.block_times.get(event.block_number) if batch else None
        if anchored_at is None:
            anchored_at = int(deployment.w3.eth.get_block(event.block_number)["timestamp"])
        mark_anchored(
            session,
            review_id=row.id,
            tx_hash=event.tx_hash,
            block_number=event.block_number,
            log_index=event.log_index,
            anchored_at=anchored_at,
            reward_status=reward_status if row.rewardable else None,
            block_hash=event.block_hash,
            counted_later=batch.counted_later if batch else None,
            payments=batch.payments if batch else None,
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
