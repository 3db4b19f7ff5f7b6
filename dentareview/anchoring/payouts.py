"""Batch mode rewards: periodic aggregate payouts, one mint per patient, within the daily cap.

Rewards of batched reviews accrue off-chain (a pending reward payment each) and on-chain
as a credit added by `anchorBatch`. Once the oldest unpaid one has waited
`payout_seconds`, one `payRewards` transaction pays every patient the sum of their
pending rewards, as far as today's cap and the credit allow; the rest waits for the
next payout. A mint names a patient and an amount, never a review or a dentist.

Sent through the outbox (`outbox.py`) like every chain write: the payout (random id,
members) is committed before it is signed, its transaction before it leaves; the
registry refuses a payout id twice, so a payout found unconfirmed after a crash is
looked up on-chain and resent under the same id. A paid payout is watched until final,
and one whose block a reorg dropped is built again under the same id, its payments
pending.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from eth_utils.hexadecimal import decode_hex, encode_hex
from sqlalchemy.orm import Session
from web3.contract.contract import ContractFunction
from web3.types import TxReceipt

from dentareview.anchoring.batch_mode import BatchModeWriter
from dentareview.anchoring.outbox import Outbox
from dentareview.anchoring.reviews import AnchorReport
from dentareview.chain.batches import BatchRegistry, PayoutEvent
from dentareview.db.models import PayoutRow, RewardPaymentRow
from dentareview.db.queries.payouts import (
    assign_payout,
    insert_payout,
    mark_payout_paid,
    paid_unfinal_payouts,
    payable_rewards,
    payout_payments,
    unpay_payout,
    unsettled_payouts,
)
from dentareview.observability.metrics import REWARDS_MINTED
from dentareview.relay.engine import Relay
from dentareview.services.chain_access import Deployment

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


class PayoutWriter(BatchModeWriter[PayoutRow, PayoutEvent]):
    """An aggregate payout in the outbox: `payRewards` under its payout id."""

    noun = "payout"
    function = "payRewards"
    event = "RewardsPaid"

    def size(self, item: PayoutRow) -> int:
        return 1

    def call(self, item: PayoutRow) -> ContractFunction:
        patients, amounts = totals_by_patient(payout_payments(self._session, payout_id=item.id))
        return self._batches.pay_rewards(decode_hex(item.payout_key), patients, amounts)

    def events_in(self, item: PayoutRow, receipt: TxReceipt) -> list[PayoutEvent]:
        events = self._batches.payout_events_in(receipt)
        return [e for e in events if e.payout_key == item.payout_key]

    def made(self, item: PayoutRow) -> bool:
        return self._batches.is_payout_made(decode_hex(item.payout_key))

    def logged(self, item: PayoutRow, *, from_block: int, to_block: int) -> list[PayoutEvent]:
        key = decode_hex(item.payout_key)
        return self._batches.payout_events(from_block=from_block, to_block=to_block, payout_key=key)

    def mark(self, item: PayoutRow, event: PayoutEvent, *, reconciled: bool) -> None:
        mark_payout_paid(
            self._session,
            payout_id=item.id,
            tx_hash=event.tx_hash,
            block_number=event.block_number,
            paid_at=self.block_time(event.block_number),
            block_hash=event.block_hash,
        )
        self._report.payouts += 1
        REWARDS_MINTED.inc(len(payout_payments(self._session, payout_id=item.id)))

    def count_failure(self, item: PayoutRow, error: str) -> None:
        self._report.errors.append(f"{self.describe(item)}: {error}")

    def undo(self, item: PayoutRow, dropped_tx: str) -> None:
        unpay_payout(self._session, payout_id=item.id, dropped_tx=dropped_tx)


class RewardPayer:
    """Builds payouts once rewards have waited `payout_seconds`; the outbox sends them."""

    def __init__(self, *, payout_seconds: float, clock: Callable[[], float] = time.time) -> None:
        self._payout_seconds = payout_seconds
        self._clock = clock

    def outbox(
        self,
        session: Session,
        deployment: Deployment,
        relay: Relay,
        batches: BatchRegistry,
        report: PayoutReport,
    ) -> Outbox[PayoutRow]:
        writer = PayoutWriter(session, deployment, batches, report)
        return Outbox(session, relay, writer, report, now=int(self._clock()))

    @staticmethod
    def confirm(session: Session, outbox: Outbox[PayoutRow]) -> None:
        """Paid payouts become final, or built again when a reorg dropped their block."""
        outbox.confirm(paid_unfinal_payouts(session))

    def run(
        self,
        session: Session,
        outbox: Outbox[PayoutRow],
        batches: BatchRegistry,
        report: PayoutReport,
    ) -> None:
        for payout in unsettled_payouts(session):
            if not outbox.settle_earlier(payout):
                outbox.send(payout)
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
        outbox.send(payout)
