"""The anchoring worker of single mode: one registry transaction per review.

Claims due reviews and sends one `submitReview` per review through the outbox
(`outbox.py`, where the lifecycle and the argument for "sent and paid exactly once"
live): pipelined, with consecutive nonces, the receipts collected as they come, each
anchor kept under watch until it is final.

- **No head-of-line blocking.** Reviews are claimed by `next_attempt_at`. One that
  cannot be anchored now (its dentist deactivated, a refusal of unknown cause) waits
  with backoff while the reviews behind it go ahead; one that never can (a
  smart-contract account that revoked its signature, a visit anchored with another
  review) gets a terminal `failure_code` and stays published, saying why.
- **Reorgs.** An anchor whose block is gone makes its review pending again, with the
  dropped transaction noted: it is waited for if the node still has it, and otherwise
  sent again; the registry pays it once either way.
- **Pipelined** (`Outbox.send_many`): a pass's transactions are all in flight together;
  block times and payments are read once for the pass's receipts, and the reputation
  totals shifted once.

Nothing is sent while the registry is paused or the network's fees exceed the
operator's maximum. After the reviews, a pass pays rewards the daily cap had queued,
then anchors signed statements (`anchoring/statements.py`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from eth_utils.hexadecimal import decode_hex
from hexbytes import HexBytes
from sqlalchemy.orm import Session, sessionmaker
from web3.contract.contract import ContractFunction
from web3.types import TxReceipt

from dentareview.anchoring.anonymous import AnonymousSettings
from dentareview.anchoring.outbox import ChainWriter, Outbox, relaying_pass
from dentareview.anchoring.queued_rewards import pay_queued_rewards
from dentareview.anchoring.side_writes import run_side_writes
from dentareview.chain.registry import AnchorEvent
from dentareview.chain.transactions import PreparedCall
from dentareview.db.mapping import review_of, visit_of
from dentareview.db.models import ReviewRow, RewardPaymentRow, VisitRow
from dentareview.db.queries.anchoring import (
    anchored_unfinal_reviews,
    claim_due_reviews,
    count_anchored,
    defer_review,
    give_up_review,
    mark_anchored,
    note_anchor_failure,
    reward_payments_of,
    unanchor_review,
    withhold_reward,
)
from dentareview.db.queries.dentists import get_dentist
from dentareview.db.queries.visits import get_visit, get_visits
from dentareview.domain.models import Review, Visit
from dentareview.domain.policy import DENTIST_LIMIT
from dentareview.observability.chain import observe_reward
from dentareview.relay.engine import Relay
from dentareview.relay.settings import RelaySettings
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
        relay: RelaySettings | None = None,
        clock: Callable[[], float] = time.time,
        anonymous: AnonymousSettings | None = None,
    ) -> None:
        self._sessions = sessions
        self._gateway = gateway
        self._batch_limit = batch_limit
        self._on_anchored = on_anchored
        self._relay_settings = relay or RelaySettings()
        self._clock = clock
        self._anonymous = anonymous  # None: no anonymous groups' and reviews' writes

    def run_once(self) -> AnchorReport:
        """One pass, unless another process is relaying (one relays at a time)."""
        return relaying_pass(
            self._sessions,
            self._gateway,
            self._relay_settings,
            AnchorReport(),
            self._pass,
            now=self._clock,
        )

    def _pass(
        self, session: Session, deployment: Deployment, relay: Relay, report: AnchorReport
    ) -> None:
        now = int(self._clock())
        writer = ReviewWriter(
            session, deployment, relay, report, now=now, on_anchored=self._on_anchored
        )
        outbox = Outbox(session, relay, writer, report, now=now)
        outbox.confirm(anchored_unfinal_reviews(session, limit=1000))
        session.commit()
        if deployment.registry.contract.functions.paused().call():
            # Every relay would revert: keep the reviews pending, spend no gas.
            report.errors.append("the registry is paused; reviews stay pending")
            return
        rows = claim_due_reviews(session, now=now, limit=self._batch_limit)
        outbox.send_many([row for row in rows if not outbox.settle_earlier(row)])
        session.commit()
        report.queued_paid = pay_queued_rewards(session, deployment, relay)
        side = run_side_writes(
            session, deployment, relay, now=now, stop_on_error=False, anonymous=self._anonymous
        )
        report.statements = side.statements + side.others  # progress: another pass may follow
        report.reorged += side.reorged
        report.replaced += side.replaced
        report.errors += side.errors

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


class ReviewWriter(ChainWriter[ReviewRow]):
    """A review in the outbox: its `submitReview`; success records the anchor and the
    reward's fate, a dropped block makes the review pending again."""

    noun = "review"

    def __init__(
        self,
        session: Session,
        deployment: Deployment,
        relay: Relay,
        report: AnchorReport,
        *,
        now: int,
        on_anchored: Callable[[int], None] | None,
    ) -> None:
        self._session = session
        self._deployment = deployment
        self._relay = relay
        self._report = report
        self._now = now
        self._on_anchored = on_anchored
        self._batch: _SettleBatch | None = None

    def rows(self, item: ReviewRow) -> list[ReviewRow]:
        return [item]

    def call(self, item: ReviewRow) -> ContractFunction:
        visit, visit_sig, review, review_sig = _domain_objects(self._session, item)
        return self._deployment.registry.submit_review(
            visit,
            visit_sig,
            review,
            review_sig,
            rewardable=item.rewardable,
            accepted_at=item.submitted_at,
        )

    def prepared_calls(self, items: Sequence[ReviewRow]) -> list[PreparedCall]:
        """Encoded straight (no web3 per call), the visits read in one query."""
        visits = get_visits(self._session, visit_ids=[row.visit_id for row in items])
        calls = []
        for row in items:
            visit, visit_sig, review, review_sig = _domain_objects(
                self._session, row, visits.get(row.visit_id)
            )
            calls.append(
                self._deployment.registry.submit_review_call(
                    visit,
                    visit_sig,
                    review,
                    review_sig,
                    rewardable=row.rewardable,
                    accepted_at=row.submitted_at,
                )
            )
        return calls

    def sendable(self, items: list[ReviewRow]) -> list[ReviewRow]:
        active: dict[str, bool] = {}
        ready: list[ReviewRow] = []
        for row in items:
            if row.dentist not in active:
                dentist = get_dentist(self._session, address=row.dentist)
                # Unknown here: let the registry decide.
                active[row.dentist] = dentist is None or dentist.active
            if not active[row.dentist]:
                # The registry would refuse it: it waits (with backoff) for reactivation,
                # and the reviews behind it go ahead.
                self.retry_later(row, "the dentist is deactivated")
                continue
            ready.append(row)
        return ready

    def record(self, item: ReviewRow, receipt: TxReceipt, *, reconciled: bool) -> bool:
        events = self._deployment.registry.anchor_events_in(receipt)
        return self._mark(item, events, reconciled=reconciled, receipt=receipt)

    def reconcile(self, item: ReviewRow) -> bool:
        """From the registry's event if the visit is anchored; False if it is not."""
        registry = self._deployment.registry
        if registry.digest_of_visit(decode_hex(item.visit_id)) is None:
            return False  # reverted, never sent, or dropped: sign and send again
        events = registry.anchor_events(
            from_block=self._deployment.manifest.registry.block_number,
            to_block=int(self._deployment.w3.eth.block_number),
            visit_id=decode_hex(item.visit_id),
        )
        if not self._mark(item, events, reconciled=True):
            note_anchor_failure(
                self._session, review_id=item.id, error="no ReviewAnchored event found"
            )
            self._report.failed += 1
        return True

    def refused(self, item: ReviewRow, reason: str) -> None:
        if reason == "VisitAlreadyReviewed" and self.reconcile(item):
            return  # ours, anchored by an earlier (maybe replaced) transaction
        code = PERMANENT_REFUSALS.get(reason)
        if code is None:
            self.retry_later(item, f"would revert: {reason}")
            return
        give_up_review(
            self._session, review_id=item.id, code=code, error=f"the registry refuses it: {reason}"
        )
        self._report.given_up += 1
        log.warning(
            "review %s can never be anchored: %s", item.id, reason, extra={"review_id": item.id}
        )

    def retry_later(self, item: ReviewRow, error: str, *, clear_sent: bool = False) -> None:
        until = self._now + self._relay.settings.backoff(item.anchor_attempts + 1)
        defer_review(
            self._session, review_id=item.id, error=error, until=until, clear_sent=clear_sent
        )
        self._report.failed += 1
        log.info("review %s retried later: %s", item.id, error, extra={"review_id": item.id})

    def in_flight(self, item: ReviewRow, tx_hash: str) -> None:
        note_anchor_failure(self._session, review_id=item.id, error=f"no receipt yet for {tx_hash}")
        self._report.failed += 1
        log.info(
            "review %s sent in %s, no receipt yet",
            item.id,
            tx_hash,
            extra={"review_id": item.id, "tx_hash": tx_hash},
        )

    def failed(self, item: ReviewRow, tx_hash: str) -> None:
        self.retry_later(item, f"transaction {tx_hash} reverted", clear_sent=True)

    def undo(self, item: ReviewRow, dropped_tx: str) -> None:
        unanchor_review(self._session, review_id=item.id, dropped_tx=dropped_tx)
        log.warning(
            "review %s pending again: a reorg dropped %s",
            item.id,
            dropped_tx,
            extra={"review_id": item.id, "tx_hash": dropped_tx},
        )

    def begin_settling(
        self, items: Sequence[ReviewRow], receipts: Mapping[str, TxReceipt | None]
    ) -> None:
        self._batch = _SettleBatch(
            block_times=self._relay.block_timestamps(
                int(r["blockNumber"]) for r in receipts.values() if r is not None
            ),
            payments=reward_payments_of(self._session, review_ids=[row.id for row in items]),
        )

    def end_settling(self) -> None:
        assert self._batch is not None
        count_anchored(self._session, review_ids=self._batch.counted_later)
        self._batch = None

    def _mark(
        self,
        row: ReviewRow,
        events: Sequence[AnchorEvent],
        *,
        reconciled: bool,
        receipt: TxReceipt | None = None,
    ) -> bool:
        """Record the anchor from the visit's event among `events`; False if none."""
        matching = [event for event in events if event.visit_id == row.visit_id]
        if not matching:
            return False
        event, batch = matching[0], self._batch
        if event.digest != row.digest:
            # The chain holds another review of this visit: ours can never anchor.
            give_up_review(
                self._session,
                review_id=row.id,
                code="VISIT_REVIEWED_ELSEWHERE",
                error=f"the visit is anchored with another review (digest {event.digest})",
            )
            self._report.given_up += 1
            return True
        reward_status = self._reward_status(row, event, receipt)
        if reward_status is not None:
            observe_reward(reward_status)
        if reward_status == "withheld":
            withhold_reward(
                self._session,
                review_id=row.id,
                code=DENTIST_LIMIT,
                reason="Not rewarded: the registry's daily limit of rewarded reviews for this "
                "dentist was reached when it was anchored",
                payments=batch.payments if batch else None,
            )
            reward_status = None
        anchored_at = batch.block_times.get(event.block_number) if batch else None
        if anchored_at is None:
            anchored_at = int(self._deployment.w3.eth.get_block(event.block_number)["timestamp"])
        mark_anchored(
            self._session,
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
            self._report.reconciled += 1
        else:
            self._report.anchored += 1
        log.info(
            "review %s anchored in %s (block %s)",
            row.id,
            event.tx_hash,
            event.block_number,
            extra={"review_id": row.id, "tx_hash": event.tx_hash, "reconciled": reconciled},
        )
        if self._on_anchored is not None:
            self._on_anchored(row.id)
        return True

    def _reward_status(
        self, row: ReviewRow, event: AnchorEvent, receipt: TxReceipt | None
    ) -> Literal["paid", "queued", "withheld"] | None:
        if not row.rewardable:
            return None
        if event.reward > 0:
            return "paid"
        if receipt is None:
            receipt = self._deployment.w3.eth.get_transaction_receipt(HexBytes(event.tx_hash))
        return "queued" if self._deployment.registry.queued_in(receipt) else "withheld"
