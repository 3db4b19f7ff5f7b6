"""Batch mode rewards: periodic aggregate payouts, one mint per patient, within the daily cap.

Rewards of batched reviews accrue off-chain (a pending reward payment each) and on-chain
as a credit added by `anchorBatch`. Once the oldest unpaid one has waited
`payout_seconds`, one `payRewards` transaction pays every patient the sum of their
pending rewards, as far as today's cap and the credit allow; the rest waits for the
next payout. A mint names a patient and an amount, never a review or a dentist.

Crash safety as for batches: the payout (random id, members) and its signed transaction
are committed before sending; the registry refuses a payout id twice, so a payout
found unconfirmed after a crash is looked up on-chain and resent under the same id.
Sent through the relay like every write; a paid payout is watched until final, and one
whose block a reorg dropped is built again under the same id, its payments pending.
"""

from __future__ import annotations

import logging
import os
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from eth_utils.hexadecimal import decode_hex, encode_hex
from sqlalchemy.orm import Session
from web3.types import TxReceipt

from dentareview.anchoring.reviews import AnchorReport
from dentareview.chain.batches import BatchRegistry, PayoutEvent
from dentareview.db.models import PayoutRow, RewardPaymentRow
from dentareview.db.queries import (
    assign_payout,
    insert_payout,
    mark_payout_final,
    mark_payout_paid,
    note_payout_failure,
    note_payout_sent,
    paid_unfinal_payouts,
    payable_rewards,
    payout_payments,
    unpay_payout,
    unsettled_payouts,
)
from dentareview.relay.engine import AtFeeCap, Inclusion, Refused, Relay, SignedTx
from dentareview.relay.fees import FeesOverCap
from dentareview.services.chain_access import Deployment

log = logging.getLogger(__name__)

# Each mint costs 30-50k gas: 200 keeps a payout far below any block gas limit.
MAX_RECIPIENTS = 200


def select_payments(
    payable: Sequence[RewardPaymentRow], *, budget: int, max_recipients: int = MAX_RECIPIENTS
) -> list[RewardPaymentRow]:
    """Oldest first, the payments that fit `budget` token units and `max_recipients` patients."""
    chosen: list[RewardPaymentRow] = []
    patients: set[str] = set()
    left = budget
    for payment in payable:
        amount = int(payment.amount)
        if amount > left:
            continue
        if payment.patient not in patients and len(patients) >= max_recipients:
            continue
        chosen.append(payment)
        patients.add(payment.patient)
        left -= amount
    return chosen


def totals_by_patient(payments: Sequence[RewardPaymentRow]) -> tuple[list[str], list[int]]:
    """Patients (in first-payment order) and the sum each is owed."""
    totals: dict[str, int] = defaultdict(int)
    for payment in payments:
        totals[payment.patient] += int(payment.amount)
    return list(totals), list(totals.values())


@dataclass
class PayoutReport(AnchorReport):
    """What the payer adds to a pass's report; the batch anchorer's report is one."""

    payouts: int = 0


class RewardPayer:
    def __init__(
        self,
        *,
        payout_seconds: float,
        clock: Callable[[], float] = time.time,
        replace_after_seconds: float = 60.0,
    ) -> None:
        self._payout_seconds = payout_seconds
        self._clock = clock
        self._replace_after = replace_after_seconds

    def confirm(self, session: Session, relay: Relay, report: AnchorReport) -> None:
        """Paid payouts become final, or built again when a reorg dropped their block."""
        for payout in paid_unfinal_payouts(session):
            assert payout.tx_hash is not None
            verdict = relay.inclusion(payout.tx_hash, payout.block_hash)
            if verdict is Inclusion.FINAL:
                mark_payout_final(session, payout_id=payout.id)
            elif verdict is Inclusion.DROPPED:
                log.warning("payout %s: its block was reorganised away", payout.id)
                unpay_payout(session, payout_id=payout.id, dropped_tx=payout.tx_hash)
                report.reorged += 1

    def run(
        self,
        session: Session,
        deployment: Deployment,
        relay: Relay,
        batches: BatchRegistry,
        report: PayoutReport,
    ) -> None:
        for payout in unsettled_payouts(session):
            self._settle_earlier(session, deployment, relay, batches, payout, report)
        if report.errors or unsettled_payouts(session):
            return  # one payout in flight at a time: the next one must see this one's cap use
        now = self._clock()
        payable = payable_rewards(session, anchored_before=int(now - self._payout_seconds) + 1)
        if not payable:
            return
        budget = min(batches.remaining_today(), batches.reward_credit())
        chosen = select_payments(payable_rewards(session), budget=budget)
        if not chosen:
            return  # today's cap is used up: the next day's first pass pays
        patients, amounts = totals_by_patient(chosen)
        payout = insert_payout(
            session,
            payout_key=encode_hex(os.urandom(32)),
            recipients=len(patients),
            total=sum(amounts),
            now=int(now),
        )
        assign_payout(session, payout_id=payout.id, payment_ids=[p.id for p in chosen])
        session.commit()  # the write-ahead record of the payout's members
        self._send(session, deployment, relay, batches, payout, report)

    def _call(self, session: Session, batches: BatchRegistry, payout: PayoutRow) -> Any:
        patients, amounts = totals_by_patient(payout_payments(session, payout_id=payout.id))
        return batches.pay_rewards(decode_hex(payout.payout_key), patients, amounts)

    def _note(self, session: Session, payout: PayoutRow, tx: SignedTx) -> None:
        note_payout_sent(
            session,
            payout_id=payout.id,
            tx_hash=tx.tx_hash,
            nonce=tx.nonce,
            replace_at=int(self._clock() + self._replace_after),
        )
        session.commit()

    def _send(
        self,
        session: Session,
        deployment: Deployment,
        relay: Relay,
        batches: BatchRegistry,
        payout: PayoutRow,
        report: PayoutReport,
    ) -> None:
        try:
            receipt = relay.send(
                self._call(session, batches, payout),
                note=lambda tx: self._note(session, payout, tx),
            )
        except Refused as refused:
            note_payout_failure(session, payout_id=payout.id, error=f"not sent: {refused.reason}")
            session.commit()
            report.errors.append(f"payout {payout.id}: payRewards would revert: {refused.reason}")
            return
        except FeesOverCap as error:
            report.errors.append(str(error))
            return
        self._settle(session, deployment, batches, payout, receipt, report)

    def _settle_earlier(
        self,
        session: Session,
        deployment: Deployment,
        relay: Relay,
        batches: BatchRegistry,
        payout: PayoutRow,
        report: PayoutReport,
    ) -> None:
        receipt = None
        if payout.sent_tx_hash is not None:
            receipt = relay.receipt(payout.sent_tx_hash)
            if receipt is None and relay.pending_in_node(payout.sent_tx_hash):
                self._replace_if_due(session, relay, batches, payout, report)
                receipt = relay.wait(payout.sent_tx_hash)
        if receipt is not None and receipt["status"] == 1:
            self._settle(session, deployment, batches, payout, receipt, report)
        elif batches.is_payout_made(decode_hex(payout.payout_key)):
            self._reconcile_from_logs(session, deployment, batches, payout, report)
        elif payout.sent_tx_hash is not None and relay.pending_in_node(payout.sent_tx_hash):
            report.errors.append(f"payout {payout.id}: transaction still pending")
        else:
            self._send(session, deployment, relay, batches, payout, report)

    def _replace_if_due(
        self,
        session: Session,
        relay: Relay,
        batches: BatchRegistry,
        payout: PayoutRow,
        report: PayoutReport,
    ) -> None:
        assert payout.sent_tx_hash is not None
        if self._clock() < payout.replace_at:
            return
        try:
            replacement = relay.replacement(
                payout.sent_tx_hash, self._call(session, batches, payout)
            )
        except AtFeeCap as error:
            report.errors.append(f"payout {payout.id}: {error}")
            return
        if replacement is None:
            return
        self._note(session, payout, replacement)  # before it leaves: either may be mined
        relay.broadcast(replacement)
        report.replaced += 1

    def _settle(
        self,
        session: Session,
        deployment: Deployment,
        batches: BatchRegistry,
        payout: PayoutRow,
        receipt: TxReceipt | None,
        report: PayoutReport,
    ) -> None:
        if receipt is not None and receipt["status"] == 1:
            events = [
                e for e in batches.payout_events_in(receipt) if e.payout_key == payout.payout_key
            ]
            if events:
                self._mark(session, deployment, payout, events[0], report)
                return
        if batches.is_payout_made(decode_hex(payout.payout_key)):
            self._reconcile_from_logs(session, deployment, batches, payout, report)
            return
        why = "no receipt yet" if receipt is None else "reverted"
        note_payout_failure(session, payout_id=payout.id, error=f"payout transaction {why}")
        session.commit()
        report.errors.append(f"payout {payout.id}: transaction {why}")
        log.warning("payout %s: transaction %s", payout.id, why)

    def _reconcile_from_logs(
        self,
        session: Session,
        deployment: Deployment,
        batches: BatchRegistry,
        payout: PayoutRow,
        report: PayoutReport,
    ) -> None:
        events = batches.payout_events(
            from_block=deployment.manifest.registry.block_number,
            to_block=int(deployment.w3.eth.block_number),
            payout_key=decode_hex(payout.payout_key),
        )
        if not events:
            report.errors.append(f"payout {payout.id}: made but no RewardsPaid event found")
            return
        self._mark(session, deployment, payout, events[0], report)

    @staticmethod
    def _mark(
        session: Session,
        deployment: Deployment,
        payout: PayoutRow,
        event: PayoutEvent,
        report: PayoutReport,
    ) -> None:
        mark_payout_paid(
            session,
            payout_id=payout.id,
            tx_hash=event.tx_hash,
            block_number=event.block_number,
            paid_at=int(deployment.w3.eth.get_block(event.block_number)["timestamp"]),
            block_hash=event.block_hash,
        )
        session.commit()
        report.payouts += 1
