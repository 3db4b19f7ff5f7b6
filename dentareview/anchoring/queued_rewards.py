"""Pay the rewards the daily cap queued, once the cap has room again.

The contract is the source of truth: `queuedReward(patient)` is what it still owes,
and `payQueuedReward` pays all of it or reverts (`NothingQueued` once paid), so a
retry after a crash can never pay twice: the chain's state is this write's write-ahead
record. The database's 'queued' payments follow: when the chain owes nothing, the
`QueuedRewardPaid` event names the paying tx. Sent through the relay (fees, gas, the
maximum fee) like every other write.
"""

from __future__ import annotations

import logging
from typing import Any, cast

from eth_utils.hexadecimal import encode_hex
from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from dentareview.chain.fees import FeesOverCap
from dentareview.db.models import RewardPaymentRow
from dentareview.observability.chain import observe_receipt
from dentareview.observability.metrics import REWARDS_MINTED, TX_SENT
from dentareview.relay.engine import Refused, Relay, SignedTx
from dentareview.services.chain_access import Deployment

log = logging.getLogger(__name__)


def queued_patients(session: Session) -> list[str]:
    stmt = (
        select(RewardPaymentRow.patient)
        .where(RewardPaymentRow.status == "queued")
        .distinct()
        .order_by(RewardPaymentRow.patient)
    )
    return list(session.scalars(stmt))


def _mark_paid(session: Session, *, patient: str, tx_hash: str, paid_at: int) -> None:
    paid = session.execute(
        update(RewardPaymentRow)
        .where(RewardPaymentRow.patient == patient, RewardPaymentRow.status == "queued")
        .values(status="paid", tx_hash=tx_hash, paid_at=paid_at)
    )
    REWARDS_MINTED.inc(max(0, cast(CursorResult[Any], paid).rowcount))


def _earlier_payment(deployment: Deployment, patient: str) -> tuple[str, int] | None:
    """The tx and block of the last on-chain payment of `patient`'s queue, if any."""
    logs = deployment.registry.contract.events.QueuedRewardPaid().get_logs(
        from_block=deployment.manifest.registry.block_number,
        argument_filters={"patient": patient},
    )
    if not logs:
        return None
    last = logs[-1]
    return encode_hex(last["transactionHash"]), int(last["blockNumber"])


def _no_record(_: SignedTx) -> None:
    """The registry's `queuedReward` is the record: nothing to note before sending."""


def pay_queued_rewards(session: Session, deployment: Deployment, relay: Relay) -> int:
    """Pay every queued patient the cap now allows; returns how many were paid.

    Run under the relayer lock: it sends from the operator's account.
    """
    patients = queued_patients(session)
    if not patients:
        return 0
    views = deployment.registry.contract.functions
    room = int(views.dailyRewardCap().call()) - int(views.rewardedToday().call()[1])
    paid = 0
    for patient in patients:
        owed = int(views.queuedReward(patient).call())
        if owed == 0:  # paid by a pass that died before noting it
            found = _earlier_payment(deployment, patient)
            if found is not None:
                block = deployment.w3.eth.get_block(found[1])
                _mark_paid(session, patient=patient, tx_hash=found[0], paid_at=block["timestamp"])
                session.commit()
            continue
        if owed > room:
            continue
        try:
            receipt = relay.send(views.payQueuedReward(patient), note=_no_record)
            TX_SENT.labels("payout").inc()
        except (Refused, FeesOverCap) as error:
            log.warning("paying queued rewards waits: %s", error)  # no wallet: personal data
            break
        if receipt is not None:
            observe_receipt("payout", receipt)
        if receipt is None or receipt["status"] != 1:
            break  # in flight or reverted: the next pass reads the chain's state again
        room -= owed
        block = deployment.w3.eth.get_block(receipt["blockNumber"])
        tx_hash = encode_hex(receipt["transactionHash"])
        _mark_paid(session, patient=patient, tx_hash=tx_hash, paid_at=block["timestamp"])
        session.commit()
        paid += 1
    return paid
